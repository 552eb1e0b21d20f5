import * as z from '../schema/zod.js';

/** A UTC calendar day, `YYYY-MM-DD`, that exists. */
export const isoDate = z.string().check(
  z.regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date written YYYY-MM-DD'),
  z.refine((s) => {
    const d = new Date(`${s}T00:00:00Z`);
    return !Number.isNaN(d.getTime()) && d.toISOString().startsWith(s);
  }, 'is not a calendar date'),
);

export const UPDATE_MODES = ['Auto', 'FunctionUpdate', 'Manual'] as const;
export const updateMode = z.enum(UPDATE_MODES);
export type UpdateMode = z.infer<typeof updateMode>;

const runtimeId = z.string().check(z.regex(/^[a-z][a-z0-9.\-]*$/, 'must be a Lambda runtime identifier such as nodejs22.x'));
const days = z.number().check(z.int(), z.gte(0));
const nonEmpty = z.string().check(z.minLength(1));

/**
 * How a tier's functions must deploy (RW020), judged where the source shows it (a SAM template's
 * AutoPublishAlias and DeploymentPreference). Every field off when absent.
 */
const deploymentSchema = z.strictObject({
  /** AutoPublishAlias with a DeploymentPreference that shifts traffic gradually (Canary or Linear, not AllAtOnce). */
  requireTrafficShifting: z.optional(z.boolean()),
  /** At least this many CloudWatch alarms in DeploymentPreference.Alarms, to roll back on. */
  requireAlarms: z.optional(days.check(z.gte(1))),
  /**
   * Every deploy publishes a version (AutoPublishAlias or an AWS::Lambda::Version), so a rollback
   * has one to go back to: `true` always, or only while the update mode is one of those listed.
   */
  requirePublishedVersions: z.optional(
    z.union([z.boolean(), z.array(updateMode).check(z.minLength(1))], { error: `must be true, false or a non-empty list of update modes (${UPDATE_MODES.join(', ')})` }),
  ),
});

/**
 * The watch after a runtime version change (docs/watch.md): off when absent. A change followed by
 * an error rate above the baseline by the margin is proposed for rollback, or rolled back.
 */
const watchSchema = z.strictObject({
  /** How far above the 24 hours before the change the error rate may rise, in percent. */
  errorRiseMarginPercent: z._default(z.number().check(z.gte(0), z.lte(100_000)), 50),
  /** Invocations after the change needed before it is judged at all. */
  minInvocations: z._default(z.number().check(z.int(), z.gte(1)), 100),
  /** `propose`: alert with the command and document to run; `rollback`: start the document too. */
  act: z._default(z.enum(['propose', 'rollback']), 'propose'),
});

const tierSchema = z
  .strictObject({
    allowedUpdateModes: z.array(updateMode).check(z.minLength(1)),
    /** The mode remediation moves a function to; the first allowed mode when absent. */
    preferredUpdateMode: z.optional(updateMode),
    /** How long before a runtime's deprecation the function must have moved (warning inside it). */
    upgradeLeadDays: days,
    /** With FunctionUpdate, how long a function may go without a deploy before it counts as stale. */
    redeployWithinDays: z.optional(days),
    /** RW021: a newer runtime of the family available longer than this is a warning. Off when absent. */
    adoptNewRuntimeWithinDays: z.optional(days),
    deployment: z.optional(deploymentSchema),
    watch: z.optional(watchSchema),
  })
  .check(
    z.refine((t) => !t.preferredUpdateMode || t.allowedUpdateModes.includes(t.preferredUpdateMode), {
      message: 'preferredUpdateMode must be one of allowedUpdateModes',
      path: ['preferredUpdateMode'],
    }),
  );

const ruleId = z.string().check(z.regex(/^RW\d{3}$/, 'must be a rule id such as RW004'));

const waiverSchema = z
  .strictObject({
    /** A function name or an unqualified function ARN; a glob (`payments-*`) only with `match: glob`. */
    function: nonEmpty,
    /**
     * `exact` (default): a name can be claimed only by the function that has it. A glob matches
     * names nobody has chosen yet - anyone who may create a function can name one to match - so
     * it must be asked for, and kept to one account.
     */
    match: z._default(z.enum(['exact', 'glob']), 'exact'),
    account: z.optional(z.string().check(z.regex(/^\d{12}$/, 'must be a 12-digit AWS account id'))),
    expires: isoDate,
    reason: nonEmpty,
    /** Rule ids the waiver covers; every error when absent. */
    rules: z.optional(z.array(ruleId)),
  })
  .check(
    z.refine((w) => w.match !== 'glob' || w.account !== undefined, {
      message: 'a glob waiver (match: glob) must name the account it applies to',
      path: ['account'],
    }),
  );

/**
 * Tier names become tag values, Guard rule names and map keys: letters, digits, `-` and `_`,
 * compared without case (a tag value is lower-cased before lookup). `team/payments` or `>>` would
 * break the generated Guard file; `__proto__` and `constructor` would reach Object's prototype.
 */
