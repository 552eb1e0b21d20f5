import { inferFamily } from '../catalog/catalog.js';
import type { WallKind } from './deadlines.js';
import type { InventoryRow } from './inventory.js';

// The report's summary: small whatever the fleet (one line per month, account, team or runtime
// family, never per function). Pure: rows in, counts out.

export const TIMELINE_MONTHS = 18;

export interface TimelineMonth {
  /** `YYYY-MM`, UTC. */
  readonly month: string;
  /** Functions whose runtime reaches each AWS date within the month. */
  readonly deprecation: number;
  readonly blockCreate: number;
  readonly blockUpdate: number;
}

const monthOf = (date: string): string => date.slice(0, 7);

/** The months from now's (UTC) on, `months` of them. */
function monthsFrom(nowMs: number, months: number): string[] {
  const d = new Date(nowMs);
  return Array.from({ length: months }, (_, i) => new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + i, 1)).toISOString().slice(0, 7));
}

/**
 * Month by month, how many functions reach deprecation, creates blocked and updates blocked: every
 * date of each function's runtime that falls in a month shown (today's month included, so a date
 * earlier this month counts there). Container images have no runtime dates.
 */
export function timeline(rows: readonly InventoryRow[], nowMs: number, months = TIMELINE_MONTHS): TimelineMonth[] {
  const out = new Map(monthsFrom(nowMs, months).map((m) => [m, { month: m, deprecation: 0, blockCreate: 0, blockUpdate: 0 }]));
  for (const r of rows) {
    for (const [date, key] of [[r.deprecation, 'deprecation'], [r.blockCreate, 'blockCreate'], [r.blockUpdate, 'blockUpdate']] as const) {
      const m = date === null || r.phase === 'container-image' ? undefined : out.get(monthOf(date));
      if (m) m[key]++;
    }
  }
  return [...out.values()];
}

export interface RollUp {
  readonly key: string;
  readonly functions: number;
  readonly nonCompliant: number;
  readonly late: number;
  readonly critical: number;
  readonly waived: number;
  /** The soonest AWS date still ahead among its functions, and how many functions reach it then. */
  readonly nextWall: { readonly kind: WallKind; readonly date: string; readonly daysLeft: number; readonly functions: number } | null;
}

export const NO_OWNER = '(no owner tag)';

/** Totals per group (account, owner), most non-compliant first, then most functions. */
export function rollUp(rows: readonly InventoryRow[], keyOf: (r: InventoryRow) => string): RollUp[] {
  const groups = new Map<string, InventoryRow[]>();
  for (const r of rows) {
    const k = keyOf(r);
    const g = groups.get(k);
    if (g) g.push(r);
    else groups.set(k, [r]);
  }
  return [...groups]
    .map(([key, g]) => {
      let next: { kind: WallKind; date: string; daysLeft: number; functions: number } | null = null;
      for (const r of g) {
        if (r.wall === null || r.daysToWall === null || r.daysToWall < 0) continue;
        if (next === null || r.daysToWall < next.daysLeft) next = { kind: r.wall, date: r.wallDate!, daysLeft: r.daysToWall, functions: 1 };
        else if (r.daysToWall === next.daysLeft) next.functions++;
      }
      return {
        key,
        functions: g.length,
        nonCompliant: g.filter((r) => r.compliance === 'NON_COMPLIANT').length,
        late: g.filter((r) => r.late).length,
        critical: g.filter((r) => r.critical).length,
        waived: g.filter((r) => r.waivers.length > 0).length,
        nextWall: next,
      };
    })
    .sort((a, b) => b.nonCompliant - a.nonCompliant || b.functions - a.functions || (a.key < b.key ? -1 : 1));
}

export const byOwner = (r: InventoryRow): string => r.owner || NO_OWNER;

/** Phases from the riskiest: what a stacked bar shows first, and what the bars are sorted by. */
export const PHASES_BY_RISK = ['update-blocked', 'create-blocked', 'deprecated', 'unknown', 'active', 'container-image'] as const;
export type ReportPhase = (typeof PHASES_BY_RISK)[number];

export interface FamilyPhases {
  /** The runtime family (`nodejs`, `python`, `os-only`), or `container-image`. */
  readonly family: string;
  readonly runtimes: readonly string[];
  readonly functions: number;
  readonly byPhase: Readonly<Record<ReportPhase, number>>;
}

/** One stacked bar per runtime family, split by phase; riskiest first (the most update-blocked, then create-blocked, ...). */
export function phasesByFamily(rows: readonly InventoryRow[]): FamilyPhases[] {
  const families = new Map<string, { runtimes: Set<string>; byPhase: Record<ReportPhase, number>; functions: number }>();
  for (const r of rows) {
    const family = r.phase === 'container-image' ? 'container-image' : r.phase === 'unknown' && r.runtime.startsWith('(') ? 'unknown' : inferFamily(r.runtime);
    const f = families.get(family) ?? families.set(family, { runtimes: new Set(), byPhase: Object.fromEntries(PHASES_BY_RISK.map((p) => [p, 0])) as Record<ReportPhase, number>, functions: 0 }).get(family)!;
    f.runtimes.add(r.runtime);
    f.byPhase[r.phase]++;
    f.functions++;
  }
  const risk = (f: { byPhase: Record<ReportPhase, number> }): number[] => PHASES_BY_RISK.slice(0, 4).map((p) => f.byPhase[p]);
  return [...families]
    .map(([family, f]) => ({ family, runtimes: [...f.runtimes].sort(), functions: f.functions, byPhase: f.byPhase }))
    .sort((a, b) => {
      const [ra, rb] = [risk(a), risk(b)];
      const i = ra.findIndex((x, j) => x !== rb[j]);
      return i >= 0 ? rb[i]! - ra[i]! : b.functions - a.functions || (a.family < b.family ? -1 : 1);
    });
}
