import { z } from 'zod';

/** A UTC calendar day, `YYYY-MM-DD`, that exists. */
export const isoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date written YYYY-MM-DD')
  .refine((s) => {
    const d = new Date(`${s}T00:00:00Z`);
    return !Number.isNaN(d.getTime()) && d.toISOString().startsWith(s);
  }, 'is not a calendar date');

export const UPDATE_MODES = ['Auto', 'FunctionUpdate', 'Manual'] as const;
export const updateMode = z.enum(UPDATE_MODES);
export type UpdateMode = z.infer<typeof updateMode>;

const runtimeId = z.string().regex(/^[a-z][a-z0-9.\-]*$/, 'must be a Lambda runtime identifier such as nodejs22.x');
const days = z.number().int().min(0);

const tierSchema = z
  .object({
    allowedUpdateModes: z.array(updateMode).min(1),
    /** The mode remediation moves a function to; the first allowed mode when absent. */
    preferredUpdateMode: updateMode.optional(),
    /** How long before a runtime's deprecation the function must have moved (warning inside it). */
    upgradeLeadDays: days,
    /** With FunctionUpdate, how long a function may go without a deploy before it counts as stale. */
    redeployWithinDays: days.optional(),
  })
  .strict()
  .refine((t) => !t.preferredUpdateMode || t.allowedUpdateModes.includes(t.preferredUpdateMode), {
    message: 'preferredUpdateMode must be one of allowedUpdateModes',
    path: ['preferredUpdateMode'],
  });

const waiverSchema = z
  .object({
    /** Function name or glob (`payments-*`). */
    function: z.string().min(1),
    account: z.string().regex(/^\d{12}$/, 'must be a 12-digit AWS account id').optional(),
    expires: isoDate,
    reason: z.string().min(1),
    /** Rule ids the waiver covers; every error when absent. */
    rules: z.array(z.string().regex(/^RW\d{3}$/, 'must be a rule id such as RW004')).optional(),
  })
  .strict();

const overrideSchema = z
  .object({
    id: runtimeId,
    family: z.string().min(1).optional(),
    os: z.string().min(1).optional(),
    deprecation: isoDate.nullable().optional(),
    blockCreate: isoDate.nullable().optional(),
    blockUpdate: isoDate.nullable().optional(),
  })
  .strict();

const DEFAULT_TIERS = {
  critical: { allowedUpdateModes: ['Manual', 'FunctionUpdate'], preferredUpdateMode: 'FunctionUpdate', upgradeLeadDays: 180, redeployWithinDays: 30 },
  important: { allowedUpdateModes: ['FunctionUpdate', 'Auto'], preferredUpdateMode: 'Auto', upgradeLeadDays: 90, redeployWithinDays: 90 },
  'non-critical': { allowedUpdateModes: ['Auto'], upgradeLeadDays: 30 },
} satisfies Record<string, z.input<typeof tierSchema>>;

export const policySchema = z
  .object({
    version: z.literal(1),
    /** Absent: every catalog runtime that is not deprecated. */
    approvedRuntimes: z.array(runtimeId).optional(),
    deniedRuntimes: z.array(runtimeId).default([]),
    /** Organisation-wide minimum warning window before a deprecation date. */
    warnBeforeDeprecationDays: days.default(30),
    tiers: z
      .object({
        tagKey: z.string().min(1).default('runtime-warden:tier'),
        defaultTier: z.string().min(1).default('non-critical'),
        definitions: z.record(z.string().min(1), tierSchema).default(DEFAULT_TIERS),
      })
      .strict()
      .default({ tagKey: 'runtime-warden:tier', defaultTier: 'non-critical', definitions: DEFAULT_TIERS })
      .refine((t) => t.defaultTier in t.definitions, { message: 'defaultTier must name one of the tier definitions', path: ['defaultTier'] }),
    /** Manual pins are a temporary rollback: older than this is a violation. */
    manualPinMaxAgeDays: days.default(30),
    waiverTag: z
      .object({
        key: z.string().min(1).default('runtime-warden:waiver'),
        enabled: z.boolean().default(true),
        /** A tag waiver may reach at most this far ahead; self-service must not mean forever. */
        maxDays: days.default(90),
      })
      .strict()
      .default({ key: 'runtime-warden:waiver', enabled: true, maxDays: 90 }),
    waivers: z.array(waiverSchema).default([]),
    /** Tags that name who owns a function, first found wins: shown in alerts and reports. */
    ownerTagKeys: z.array(z.string().min(1)).default(['owner', 'Owner', 'team', 'Team']),
    catalogOverrides: z.array(overrideSchema).default([]),
  })
  .strict()
  .superRefine((p, ctx) => {
    const both = (p.approvedRuntimes ?? []).filter((r) => p.deniedRuntimes.includes(r));
    if (both.length > 0) {
      ctx.addIssue({ code: 'custom', path: ['deniedRuntimes'], message: `runtimes both approved and denied: ${both.join(', ')}` });
    }
  });

export type PolicyDocument = z.output<typeof policySchema>;
export type PolicyDocumentInput = z.input<typeof policySchema>;
export type TierDefinition = z.output<typeof tierSchema>;
export type Waiver = z.output<typeof waiverSchema>;
