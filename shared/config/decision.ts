import { evaluate } from '../evaluation/evaluate.js';
import { SUMMARY_MAX, truncate, verdict, type Compliance } from '../evaluation/verdict.js';
import type { FunctionFacts } from '../facts/functionFacts.js';
import type { ConfigurationItem } from '../adapters/configEvent.js';
import type { Policy } from '../policy/policy.js';
import { plannedModeChange } from '../remediation/modeChange.js';

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

/** A published version that an alias routes traffic to (all of it, or a weighted share). */
export interface AliasTarget {
  readonly alias: string;
  readonly version: string;
  readonly facts: FunctionFacts;
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

/**
 * Judges a function: its `$LATEST` (what Config records) and the published versions its aliases
 * serve. The worst wins; the annotation names the alias and version that break the policy.
 */
export function evaluateFunction(latest: FunctionFacts, aliases: readonly AliasTarget[], policy: Policy, now: number, orderingTimestamp: Date): ConfigEvaluation {
  const own = verdict(evaluate(latest, policy, now));
  const badAliases = aliases
    .map((a) => ({ a, v: verdict(evaluate(a.facts, policy, now)) }))
    .filter(({ v }) => v.compliance === 'NON_COMPLIANT')
    .map(({ a, v }) => `alias ${a.alias} -> version ${a.version} (${a.facts.runtime ?? 'no runtime'}): ${v.summary}`);
  if (badAliases.length === 0) return configEvaluation(latest.name, own.compliance, own.summary, orderingTimestamp);
  const parts = own.compliance === 'NON_COMPLIANT' ? [own.summary, ...badAliases] : [`$LATEST ${own.compliance.toLowerCase()}; ${badAliases[0]}`, ...badAliases.slice(1)];
  return configEvaluation(latest.name, 'NON_COMPLIANT', parts.join(' | '), orderingTimestamp);
}

/** NOT_APPLICABLE for functions evaluated before that no longer exist, so stale results do not linger. */
export function staleEvaluations(previouslyEvaluated: Iterable<string>, existing: ReadonlySet<string>, orderingTimestamp: Date): ConfigEvaluation[] {
  return [...new Set(previouslyEvaluated)]
    .filter((id) => !existing.has(id))
    .map((id) => configEvaluation(id, 'NOT_APPLICABLE', 'The function no longer exists.', orderingTimestamp));
}

/** The published versions whose own verdict is NON_COMPLIANT: the only ones worth an alias lookup. */
export function versionsBreakingPolicy(versions: readonly FunctionFacts[], policy: Policy, now: number): FunctionFacts[] {
  return versions.filter((v) => verdict(evaluate(v, policy, now)).compliance === 'NON_COMPLIANT');
}

/**
 * The update-mode view of a function, for the rule that drives the switch-mode remediation
 * (AWS Config takes one remediation per rule): NON_COMPLIANT exactly when the policy asks for
 * another runtime update mode and no waiver covers it.
 */
export function evaluateUpdateMode(facts: FunctionFacts, policy: Policy, now: number, orderingTimestamp: Date): ConfigEvaluation {
  if (facts.packageType === 'Image') return configEvaluation(facts.name, 'NOT_APPLICABLE', 'Container image function: it has no runtime update mode.', orderingTimestamp);
  if (facts.updateMode === undefined) return configEvaluation(facts.name, 'NOT_APPLICABLE', 'The runtime update mode could not be read.', orderingTimestamp);
  const change = plannedModeChange(facts, evaluate(facts, policy, now));
  if (!change) return configEvaluation(facts.name, 'COMPLIANT', `Update mode ${facts.updateMode} is what the policy asks for.`, orderingTimestamp);
  return configEvaluation(facts.name, 'NON_COMPLIANT', `${change.ruleId} switch ${change.from} -> ${change.to}: ${change.reason}`, orderingTimestamp);
}
