import * as z from '../../shared/schema/zod.js';
import { issueLines } from '../../shared/schema/zod.js';
import { InvalidEventError } from '../../shared/errors.js';
import { SNS_SUBJECT_MAX, singleLine } from '../../shared/remediation/notification.js';

// The alert for a change to runtime-warden's own resources, from the CloudTrail record that
// EventBridge delivers (template.yaml's Tamper* rules choose which). The record's shape: CloudTrail
// User Guide, "CloudTrail record contents" and "CloudTrail userIdentity element".

const userIdentity = z.looseObject({
  type: z.optional(z.string()),
  arn: z.optional(z.string()),
  invokedBy: z.optional(z.string()),
  sessionContext: z.optional(z.looseObject({ sessionIssuer: z.optional(z.looseObject({ arn: z.optional(z.string()) })) })),
});

const record = z.looseObject({
  eventSource: z.string(),
  eventName: z.string(),
  eventTime: z.optional(z.string()),
  eventID: z.optional(z.string()),
  awsRegion: z.optional(z.string()),
  recipientAccountId: z.optional(z.string()),
  sourceIPAddress: z.optional(z.string()),
  userAgent: z.optional(z.string()),
  errorCode: z.optional(z.string()),
  errorMessage: z.optional(z.string()),
  userIdentity: z.optional(userIdentity),
  requestParameters: z.optional(z.nullable(z.record(z.string(), z.unknown()))),
});

const cloudTrailEvent = z.looseObject({
  'detail-type': z.literal('AWS API Call via CloudTrail'),
  account: z.optional(z.string()),
  region: z.optional(z.string()),
  detail: record,
});

export type CloudTrailRecord = z.output<typeof record>;

/** Which parameters the stack reads, to tell the policy from the catalog in an SSM record. */
export interface TamperTargets {
  readonly policyParameter?: string | undefined;
  readonly catalogParameter?: string | undefined;
}

export interface TamperAlert {
  readonly subject: string;
  readonly message: string;
  readonly attributes: Readonly<Record<'severity' | 'tamper' | 'account' | 'action', string>>;
}

interface Kind {
  readonly id: string;
  readonly what: string;
  readonly why: string;
}

const RECORDER_EVENTS = new Set(['StopConfigurationRecorder', 'DeleteConfigurationRecorder', 'PutConfigurationRecorder', 'DeleteDeliveryChannel', 'DisassociateResourceTypes', 'DeleteServiceLinkedConfigurationRecorder']);
const STACK_EVENTS = new Set(['UpdateStack', 'DeleteStack', 'ExecuteChangeSet', 'SetStackPolicy', 'UpdateTerminationProtection']);

function kindOf(r: CloudTrailRecord, targets: TamperTargets): Kind {
  const parameters = [r.requestParameters?.name, ...[r.requestParameters?.names].flat()].filter((n): n is string => typeof n === 'string');
  switch (r.eventSource) {
    case 'ssm.amazonaws.com':
      if (targets.catalogParameter !== undefined && parameters.includes(targets.catalogParameter)) {
        return { id: 'catalog-parameter', what: 'the runtime catalog parameter', why: 'its dates decide which runtimes count as deprecated or blocked, for every judging function.' };
      }
      return { id: 'policy-parameter', what: 'the policy parameter', why: 'the policy decides every verdict: a rewritten one can waive or approve any runtime.' };
    case 'config.amazonaws.com':
      if (RECORDER_EVENTS.has(r.eventName)) return { id: 'config-recorder', what: 'the AWS Config recorder', why: 'a function Config does not record is never judged by the Config rules.' };
      if (r.eventName.includes('Remediation')) return { id: 'config-remediation', what: 'a runtime-warden Config remediation', why: 'the remediation is what alerts on a non-compliant function.' };
      return { id: 'config-rule', what: 'a runtime-warden Config rule', why: 'the Config rules judge every function already running.' };
    case 'cloudformation.amazonaws.com':
      if (STACK_EVENTS.has(r.eventName)) return { id: 'stack', what: 'the runtime-warden stack', why: 'its parameters and resources are the control (hook failure mode, remediation, alerts).' };
      return { id: 'hook', what: 'a runtime-warden CloudFormation hook', why: 'the hooks judge every deployment before it is provisioned.' };
    case 'lambda.amazonaws.com':
      if (r.eventName.startsWith('CreateFunction')) return { id: 'function-role', what: "a runtime-warden function's role", why: 'a new function that runs with it can do whatever that runtime-warden function may (publish rules, write claims).' };
      return { id: 'function', what: 'a runtime-warden function', why: 'its code, settings and concurrency are the control: changed, it can pass everything.' };
    case 's3.amazonaws.com':
      return { id: 'guard-rules', what: 'the Guard rules bucket', why: 'the Guard hook reads the latest rules object from it, whoever wrote it.' };
    case 'dynamodb.amazonaws.com':
      return { id: 'notification-log', what: 'the notification log', why: 'its resource policy keeps anyone but the notify function from writing claims that hold alerts back.' };
    default:
      return { id: 'alerting', what: 'the alert path (topic or key)', why: 'every runtime-warden alert reaches on-call through it.' };
  }
}

