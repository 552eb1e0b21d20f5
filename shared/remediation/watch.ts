import type { WatchSettings } from '../policy/schema.js';
import { singleLine, snsSubject, consoleUrl } from './notification.js';
import type { RuntimeVersionSighting } from './rollback.js';

// The watch after a runtime version change (docs/watch.md), pure: what the INIT_START lines of
// the last hour say against the version last recorded, whether the error rate since a change
// breaks its baseline, and the alert. shared/io/watch*.ts read and write; remediation/notify/watch.ts runs it.

const HOUR_MS = 3_600_000;
/** How long after a change it is judged: enough for a function called a few times an hour to reach minInvocations. */
export const WATCH_HOURS = 6;
/** The baseline: the day before the change, which holds every hour of a daily pattern once. */
export const BASELINE_HOURS = 24;
/**
 * The INIT_START lines read per run: the hour since the last run, and 10 minutes more, so that a
 * schedule run a few minutes late leaves no gap (a line read twice changes nothing).
 */
export const LOOKBACK_MS = HOUR_MS + 10 * 60_000;
/** How often a record whose version stays the same is written again, so that its TTL does not expire it. */
const REFRESH_MS = 7 * 24 * HOUR_MS;

/** A change of runtime version, as first seen in the INIT_START lines. */
export interface WatchedChange {
  readonly from: string;
  readonly fromVersion?: string | undefined;
  readonly to: string;
  readonly toVersion?: string | undefined;
  /** The first INIT_START line of the new version (ms since the epoch). */
  readonly atMs: number;
  /** When the alert (and any rollback) went out: no more judging after that. */
  readonly alertedAtMs?: number | undefined;
}

/** What the watch keeps per function between runs. */
export interface WatchRecord {
  /** The runtime version last seen. */
  readonly arn: string;
  readonly version?: string | undefined;
  /** When that version was last recorded. */
  readonly seenAtMs: number;
  /** The latest change, while it is judged and after. */
  readonly change?: WatchedChange | undefined;
}

export type ObservationKind = 'no-lines' | 'first-seen' | 'unchanged' | 'changed';

export interface Observation {
  readonly kind: ObservationKind;
  /** The record after the observation (absent: nothing known yet). */
  readonly record: WatchRecord | undefined;
  /** Whether the record must be written. */
  readonly write: boolean;
}

/**
 * The last hour's INIT_START lines against the record. The version in use is the one of the last
 * line; a version other than the recorded one is a change, dated at its first line in the hour
 * (the version the change under watch left does not count as one).
 * The first lines ever seen only record: without a version before them there is nothing to
 * compare with, nor to roll back to.
 */
export function observe(previous: WatchRecord | undefined, sightings: readonly RuntimeVersionSighting[], nowMs: number): Observation {
  const sorted = [...sightings].sort((a, b) => a.atMs - b.atMs);
  const last = sorted.at(-1);
  if (!last) return { kind: 'no-lines', record: previous, write: false };
  if (!previous) return { kind: 'first-seen', record: { arn: last.arn, version: last.version, seenAtMs: nowMs }, write: true };
  if (last.arn === previous.arn) {
    const stale = nowMs - previous.seenAtMs >= REFRESH_MS;
    return { kind: 'unchanged', record: stale ? { ...previous, seenAtMs: nowMs } : previous, write: stale };
  }
  // During a rollout old and new versions run side by side: the version a change left showing
  // again while the change is judged is no change back (which would make the suspect version
  // the one to roll back to).
  if (stillWatched(previous.change, nowMs) && last.arn === previous.change.from) return { kind: 'unchanged', record: previous, write: false };
  const first = sorted.find((s) => s.arn === last.arn)!;
  const change: WatchedChange = { from: previous.arn, fromVersion: previous.version, to: last.arn, toVersion: last.version, atMs: first.atMs };
  return { kind: 'changed', record: { arn: last.arn, version: last.version, seenAtMs: nowMs, change }, write: true };
}

/** Whether a change is still judged at `nowMs`: not alerted, and inside its watch. */
export const stillWatched = (change: WatchedChange | undefined, nowMs: number): change is WatchedChange =>
  change !== undefined && change.alertedAtMs === undefined && nowMs - change.atMs <= WATCH_HOURS * HOUR_MS;

/** The end of what is judged: now, or the end of the watch. */
export const afterWindowEnd = (change: WatchedChange, nowMs: number): number => Math.min(nowMs, change.atMs + WATCH_HOURS * HOUR_MS);

