import type { CatalogOrigin } from '../../shared/catalog/catalog.js';
import type { CoverageGap } from '../../shared/io/coverage.js';
import type { Comparison, TrendPoint } from '../../shared/report/compare.js';
import { upgradeCalendar, type InventoryRow } from '../../shared/report/inventory.js';
import type { LayerRow } from '../../shared/report/layers.js';
import type { PinRow } from '../../shared/report/pins.js';
import { inUpgradeOrder, stepNumbers, upgradeOrder, waitsFor, type UpgradeStep } from '../../shared/report/upgradeOrder.js';
import { waiverAudit, type WaiverAudit } from '../../shared/report/waiverAudit.js';

export interface InventoryReport {
  readonly rows: readonly InventoryRow[];
  readonly now: Date;
  readonly policy: string;
  /** The runtime catalog judged by. */
  readonly catalog: CatalogOrigin;
  readonly source: string;
  readonly version: string;
  /** "critical 180 days, important 90 days, ..." for the calendar's explanation. */
  readonly leadTimes: string;
  /** From an aggregator: accounts and regions holding functions that no runtime-warden rule judges. */
  readonly coverage?: readonly CoverageGap[];
  /** The waiver audit, with the policy's unused waivers; without it, the waivers in force of the rows. */
  readonly audit?: WaiverAudit;
  /** The layer versions the functions use, the one most deprecated functions depend on first (Lambda API source). */
  readonly layers?: readonly LayerRow[];
  /** Every runtime version pin, closest to RW010's limit first, and how they were found (a sentence). */
  readonly pins?: { readonly rows: readonly PinRow[]; readonly source: string };
  /** With --compare: what changed since the latest previous report, and every report's totals, oldest first. */
  readonly history?: { readonly comparison: Comparison; readonly trend: readonly TrendPoint[] };
}

export function auditOf(r: InventoryReport): WaiverAudit {
  return r.audit ?? waiverAudit(r.rows, [], r.now.getTime());
}

/** The upgrade order and what follows from it, computed once for every format. */
export interface UpgradeView {
  readonly calendar: readonly InventoryRow[];
  readonly steps: readonly UpgradeStep[];
  /** Each calendar function's step number, by account/region/name. */
  readonly stepOf: ReadonlyMap<string, number>;
  /** The blocking layers each function waits for, by account/region/name. */
  readonly waits: ReadonlyMap<string, readonly string[]>;
  /** Every row, in the upgrade order, then the rest: the CSV's order and the page's first view. */
  readonly ordered: readonly InventoryRow[];
}

export function upgradeView(r: InventoryReport): UpgradeView {
  const calendar = upgradeCalendar(r.rows);
  const steps = upgradeOrder(calendar, r.layers ?? []);
  const stepOf = stepNumbers(steps);
  return { calendar, steps, stepOf, waits: waitsFor(r.layers ?? []), ordered: inUpgradeOrder(r.rows, stepOf) };
}
