import { versionFacts, type LambdaFunctionConfiguration } from '../../shared/adapters/lambdaApi.js';
import { evaluateUpdateMode, versionsBreakingPolicy } from '../../shared/config/decision.js';
import { evaluate } from '../../shared/evaluation/evaluate.js';
import { verdict } from '../../shared/evaluation/verdict.js';
import type { FunctionFacts } from '../../shared/facts/functionFacts.js';
import type { Policy } from '../../shared/policy/policy.js';

// Which functions' tags are worth reading live. The periodic pass takes tags from AWS Config's
// record, which trails the function by up to a recording period; reading every function's tags
// from Lambda instead would spend its shared control-plane quota on functions whose verdict no
// tag changes. No I/O here.

/** The tag keys the policy reads to judge: the tier tag, and the waiver tag when tag waivers are on. */
export function decidingTagKeys(policy: Policy): string[] {
  const waiver = policy.document.waiverTag;
  return [policy.document.tiers.tagKey, ...(waiver.enabled ? [waiver.key] : [])];
}

/**
 * Whether the tier or waiver tag a function carries decides its verdict: judged without them (no
 * waiver, the default tier), its compliance, or which of its published versions break the policy,
 * would differ. In update-mode scope, the update-mode verdict. Only then is a stale tag worth a
 * live read.
 */
export function verdictTurnsOnTags(facts: FunctionFacts, versions: readonly LambdaFunctionConfiguration[], policy: Policy, now: number, updateModeScope: boolean): boolean {
  const keys = decidingTagKeys(policy);
  if (!keys.some((k) => k in facts.tags)) return false;
  const view = (f: FunctionFacts): string => {
    if (updateModeScope) return evaluateUpdateMode(f, policy, now, new Date(now)).ComplianceType;
    const breaking = versionsBreakingPolicy(
      versions.map((v) => versionFacts(v, f)),
      policy,
      now,
    );
    return [verdict(evaluate(f, policy, now)).compliance, ...breaking.map((v) => v.qualifier)].join(' ');
  };
  const untagged = { ...facts, tags: Object.fromEntries(Object.entries(facts.tags).filter(([k]) => !keys.includes(k))) };
  return view(facts) !== view(untagged);
}
