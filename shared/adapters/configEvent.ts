import { z } from 'zod';
import { InvalidEventError, PolicyValidationError } from '../errors.js';

/** PutEvaluations takes resource ids of 1 to 768 characters (Config API Reference, Evaluation). */
export const RESOURCE_ID_MAX = 768;

/** A configuration item as AWS Config sends it, or as GetResourceConfigHistory returns it. */
export const configurationItemSchema = z
  .object({
    resourceType: z.string(),
    resourceId: z.string().min(1).max(RESOURCE_ID_MAX),
    resourceName: z.string().nullish(),
    ARN: z.string().nullish(),
    arn: z.string().nullish(),
    awsRegion: z.string().nullish(),
    awsAccountId: z.string().nullish(),
    accountId: z.string().nullish(),
    configurationItemCaptureTime: z.union([z.string(), z.date()]).nullish(),
    configurationItemStatus: z.string().nullish(),
    tags: z.record(z.string(), z.string()).nullish(),
    // An object in change notifications; a JSON string from GetResourceConfigHistory.
    configuration: z.union([z.record(z.string(), z.unknown()), z.string()]).nullish(),
  })
  .loose();
export type ConfigurationItem = z.infer<typeof configurationItemSchema>;

// What an oversized notification carries instead of the item: enough to fetch it.
const summarySchema = configurationItemSchema
  .pick({ resourceType: true, resourceId: true, resourceName: true, awsRegion: true, awsAccountId: true, configurationItemCaptureTime: true, configurationItemStatus: true })
  .loose();

const invokingEventSchema = z.discriminatedUnion('messageType', [
  z.object({ messageType: z.literal('ConfigurationItemChangeNotification'), configurationItem: configurationItemSchema.nullable(), notificationCreationTime: z.string().optional() }).loose(),
  z.object({ messageType: z.literal('OversizedConfigurationItemChangeNotification'), configurationItemSummary: summarySchema, notificationCreationTime: z.string().optional() }).loose(),
  z.object({ messageType: z.literal('ScheduledNotification'), notificationCreationTime: z.string().optional(), awsAccountId: z.string().optional() }).loose(),
]);

const eventSchema = z
  .object({
    invokingEvent: z.string(),
    ruleParameters: z.string().optional(),
    resultToken: z.string().min(1),
    eventLeftScope: z.boolean().optional(),
    configRuleName: z.string().optional(),
    configRuleArn: z.string().optional(),
    accountId: z.string().optional(),
  })
  .loose();

const csv = z
  .string()
  .transform((s) => s.split(',').map((x) => x.trim()).filter((x) => x.length > 0));
const bool = z.enum(['true', 'false']).transform((s) => s === 'true');

/** The Config rule's parameters (all strings, as Config passes them). */
const ruleParametersSchema = z
  .object({
    policySource: z.string().optional(),
    approvedRuntimes: csv.optional(),
    deniedRuntimes: csv.optional(),
    /** Read each function's runtime update mode (one GetRuntimeManagementConfig call each). */
    checkUpdateMode: bool.optional(),
    /** Also judge the published versions that aliases point to. */
    checkAliasVersions: bool.optional(),
    /** `runtime`: the whole policy; `update-mode`: only whether the update mode must change. */
    scope: z.enum(['runtime', 'update-mode']).optional(),
  })
  .strict();
export type RuleParameters = z.output<typeof ruleParametersSchema>;

export type InvokingEvent = z.infer<typeof invokingEventSchema>;

/** A configuration item from GetResourceConfigHistory (an oversized notification's item), checked as a notification's is. */
export function parseFetchedItem(item: unknown, resourceId: string): ConfigurationItem {
  const r = configurationItemSchema.safeParse(item);
  if (!r.success) throw new InvalidEventError(`The configuration item AWS Config returned for ${resourceId.slice(0, 100)} is malformed: ${issues(r.error).join('; ')}`);
  return r.data;
}

export interface ConfigRuleRequest {
  readonly invokingEvent: InvokingEvent;
  readonly parameters: RuleParameters;
  readonly resultToken: string;
  readonly eventLeftScope: boolean;
  readonly ruleName: string | undefined;
  readonly accountId: string | undefined;
}

function issues(error: z.ZodError): string[] {
  return error.issues.map((i) => `${i.path.join('.') || '(value)'}: ${i.message}`);
}

function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new InvalidEventError(`${what} is not valid JSON: ${(err as Error).message}`);
  }
}

/** Parses a custom Config rule invocation; invalid events and parameters throw, saying what is wrong. */
export function parseConfigRuleEvent(event: unknown): ConfigRuleRequest {
  const e = eventSchema.safeParse(event);
  if (!e.success) throw new InvalidEventError(`Not an AWS Config rule event: ${issues(e.error).join('; ')}`);
  const inv = invokingEventSchema.safeParse(parseJson(e.data.invokingEvent, 'invokingEvent'));
  if (!inv.success) throw new InvalidEventError(`Unsupported invokingEvent: ${issues(inv.error).join('; ')}`);
  const rawParams = e.data.ruleParameters === undefined || e.data.ruleParameters.trim() === '' ? {} : parseJson(e.data.ruleParameters, 'ruleParameters');
  const params = ruleParametersSchema.safeParse(rawParams);
  if (!params.success) throw new PolicyValidationError(issues(params.error), 'rule parameters');
  return {
    invokingEvent: inv.data,
    parameters: params.data,
    resultToken: e.data.resultToken,
    eventLeftScope: e.data.eventLeftScope ?? false,
    ruleName: e.data.configRuleName,
    accountId: e.data.accountId,
  };
}
