// How much a function is used, from its daily Invocations sums: what the report orders the
// upgrade calendar by, and how it finds functions nobody calls any more. Pure.

/** Invocations over the 14 calendar days ending today (UTC), as Trusted Advisor's daily average is taken. */
export const RECENT_DAYS = 14;
/** No invocation in this many calendar days ending today: a candidate for deletion rather than an upgrade. */
export const IDLE_DAYS = 90;

export interface FunctionUsage {
  readonly invocations14d: number;
  /** The last UTC day with an invocation within IDLE_DAYS; null when none. */
  readonly lastInvoked: string | null;
}

const DAY_MS = 86_400_000;

/** The window to ask CloudWatch for: IDLE_DAYS whole days, today included, in daily periods. */
export function usageWindow(now: number): { readonly start: Date; readonly end: Date } {
  const today = Math.floor(now / DAY_MS) * DAY_MS;
  return { start: new Date(today - (IDLE_DAYS - 1) * DAY_MS), end: new Date(today + DAY_MS) };
}

/** A function's usage from the daily sums CloudWatch returned (any order, days without data absent). */
export function usageFromDailySums(points: readonly { readonly timestamp: Date; readonly value: number }[], now: number): FunctionUsage {
  const { start } = usageWindow(now);
  const recentFrom = start.getTime() + (IDLE_DAYS - RECENT_DAYS) * DAY_MS;
  let invocations14d = 0;
  let last = -Infinity;
  for (const { timestamp, value } of points) {
    const t = timestamp.getTime();
    if (!(value > 0) || t < start.getTime()) continue;
    if (t >= recentFrom) invocations14d += value;
    last = Math.max(last, t);
  }
  return { invocations14d, lastInvoked: Number.isFinite(last) ? new Date(last).toISOString().slice(0, 10) : null };
}
