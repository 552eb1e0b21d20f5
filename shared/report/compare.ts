import type { ReportFunction } from './reportSchema.js';

// What changed between two reports of one fleet: functions added and removed, newly non-compliant
// and fixed, waivers new and ended, tier and runtime moves; and, over several reports, the trend.
// Pure: two lists of functions in, lists of changes out. A function is its account, region and name.

type Waiver = Pick<ReportFunction['waivers'][number], 'source' | 'waiver' | 'expires' | 'reason'> & { readonly rules: readonly string[] };
type Fn = Pick<ReportFunction, 'accountId' | 'region' | 'name' | 'runtime' | 'tier' | 'compliance' | 'late' | 'critical'> & { readonly waivers: readonly Waiver[] };

export interface FunctionRef {
  readonly accountId: string;
  readonly region: string;
  readonly name: string;
}

export interface WaiverChange extends FunctionRef {
  readonly source: 'tag' | 'policy';
  readonly waiver?: string;
  readonly rules: readonly string[];
  readonly expires: string;
  readonly reason: string;
  /** For an ended waiver: whether its day had passed (else it was removed, or no longer applies). */
  readonly expired?: boolean;
}

export interface Comparison {
  /** The `now` of the report compared with. */
  readonly since: string;
  readonly added: readonly (FunctionRef & { readonly compliance: string })[];
  readonly removed: readonly FunctionRef[];
  readonly newlyNonCompliant: readonly (FunctionRef & { readonly from: string })[];
  readonly fixed: readonly (FunctionRef & { readonly to: string })[];
  readonly newWaivers: readonly WaiverChange[];
  readonly endedWaivers: readonly WaiverChange[];
  readonly tierMoved: readonly (FunctionRef & { readonly from: string; readonly to: string })[];
  readonly runtimeChanged: readonly (FunctionRef & { readonly from: string; readonly to: string })[];
}

/** One function's key across the report: the compare, the upgrade order and the layers' dependents. */
export const functionKey = (f: FunctionRef): string => `${f.accountId}/${f.region}/${f.name}`;
const ref = (f: FunctionRef): FunctionRef => ({ accountId: f.accountId, region: f.region, name: f.name });
const waiverKey = (w: Waiver): string => [w.source, w.waiver ?? '', w.expires, w.reason].join('\u0000');

function waiverChanges(from: Fn, to: Fn | undefined, mark?: (w: Waiver) => Partial<WaiverChange>): WaiverChange[] {
  const kept = new Set((to?.waivers ?? []).map(waiverKey));
  return from.waivers
    .filter((w) => !kept.has(waiverKey(w)))
    .map((w) => ({ ...ref(from), source: w.source, ...(w.waiver !== undefined && { waiver: w.waiver }), rules: w.rules, expires: w.expires, reason: w.reason, ...mark?.(w) }));
}

const byKey = <T extends FunctionRef>(xs: T[]): T[] => xs.sort((a, b) => (functionKey(a) < functionKey(b) ? -1 : functionKey(a) > functionKey(b) ? 1 : 0));

/** `current` against `previous`; `currentDay` (YYYY-MM-DD) tells an expired waiver from a removed one. */
export function compareReports(previous: { readonly now: string; readonly functions: readonly Fn[] }, current: readonly Fn[], currentDay: string): Comparison {
  const before = new Map(previous.functions.map((f) => [functionKey(f), f]));
  const after = new Map(current.map((f) => [functionKey(f), f]));
  const c = { added: [], removed: [], newlyNonCompliant: [], fixed: [], newWaivers: [], endedWaivers: [], tierMoved: [], runtimeChanged: [] } as { -readonly [K in keyof Omit<Comparison, 'since'>]: Comparison[K] extends readonly (infer T)[] ? T[] : never };
  for (const [k, now] of after) {
    const was = before.get(k);
    c.newWaivers.push(...waiverChanges(now, was));
    if (!was) {
      c.added.push({ ...ref(now), compliance: now.compliance });
      continue;
    }
    if (now.compliance === 'NON_COMPLIANT' && was.compliance !== 'NON_COMPLIANT') c.newlyNonCompliant.push({ ...ref(now), from: was.compliance });
    if (now.compliance !== 'NON_COMPLIANT' && was.compliance === 'NON_COMPLIANT') c.fixed.push({ ...ref(now), to: now.compliance });
    if (now.tier !== was.tier) c.tierMoved.push({ ...ref(now), from: was.tier, to: now.tier });
    if (now.runtime !== was.runtime) c.runtimeChanged.push({ ...ref(now), from: was.runtime, to: now.runtime });
  }
  for (const [k, was] of before) {
    const now = after.get(k);
    if (!now) c.removed.push(ref(was));
    c.endedWaivers.push(...waiverChanges(was, now, (w) => ({ expired: w.expires < currentDay })));
  }
  for (const list of Object.values(c)) byKey(list as FunctionRef[]);
  return { since: previous.now, ...c };
}

export interface TrendPoint {
  readonly now: string;
  readonly functions: number;
  readonly nonCompliant: number;
  readonly waived: number;
  readonly late: number;
  readonly critical: number;
}

export function trendPoint(now: string, functions: readonly Fn[]): TrendPoint {
  return {
    now,
    functions: functions.length,
    nonCompliant: functions.filter((f) => f.compliance === 'NON_COMPLIANT').length,
    waived: functions.filter((f) => f.waivers.length > 0).length,
    late: functions.filter((f) => f.late).length,
    critical: functions.filter((f) => f.critical).length,
  };
}
