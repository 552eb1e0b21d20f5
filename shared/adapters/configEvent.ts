import * as z from '../schema/zod.js';
import { issueLines } from '../schema/zod.js';
import { InvalidEventError, PolicyValidationError } from '../errors.js';

/** PutEvaluations takes resource ids of 1 to 768 characters (Config API Reference, Evaluation). */
export const RESOURCE_ID_MAX = 768;

/** A configuration item as AWS Config sends it, or as GetResourceConfigHistory returns it. */
const text = z.nullish(z.string());
export const configurationItemSchema = z.looseObject({
  resourceType: z.string(),
  resourceId: z.string().check(z.minLength(1), z.maxLength(RESOURCE_ID_MAX)),
  resourceName: text,
  ARN: text,
  arn: text,
  awsRegion: text,
  awsAccountId: text,
  accountId: text,
  configurationItemCaptureTime: z.nullish(z.union([z.string(), z.date()])),
  configurationItemStatus: text,
  tags: z.nullish(z.record(z.string(), z.string())),
  // An object in change notifications; a JSON string from GetResourceConfigHistory.
  configuration: z.nullish(z.union([z.record(z.string(), z.unknown()), z.string()])),
});
export type ConfigurationItem = z.infer<typeof configurationItemSchema>;

// What an oversized notification carries instead of the item: enough to fetch it.
const summarySchema = z.looseObject(
  z.pick(configurationItemSchema, { resourceType: true, resourceId: true, resourceName: true, awsRegion: true, awsAccountId: true, configurationItemCaptureTime: true, configurationItemStatus: true }).shape,
);

const optionalText = z.optional(z.string());
const invokingEventSchema = z.discriminatedUnion('messageType', [
  z.looseObject({ messageType: z.literal('ConfigurationItemChangeNotification'), configurationItem: z.nullable(configurationItemSchema), notificationCreationTime: optionalText }),
  z.looseObject({ messageType: z.literal('OversizedConfigurationItemChangeNotification'), configurationItemSummary: summarySchema, notificationCreationTime: optionalText }),
  z.looseObject({ messageType: z.literal('ScheduledNotification'), notificationCreationTime: optionalText, awsAccountId: optionalText }),
]);

const eventSchema = z.looseObject({
  invokingEvent: z.string(),
  ruleParameters: optionalText,
  resultToken: z.string().check(z.minLength(1)),
  eventLeftScope: z.optional(z.boolean()),
  configRuleName: optionalText,
  configRuleArn: optionalText,
  accountId: optionalText,
});

const csv = z.pipe(
  z.string(),
  z.transform((s) => s.split(',').map((x) => x.trim()).filter((x) => x.length > 0)),
);
const bool = z.pipe(z.enum(['true', 'false']), z.transform((s) => s === 'true'));

/** The Config rule's parameters (all strings, as Config passes them). */
const ruleParametersSchema = z.strictObject({
  policySource: optionalText,
  approvedRuntimes: z.optional(csv),
  deniedRuntimes: z.optional(csv),
  /** Read each function's runtime update mode (one GetRuntimeManagementConfig call each). */
  checkUpdateMode: z.optional(bool),
  /** Also judge the published versions that aliases point to. */
  checkAliasVersions: z.optional(bool),
  /** `runtime`: the whole policy; `update-mode`: only whether the update mode must change. */
  scope: z.optional(z.enum(['runtime', 'update-mode'])),
});
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

const issues = (error: z.core.$ZodError): string[] => issueLines(error, '(value)');

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

/**
 * The sweep's own trigger, from its EventBridge schedule (template.yaml, StateSweepSchedule):
 * `{"action": "sweep", "policySource": "..."}`. Not a Config rule event; anything else is one.
 */
const sweepEventSchema = z.looseObject({ action: z.literal('sweep'), policySource: optionalText });
export type SweepRequest = z.infer<typeof sweepEventSchema>;

export function sweepRequest(event: unknown): SweepRequest | undefined {
  const r = sweepEventSchema.safeParse(event);
  return r.success ? r.data : undefined;
}
