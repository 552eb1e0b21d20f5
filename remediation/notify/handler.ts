import { getNumberFromEnv, getStringFromEnv } from '@aws-lambda-powertools/commons/utils/env';
import { Logger } from '@aws-lambda-powertools/logger';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { SNSClient } from '@aws-sdk/client-sns';
import { SSMClient } from '@aws-sdk/client-ssm';
import { notifyInputSchema, parseInput } from '../../shared/adapters/remediationInput.js';
import { evaluate, InvalidEventError, RemediationError, verdict, type Compliance, type Policy } from '../../shared/index.js';
import { awsError, describeError } from '../../shared/io/awsErrors.js';
import { DynamoFunctionState, type FunctionStateStore } from '../../shared/io/functionState.js';
import { LayerCache } from '../../shared/io/layerCache.js';
import { listVersions, publishedVersionsInUse, RuntimeManagementReader, versionEventSourceMappings } from '../../shared/io/lambdaInventory.js';
import { versionInUse } from '../../shared/config/decision.js';
import { NotificationLog, type Claim } from '../../shared/io/notificationLog.js';
import { readUsage, usageKey } from '../../shared/io/usageMetrics.js';
import type { FunctionUsage } from '../../shared/report/usage.js';
import { policyLoaderFromEnvironment } from '../../shared/io/catalogSource.js';
import type { PolicyLoader } from '../../shared/io/policySource.js';
import { changeSince, deadlineStage, DIGEST_RETAIN_DAYS, digestLine, NO_OWNER, REMIND_AFTER_DAYS, STAGES, urgentBlock } from '../../shared/remediation/digest.js';
import { alertSubject, buildNotification, messageAttributes, ownerOf, type AlertSubject, type Notification } from '../../shared/remediation/notification.js';
import { isScheduledEvent, sendDigests, type DigestResult } from './digest.js';
import { publishClaimed } from './publish.js';
import { readForAlert } from './read.js';
import { isWatchEvent, runWatch, watchFromEnvironment, type WatchDependencies, type WatchResult } from './watch.js';
import { withRuntimeManagement } from '../../shared/adapters/lambdaApi.js';

export interface NotifyDependencies {
  readonly lambda: Pick<LambdaClient, 'send'>;
  /** An SNS client for a region (the region of the topic published to). */
  readonly snsFor: (region: string) => Pick<SNSClient, 'send'>;
  readonly log: Pick<NotificationLog, 'claim' | 'release'> & Partial<Pick<NotificationLog, 'state' | 'recordEvent' | 'recordState' | 'eventsBetween' | 'lastDigestAt' | 'setLastDigestAt'>>;
  readonly topicArn: string;
  /** The organisation's central topic, which every alert also reaches; absent when not set up. */
  readonly centralTopicArn?: string | undefined;
  readonly region: string;
  /**
   * The deployment's quiet period (template parameter QuietPeriodMinutes). A caller's
   * `quietPeriodMinutes` is ignored: whoever may invoke the function could otherwise silence a
   * function's alerts for as long as they like.
   */
  readonly defaultQuietPeriodMinutes: number;
  /**
   * Daily digests (template parameter AlertDigest): a change is recorded for the owner's daily
   * digest instead of being published, and only an urgent one also pages on its own. Needs a log
   * with the digest calls.
   */
  readonly digest?: boolean | undefined;
  readonly loadPolicy: PolicyLoader;
  readonly now: () => number;
  readonly logger: Logger;
  /** Reads the function's invocations for the alert's usage line; absent: no usage line. */
  readonly cloudWatch?: Pick<CloudWatchClient, 'send'>;
  /** The layer versions the Config rule keeps (read only here); absent: the alert names no layer. */
  readonly layerStore?: Pick<FunctionStateStore, 'getLayers' | 'putLayer'> | undefined;
  /** The runtime version watch (docs/watch.md), built on its first run; absent: watch events refused. */
  readonly watch?: () => WatchDependencies;
}

type NotifyContext = { invokedFunctionArn?: string; getRemainingTimeInMillis?: () => number };