const RESERVED_NAMES = new Set(['constructor', 'prototype', 'tostring', 'valueof', 'hasownproperty']);
const tierName = z.string().check(
  z.regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/, 'must be 1-64 letters, digits, "-" or "_", starting with a letter or digit'),
  z.refine((s) => !RESERVED_NAMES.has(s.toLowerCase()), 'is a reserved word'),
);

const overrideDate = z.optional(z.nullable(isoDate));
const overrideSchema = z.strictObject({
  id: runtimeId,
  family: z.optional(nonEmpty),
  os: z.optional(nonEmpty),
  deprecation: overrideDate,
  blockCreate: overrideDate,
  blockUpdate: overrideDate,
  /** The day the runtime became available in Lambda, for RW021 (the built-in catalog knows most). */
  released: z.optional(isoDate),
});

const DEFAULT_TIERS = {
  critical: { allowedUpdateModes: ['Manual', 'FunctionUpdate'], preferredUpdateMode: 'FunctionUpdate', upgradeLeadDays: 180, redeployWithinDays: 30 },
  important: { allowedUpdateModes: ['FunctionUpdate', 'Auto'], preferredUpdateMode: 'Auto', upgradeLeadDays: 90, redeployWithinDays: 90 },
  'non-critical': { allowedUpdateModes: ['Auto'], upgradeLeadDays: 30 },
} satisfies Record<string, z.input<typeof tierSchema>>;

export const policySchema = z
  .strictObject({
    version: z.literal(1),
    /** Absent: every catalog runtime that is not deprecated. */
    approvedRuntimes: z.optional(z.array(runtimeId)),
    deniedRuntimes: z._default(z.array(runtimeId), []),
    /** Organisation-wide minimum warning window before a deprecation date. */
    warnBeforeDeprecationDays: z._default(days, 30),
    tiers: z._default(
      z
        .strictObject({
          tagKey: z._default(nonEmpty, 'runtime-warden:tier'),
          defaultTier: z._default(tierName, 'non-critical'),
          definitions: z._default(z.record(tierName, tierSchema), DEFAULT_TIERS),
        })
        .check(
          z.superRefine((t, ctx) => {
            const names = Object.keys(t.definitions).map((n) => n.toLowerCase());
            const twice = names.filter((n, i) => names.indexOf(n) !== i);
            if (twice.length > 0) ctx.addIssue({ code: 'custom', path: ['definitions'], message: `tier names differ only in case: ${[...new Set(twice)].join(', ')}` });
            if (!names.includes(t.defaultTier.toLowerCase())) ctx.addIssue({ code: 'custom', path: ['defaultTier'], message: 'defaultTier must name one of the tier definitions' });
          }),
        ),
      { tagKey: 'runtime-warden:tier', defaultTier: 'non-critical', definitions: DEFAULT_TIERS },
    ),
    /** Manual pins are a temporary rollback: older than this is a violation. */
    manualPinMaxAgeDays: z._default(days, 30),
    waiverTag: z._default(
      z.strictObject({
        key: z._default(nonEmpty, 'runtime-warden:waiver'),
        enabled: z._default(z.boolean(), true),
        /** A tag waiver may reach at most this far ahead; self-service must not mean forever. */
        maxDays: z._default(days.check(z.lte(366)), 90),
      }),
      { key: 'runtime-warden:waiver', enabled: true, maxDays: 90 },
    ),
    waivers: z._default(z.array(waiverSchema), []),
    /** Rules that no waiver, of the policy or of a tag, may downgrade. */
    unwaivableRules: z._default(z.array(ruleId), []),
    /** Tags that name who owns a function, first found wins: shown in alerts and reports. */
    ownerTagKeys: z._default(z.array(nonEmpty), ['owner', 'Owner', 'team', 'Team']),
    catalogOverrides: z._default(z.array(overrideSchema), []),
    /** Who owns the policy and grants policy waivers: named in every blocked message. */
    contact: z.optional(nonEmpty),
    /** Where to ask for an exception (a form, a wiki page): named beside the contact. */
    exceptionsUrl: z.optional(z.url({ protocol: /^https?$/ })),
  })
  .check(
    z.superRefine((p, ctx) => {
      const both = (p.approvedRuntimes ?? []).filter((r) => p.deniedRuntimes.includes(r));
      if (both.length > 0) {
        ctx.addIssue({ code: 'custom', path: ['deniedRuntimes'], message: `runtimes both approved and denied: ${both.join(', ')}` });
      }
    }),
  );

export type PolicyDocument = z.output<typeof policySchema>;
export type PolicyDocumentInput = z.input<typeof policySchema>;
export type TierDefinition = z.output<typeof tierSchema>;
export type DeploymentRules = z.output<typeof deploymentSchema>;
export type WatchSettings = z.output<typeof watchSchema>;
export type Waiver = z.output<typeof waiverSchema>;
