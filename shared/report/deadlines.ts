import { dayStart, daysBetween } from '../catalog/catalog.js';

// AWS's own dates for a runtime - deprecation, then creates blocked, then updates blocked (the
// "Lambda runtimes" page, "Runtime deprecation policy") - and where a function stands against
// them. The tier's "move by" (the deprecation less its lead time) is our deadline; these are AWS's.
// Pure: dates and a clock value in, a wall out.

export type WallKind = 'deprecation' | 'block-create' | 'block-update';

export interface Wall {
  readonly kind: WallKind;
  readonly date: string;
  /** Whole days from now to the wall; negative once passed (only for the last wall, block update). */
  readonly daysLeft: number;
}

export interface RuntimeDates {
  readonly deprecation: string | null;
  readonly blockCreate: string | null;
  readonly blockUpdate: string | null;
}

const KINDS: readonly [WallKind, keyof RuntimeDates][] = [
  ['deprecation', 'deprecation'],
  ['block-create', 'blockCreate'],
  ['block-update', 'blockUpdate'],
];

/**
 * The next of AWS's dates still ahead (today counts as ahead: the block starts at 00:00 UTC of its
 * day, so on that day 0 days are left). Once every date has passed, the last one, with negative
 * days: a function blocked from updates stays there until it moves. Null for a runtime without dates.
 */
export function nextWall(dates: RuntimeDates, nowMs: number): Wall | null {
  const walls = KINDS.flatMap(([kind, key]) => (dates[key] === null ? [] : [{ kind, date: dates[key]!, daysLeft: daysBetween(nowMs, dayStart(dates[key]!)) }]));
  return walls.find((w) => w.daysLeft >= 0) ?? walls.at(-1) ?? null;
}

export interface Urgency {
  /** Past the tier's move-by date (the deprecation less the tier's lead time). */
  readonly late: boolean;
  /** An AWS block date (creates or updates) still ahead, within the tier's lead time. */
  readonly critical: boolean;
}

/**
 * Late is ours (the tier's lead time has run out); critical is AWS's: a block that lands inside the
 * window the tier gives itself to move. A function already blocked from updates is neither: its
 * phase says so, and its wall has negative days.
 */
export function urgency(dates: RuntimeDates, leadDays: number, nowMs: number): Urgency {
  const late = dates.deprecation !== null && daysBetween(nowMs, dayStart(dates.deprecation) - leadDays * 86_400_000) < 0;
  const critical = [dates.blockCreate, dates.blockUpdate].some((d) => d !== null && daysBetween(nowMs, dayStart(d)) >= 0 && daysBetween(nowMs, dayStart(d)) <= leadDays);
  return { late, critical };
}
