import type { CatalogOrigin } from '../../shared/catalog/catalog.js';
import type { CoverageGap } from '../../shared/io/coverage.js';
import type { Comparison, TrendPoint } from '../../shared/report/compare.js';
import type { InventoryRow } from '../../shared/report/inventory.js';
import type { LayerRow } from '../../shared/report/layers.js';
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
  /** With --compare: what changed since the latest previous report, and every report's totals, oldest first. */
  readonly history?: { readonly comparison: Comparison; readonly trend: readonly TrendPoint[] };
}

export function auditOf(r: InventoryReport): WaiverAudit {
  return r.audit ?? waiverAudit(r.rows, [], r.now.getTime());
}