/** An alert request answers a NotifyResult; the schedules' events answer their own results. */
export interface NotifyHandler {
  (event: { functionName: string; [extra: string]: unknown }, context?: NotifyContext): Promise<NotifyResult>;
  (event: unknown, context?: NotifyContext): Promise<NotifyResult | DigestResult | WatchResult>;
}

export interface NotifyResult {
  readonly functionName: string;
  readonly compliance: Compliance;
  readonly published: boolean;
  readonly reason: string;
  readonly messageId?: string;
  readonly subject?: string;
  /** With digests: the change was recorded for the next digest. */
  readonly recorded?: boolean;
}

const accountOf = (arn: string | undefined): string => arn?.split(':')[4] ?? 'unknown';
const iso = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

type DigestLog = Required<NotifyDependencies['log']>;

function digestLog(deps: NotifyDependencies): DigestLog {
  const { log } = deps;
  if (!log.state || !log.recordEvent || !log.recordState || !log.eventsBetween || !log.lastDigestAt || !log.setLastDigestAt) throw new Error('Digests are on, but the notification log given cannot record them.');
  return log as DigestLog;
}

/**
 * What the alert is about, read as cheaply as the verdict allows: one GetFunction (its own quota)
 * for configuration and tags. Only when `$LATEST` does not break the policy on that alone can the
 * alert be about its update mode or a published version that still runs code, as the Config rule
 * judged it: then, and only then, the update mode and the versions are read (the shared quota).
 */
async function alertFacts(deps: NotifyDependencies, functionName: string, policy: Policy, now: number, where: { accountId: string; region: string }): Promise<AlertSubject> {
  const read = await readForAlert(deps.lambda, functionName, where, deps.layerStore && { cache: new LayerCache(deps.lambda, deps.layerStore, { now: deps.now, persist: false }), policy, now });
  if (verdict(evaluate(read, policy, now)).compliance === 'NON_COMPLIANT') return alertSubject(read, [], policy, now);
  try {
    const modes = new RuntimeManagementReader(deps.lambda, (reason) => deps.logger.warn('update-mode rules skipped', { reason }));
    const m = read.packageType === 'Image' ? {} : await modes.read(read.name);
    const latest = withRuntimeManagement(read, m);
    if (verdict(evaluate(latest, policy, now)).compliance === 'NON_COMPLIANT') return alertSubject(latest, [], policy, now);
    const versions = await listVersions(deps.lambda, read.name);
    const uses = (await publishedVersionsInUse({ lambda: deps.lambda, cloudWatch: deps.cloudWatch, mappings: versionEventSourceMappings(deps.lambda) }, latest, versions, policy, now)).filter(versionInUse);
    return alertSubject(latest, uses, policy, now);
  } catch (err) {
    if (err instanceof RemediationError) throw err;
    const e = awsError(err);
    throw new RemediationError(`Cannot read function ${functionName}: ${e.name}: ${e.message}`, { cause: err });
  }
}

/**
 * parse -> facts (read live) -> evaluate -> publish. Publishes only for a function that breaks
 * the policy now, and only once per quiet period for the same findings; with digests, records
 * the change for the owner's daily digest and publishes only what is urgent. Invoked by the
 * daily schedule, sends the digests. Throws a RemediationError (the automation step's failure
 * message) when it cannot do its job.
 */