export interface ErrorCounts {
  readonly invocations: number;
  readonly errors: number;
}

/** AWS/Lambda Errors and Invocations (Sum) before and after the change. */
export interface WatchEvidence {
  /** [change - BASELINE_HOURS, change). */
  readonly baseline: ErrorCounts;
  /** [change, now]. */
  readonly after: ErrorCounts;
}

interface Rated {
  readonly reason: string;
  readonly baselineRate: number;
  readonly afterRate: number;
  readonly thresholdRate: number;
}
export type Breach = Rated & { readonly verdict: 'breach' };
export type Judgement = { readonly verdict: 'waiting' | 'no-baseline'; readonly reason: string } | (Rated & { readonly verdict: 'no-rise' }) | Breach;

const pct = (rate: number): string => `${(rate * 100).toFixed(rate < 0.001 && rate > 0 ? 3 : 1)}%`;
const valid = (c: ErrorCounts): boolean => Number.isFinite(c.invocations) && Number.isFinite(c.errors) && c.invocations >= 0 && c.errors >= 0;

/**
 * Breach: at least minInvocations after the change, at least one error, and an error rate above
 * the baseline's by more than the margin. A baseline without errors counts as one error in its
 * invocations: no error in N calls says only that the rate is below about 1/N, and a stray
 * error after the change must not read as an infinite rise. No invocation in the baseline: no
 * comparison (a new or idle function), never a breach.
 */
export function judge(evidence: WatchEvidence, settings: WatchSettings): Judgement {
  const { baseline, after } = evidence;
  if (!valid(baseline) || !valid(after)) return { verdict: 'waiting', reason: 'the metrics read are not counts' };
  if (after.invocations < settings.minInvocations) {
    return { verdict: 'waiting', reason: `${after.invocations} invocations since the change, fewer than the ${settings.minInvocations} needed to judge` };
  }
  if (baseline.invocations === 0) return { verdict: 'no-baseline', reason: `no invocation in the ${BASELINE_HOURS} hours before the change: nothing to compare with` };
  const baselineRate = baseline.errors / baseline.invocations;
  const afterRate = after.errors / after.invocations;
  const thresholdRate = (Math.max(baseline.errors, 1) / baseline.invocations) * (1 + settings.errorRiseMarginPercent / 100);
  const numbers = `error rate ${pct(afterRate)} (${after.errors} of ${after.invocations}) since the change, ${pct(baselineRate)} (${baseline.errors} of ${baseline.invocations}) the ${BASELINE_HOURS} hours before; breach above ${pct(thresholdRate)}`;
  const rated = { reason: numbers, baselineRate, afterRate, thresholdRate };
  return after.errors > 0 && afterRate > thresholdRate ? { verdict: 'breach', ...rated } : { verdict: 'no-rise', ...rated };
}

/** What the watch did about a breach, for the alert. */
export type WatchAction =
  | { readonly kind: 'proposed' }
  | { readonly kind: 'rollback-started'; readonly executionId: string }
  | { readonly kind: 'rollback-failed'; readonly error: string }
  /** A retried run: the rollback of this change was tried already (its alert said how it went). */
  | { readonly kind: 'rollback-tried-before'; readonly atMs: number };

export interface WatchAlertInput {
  readonly functionName: string;
  readonly account: string;
  readonly region: string;
  readonly tier: string;
  readonly settings: WatchSettings;
  readonly change: WatchedChange;
  readonly evidence: WatchEvidence;
  readonly judgement: Breach;
  readonly nowMs: number;
  readonly action: WatchAction;
  /** The RollbackDocument's name and the role it runs as, for the command to start it. */
  readonly rollbackDocument?: string | undefined;
  readonly automationRoleArn?: string | undefined;
}

export interface WatchAlert {
  readonly subject: string;
  readonly message: string;
  readonly attributes: Readonly<Record<string, string>>;
}

/** The message attribute `kind` of the watch's alerts. */
export const WATCH_ALERT_KIND = 'runtime-version-watch';
/** RequestedBy of the rollbacks the watch starts (tagged on the function with the reason). */
export const WATCH_REQUESTED_BY = 'runtime-warden watch';

const iso = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
const named = (version: string | undefined, arn: string): string => (version ? `${version} (${arn})` : arn);

/**
 * The rollback's reason: the evidence in one line, in characters a tag value and a shell double
 * quote both take as they are (tagged by the rollback: shared/remediation/rollback.ts tagValue).
 */
