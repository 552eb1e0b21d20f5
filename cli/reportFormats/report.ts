import type { CatalogOrigin } from '../../shared/catalog/catalog.js';
import type { CoverageGap } from '../../shared/io/coverage.js';
import type { InventoryRow } from '../../shared/report/inventory.js';

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
}
