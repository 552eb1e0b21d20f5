import { functionKey } from './compare.js';
import type { InventoryRow } from './inventory.js';
import type { LayerRow } from './layers.js';

// The order in which the fleet's work is done (issue #24): the upgrade calendar (soonest AWS date
// first), with each layer that does not declare its functions' target just before the first of
// them, since a function cannot move until its layers declare where it goes. One order for the
// JSON (`upgradeOrder`), the CSV (its row order and `upgradeStep`) and the page ("Upgrade order",
// and the inventory's default order). Pure.

type FunctionRef = Pick<InventoryRow, 'accountId' | 'region' | 'name'>;

export type UpgradeStep<T extends FunctionRef = InventoryRow> = { readonly kind: 'function'; readonly function: T } | { readonly kind: 'layer'; readonly layer: LayerRow };

export { functionKey };

/** A layer that blocks its functions: it declares runtimes, and not every target of theirs. */
export const blocks = (l: LayerRow): boolean => l.missingTargets !== null && l.missingTargets.length > 0;

/** Earliest deadline first; a layer without one (none of its functions has a move-by) after those with one. */
const byDeadline = (a: LayerRow, b: LayerRow): number => (a.publishBy ?? '9999-12-31').localeCompare(b.publishBy ?? '9999-12-31') || a.layer.localeCompare(b.layer) || a.arn.localeCompare(b.arn);

/**
 * The calendar with the blocking layers in it: each once, just before the first calendar function
 * waiting for it; several before one function by their publish-by date. A blocking layer none of
 * whose functions is on the calendar (they must move, but not within its horizon) comes last, by
 * publish-by, so that no blocking layer is left out.
 */
export function upgradeOrder<T extends FunctionRef>(calendar: readonly T[], layers: readonly LayerRow[]): UpgradeStep<T>[] {
  const blocking = layers.filter(blocks).sort(byDeadline);
  const waitingFor = new Map<string, LayerRow[]>();
  for (const l of blocking) for (const key of l.waiting) (waitingFor.get(key) ?? waitingFor.set(key, []).get(key)!).push(l);
  const placed = new Set<LayerRow>();
  const out: UpgradeStep<T>[] = [];
  for (const row of calendar) {
    for (const l of waitingFor.get(functionKey(row)) ?? []) {
      if (placed.has(l)) continue;
      placed.add(l);
      out.push({ kind: 'layer', layer: l });
    }
    out.push({ kind: 'function', function: row });
  }
  for (const l of blocking) if (!placed.has(l)) out.push({ kind: 'layer', layer: l });
  return out;
}

/** The steps as the JSON writes them: a layer by its label and ARN, a function by account, region and name. */
export function upgradeOrderJson(steps: readonly UpgradeStep[]): object[] {
  return steps.map((e) =>
    e.kind === 'layer'
      ? { kind: 'layer', layer: e.layer.layer, arn: e.layer.arn, publishBy: e.layer.publishBy, missingTargets: e.layer.missingTargets }
      : { kind: 'function', accountId: e.function.accountId, region: e.function.region, name: e.function.name, wallDate: e.function.wallDate, moveBy: e.function.moveBy },
  );
}

/** Each calendar function's step number in the order (1-based, layers counted), by functionKey. */
export function stepNumbers(steps: readonly UpgradeStep<FunctionRef>[]): Map<string, number> {
  const out = new Map<string, number>();
  steps.forEach((s, i) => s.kind === 'function' && out.set(functionKey(s.function), i + 1));
  return out;
}

/** The blocking layers each function waits for, by functionKey: `shared-utils:7`. */
export function waitsFor(layers: readonly LayerRow[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const l of [...layers].filter(blocks).sort(byDeadline)) for (const key of l.waiting) (out.get(key) ?? out.set(key, []).get(key)!).push(l.layer);
  return out;
}

/**
 * The rows in the upgrade order: the calendar's functions as their steps come, then every other
 * function, soonest AWS date first (none last), then by account, region and name. What the CSV
 * writes and the page's inventory opens with.
 */
export function inUpgradeOrder<T extends FunctionRef & Pick<InventoryRow, 'daysToWall'>>(rows: readonly T[], steps: ReadonlyMap<string, number>): T[] {
  const step = (r: T): number => steps.get(functionKey(r)) ?? Number.POSITIVE_INFINITY;
  const days = (r: T): number => r.daysToWall ?? Number.POSITIVE_INFINITY;
  return [...rows].sort((a, b) => {
    const sa = step(a);
    const sb = step(b);
    if (sa !== sb) return sa < sb ? -1 : 1;
    if (days(a) !== days(b)) return days(a) < days(b) ? -1 : 1;
    return a.accountId.localeCompare(b.accountId) || a.region.localeCompare(b.region) || a.name.localeCompare(b.name);
  });
}
