import { dayStart, daysBetween, type LifecyclePhase } from '../catalog/catalog.js';
import { evaluate } from '../evaluation/evaluate.js';
import { verdict, type Compliance } from '../evaluation/verdict.js';
import type { FunctionFacts } from '../facts/functionFacts.js';
import { tierOf, type Policy } from '../policy/policy.js';
import { appliedWaivers, waiverDaysLeft, type WaiverSource } from '../waivers/applied.js';
import { nextWall, urgency, type WallKind } from './deadlines.js';
import type { FunctionUsage } from './usage.js';

// The organisation's inventory against the policy: one row per function, the totals, and the
// upgrade calendar (which functions must move, by when, per tier). Pure: facts in, rows out.

/** A waiver that downgrades errors of the function now: who granted it, what it covers, until when, why. */
export interface ReportWaiver {
  readonly source: WaiverSource;
  /** The policy waiver's `function` (name, ARN or glob); absent for a tag waiver. */
  readonly waiver?: string;
  /** Who set it: the Lambda API does not say who tagged a function; CloudTrail does. */
  readonly setBy: string;
  readonly rules: readonly string[];
  readonly expires: string;
  readonly daysLeft: number;
  readonly reason: string;
}

export const TAG_WAIVER_SET_BY = 'whoever tagged the function (CloudTrail: TagResource)';
export const POLICY_WAIVER_SET_BY = 'the runtime-warden policy';
/** A policy waiver is granted by whoever owns the policy: named when the policy names its contact. */
export const policyWaiverSetBy = (policy: Policy): string => (policy.document.contact ? `${POLICY_WAIVER_SET_BY} (owner: ${policy.document.contact})` : POLICY_WAIVER_SET_BY);

export interface InventoryRow {
  readonly accountId: string;
  readonly region: string;
  readonly name: string;
  readonly runtime: string;
  readonly phase: LifecyclePhase | 'container-image';
  readonly deprecation: string | null;
  readonly blockCreate: string | null;
  readonly blockUpdate: string | null;
  readonly tier: string;
  readonly owner: string;
  /** The deprecation date less the tier's upgrade lead: when the move must be done. */
  readonly moveBy: string | null;
  /** Days from now to moveBy; negative when late. */
  readonly daysToMove: number | null;
  /** AWS's next date for the runtime (deprecation, creates blocked, updates blocked): deadlines.ts. */
  readonly wall: WallKind | null;
  readonly wallDate: string | null;
  /** Real days from now to that date; negative only once updates are blocked. */
  readonly daysToWall: number | null;
  /** Past the tier's move-by date. */
  readonly late: boolean;
  /** An AWS block date within the tier's lead time. */
  readonly critical: boolean;
  readonly target: string;
  readonly compliance: Compliance;
  readonly ruleIds: string;
  readonly summary: string;
  /** Invocations over the last 14 days (CloudWatch); null when unknown. */
  readonly invocations14d: number | null;
  /** The last day with an invocation in the last 90 days; null when none or unknown. */
  readonly lastInvoked: string | null;
  /** Known to have had no invocation in 90 days: delete it rather than upgrade it. */
  readonly deletionCandidate: boolean;
  /** The waivers in force on the function, soonest expiry first. */
  readonly waivers: readonly ReportWaiver[];
  /** Its layer version ARNs. */
  readonly layers: readonly string[];
}

export interface InventoryTotals {
  readonly functions: number;
  readonly byCompliance: Record<string, number>;
  readonly byPhase: Record<string, number>;
  readonly byRuntime: Record<string, number>;
  readonly byAccount: Record<string, Record<string, number>>;
  /** Over the functions whose usage is known. */
  readonly invocations14d: number;
  readonly deletionCandidates: number;
  readonly usageUnknown: number;
  /** Waivers in force, over all functions. */
  readonly waivers: number;
}

const DAY_MS = 86_400_000;
const iso = (ms: number): string => new Date(ms).toISOString().slice(0, 10);

