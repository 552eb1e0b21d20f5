import { createHash } from 'node:crypto';
import { dayStart, daysBetween } from '../catalog/catalog.js';
import { describeVersionUse, type VersionUse } from '../config/decision.js';
import { layerStanding, recommendedTarget, type FunctionLayers } from '../config/layers.js';
import { evaluate } from '../evaluation/evaluate.js';
import type { Finding } from '../evaluation/types.js';
import { verdict, type Verdict } from '../evaluation/verdict.js';
import { layerLabel, type FunctionFacts } from '../facts/functionFacts.js';
import { tierOf, type Policy } from '../policy/policy.js';
import { IDLE_DAYS, RECENT_DAYS, type FunctionUsage } from '../report/usage.js';
import { ROLLBACK_FROM_TAG, ROLLBACK_TAG, rollbackTagAgeDays } from './rollback.js';

/** Subjects as SNS takes them ("less than 100 characters long": shared/waivers/text.ts). */
export { SNS_SUBJECT_MAX, snsSubject } from '../waivers/text.js';
import { snsSubject } from '../waivers/text.js';

export interface Notification {
  readonly subject: string;
  readonly message: string;
  /** String message attributes subscribers can filter on. */
  readonly attributes: Readonly<Record<'severity' | 'tier' | 'runtime' | 'account' | 'function', string>>;
  /** Identifies "this function with these findings": the same fingerprint within the quiet period pages once. */
  readonly fingerprint: string;
}

export interface Where {
  readonly accountId: string;
  readonly region: string;
}

export function consoleUrl(region: string, functionName: string): string {
  return `https://${region}.console.aws.amazon.com/lambda/home?region=${region}#/functions/${encodeURIComponent(functionName)}`;
}


/**
 * C0 and C1 controls (newline, carriage return, tab, NEL among them), DEL, the Unicode line and
 * paragraph separators, and the bidirectional controls: each lets a value that reaches an alert
 * (an owner tag, a waiver reason, a name from a CloudTrail record) start a line of its own or
 * reorder what the reader sees, so that it reads as the alert's own text.
 */
