import * as z from '../schema/zod.js';

// The JSON report as a stable input (for `report --compare`, dashboards, scripts): versioned by
// `schemaVersion`, parsed by this schema. A change that removes or retypes a field is a new
// schemaVersion; new fields may appear within one (objects are not strict). docs/report.md.

export const REPORT_SCHEMA_VERSION = 1;

const day = z.string().check(z.regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date written YYYY-MM-DD'));
const nullableDay = z.nullable(day);
const count = z.number().check(z.int(), z.gte(0));
const days = z.number().check(z.int());

export const reportWaiverSchema = z.object({
  source: z.enum(['tag', 'policy']),
  waiver: z.optional(z.string()),
  setBy: z.string(),
  rules: z.array(z.string()),
  expires: day,
  daysLeft: days,
  reason: z.string(),
});

export const reportFunctionSchema = z.object({
  accountId: z.string(),
  region: z.string(),
  name: z.string(),
  runtime: z.string(),
  phase: z.enum(['active', 'deprecated', 'create-blocked', 'update-blocked', 'unknown', 'container-image']),
  deprecation: nullableDay,
  blockCreate: nullableDay,
  blockUpdate: nullableDay,
  tier: z.string(),
  owner: z.string(),
  moveBy: nullableDay,
  daysToMove: z.nullable(days),
  wall: z.nullable(z.enum(['deprecation', 'block-create', 'block-update'])),
  wallDate: nullableDay,
  daysToWall: z.nullable(days),
  late: z.boolean(),
  critical: z.boolean(),
  target: z.string(),
  compliance: z.enum(['COMPLIANT', 'NON_COMPLIANT', 'NOT_APPLICABLE']),
  ruleIds: z.string(),
  summary: z.string(),
  invocations14d: z.nullable(count),
  lastInvoked: nullableDay,
  deletionCandidate: z.boolean(),
  waivers: z.array(reportWaiverSchema),
});

export const reportDocumentSchema = z.object({
  schemaVersion: z.literal(REPORT_SCHEMA_VERSION),
  tool: z.literal('runtime-warden'),
  version: z.string(),
  source: z.string(),
  policy: z.string(),
  catalog: z.object({ asOf: day, source: z.string(), fetchedAt: z.optional(z.string()) }),
  /** When the fleet was judged (ISO-8601). */
  now: z.iso.datetime(),
  functions: z.array(reportFunctionSchema),
});

export type ReportDocument = z.infer<typeof reportDocumentSchema>;
export type ReportFunction = z.infer<typeof reportFunctionSchema>;
