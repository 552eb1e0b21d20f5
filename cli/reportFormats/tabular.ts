import { describeWaiver, totals, upgradeCalendar, waiversInForce, type InventoryRow } from '../../shared/report/inventory.js';
import type { InventoryReport } from './report.js';

const COLUMNS: (keyof InventoryRow)[] = ['accountId', 'region', 'name', 'runtime', 'phase', 'tier', 'compliance', 'ruleIds', 'deprecation', 'blockCreate', 'blockUpdate', 'moveBy', 'daysToMove', 'target', 'owner', 'summary', 'invocations14d', 'lastInvoked', 'deletionCandidate', 'waivers'];

/**
 * A spreadsheet reads a cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage return as a
 * formula (OWASP, "CSV Injection"); tags, names and reasons are set by whoever may tag a
 * function. Such a cell gets a leading `'`. A number the report computed (days to move, -30) is
 * no formula, and stays a number.
 */
export function csvSafe(v: unknown): string {
  const s = v === null || v === undefined ? '' : String(v);
  return typeof v !== 'number' && /^[=+\-@\t\r]/.test(s) ? `'${s}` : s;
}

/** RFC 4180: quote every field that needs it, double the quotes inside. */
const field = (v: unknown): string => {
  const s = csvSafe(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

const cell = (row: InventoryRow, c: keyof InventoryRow): unknown => (c === 'waivers' ? row.waivers.map(describeWaiver).join(' | ') : row[c]);

export function renderCsv(r: InventoryReport): string {
  return `${[COLUMNS.join(','), ...r.rows.map((row) => COLUMNS.map((c) => field(cell(row, c))).join(','))].join('\r\n')}\r\n`;
}

export function renderJson(r: InventoryReport): string {
  return `${JSON.stringify({ tool: 'runtime-warden', version: r.version, source: r.source, policy: r.policy, catalog: r.catalog, now: r.now.toISOString(), totals: totals(r.rows), calendar: upgradeCalendar(r.rows), waivers: waiversInForce(r.rows), ...(r.coverage && { coverage: r.coverage }), functions: r.rows }, null, 2)}\n`;
}