const LINE_BREAKING = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
const ESCAPES: Readonly<Record<string, string>> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/** `text` on one line: every character above written as its escape, visibly, so nothing is lost. */
export function singleLine(text: string): string {
  return text.replace(LINE_BREAKING, (c) => ESCAPES[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** SNS Publish's MessageAttributes for string attributes, each on one line. */
export function messageAttributes(attributes: Readonly<Record<string, string>>): Record<string, { DataType: 'String'; StringValue: string }> {
  return Object.fromEntries(Object.entries(attributes).map(([k, value]) => [k, { DataType: 'String', StringValue: singleLine(value) }]));
}

/** What an alert and a digest call the owner of a function with none of the owner tags. */
export const NO_OWNER = '(no owner tag)';

/** The function's owner: the first of the policy's owner tags it carries. */
export const ownerOf = (facts: Pick<FunctionFacts, 'tags'>, policy: Policy): string | undefined => policy.document.ownerTagKeys.map((k) => facts.tags[k]).find((x) => x !== undefined);

/** The region an ARN names (SNS Publish must reach a topic through its own region). */
export const regionOfArn = (arn: string): string => arn.split(':')[3] ?? '';

function lifecycle(facts: FunctionFacts, policy: Policy, now: number): string {
  if (!facts.runtime) return 'no runtime';
  const info = policy.catalog.get(facts.runtime);
  if (!info) return `unknown runtime (not in the catalog as of its last update)`;
  const phase = policy.catalog.phase(facts.runtime, now);
  const dates: [string, string | null][] = [
    ['deprecation', info.deprecation],
    ['function creation blocked', info.blockCreate],
    ['function update blocked', info.blockUpdate],
  ];
  const parts = dates.map(([what, d]) => {
    if (!d) return `${what}: not scheduled`;
    const left = daysBetween(now, dayStart(d));
    return `${what}: ${d} (${left > 0 ? `${left} days left` : 'passed'})`;
  });
  return `${phase}; ${parts.join('; ')}`;
}

/**
 * The alert for a function that breaks the policy: everything an on-call engineer needs to act
 * without opening the console, and the link for when they want to.
 */
/** The alert's usage line: what decides between upgrading the function and deleting it. */
function usageLine(usage: FunctionUsage | 'unknown'): string {
  if (usage === 'unknown') return 'unknown (CloudWatch could not be read)';
  if (usage.lastInvoked === null) return `no invocation in ${IDLE_DAYS} days: a candidate for deletion rather than an upgrade`;
  return `${usage.invocations14d} invocations in the last ${RECENT_DAYS} days; last invoked ${usage.lastInvoked}`;
}

/**
 * A function as the alert reads it (remediation/notify/read.ts): its facts, with `layerVersions`
 * for the layer versions read, and which ones could not be.
 */
export interface AlertFacts extends FunctionFacts {
  readonly layerGaps?: Pick<FunctionLayers, 'notRead' | 'unreadable'>;
}

const layerGapsOf = (facts: FunctionFacts): AlertFacts['layerGaps'] => ('layerGaps' in facts ? (facts as AlertFacts).layerGaps : undefined);

/**
 * Every layer version of the function, once each, with what it means for the move to `target`:
 * the findings (RW018, RW022) say what to do about each. Undefined when the layers were not read
 * for this alert (the function has none, or need not move).
 */
function layersLine(facts: FunctionFacts, target: string | undefined): string | undefined {
  const read = facts.layerVersions;
  if (facts.layers.length === 0 || read === undefined) return undefined;
  const gaps = layerGapsOf(facts);
  const standing = layerStanding({ facts, notRead: gaps?.notRead ?? [], unreadable: gaps?.unreadable ?? [] }, target);
  const blocking = new Set(standing.blocking.map((l) => l.arn));
  const unknown = new Set(standing.unknown.map((l) => l.arn));
  const byArn = new Map(read.map((l) => [l.arn, l]));
  const unreadable = new Map((gaps?.unreadable ?? []).map((u) => [u.arn, u.reason]));
  const parts = facts.layers.map((arn) => {
    const name = layerLabel({ arn });
    const l = byArn.get(arn);
    if (blocking.has(arn)) return `${name} declares ${l!.compatibleRuntimes!.join(', ')}: blocks ${target} (RW018)`;
    if (unknown.has(arn) || (l && (l.compatibleRuntimes?.length ?? 0) === 0)) return `${name} declares no runtimes: compatibility unknown (RW022)`;
    if (l) return `${name} declares ${l.compatibleRuntimes!.join(', ')}`;
    const why = unreadable.get(arn);
    return why === undefined ? `${name} not read (Lambda did not answer): compatibility unknown` : `${name} could not be read (${why}): compatibility unknown`;
  });
  return parts.join('; ');
}

/**
 * The update mode, and for a pin the runtime version it holds and how long it has stood: from
 * the rollback tag `runtime-warden rollback` wrote, as RW010 dates it; without the tag, the age
 * is unknown (a pin set by hand says nothing of when). A rollback tag on a function whose mode was
 * not read for this alert is shown too: the pin is likely still there.
 */
function updateModeLine(facts: FunctionFacts, now: number): string {
  const days = rollbackTagAgeDays(facts.tags, now);
  const from = facts.tags[ROLLBACK_FROM_TAG];
  const age = days === undefined ? undefined : `pinned ${days} days ago (${ROLLBACK_TAG}: ${facts.tags[ROLLBACK_TAG]})${from ? `, off ${from}` : ''}`;
  if (facts.updateMode === undefined) return `not read for this alert (UpdateModeRule judges it)${age ? `; ${age}` : ''}`;
  if (facts.updateMode !== 'Manual' || !facts.runtimeVersionArn) return `${facts.updateMode}${facts.runtimeVersionArn ? ` (pinned to ${facts.runtimeVersionArn})` : ''}`;
  return `Manual, pinned to ${facts.runtimeVersionArn}; ${age ?? `age unknown: no ${ROLLBACK_TAG} tag`}`;
}

export function buildNotification(
  facts: FunctionFacts,
  findings: readonly Finding[],
  v: Verdict,
  policy: Policy,
  now: number,
  where: Where,
  serving?: Serving,
  usage?: FunctionUsage | 'unknown',
): Notification {
  const account = facts.accountId ?? where.accountId;
  const region = facts.region ?? where.region;
  const { tier } = tierOf(facts.tags, policy);
  const owner = ownerOf(facts, policy);
  const errors = findings.filter((f) => f.severity === 'error');
  const target = recommendedTarget(findings);
  const layers = layersLine(facts, target);
  const severity = errors.length > 0 ? 'error' : 'warning';
  const lead = errors[0] ?? findings[0];
  const subject = snsSubject(`[runtime-warden] ${v.compliance} ${facts.name}${serving ? ` (${serving.short})` : ''}: ${lead ? `${lead.ruleId} ${lead.rule}` : v.compliance}`);
  const lines = [
    `runtime-warden: Lambda function ${facts.name} ${v.compliance === 'NON_COMPLIANT' ? 'breaks' : 'meets'} the runtime policy.`,
    '',
    `Function:     ${facts.name}`,
    `Account:      ${account}`,
    `Region:       ${region}`,
    ...(serving ? [`Serving:      ${serving.detail} (the function's $LATEST is compliant; this published version still runs code: delete it, or move what invokes it to a current version)`] : []),
    `Runtime:      ${facts.runtime ?? '(container image)'}`,
    `Lifecycle:    ${lifecycle(facts, policy, now)}`,
    `Tier:         ${tier.name} (upgrade at least ${tier.upgradeLeadDays} days ahead; update modes allowed: ${tier.allowedUpdateModes.join(', ')})`,
    `Update mode:  ${updateModeLine(facts, now)}`,
    ...(layers ? [`Layers:       ${layers}`] : []),
    `Owner:        ${owner ?? NO_OWNER}`,
    ...(usage ? [`Usage:        ${usageLine(usage)}`] : []),
    `Recommended:  ${target ? `upgrade to ${target}` : 'see the findings'}`,
    `Console:      ${consoleUrl(region, facts.name)}`,
    '',
    'Findings:',
    ...findings.map((f) => `- [${f.ruleId} ${f.severity}] ${f.message}`),
  ];
  const fingerprint = createHash('sha256')
    .update([account, region, facts.name, serving?.short ?? '', facts.runtime ?? '', ...errors.map((f) => f.ruleId).sort()].join('|'))
    .digest('hex')
    .slice(0, 32);
  return {
    subject,
    // Each entry is one line of the alert, whatever its values hold.
    message: lines.map(singleLine).join('\n'),
    attributes: { severity, tier: tier.name, runtime: facts.runtime ?? 'image', account, function: facts.name },
    fingerprint,
  };
}

export interface AlertSubject {
  readonly facts: FunctionFacts;
  readonly findings: readonly Finding[];
  readonly verdict: Verdict;
  /** The published version the alert is about, when `$LATEST` itself is fine. */
  readonly serving?: Serving;
}

/** A published version an alert is about: `version 3` in the subject, what runs it in the body. */
export interface Serving {
  readonly short: string;
  readonly detail: string;
}

/**
 * What an alert is about, judged as the Config rule judges: the function's `$LATEST` when it
 * breaks the policy, else the first published version that breaks it and still runs code (an
 * alias, an event source mapping, a resource-policy statement, recent invocations, or a signal
 * that could not be read).
 */
export function alertSubject(latest: FunctionFacts, uses: readonly VersionUse[], policy: Policy, now: number): AlertSubject {
  const findings = evaluate(latest, policy, now);
  const v = verdict(findings);
  const use = uses[0];
  if (v.compliance === 'NON_COMPLIANT' || !use) return { facts: latest, findings, verdict: v };
  const versionFindings = evaluate(use.facts, policy, now);
  const short = use.aliases.length > 0 ? `alias ${use.aliases[0]} -> version ${use.version}` : `version ${use.version}`;
  return { facts: { ...use.facts, name: latest.name }, findings: versionFindings, verdict: verdict(versionFindings), serving: { short, detail: describeVersionUse(use, policy, now) } };
}
