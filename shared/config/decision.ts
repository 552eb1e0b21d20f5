import { evaluate } from '../evaluation/evaluate.js';
import { SUMMARY_MAX, truncate, verdict, type Compliance } from '../evaluation/verdict.js';
import type { FunctionFacts } from '../facts/functionFacts.js';
import type { ConfigurationItem } from '../adapters/configEvent.js';
import type { Policy } from '../policy/policy.js';
import { plannedModeChange } from '../remediation/modeChange.js';
import { IDLE_DAYS, RECENT_DAYS, type FunctionUsage } from '../report/usage.js';

// The Config rule's decision, apart from its plumbing: facts in, evaluations out. No I/O.

export const LAMBDA_RESOURCE_TYPE = 'AWS::Lambda::Function';

/** One entry of PutEvaluations, exactly as sent. */
export interface ConfigEvaluation {
  readonly ComplianceResourceType: string;
  readonly ComplianceResourceId: string;
  readonly ComplianceType: Compliance;
  readonly Annotation: string;
  readonly OrderingTimestamp: Date;
}

export function configEvaluation(resourceId: string, compliance: Compliance, annotation: string, orderingTimestamp: Date): ConfigEvaluation {
  return {
    ComplianceResourceType: LAMBDA_RESOURCE_TYPE,
    ComplianceResourceId: resourceId,
    ComplianceType: compliance,
    Annotation: truncate(annotation, SUMMARY_MAX),
    OrderingTimestamp: orderingTimestamp,
  };
}

export const DELETED_DURING_EVALUATION = 'The function was deleted during evaluation.';

const GONE = new Set(['ResourceDeleted', 'ResourceDeletedNotRecorded', 'ResourceNotRecorded']);

/** Why a change notification's item is not to be judged, or undefined when it is. */
export function notApplicableReason(item: Pick<ConfigurationItem, 'resourceType' | 'configurationItemStatus'> | null, eventLeftScope: boolean): string | undefined {
  if (item === null) return 'The notification carries no configuration item.';
  if (eventLeftScope) return 'The function left the scope of this rule.';
  if (item.resourceType !== LAMBDA_RESOURCE_TYPE) return `${item.resourceType} is not a Lambda function.`;
  if (item.configurationItemStatus && GONE.has(item.configurationItemStatus)) {
    return item.configurationItemStatus === 'ResourceNotRecorded' ? 'The function is not recorded by AWS Config.' : 'The function has been deleted.';
  }
  return undefined;
}

/** A signal about a published version that could not be read: the version may be in use. */
export interface UnreadSignal {
  readonly signal: 'invocations' | 'event source mappings' | 'resource policy';
  /** The API that failed, as the annotation names it. */
  readonly api: string;
  /** The error, for the log (the annotation has no room for it). */
  readonly error: string;
  /** Not read yet (the version broke the policy only after the sweep read it), rather than failed. */
  readonly pending?: boolean | undefined;
}

/**
 * What can still run one published version, as read for a version whose runtime breaks the
 * policy. A version keeps running code for whatever invokes it by its qualified ARN (API Gateway,
 * an event source mapping, SNS, EventBridge, a direct Invoke), whatever `$LATEST` runs.
 */
export interface VersionUse {
  readonly version: string;
  readonly facts: FunctionFacts;
  /** Aliases routing to it, wholly or by weight. */
  readonly aliases: readonly string[];
  /** UUIDs of the event source mappings invoking it. */
  readonly eventSourceMappings: readonly string[];
  /** Sids of the statements of its resource-based policy that allow invoking it. */
  readonly policyStatements: readonly string[];
  /** Invocations by its qualified ARN; absent when they could not be read (see `unread`). */
  readonly usage?: FunctionUsage | undefined;
  readonly unread: readonly UnreadSignal[];
}

/**
 * Whether a version can be taken to run code: something references or invoked it, or a signal
 * could not be read. A signal that could not be read never counts as idle.
 */
export function versionInUse(v: VersionUse): boolean {
  return v.aliases.length > 0 || v.eventSourceMappings.length > 0 || v.policyStatements.length > 0 || (v.usage?.lastInvoked ?? null) !== null || v.unread.length > 0;
}

const errorRuleIds = (facts: FunctionFacts, policy: Policy, now: number): string[] => [...new Set(evaluate(facts, policy, now).filter((f) => f.severity === 'error').map((f) => f.ruleId))];

/** One annotation line's worth of references: as many as fit in `max`, then how many more. */
export function listWithin(items: readonly string[], max: number): string {
  let out = '';
  for (let i = 0; i < items.length; i++) {
    const next = out ? `${out}, ${items[i]}` : items[i]!;
    const more = i + 1 < items.length ? `, +${items.length - i - 1} more` : '';
    if (next.length + more.length > max && out) return `${out}, +${items.length - i} more`;
    out = next;
  }
  return out;
}

