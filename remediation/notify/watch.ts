import { getNumberFromEnv, getStringFromEnv } from '@aws-lambda-powertools/commons/utils/env';
import type { Logger } from '@aws-lambda-powertools/logger';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { CloudWatchLogsClient, FilterLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { ResourceGroupsTaggingAPIClient } from '@aws-sdk/client-resource-groups-tagging-api';
import { SSMClient, StartAutomationExecutionCommand, type StartAutomationExecutionCommandInput } from '@aws-sdk/client-ssm';
import pLimit from 'p-limit';
import * as z from '../../shared/schema/zod.js';
import { describeError, isNotFound } from '../../shared/io/awsErrors.js';
import type { PolicyLoader } from '../../shared/io/policySource.js';
import { lambdaRateBudget, limitLambdaClient, TokenBucket } from '../../shared/io/rateLimit.js';
import { historyFromLogs, type FilterLogEvents } from '../../shared/io/runtimeVersionHistory.js';
import { findCandidates, type CandidateSources, type WatchCandidate } from '../../shared/io/watchCandidates.js';
import { readEvidence } from '../../shared/io/watchMetrics.js';
import { DynamoWatchStore, type WatchStore } from '../../shared/io/watchState.js';
import { messageAttributes } from '../../shared/remediation/notification.js';
import { publishClaimed, type AlertTopics } from './publish.js';
import {
  afterWindowEnd,
  judge,
  LOOKBACK_MS,
  observe,
  rollbackParameters,
  stillWatched,
  watchAlert,
  type Breach,
  type ObservationKind,
  type WatchAction,
  type WatchedChange,
} from '../../shared/remediation/watch.js';

// The runtime version watch (docs/watch.md): the notify function's third trigger, an hourly
// EventBridge schedule whose constant input is `{"action":"watch"}`. For each function of a tier
// with `watch`: the last hour's INIT_START lines against the version recorded; after a change,
// its error rate against the day before; on a breach, one alert per change - proposing the
// rollback, or, where the tier says `act: rollback`, saying it started the RollbackDocument.

/** The schedule's input (EventBridge target Input): not the scheduled event, which is the digest's. */
const watchEvent = z.strictObject({ action: z.literal('watch') });
export const isWatchEvent = (event: unknown): boolean => watchEvent.safeParse(event).success;

/**
 * FilterLogEvents: "a default quota of 5 transactions per second (TPS) per account/Region", which
 * cannot be raised (AWS Knowledge Center, "How do I determine throttling in my CloudWatch
 * logs?"). The console, the CLI's rollback and the switch-mode function share it: the watch
 * spends a part of it, WATCH_LOGS_CALLS_PER_SECOND.
 */
export const FILTER_LOG_EVENTS_QUOTA = 5;
/** Lambda's control-plane calls per second ListFunctions may spend (of the shared 15/s), when the default tier watches. */
const LIST_CALLS_PER_SECOND = 2;
/** Functions read at once: the log bucket, not this, sets the pace. */
const CONCURRENCY = 4;
/** Left of the invocation's time when no new function is started: the ones under way finish. */
const DEADLINE_MARGIN_MS = 20_000;
/** How long a claim holds a change's alert or rollback back: past any watch of it. */
const CLAIM_MINUTES = 7 * 1440;

export type StartAutomation = (input: StartAutomationExecutionCommandInput) => Promise<{ AutomationExecutionId?: string | undefined }>;

export interface WatchDependencies extends CandidateSources, AlertTopics {
  readonly filterLogEvents: FilterLogEvents;
  /** The watch's share of the FilterLogEvents quota. */
  readonly logsBucket: TokenBucket;
  readonly cloudWatch: Pick<CloudWatchClient, 'send'>;
  readonly store: WatchStore;
  /** SSM StartAutomationExecution; the RollbackDocument's name and the role it runs as. Absent: a tier's `act: rollback` only proposes, and says why. */
  readonly rollback?: { readonly start: StartAutomation; readonly documentName: string; readonly automationRoleArn: string } | undefined;
  /** Functions watched per run at most (WATCH_MAX_FUNCTIONS). */
  readonly maxFunctions: number;
  readonly loadPolicy: PolicyLoader;
  readonly now: () => number;
  readonly logger: Pick<Logger, 'info' | 'warn' | 'error'>;
}

export interface FunctionOutcome {
  readonly function: string;
  readonly tier: string;
  /** `no-log-group`: /aws/lambda/NAME does not exist (never invoked, or logging elsewhere): not watched. */
  readonly outcome: ObservationKind | 'unread' | 'not-reached' | 'no-log-group';
  readonly verdict?: 'waiting' | 'no-baseline' | 'no-rise' | 'breach';
  readonly action?: WatchAction['kind'];
  readonly problem?: string;
}

export interface WatchResult {
  readonly candidates: number;
  readonly pinned: number;
  readonly notWatched: number;
  readonly functions: readonly FunctionOutcome[];
}

/** An alert the watch could not publish: the run fails, so that Lambda retries it (and the dead-letter queue keeps it). */
export class WatchAlertError extends Error {
  public constructor(message: string) {
    super(message);
    this.name = 'WatchAlertError';
  }
}

const iso = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

/** One hourly pass. Throws only when the candidates cannot be listed or an alert could not be published. */
export async function runWatch(deps: WatchDependencies, where: { accountId: string; region: string }, remainingMs?: () => number): Promise<WatchResult> {
  const policy = await deps.loadPolicy();
  const now = deps.now();
  const list = await findCandidates(deps, policy, deps.maxFunctions);
  if (list.notWatched.length > 0) {
    deps.logger.error('watch: more functions to watch than WATCH_MAX_FUNCTIONS; the rest are not watched', { limit: deps.maxFunctions, notWatched: list.notWatched.length, firstNotWatched: list.notWatched.slice(0, 20) });
  }
  if (list.pinned.length > 0) deps.logger.info('watch: pinned by a rollback, not watched', { functions: list.pinned });
  const failures: string[] = [];
  const missingGroups = new Set<string>();
  const limit = pLimit(CONCURRENCY);
  const functions = await Promise.all(
    list.candidates.map((c) =>
      limit(async (): Promise<FunctionOutcome> => {
        if (remainingMs && remainingMs() < DEADLINE_MARGIN_MS) return { function: c.name, tier: c.tier.name, outcome: 'not-reached' };
        return watchOne(deps, c, now, where, failures, missingGroups);
      }),
    ),
  );
  const notReached = functions.filter((f) => f.outcome === 'not-reached').length;
  if (notReached > 0) deps.logger.error('watch: the invocation ran out of time; some functions were not read this run', { notReached, candidates: list.candidates.length });
  const result = { candidates: list.candidates.length, pinned: list.pinned.length, notWatched: list.notWatched.length, functions };
  const noLogGroup = functions.filter((f) => f.outcome === 'no-log-group').map((f) => f.function);
  // Never silently: a function whose log group is not where the watch reads is not watched.
  if (noLogGroup.length > 0) deps.logger.warn('watch: no log group /aws/lambda/NAME (never invoked, or logging to another group): not watched', { functions: noLogGroup.length, first: noLogGroup.slice(0, 20) });
  deps.logger.info('watch: done', { candidates: result.candidates, pinned: result.pinned, notWatched: result.notWatched, notReached, unread: functions.filter((f) => f.outcome === 'unread').length, breaches: functions.filter((f) => f.verdict === 'breach').length });
  if (failures.length > 0) throw new WatchAlertError(`Could not publish ${failures.length} watch alerts: ${failures.join('; ')}`);
  return result;
}

/** FilterLogEvents within the watch's share; a log group that does not exist holds no line, and is noted in `missing`. */
function limitedFilter(deps: WatchDependencies, missing: Set<string>): FilterLogEvents {
  return async (input) => {
    await deps.logsBucket.take();
    try {
      return await deps.filterLogEvents(input);
    } catch (err) {
      if (!isNotFound(err)) throw err;
      missing.add(input.logGroupName);
      return { events: [] };
    }
  };
}

async function watchOne(deps: WatchDependencies, c: WatchCandidate, now: number, where: { accountId: string; region: string }, failures: string[], missingGroups: Set<string>): Promise<FunctionOutcome> {
  const base = { function: c.name, tier: c.tier.name };
  const unread = (what: string, err: unknown): FunctionOutcome => {
    const problem = `${what}: ${typeof err === 'string' ? err : describeError(err)}`;
    deps.logger.error('watch: could not read; judged again next run', { ...base, problem });
    return { ...base, outcome: 'unread', problem };
  };
  let observation;
  try {
    const record = await deps.store.get(c.name);
    const history = await historyFromLogs(limitedFilter(deps, missingGroups), c.logGroup, now - LOOKBACK_MS, now);
    if (missingGroups.has(c.logGroup)) return { ...base, outcome: 'no-log-group' };
    // A partial read could miss the latest version: nothing is concluded from it.
    if (history.problems.length > 0) return unread('INIT_START lines', history.problems.join('; '));
    observation = observe(record, history.sightings, now);
    if (observation.write) await deps.store.put(c.name, observation.record!);
  } catch (err) {
    return unread('watch state', err);
  }
  const { kind, record } = observation;
  if (kind === 'first-seen' || kind === 'changed') deps.logger.info(`watch: ${kind}`, { ...base, version: record!.version, arn: record!.arn, ...(kind === 'changed' && { from: record!.change!.from, fromVersion: record!.change!.fromVersion, at: iso(record!.change!.atMs) }) });
  const change = record?.change;
  if (!stillWatched(change, now)) {
    // A change whose watch ended in this run's hour without an alert: said, not dropped.
    const ended: WatchedChange | undefined = record?.change;
    if (ended && ended.alertedAtMs === undefined && afterWindowEnd(ended, now) > now - LOOKBACK_MS) deps.logger.warn('watch: the watch of a change ended without a breach (too few invocations, no baseline or no rise)', { ...base, changedAt: iso(ended.atMs), to: ended.to });
    return { ...base, outcome: kind };
  }

  let evidence;
  try {
    evidence = await readEvidence(deps.cloudWatch, c.name, change.atMs, afterWindowEnd(change, now));
  } catch (err) {
    return unread('AWS/Lambda Errors and Invocations', err);
  }
  const j = judge(evidence, c.tier.watch);
  const facts = { ...base, from: change.from, fromVersion: change.fromVersion, to: change.to, toVersion: change.toVersion, changedAt: iso(change.atMs), baseline: evidence.baseline, after: evidence.after, verdict: j.verdict, reason: j.reason };
  if (j.verdict !== 'breach') {
    deps.logger.info('watch: judged', facts);
    return { ...base, outcome: kind, verdict: j.verdict };
  }
  const key = `watch/${where.accountId}/${where.region}/${c.name}/${change.atMs}/${change.to}`;
  let action: WatchAction;
  let failed: string[];
  try {
    action = await act(deps, c, change, j, key, now);
    const alert = watchAlert({ functionName: c.name, account: where.accountId, region: where.region, tier: c.tier.name, settings: c.tier.watch, change, evidence, judgement: j, nowMs: now, action, rollbackDocument: deps.rollback?.documentName, automationRoleArn: deps.rollback?.automationRoleArn });
    failed = await publish(deps, key, alert, now);
  } catch (err) {
    // The claims (the notification log) could not be read or written: the breach fails the run.
    const problem = `${c.name}: ${describeError(err)}`;
    deps.logger.error('watch: error rate breach, but its claims could not be kept: nothing sent', { ...facts, problem });
    failures.push(problem);
    return { ...base, outcome: kind, verdict: 'breach', problem };
  }
  deps.logger[action.kind === 'rollback-failed' || failed.length > 0 ? 'error' : 'warn']('watch: error rate breach', { ...facts, action: action.kind, ...(action.kind === 'rollback-started' && { executionId: action.executionId }), ...(failed.length > 0 && { publishFailures: failed }) });
  if (failed.length > 0) {
    failures.push(...failed);
    return { ...base, outcome: kind, verdict: 'breach', action: action.kind, problem: failed.join('; ') };
  }
  try {
    // Judging stops; were this write lost, the claims would still hold the next run's alert back.
    await deps.store.put(c.name, { ...record!, change: { ...change, alertedAtMs: now } });
  } catch (err) {
    deps.logger.warn('watch: alert sent, but not recorded', { ...base, error: describeError(err) });
  }
  return { ...base, outcome: kind, verdict: 'breach', action: action.kind };
}

/** Starts the rollback once per change where the tier says so and the deployment can. */
async function act(deps: WatchDependencies, c: WatchCandidate, change: WatchedChange, j: Breach, key: string, now: number): Promise<WatchAction> {
  if (c.tier.watch.act !== 'rollback') return { kind: 'proposed' };
  const rb = deps.rollback;
  if (!rb) return { kind: 'rollback-failed', error: 'this deployment has no rollback document set up (ROLLBACK_DOCUMENT_NAME, ROLLBACK_AUTOMATION_ROLE_ARN)' };
  // One attempt per change, claimed first, so that a retried run never starts a second one; a
  // failure is not retried either: the alert says so and gives the commands.
  const claim = await deps.log.claim(`${key}#rollback`, now, CLAIM_MINUTES);
  if (!claim.granted) return { kind: 'rollback-tried-before', atMs: claim.sentAt };
  try {
    const out = await rb.start({ DocumentName: rb.documentName, Parameters: rollbackParameters(c.name, change, j, rb.automationRoleArn) });
    return { kind: 'rollback-started', executionId: out.AutomationExecutionId ?? '(no id returned)' };
  } catch (err) {
    return { kind: 'rollback-failed', error: describeError(err) };
  }
}

/** The alert to each topic not claimed for this change (publishClaimed, as the notify alerts); the failures, said. */
async function publish(deps: WatchDependencies, key: string, alert: ReturnType<typeof watchAlert>, now: number): Promise<string[]> {
  const sent = await publishClaimed(deps, key, { subject: alert.subject, message: alert.message, attributes: messageAttributes(alert.attributes) }, now, CLAIM_MINUTES);
  return sent.failures.map(({ topic, error }) => `${alert.attributes.function} to ${topic}: ${describeError(error)}`);
}

const CLIENT_CONFIG = { retryMode: 'adaptive', maxAttempts: 4 } as const;

/** A number setting within bounds, or a clear error naming it. */
function bounded(key: string, defaultValue: number, min: number, max: number): number {
  const value = getNumberFromEnv({ key, defaultValue });
  if (!(value >= min && value <= max)) throw new Error(`${key} must be between ${min} and ${max}, not ${value}`);
  return value;
}

/** The watch with real clients, from the notify function's environment (template.yaml). */
export function watchFromEnvironment(shared: AlertTopics & { loadPolicy: PolicyLoader; logger: Logger; dynamo: DynamoDBClient }): WatchDependencies {
  const { dynamo, ...notify } = shared;
  const logs = new CloudWatchLogsClient(CLIENT_CONFIG);
  const ssm = new SSMClient(CLIENT_CONFIG);
  const table = getStringFromEnv({ key: 'NOTIFICATION_LOG_TABLE' });
  const documentName = getStringFromEnv({ key: 'ROLLBACK_DOCUMENT_NAME', defaultValue: '' });
  const automationRoleArn = getStringFromEnv({ key: 'ROLLBACK_AUTOMATION_ROLE_ARN', defaultValue: '' });
  return {
    ...notify,
    tagging: new ResourceGroupsTaggingAPIClient(CLIENT_CONFIG),
    // A client of its own: the notify alerts' Lambda calls are not slowed by the watch's budget.
    lambda: limitLambdaClient(new LambdaClient(CLIENT_CONFIG), lambdaRateBudget(LIST_CALLS_PER_SECOND, 1)),
    filterLogEvents: (i) => logs.send(new FilterLogEventsCommand(i)),
    logsBucket: new TokenBucket(bounded('WATCH_LOGS_CALLS_PER_SECOND', 2, 0.1, FILTER_LOG_EVENTS_QUOTA), 1),
    cloudWatch: new CloudWatchClient(CLIENT_CONFIG),
    store: new DynamoWatchStore(dynamo, table, (functionName, what) => notify.logger.warn('watch: record unreadable, recorded anew', { function: functionName, what })),
    rollback: documentName && automationRoleArn ? { start: (i) => ssm.send(new StartAutomationExecutionCommand(i)), documentName, automationRoleArn } : undefined,
    maxFunctions: bounded('WATCH_MAX_FUNCTIONS', 500, 1, 100_000),
    now: Date.now,
  };
}