export function createHandler(deps: NotifyDependencies): NotifyHandler {
  return (async (event: unknown, context?: NotifyContext): Promise<NotifyResult | DigestResult | WatchResult> => {
    const where = { accountId: accountOf(context?.invokedFunctionArn), region: deps.region };
    // Before the digest's test: the watch schedule sends a constant input, not the scheduled event.
    if (isWatchEvent(event)) {
      if (!deps.watch) throw new InvalidEventError('A watch event arrived, but this handler has no watch set up.');
      const remaining = context?.getRemainingTimeInMillis;
      return runWatch(deps.watch(), where, remaining && (() => remaining()));
    }
    if (isScheduledEvent(event)) {
      if (!deps.digest) throw new InvalidEventError('A scheduled digest event arrived, but digests are off (template parameter AlertDigest): nothing is recorded for a digest.');
      return sendDigests({ ...deps, log: digestLog(deps) }, where);
    }
    const input = parseInput(notifyInputSchema, event, 'notify');
    const policy = await deps.loadPolicy();
    const now = deps.now();
    const { facts, findings, verdict: v, serving } = await alertFacts(deps, input.functionName, policy, now, where);
    const base = { functionName: facts.name, compliance: v.compliance };
    if (v.compliance !== 'NON_COMPLIANT') {
      deps.logger.info('notify: nothing to announce', { ...base, summary: v.summary });
      return { ...base, published: false, reason: `The function is ${v.compliance.toLowerCase().replace('_', ' ')} now: nothing to announce. ${v.summary}` };
    }
    // Whether anyone still calls the function decides between upgrading and deleting it; an
    // unreadable metric costs the alert one line, never the alert.
    let usage: FunctionUsage | 'unknown' | undefined;
    if (deps.cloudWatch) {
      const { cloudWatch } = deps;
      const target = { name: facts.name, region: facts.region ?? where.region };
      const read = await readUsage(() => cloudWatch, [target], now, (message) => deps.logger.info('notify: usage', { message }));
      usage = read.get(usageKey(target)) ?? 'unknown';
    }
    const n = buildNotification(facts, findings, v, policy, now, where, serving, usage);
    const quiet = deps.defaultQuietPeriodMinutes;
    if (input.quietPeriodMinutes !== undefined && input.quietPeriodMinutes !== quiet) {
      deps.logger.warn("notify: the caller's quiet period is ignored", { ...base, asked: input.quietPeriodMinutes, quietPeriodMinutes: quiet });
    }
    const functionKey = `${n.attributes.account}/${facts.region ?? where.region}/${facts.name}`;
    let recordState: (() => Promise<void>) | undefined;
    if (deps.digest) {
      const log = digestLog(deps);
      const stage = deadlineStage(facts, policy, now);
      const previous = await log.state(functionKey);
      const change = changeSince(previous, n.fingerprint, stage, now);
      const owner = ownerOf(facts, policy) ?? NO_OWNER;
      if (!change) {
        deps.logger.info('notify: unchanged since the last digest', { ...base, owner, stage: STAGES[stage], fingerprint: n.fingerprint, recordedAt: iso(previous!.recordedAt) });
        return { ...base, published: false, reason: `Unchanged since ${iso(previous!.recordedAt)} (same findings, ${STAGES[stage]}): it was in that day's digest to ${owner}, and is listed again when its findings or deadline stage change, or after ${REMIND_AFTER_DAYS} days.` };
      }
      const urgent = urgentBlock(facts, policy, now);
      await log.recordEvent({ functionKey, owner, line: digestLine(n, facts, stage, change, urgent), recordedAt: now }, { fingerprint: n.fingerprint, stage }, DIGEST_RETAIN_DAYS);
      recordState = () => log.recordState(functionKey, { fingerprint: n.fingerprint, stage, recordedAt: now }, DIGEST_RETAIN_DAYS);
      if (!urgent) {
        await recordState();
        deps.logger.info('notify: recorded for the digest', { ...base, owner, change, stage: STAGES[stage], ruleIds: v.ruleIds });
        return { ...base, published: false, recorded: true, reason: `Recorded for the next daily digest to ${owner} (${change}; ${STAGES[stage]}). ${v.summary}` };
      }
      deps.logger.info('notify: urgent, alerted on its own too', { ...base, owner, change, block: urgent });
    }
    const sent = await publishAlert(deps, `${functionKey}#${n.fingerprint}`, n, now, quiet);
    // Only once the urgent alert is out: a failed publish leaves the change to be announced by the retry.
    await recordState?.();
    if (!sent.published) {
      const { sentAt, until } = sent.held;
      deps.logger.info('notify: already announced within the quiet period', { ...base, fingerprint: n.fingerprint, quietPeriodMinutes: quiet, sentAt: iso(sentAt), until: iso(until) });
      return { ...base, published: false, ...(recordState && { recorded: true }), reason: `An alert for the same findings went out at ${iso(sentAt)}; the next one may go out from ${iso(until)} (quiet period ${quiet} minutes).` };
    }
    deps.logger.info('notify: alert published', { ...base, messageId: sent.messageId, ruleIds: v.ruleIds, severity: n.attributes.severity, tier: n.attributes.tier });
    return { ...base, published: true, ...(recordState && { recorded: true }), reason: v.summary, subject: n.subject, ...(sent.messageId && { messageId: sent.messageId }) };
  }) as NotifyHandler;
}