export function rollbackReason(change: WatchedChange, j: Breach): string {
  const percent = (rate: number): string => pct(rate).replace('%', ' percent');
  return `error rate ${percent(j.afterRate)} after runtime version ${change.toVersion ?? change.to.slice(-12)} from ${iso(change.atMs)} was ${percent(j.baselineRate)} before`.replace(/[^A-Za-z0-9 .:/=+\-@_]/g, ' ');
}

/** The parameters of StartAutomationExecution for the RollbackDocument (all strings, as SSM takes them). */
export function rollbackParameters(functionName: string, change: WatchedChange, j: Breach, automationRoleArn: string): Record<string, string[]> {
  return {
    FunctionName: [functionName],
    ToRuntimeVersionArn: [change.from],
    Reason: [rollbackReason(change, j)],
    RequestedBy: [WATCH_REQUESTED_BY],
    AutomationAssumeRole: [automationRoleArn],
  };
}

function actionLines(a: WatchAlertInput): string[] {
  const cli = `runtime-warden rollback ${a.functionName} --to ${a.change.from} --reason "${rollbackReason(a.change, a.judgement)}"`;
  const params = rollbackParameters(a.functionName, a.change, a.judgement, a.automationRoleArn ?? 'ROLE_ARN');
  const ssm = `aws ssm start-automation-execution --region ${a.region} --document-name ${a.rollbackDocument ?? 'RollbackDocumentName'} --parameters '${JSON.stringify(params)}'`;
  const howTo = ['To roll back (pin the version before, Manual):', `  ${cli}`, 'or start the SSM document:', `  ${ssm}`];
  switch (a.action.kind) {
    case 'proposed':
      return [`Proposed:     roll back to ${named(a.change.fromVersion, a.change.from)} (the tier's watch proposes; it does not act)`, '', ...howTo];
    case 'rollback-started':
      return [`Done:         rollback started, automation execution ${a.action.executionId} (document ${a.rollbackDocument}); the function is pinned once it succeeds`, '', 'To undo once the code is fixed:', `  runtime-warden rollback ${a.functionName} --undo`];
    case 'rollback-tried-before':
      return [`Tried:        a rollback of this change was tried at ${iso(a.action.atMs)}; the automation executions of ${a.rollbackDocument} say how it went`, '', ...howTo];
    case 'rollback-failed':
      return [`FAILED:       the rollback could not be started: ${a.action.error}. Nothing was changed: roll back by hand.`, '', ...howTo];
  }
}

/** The alert: the evidence, and what was done or is proposed, each entry one line. */
export function watchAlert(a: WatchAlertInput): WatchAlert {
  const { change, evidence, judgement: j } = a;
  const verb = { proposed: 'rollback proposed', 'rollback-started': 'rolled back', 'rollback-tried-before': 'rollback tried', 'rollback-failed': 'rollback FAILED' }[a.action.kind];
  const subject = snsSubject(`[runtime-warden] ${verb}: ${a.functionName} errors up after runtime update`);
  const lines = [
    `runtime-warden: Lambda function ${a.functionName} fails more often since its runtime version changed.`,
    '',
    `Function:     ${a.functionName}`,
    `Account:      ${a.account}`,
    `Region:       ${a.region}`,
    `Tier:         ${a.tier} (watch: margin ${a.settings.errorRiseMarginPercent}%, at least ${a.settings.minInvocations} invocations, act: ${a.settings.act})`,
    `Version from: ${named(change.fromVersion, change.from)}`,
    `Version to:   ${named(change.toVersion, change.to)}`,
    `Changed at:   ${iso(change.atMs)} (its first INIT_START line)`,
    `Before:       ${pct(j.baselineRate)} errors: ${evidence.baseline.errors} of ${evidence.baseline.invocations} invocations, ${iso(change.atMs - BASELINE_HOURS * HOUR_MS)} to ${iso(change.atMs)}`,
    `After:        ${pct(j.afterRate)} errors: ${evidence.after.errors} of ${evidence.after.invocations} invocations, ${iso(change.atMs)} to ${iso(afterWindowEnd(change, a.nowMs))}`,
    `Threshold:    ${pct(j.thresholdRate)} (the rate before, at least one error, plus ${a.settings.errorRiseMarginPercent}%)`,
    ...actionLines(a),
    '',
    `Console:      ${consoleUrl(a.region, a.functionName)}`,
  ];
  return {
    subject,
    message: lines.map(singleLine).join('\n'),
    attributes: { kind: WATCH_ALERT_KIND, severity: 'error', action: a.action.kind, tier: a.tier, account: a.account, function: a.functionName },
  };
}
