import { totals, upgradeCalendar, type InventoryRow } from '../../shared/report/inventory.js';
import type { InventoryReport } from './report.js';

const COLUMNS: (keyof InventoryRow)[] = ['accountId', 'region', 'name', 'runtime', 'phase', 'tier', 'compliance', 'ruleIds', 'deprecation', 'blockCreate', 'blockUpdate', 'moveBy', 'daysToMove', 'target', 'owner', 'summary', 'invocations14d', 'lastInvoked', 'deletionCandidate'];

/** RFC 4180: quote every field that needs it, double the quotes inside. */
const field = (v: unknown): string => {
  const s = v === null || v === undefined ? '' : String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

export function renderCsv(r: InventoryReport): string {
  return `${[COLUMNS.join(','), ...r.rows.map((row) => COLUMNS.map((c) => field(row[c])).join(','))].join('\r\n')}\r\n`;
}

export function renderJson(r: InventoryReport): string {
  return `${JSON.stringify({ tool: 'runtime-warden', version: r.version, source: r.source, policy: r.policy, catalog: r.catalog, now: r.now.toISOString(), totals: totals(r.rows), calendar: upgradeCalendar(r.rows), functions: r.rows }, null, 2)}\n`;
}