const plural = (n: number, one: string, many: string): string => (n === 1 ? one : many);

/** Room for one version's references in an annotation: a UUID and an invocation count fit. */
const VERSION_LINE_MAX = 120;

/**
 * What runs a version, in words: `version 1 (nodejs16.x, RW004): event source mapping <uuid>,
 * invoked 37 times in 14 days`, within one annotation line. An alert can name it the same way.
 */
export function describeVersionUse(v: VersionUse, policy: Policy, now: number): string {
  return describe(v, errorRuleIds(v.facts, policy, now));
}

function describe(v: VersionUse, ruleIds: readonly string[]): string {
  const what = `version ${v.version} (${[v.facts.runtime ?? 'no runtime', ...ruleIds].join(', ')})`;
  if (!versionInUse(v)) return `${what}: idle (not invoked in ${IDLE_DAYS} days, nothing references it)`;
  const u = v.usage;
  const evidence = [
    ...v.aliases.map((a) => `alias ${a}`),
    ...v.eventSourceMappings.map((m) => `event source mapping ${m}`),
    ...v.policyStatements.map((s) => `policy statement ${s}`),
    ...(u && u.invocations14d > 0 ? [`invoked ${u.invocations14d} ${plural(u.invocations14d, 'time', 'times')} in ${RECENT_DAYS} days`] : u?.lastInvoked ? [`last invoked ${u.lastInvoked}`] : []),
  ];
  // What could not be read matters to the verdict only where nothing else shows the version in use.
  const items = evidence.length > 0 ? evidence : v.unread.map((s) => (s.pending ? 'what invokes it not read yet' : `${s.signal} unknown (${s.api} failed)`));
  return `${what}: ${listWithin(items, VERSION_LINE_MAX - what.length - 2)}`;
}

/**
 * `head | part | part | and N more | tail` within Config's 256 characters: as many parts as fit;
 * then only their count; then without the tail; only then is the head cut.
 */
function fitAnnotation(head: string, parts: readonly string[], count: string, tail: string): string {
  const join = (...xs: string[]): string => xs.join(' | ');
  for (let k = parts.length; k >= 1; k--) {
    const text = join(head, ...parts.slice(0, k), ...(k < parts.length ? [`and ${parts.length - k} more`] : []), tail);
    if (text.length <= SUMMARY_MAX) return text;
  }
  for (const text of [join(head, count, tail), join(head, count)]) if (text.length <= SUMMARY_MAX) return text;
  const rest = join(count, tail);
  return join(truncate(head, SUMMARY_MAX - rest.length - 3), rest);
}

/**
 * Judges a function: its `$LATEST` (what Config records) and every published version whose
 * runtime breaks the policy. Such a version still in use (referenced, invoked, or a signal
 * unreadable) makes the function NON_COMPLIANT; an idle one is a warning, since anyone allowed
 * to invoke it by its qualified ARN still can. The annotation names the versions (as many as fit)
 * and the fix.
 */
export function evaluateFunction(latest: FunctionFacts, versions: readonly VersionUse[], policy: Policy, now: number, orderingTimestamp: Date): ConfigEvaluation {
  const own = verdict(evaluate(latest, policy, now));
  const breaking = versions.map((v) => ({ v, ids: errorRuleIds(v.facts, policy, now) })).filter(({ ids }) => ids.length > 0);
  if (breaking.length === 0) return configEvaluation(latest.name, own.compliance, own.summary, orderingTimestamp);
  const inUse = breaking.filter(({ v }) => versionInUse(v));
  const ordered = [...inUse, ...breaking.filter(({ v }) => !versionInUse(v))];
  const parts = ordered.map(({ v, ids }) => describe(v, ids));
  const runtimes = [...new Set(ordered.map(({ v }) => v.facts.runtime ?? 'no runtime'))].join(', ');
  const n = ordered.length;
  if (inUse.length > 0) {
    const head = own.compliance === 'NON_COMPLIANT' ? own.summary : `$LATEST ${own.compliance.toLowerCase().replace('_', ' ')}`;
    const tail = n === 1 ? `fix: delete version ${ordered[0]!.v.version}, or move what invokes it to a current version` : 'fix: delete each, or move what invokes it to a current version';
    const count = `${n} published ${plural(n, 'version', 'versions')} (${runtimes}), ${inUse.length} in use`;
    return configEvaluation(latest.name, 'NON_COMPLIANT', fitAnnotation(head, parts, count, tail), orderingTimestamp);
  }
  const head = own.compliance !== 'COMPLIANT' || own.summary.startsWith('Compliant with warnings: ') ? own.summary : 'Compliant with warnings: $LATEST compliant';
  const tail = n === 1 ? 'delete it: it can still be invoked by its qualified ARN' : 'delete them: each can still be invoked by its qualified ARN';
  const count = `${n} idle published ${plural(n, 'version', 'versions')} (${runtimes})`;
  return configEvaluation(latest.name, own.compliance, fitAnnotation(head, parts, count, tail), orderingTimestamp);
}