/** The request parameters that name what was changed, as CloudTrail recorded them. */
const NAMING = ['name', 'names', 'functionName', 'role', 'configRuleName', 'configRule', 'configurationRecorderName', 'typeName', 'typeArn', 'arn', 'stackName', 'changeSetName', 'bucketName', 'key', 'resourceArn', 'topicArn', 'subscriptionArn', 'keyId'];

function targetOf(r: CloudTrailRecord): string {
  const p = r.requestParameters ?? {};
  const named = NAMING.filter((k) => p[k] !== undefined).map((k) => `${k}=${typeof p[k] === 'string' ? p[k] : JSON.stringify(p[k])}`);
  return named.length > 0 ? named.join(', ').slice(0, 600) : '(not named in the record)';
}

/** Who made the call: the role behind a session, a user, the root user or an AWS service. */
function callerOf(r: CloudTrailRecord): string {
  const id = r.userIdentity;
  const arn = id?.arn ?? id?.sessionContext?.sessionIssuer?.arn;
  if (arn) return arn.split(':').slice(5).join(':') || arn;
  return id?.invokedBy ?? id?.type ?? 'an unknown caller';
}

/** Lambda's CloudTrail event names carry the API version: `UpdateFunctionCode20150331v2`. */
const actionOf = (eventName: string): string => eventName.replace(/\d{8}(v\d+)?$/, '');

export function parseCloudTrailEvent(event: unknown): CloudTrailRecord & { account?: string; region?: string } {
  const e = cloudTrailEvent.safeParse(event);
  if (!e.success) throw new InvalidEventError(`Not a CloudTrail event from EventBridge: ${issueLines(e.error, '(event)').join('; ')}`);
  return { ...e.data.detail, ...(e.data.account && { account: e.data.account }), ...(e.data.region && { region: e.data.region }) };
}

export function tamperAlert(r: CloudTrailRecord & { account?: string; region?: string }, targets: TamperTargets): TamperAlert {
  const kind = kindOf(r, targets);
  const action = actionOf(r.eventName);
  const refused = r.errorCode !== undefined;
  const account = r.recipientAccountId ?? r.account ?? 'unknown';
  const region = r.awsRegion ?? r.region ?? 'unknown';
  const by = callerOf(r);
  // What was changed, and how, always; who, when it fits whole (the message names them anyway).
  const what = `[runtime-warden] ${refused ? 'TAMPER ATTEMPT' : 'TAMPERED'} ${kind.what}: ${action}`;
  const subject = [`${what} by ${by}`, what].map((s) => s.replace(/[^\x20-\x7e]/g, '?')).find((s) => s.length <= SNS_SUBJECT_MAX) ?? what.slice(0, SNS_SUBJECT_MAX);
  const lines = [
    refused
      ? `runtime-warden: someone tried to change ${kind.what}; AWS refused the call.`
      : `runtime-warden: ${kind.what} was changed, and not by the role that deploys runtime-warden (template parameter DeploymentRoleName). Find out who and why.`,
    '',
    `What:         ${kind.what}: ${kind.why}`,
    `Action:       ${r.eventName} (${r.eventSource})`,
    `Target:       ${targetOf(r)}`,
    `By:           ${r.userIdentity?.arn ?? by} (${r.userIdentity?.type ?? 'unknown type'})`,
    ...(r.userIdentity?.invokedBy ? [`Invoked by:   ${r.userIdentity.invokedBy}`] : []),
    `From:         ${r.sourceIPAddress ?? 'unknown'}${r.userAgent ? ` (${r.userAgent})` : ''}`,
    `Outcome:      ${refused ? `refused: ${r.errorCode}${r.errorMessage ? `: ${r.errorMessage}` : ''}` : 'done'}`,
    `When:         ${r.eventTime ?? 'unknown'}`,
    `Account:      ${account}`,
    `Region:       ${region}`,
    ...(r.eventID ? [`Event:        ${r.eventID}`, `CloudTrail:   https://${region}.console.aws.amazon.com/cloudtrailv2/home?region=${region}#/events/${encodeURIComponent(r.eventID)}`] : []),
  ];
  return { subject, message: lines.map(singleLine).join('\n'), attributes: { severity: 'error', tamper: kind.id, account, action } };
}