/** Publishes the alert to each topic not claimed within the quiet period (publishClaimed); a refused publish fails the invocation, naming the topics. */
async function publishAlert(
  deps: NotifyDependencies,
  key: string,
  n: Notification,
  now: number,
  quiet: number,
): Promise<{ published: true; messageId: string | undefined } | { published: false; held: Exclude<Claim, { granted: true }> }> {
  const sent = await publishClaimed(deps, key, { subject: n.subject, message: n.message, attributes: messageAttributes(n.attributes) }, now, quiet);
  if (sent.failures.length > 0) {
    const what = sent.failures.map(({ topic, error }) => `${topic}: ${describeError(error)}`).join('; ');
    throw new RemediationError(`Could not publish the alert for ${n.attributes.function} to ${what}`, { cause: sent.failures[0]!.error });
  }
  return sent.published > 0 ? { published: true, messageId: sent.messageId } : { published: false, held: sent.held[0]! };
}

/** The SDK clients' retries: adaptive (client-side rate limiting after a throttle) with 4 attempts. */
export const NOTIFY_CLIENT_CONFIG = { retryMode: 'adaptive', maxAttempts: 4 } as const;

function alertDigest(value: string): boolean {
  if (value !== 'daily' && value !== 'off') throw new Error(`ALERT_DIGEST must be daily or off, not ${JSON.stringify(value)}`);
  return value === 'daily';
}

function fromEnvironment(): NotifyDependencies {
  const logger = new Logger({ serviceName: 'runtime-warden-notify' });
  const ssm = new SSMClient(NOTIFY_CLIENT_CONFIG);
  const dynamo = new DynamoDBClient(NOTIFY_CLIENT_CONFIG);
  const sns = new Map<string, SNSClient>();
  const loadPolicy = policyLoaderFromEnvironment(() => ssm, logger);
  const topics = {
    snsFor: (region: string) => sns.get(region) ?? sns.set(region, new SNSClient({ ...NOTIFY_CLIENT_CONFIG, region })).get(region)!,
    log: new NotificationLog(dynamo, getStringFromEnv({ key: 'NOTIFICATION_LOG_TABLE' })),
    topicArn: getStringFromEnv({ key: 'ALERT_TOPIC_ARN' }),
    centralTopicArn: getStringFromEnv({ key: 'CENTRAL_ALERT_TOPIC_ARN', defaultValue: '' }) || undefined,
  };
  let watch: WatchDependencies | undefined;
  return {
    ...topics,
    lambda: new LambdaClient(NOTIFY_CLIENT_CONFIG),
    cloudWatch: new CloudWatchClient(NOTIFY_CLIENT_CONFIG),
    layerStore: new DynamoFunctionState(dynamo, getStringFromEnv({ key: 'FUNCTION_STATE_TABLE' }), (error) => logger.warn('layer item unreadable: read live', { error })),
    region: getStringFromEnv({ key: 'AWS_REGION' }),
    defaultQuietPeriodMinutes: getNumberFromEnv({ key: 'QUIET_PERIOD_MINUTES', defaultValue: 1440 }),
    digest: alertDigest(getStringFromEnv({ key: 'ALERT_DIGEST', defaultValue: 'off' })),
    loadPolicy,
    // The watch publishes through the same topics, claims and SNS clients as the alerts.
    watch: () => (watch ??= watchFromEnvironment({ ...topics, loadPolicy, logger, dynamo })),
    now: Date.now,
    logger,
  };
}

// Built on first use, once per container: a missing setting fails the invocation, saying which.
let configured: ReturnType<typeof createHandler> | undefined;
export const handler = async (event: unknown, context?: NotifyContext): Promise<NotifyResult | DigestResult | WatchResult> => (configured ??= createHandler(fromEnvironment()))(event, context);
