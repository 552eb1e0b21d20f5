import { dayStart, daysBetween } from '../catalog/catalog.js';
import { layerLabel, type FunctionFacts, type LayerVersionFacts } from '../facts/functionFacts.js';
import { compileWaiver, DEFAULT_POLICY, tierOf, type CompiledWaiver, type Policy } from '../policy/policy.js';
import { isoDate } from '../policy/schema.js';
import { CHECKS, LAYER_RUNTIMES_DEPRECATED, NOT_APPLICABLE, WAIVER_APPLIED, WAIVER_EXPIRED, WAIVER_TAG_INVALID } from './rules.js';
import type { DecidingFact, Finding, RuleContext, RuleMeta } from './types.js';
import { truncate } from './verdict.js';

export function finding(meta: RuleMeta, message: string, remediation: Finding['remediation'] = { kind: 'none' }): Finding {
  return { ruleId: meta.id, rule: meta.name, severity: meta.severity, message, remediation };
}

function context(facts: FunctionFacts, policy: Policy, nowMs: number): RuleContext {
  const { tier, invalidTag } = tierOf(facts.tags, policy);
  const runtime = facts.runtime;
  return {
    facts,
    policy,
    nowMs,
    runtime,
    info: runtime === undefined ? undefined : policy.catalog.get(runtime),
    phase: runtime === undefined ? 'unknown' : policy.catalog.phase(runtime, nowMs),
    tier,
    invalidTierTag: invalidTag,
  };
}

/** One waiver tag value, `YYYY-MM-DD reason`: its expiry and reason, or why it is no waiver. */
function readWaiverTag(value: string, facts: FunctionFacts, policy: Policy, nowMs: number): { expires: string; reason: string } | string {
  const cfg = policy.document.waiverTag;
  // Split by hand: a backtracking pattern takes quadratic time on a value of many spaces.
  const trimmed = value.trim();
  const gap = trimmed.search(/\s/);
  const expires = gap < 0 ? trimmed : trimmed.slice(0, gap);
  const reason = gap < 0 ? '' : trimmed.slice(gap).trim();
  if (reason === '' || !isoDate.safeParse(expires).success) {
    return `Tag ${cfg.key}="${truncate(value, 80)}" is not "YYYY-MM-DD reason": no waiver applied.`;
  }
  if (daysBetween(nowMs, dayStart(expires)) > cfg.maxDays) {
    return `Tag ${cfg.key} expires ${expires}, more than ${cfg.maxDays} days ahead: no waiver applied; ask for a policy waiver instead.`;
  }
  // Re-tagging must not renew self-service forever: the bound runs from the first sighting.
  const since = facts.waiverTagSince;
  if (since !== undefined && daysBetween(dayStart(since), dayStart(expires)) > cfg.maxDays) {
    return `Tag ${cfg.key} expires ${expires}, more than ${cfg.maxDays} days after a waiver tag was first seen on this function (${since}): no waiver applied; ask for a policy waiver instead.`;
  }
  return { expires, reason };
}

/**
 * The tag waiver; a string when it is malformed or reaches too far. A key given more than once
 * (a template's tag list) waives only when every value does, until the earliest of them: the
 * generated Guard rules decide the same way.
 */
function tagWaiver(facts: FunctionFacts, policy: Policy, nowMs: number): CompiledWaiver | string | undefined {
  const cfg = policy.document.waiverTag;
  const value = cfg.enabled ? facts.tags[cfg.key] : undefined;
  if (value === undefined) return undefined;
  const read = (facts.repeatedTags?.[cfg.key] ?? [value]).map((v) => readWaiverTag(v, facts, policy, nowMs));
  const invalid = read.find((r) => typeof r === 'string');
  if (invalid !== undefined) return invalid;
  const valid = read as { expires: string; reason: string }[];
  const first = valid.reduce((a, b) => (b.expires < a.expires ? b : a));
  return compileWaiver({ function: facts.name, match: 'exact', expires: first.expires, reason: first.reason }, 'tag');
}

