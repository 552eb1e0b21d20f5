import { getNumberFromEnv, getStringFromEnv } from '@aws-lambda-powertools/commons/utils/env';
import { Logger } from '@aws-lambda-powertools/logger';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { SSMClient } from '@aws-sdk/client-ssm';
import { notifyInputSchema, parseInput } from '../../shared/adapters/remediationInput.js';
import { evaluate, RemediationError, verdict, type Compliance } from '../../shared/index.js';
import { describeError } from '../../shared/io/awsErrors.js';
import { remediationFacts } from '../../shared/io/functionReader.js';
import { publishedVersionsInUse, RuntimeManagementReader, versionEventSourceMappings } from '../../shared/io/lambdaInventory.js';
import { versionInUse } from '../../shared/config/decision.js';
import { NotificationLog, type Claim } from '../../shared/io/notificationLog.js';
import { readUsage, usageKey } from '../../shared/io/usageMetrics.js';
import type { FunctionUsage } from '../../shared/report/usage.js';
import { policyLoaderFromEnvironment } from '../../shared/io/catalogSource.js';
import type { PolicyLoader } from '../../shared/io/policySource.js';
import { alertSubject, buildNotification, messageAttributes, regionOfArn } from '../../shared/remediation/notification.js';

export interface NotifyDependencies {
  readonly lambda: Pick<LambdaClient, 'send'>;
  /** An SNS client for a region (the region of the topic published to). */
  readonly snsFor: (region: string) => Pick<SNSClient, 'send'>;
  readonly log: Pick<NotificationLog, 'claim' | 'release'>;
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
  readonly loadPolicy: PolicyLoader;
  readonly now: () => number;
  readonly logger: Logger;
  /** Reads the function's invocations for the alert's usage line; absent: no usage line. */
  readonly cloudWatch?: Pick<CloudWatchClient, 'send'>;
}

export interface NotifyResult {
  readonly functionName: string;
  readonly compliance: Compliance;
  readonly published: boolean;
  readonly reason: string;
  readonly messageId?: string;
  readonly subject?: string;
}

const accountOf = (arn: string | undefined): string => arn?.split(':')[4] ?? 'unknown';
const iso = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

/**
 * parse -> facts (read live) -> evaluate -> publish. Publishes only for a function that breaks
 * the policy now, and only once per quiet period for the same findings. Throws a RemediationError
 * (the automation step's failure message) when it cannot do its job.
 */
export function createHandler(deps: NotifyDependencies): (event: unknown, context?: { invokedFunctionArn?: string }) => Promise<NotifyResult> {
  return async (event, context) => {
    const input = parseInput(notifyInputSchema, event, 'notify');
    const policy = await deps.loadPolicy();
    const now = deps.now();
    const where = { accountId: accountOf(context?.invokedFunctionArn), region: deps.region };
    const modes = new RuntimeManagementReader(deps.lambda, (reason) => deps.logger.warn('update-mode rules skipped', { reason }));
    const { facts: latest, versions } = await remediationFacts(deps.lambda, input.functionName, modes, where, { withVersions: true });
    // Versions are read only when $LATEST is fine: then the alert may be about a published version
    // that still runs code, as the Config rule judged it (aliased or not).
    const latestBreaks = verdict(evaluate(latest, policy, now)).compliance === 'NON_COMPLIANT';
    const uses = latestBreaks
      ? []
      : (await publishedVersionsInUse({ lambda: deps.lambda, cloudWatch: deps.cloudWatch, mappings: versionEventSourceMappings(deps.lambda) }, latest, versions, policy, now)).filter(versionInUse);
    const { facts, findings, verdict: v, serving } = alertSubject(latest, uses, policy, now);
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
    const key = `${n.attributes.account}/${facts.region ?? where.region}/${facts.name}#${n.fingerprint}`;
    const attributes = messageAttributes(n.attributes);
    // Each topic is claimed on its own, so that a retry after a failed publish pages only the
    // topics that did not get the alert.
    let messageId: string | undefined;
    let published = 0;
    const failures: { topic: string; error: unknown }[] = [];
    const held: Exclude<Claim, { granted: true }>[] = [];
    for (const topic of [deps.topicArn, deps.centralTopicArn].filter((t): t is string => Boolean(t))) {
      const claim = `${key}@${topic}`;
      const granted = await deps.log.claim(claim, now, quiet);
      if (!granted.granted) {
        held.push(granted);
        continue;
      }
      try {
        // SNS Publish must go to the topic's own region (SNS API Reference, Publish: "the topic
        // ... in the same Region"); the central topic usually lives in another one.
        const out = await deps.snsFor(regionOfArn(topic)).send(new PublishCommand({ TopicArn: topic, Subject: n.subject, Message: n.message, MessageAttributes: attributes }));
        messageId ??= out.MessageId;
        published++;
      } catch (error) {
        await deps.log.release(claim);
        failures.push({ topic, error });
      }
    }
    if (failures.length > 0) {
      const what = failures.map(({ topic, error }) => `${topic}: ${describeError(error)}`).join('; ');
      throw new RemediationError(`Could not publish the alert for ${facts.name} to ${what}`, { cause: failures[0]!.error });
    }
    if (published === 0) {
      const { sentAt, until } = held[0]!;
      deps.logger.info('notify: already announced within the quiet period', { ...base, fingerprint: n.fingerprint, quietPeriodMinutes: quiet, sentAt: iso(sentAt), until: iso(until) });
      return { ...base, published: false, reason: `An alert for the same findings went out at ${iso(sentAt)}; the next one may go out from ${iso(until)} (quiet period ${quiet} minutes).` };
    }
    deps.logger.info('notify: alert published', { ...base, messageId, ruleIds: v.ruleIds, severity: n.attributes.severity, tier: n.attributes.tier });
    return { ...base, published: true, reason: v.summary, subject: n.subject, ...(messageId && { messageId }) };
  };
}

const clientConfig = { retryMode: 'adaptive', maxAttempts: 4 } as const;

function fromEnvironment(): NotifyDependencies {
  const logger = new Logger({ serviceName: 'runtime-warden-notify' });
  const ssm = new SSMClient(clientConfig);
  const sns = new Map<string, SNSClient>();
  return {
    lambda: new LambdaClient(clientConfig),
    cloudWatch: new CloudWatchClient(clientConfig),
    snsFor: (region) => sns.get(region) ?? sns.set(region, new SNSClient({ ...clientConfig, region })).get(region)!,
    log: new NotificationLog(new DynamoDBClient(clientConfig), getStringFromEnv({ key: 'NOTIFICATION_LOG_TABLE' })),
    topicArn: getStringFromEnv({ key: 'ALERT_TOPIC_ARN' }),
    centralTopicArn: getStringFromEnv({ key: 'CENTRAL_ALERT_TOPIC_ARN', defaultValue: '' }) || undefined,
    region: getStringFromEnv({ key: 'AWS_REGION' }),
    defaultQuietPeriodMinutes: getNumberFromEnv({ key: 'QUIET_PERIOD_MINUTES', defaultValue: 1440 }),
    loadPolicy: policyLoaderFromEnvironment(() => ssm, logger),
    now: Date.now,
    logger,
  };
}

// Built on first use, once per container: a missing setting fails the invocation, saying which.
let configured: ReturnType<typeof createHandler> | undefined;
export const handler = async (event: unknown, context?: { invokedFunctionArn?: string }): Promise<NotifyResult> => (configured ??= createHandler(fromEnvironment()))(event, context);