export function inventoryRow(facts: FunctionFacts, policy: Policy, now: number, usage?: FunctionUsage): InventoryRow {
  const findings = evaluate(facts, policy, now);
  const v = verdict(findings);
  const { tier } = tierOf(facts.tags, policy);
  const info = facts.runtime ? policy.catalog.get(facts.runtime) : undefined;
  const moveByMs = info?.deprecation ? dayStart(info.deprecation) - tier.upgradeLeadDays * DAY_MS : undefined;
  const target = findings.map((f) => f.remediation).find((r) => r.kind === 'upgrade-runtime');
  const dated = info && facts.packageType !== 'Image' ? info : undefined;
  const wall = dated ? nextWall(dated, now) : null;
  const { late, critical } = dated ? urgency(dated, tier.upgradeLeadDays, now) : { late: false, critical: false };
  return {
    accountId: facts.accountId ?? 'unknown',
    region: facts.region ?? 'unknown',
    name: facts.name,
    runtime: facts.runtime ?? (facts.packageType === 'Image' ? '(image)' : '(none)'),
    phase: facts.packageType === 'Image' ? 'container-image' : facts.runtime ? policy.catalog.phase(facts.runtime, now) : 'unknown',
    deprecation: info?.deprecation ?? null,
    blockCreate: info?.blockCreate ?? null,
    blockUpdate: info?.blockUpdate ?? null,
    tier: tier.name,
    owner: policy.document.ownerTagKeys.map((k) => facts.tags[k]).find((x) => x !== undefined) ?? '',
    moveBy: moveByMs === undefined ? null : iso(moveByMs),
    daysToMove: moveByMs === undefined ? null : daysBetween(now, moveByMs),
    wall: wall?.kind ?? null,
    wallDate: wall?.date ?? null,
    daysToWall: wall?.daysLeft ?? null,
    late,
    critical,
    target: target?.kind === 'upgrade-runtime' ? (target.targetRuntime ?? '') : '',
    compliance: v.compliance,
    ruleIds: v.ruleIds.join(' '),
    summary: v.summary,
    invocations14d: usage?.invocations14d ?? null,
    lastInvoked: usage?.lastInvoked ?? null,
    deletionCandidate: usage !== undefined && usage.lastInvoked === null,
    waivers: appliedWaivers(findings).map((w) => ({
      source: w.source,
      ...(w.waiver !== undefined && { waiver: w.waiver }),
      setBy: w.source === 'tag' ? TAG_WAIVER_SET_BY : policyWaiverSetBy(policy),
      rules: w.rules,
      expires: w.expires,
      daysLeft: waiverDaysLeft(w.expires, now),
      reason: w.reason,
    })),
    layers: facts.layers,
  };
}

function count<T>(xs: readonly T[], key: (x: T) => string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const x of xs) out[key(x)] = (out[key(x)] ?? 0) + 1;
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => a.localeCompare(b)));
}

export function totals(rows: readonly InventoryRow[]): InventoryTotals {
  const accounts = [...new Set(rows.map((r) => r.accountId))].sort();
  return {
    functions: rows.length,
    byCompliance: count(rows, (r) => r.compliance),
    byPhase: count(rows, (r) => r.phase),
    byRuntime: count(rows, (r) => r.runtime),
    byAccount: Object.fromEntries(accounts.map((a) => [a, count(rows.filter((r) => r.accountId === a), (r) => r.phase)])),
    invocations14d: rows.reduce((sum, r) => sum + (r.invocations14d ?? 0), 0),
    deletionCandidates: rows.filter((r) => r.deletionCandidate).length,
    usageUnknown: rows.filter((r) => r.invocations14d === null).length,
    waivers: rows.reduce((n, r) => n + r.waivers.length, 0),
  };
}

/**
 * The upgrade calendar: functions whose runtime has an AWS date and that must move within
 * `horizonDays` by the tier's move-by date or by AWS's next date, or are late. Soonest AWS date
 * first (a function already blocked from updates heads it): that is the wall nobody can move. Beside
 * it the tier's move-by (with the seed guidance six months ahead for critical, a quarter for
 * important, 30 days for non-critical). Within one date, the most used first (unknown usage last).
 */
export function upgradeCalendar(rows: readonly InventoryRow[], horizonDays = 365): InventoryRow[] {
  return rows
    .filter((r) => r.daysToWall !== null && (r.late || r.critical || r.daysToWall <= horizonDays || (r.daysToMove !== null && r.daysToMove <= horizonDays)))
    .sort((a, b) => a.daysToWall! - b.daysToWall! || (b.invocations14d ?? -1) - (a.invocations14d ?? -1) || a.name.localeCompare(b.name));
}

/** One line per waiver: who granted it, what it covers, until when, why. */
export function describeWaiver(w: ReportWaiver): string {
  const what = w.source === 'tag' ? 'tag waiver' : `policy waiver "${w.waiver ?? ''}"`;
  return `${what} set by ${w.setBy}: ${w.rules.join(', ')} until ${w.expires} (${w.daysLeft} ${w.daysLeft === 1 ? 'day' : 'days'} left): ${w.reason}`;
}

/** Every waiver in force, with its function: soonest expiry first. */
export function waiversInForce(rows: readonly InventoryRow[]): (ReportWaiver & Pick<InventoryRow, 'accountId' | 'region' | 'name' | 'owner'>)[] {
  return rows
    .flatMap((r) => r.waivers.map((w) => ({ ...w, accountId: r.accountId, region: r.region, name: r.name, owner: r.owner })))
    .sort((a, b) => a.daysLeft - b.daysLeft || a.accountId.localeCompare(b.accountId) || a.region.localeCompare(b.region) || a.name.localeCompare(b.name));
}