function applyWaivers(findings: Finding[], facts: FunctionFacts, policy: Policy, nowMs: number): Finding[] {
  const fromTag = tagWaiver(facts, policy, nowMs);
  const out = [...findings];
  if (typeof fromTag === 'string') out.push(finding(WAIVER_TAG_INVALID, fromTag, { kind: 'fix-tag', tagKey: policy.document.waiverTag.key }));
  // A template function's name is its FunctionName, or its logical id only where it sets none:
  // a waiver for `LegacyBilling` never covers `FunctionName: brand-new-service`.
  const candidates = policy.waivers.filter((w) => (w.account === undefined || w.account === facts.accountId) && w.matches(facts));
  if (fromTag !== undefined && typeof fromTag !== 'string') candidates.push(fromTag);

  const covers = (w: CompiledWaiver, f: Finding): boolean =>
    f.severity === 'error' && policy.waivable(f.ruleId, w.source) && (w.rules === undefined || w.rules.includes(f.ruleId));
  const active = candidates.filter((w) => nowMs < w.endMs);
  const waived = new Map<number, CompiledWaiver>();
  out.forEach((f, i) => {
    const w = active.find((c) => covers(c, f));
    if (w) waived.set(i, w);
  });
  for (const [i, w] of waived) {
    const f = out[i]!;
    out[i] = { ...f, severity: 'warning', message: `${f.message} (waived until ${w.expires})`, waivedUntil: w.expires };
  }
  for (const w of new Set(waived.values())) {
    const ids = [...waived].filter(([, x]) => x === w).map(([i]) => out[i]!.ruleId);
    const left = daysBetween(nowMs, w.endMs);
    out.push(
      finding(
        WAIVER_APPLIED,
        `${w.source === 'tag' ? 'Tag waiver' : `Policy waiver "${w.function}"`} until ${w.expires} (${left} ${left === 1 ? 'day' : 'days'} left) downgrades ${ids.join(', ')} to warnings: ${w.reason}`,
        { kind: 'renew-waiver' },
      ),
    );
  }
  for (const w of candidates.filter((c) => nowMs >= c.endMs)) {
    const wouldCover = out.filter((f) => covers(w, f)).map((f) => f.ruleId);
    if (wouldCover.length === 0) continue;
    out.push(
      finding(
        WAIVER_EXPIRED,
        `${w.source === 'tag' ? 'Tag waiver' : `Policy waiver "${w.function}"`} expired on ${w.expires} and no longer covers ${wouldCover.join(', ')} (${w.reason}).`,
        { kind: 'renew-waiver' },
      ),
    );
  }
  return out;
}

const NOTHING_UNDECIDED: ReadonlySet<DecidingFact> = new Set();

/**
 * Judges one function against a policy at an instant. Pure: the clock is a parameter, and no I/O
 * happens here, so the hook, the Config rule, remediation and the CLI all get the same answer.
 * `undecided` names facts the source leaves open (a template expression): checks reading one are
 * not run, and the caller says so.
 */
export function evaluate(facts: FunctionFacts, policy: Policy = DEFAULT_POLICY, now: Date | number = Date.now(), undecided = NOTHING_UNDECIDED): Finding[] {
  const nowMs = typeof now === 'number' ? now : now.getTime();
  if (facts.packageType === 'Image') {
    return [finding(NOT_APPLICABLE, 'Container image function: its runtime is inside the image, out of reach of the runtime policy.')];
  }
  const ctx = context(facts, policy, nowMs);
  const findings: Finding[] = [];
  for (const c of CHECKS) {
    if (undecided.size > 0 && c.reads.some((f) => undecided.has(f))) continue;
    const r = c.check(ctx);
    if (r) findings.push(finding(c, r.message, r.remediation));
  }
  return applyWaivers(findings, facts, policy, nowMs);
}

/**
 * Judges a layer version by itself (RW019): one whose CompatibleRuntimes are all deprecated can
 * serve no function that follows the policy. A layer declaring nothing, or any runtime the catalog
 * does not know, is not judged: nothing says it is stuck.
 */
export function evaluateLayerVersion(layer: LayerVersionFacts, policy: Policy = DEFAULT_POLICY, now: Date | number = Date.now()): Finding[] {
  const nowMs = typeof now === 'number' ? now : now.getTime();
  const runtimes = layer.compatibleRuntimes ?? [];
  const phases = runtimes.map((r) => policy.catalog.phase(r, nowMs));
  if (runtimes.length === 0 || phases.some((p) => p === 'active' || p === 'unknown')) return [];
  const targets = [...new Set(runtimes.map((r) => policy.catalog.recommendedTarget(r, nowMs, (t) => policy.allowsRuntime(t, nowMs), policy.document.warnBeforeDeprecationDays)?.id).filter((t): t is string => t !== undefined))];
  const name = layerLabel(layer).replace(/:\d+$/, '');
  const fix = targets.length > 0 ? `publish a version of \`${name}\` compatible with ${targets.join(', ')}` : `publish a version of \`${name}\` for a supported runtime family`;
  return [finding(LAYER_RUNTIMES_DEPRECATED, `Layer ${layerLabel(layer)} declares only deprecated runtimes (${runtimes.join(', ')}): ${fix}, then move its functions.`, targets.length > 0 ? { kind: 'upgrade-runtime', targetRuntime: targets[0]! } : { kind: 'upgrade-runtime' })];
}