/** NOT_APPLICABLE for functions evaluated before that no longer exist, so stale results do not linger. */
export function staleEvaluations(previouslyEvaluated: Iterable<string>, existing: ReadonlySet<string>, orderingTimestamp: Date): ConfigEvaluation[] {
  return [...new Set(previouslyEvaluated)]
    .filter((id) => !existing.has(id))
    .map((id) => configEvaluation(id, 'NOT_APPLICABLE', 'The function no longer exists.', orderingTimestamp));
}

/** The published versions whose own verdict is NON_COMPLIANT: the only ones worth reading what runs them. */
export function versionsBreakingPolicy(versions: readonly FunctionFacts[], policy: Policy, now: number): FunctionFacts[] {
  return versions.filter((v) => verdict(evaluate(v, policy, now)).compliance === 'NON_COMPLIANT');
}

/**
 * The update-mode view of a function, for the rule that drives the switch-mode remediation
 * (AWS Config takes one remediation per rule): NON_COMPLIANT exactly when the policy asks for
 * another runtime update mode and no waiver covers it.
 */
export function evaluateUpdateMode(facts: FunctionFacts, policy: Policy, now: number, orderingTimestamp: Date, modePending = false): ConfigEvaluation {
  if (facts.packageType === 'Image') return configEvaluation(facts.name, 'NOT_APPLICABLE', 'Container image function: it has no runtime update mode.', orderingTimestamp);
  if (modePending) return configEvaluation(facts.name, 'NOT_APPLICABLE', `${MODE_PENDING}: the sweep reads it, or the function's next change.`, orderingTimestamp);
  if (facts.updateMode === undefined) return configEvaluation(facts.name, 'NOT_APPLICABLE', 'The runtime update mode could not be read.', orderingTimestamp);
  const change = plannedModeChange(facts, evaluate(facts, policy, now));
  if (!change) return configEvaluation(facts.name, 'COMPLIANT', `Update mode ${facts.updateMode} is what the policy asks for.`, orderingTimestamp);
  return configEvaluation(facts.name, 'NON_COMPLIANT', `${change.ruleId} switch ${change.from} -> ${change.to}: ${change.reason}`, orderingTimestamp);
}

export const MODE_PENDING = 'The runtime update mode has not been read yet';

/** What a version breaking the policy gets when the sweep read its function before it broke. */
const NOT_READ_YET: UnreadSignal = { signal: 'invocations', api: 'the sweep', error: 'not read yet: the version broke the policy after its function was last read', pending: true };

/** What invokes a version, as stored by the reader (shared/io/functionState.ts): the version by its number. */
export type StoredVersionUse = Omit<VersionUse, 'version' | 'facts'> & { readonly v: string };

/**
 * The published versions breaking the policy now, with what the last read found invoking them. A
 * version the read did not cover (it broke the policy since) counts as in use, "not read yet":
 * never idle by default.
 */
export function versionUsesFromState(versions: readonly FunctionFacts[], stored: readonly StoredVersionUse[], policy: Policy, now: number): VersionUse[] {
  return versionsBreakingPolicy(versions, policy, now).map((facts): VersionUse => {
    const s = stored.find((u) => u.v === facts.qualifier);
    if (!s) return { version: facts.qualifier ?? '', facts, aliases: [], eventSourceMappings: [], policyStatements: [], unread: [NOT_READ_YET] };
    return { version: s.v, facts, aliases: s.aliases, eventSourceMappings: s.eventSourceMappings, policyStatements: s.policyStatements, usage: s.usage, unread: s.unread };
  });
}

/**
 * An evaluation with a note on what it could not judge yet (`update mode, versions not read yet`)
 * or how old its reads are: the verdict stands on what is known, and says what is pending. The
 * note is kept whole; the verdict's own text is what gets cut to fit 256 characters.
 */
export function withNote(e: ConfigEvaluation, note: string | undefined): ConfigEvaluation {
  if (!note) return e;
  const tail = ` | ${note}`;
  return { ...e, Annotation: `${e.Annotation.length + tail.length > SUMMARY_MAX ? truncate(e.Annotation, SUMMARY_MAX - tail.length) : e.Annotation}${tail}` };
}
