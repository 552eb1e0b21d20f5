import { asffBatches } from '../../shared/report/asff.js';
import { describeWaiver, totals, type InventoryRow } from '../../shared/report/inventory.js';
import type { PinRow } from '../../shared/report/pins.js';
import { REPORT_SCHEMA_VERSION } from '../../shared/report/reportSchema.js';
import { byOwner, phasesByFamily, rollUp, timeline } from '../../shared/report/summary.js';
import { functionKey, upgradeOrderJson } from '../../shared/report/upgradeOrder.js';
import { auditOf, upgradeView, type InventoryReport, type UpgradeView } from './report.js';

const ROW_COLUMNS: (keyof InventoryRow)[] = ['accountId', 'region', 'name', 'runtime', 'phase', 'tier', 'compliance', 'ruleIds', 'deprecation', 'blockCreate', 'blockUpdate', 'wall', 'wallDate', 'daysToWall', 'moveBy', 'daysToMove', 'late', 'critical', 'target', 'owner', 'summary', 'invocations14d', 'lastInvoked', 'deletionCandidate', 'waivers', 'layers'];
/** After the row's own: its step in the upgrade order and the layers it waits for, then its pin (docs/report.md). */
const ORDER_COLUMNS = ['upgradeStep', 'waitsForLayers'] as const;
const PIN_COLUMNS = ['pinnedVersion', 'pinAgeDays', 'pinDaysToLimit', 'pinnedBy', 'pinReason'] as const;

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

const cell = (row: InventoryRow, c: keyof InventoryRow): unknown => (c === 'waivers' ? row.waivers.map(describeWaiver).join(' | ') : c === 'layers' ? row.layers.join(' ') : row[c]);

function extraCells(row: InventoryRow, view: UpgradeView, pins: ReadonlyMap<string, PinRow>): unknown[] {
  const key = functionKey(row);
  const p = pins.get(key);
  const pin = p ? [p.runtimeVersionArn ?? (p.known === 'tag' ? 'unknown: mode not read' : ''), p.ageDays, p.daysToLimit, p.pinnedBy, p.reason] : PIN_COLUMNS.map(() => '');
  return [view.stepOf.get(key) ?? '', (view.waits.get(key) ?? []).join(' '), ...pin];
}

/** One row per function, in the upgrade order (then the rest, soonest AWS date first). */
export function renderCsv(r: InventoryReport): string {
  const view = upgradeView(r);
  const pins = new Map((r.pins?.rows ?? []).map((p) => [functionKey(p), p]));
  const header = [...ROW_COLUMNS, ...ORDER_COLUMNS, ...PIN_COLUMNS].join(',');
  const lines = view.ordered.map((row) => [...ROW_COLUMNS.map((c) => cell(row, c)), ...extraCells(row, view, pins)].map(field).join(','));
  return `${[header, ...lines].join('\r\n')}\r\n`;
}

/** The JSON report, the stable input of `--compare`: shared/report/reportSchema.ts parses it. */
export function renderJson(r: InventoryReport): string {
  const now = r.now.getTime();
  const audit = auditOf(r);
  const view = upgradeView(r);
  const doc = {
    schemaVersion: REPORT_SCHEMA_VERSION,
    tool: 'runtime-warden',
    version: r.version,
    source: r.source,
    policy: r.policy,
    catalog: r.catalog,
    now: r.now.toISOString(),
    totals: totals(r.rows),
    summary: { timeline: timeline(r.rows, now), accounts: rollUp(r.rows, (x) => x.accountId), owners: rollUp(r.rows, byOwner), families: phasesByFamily(r.rows) },
    calendar: view.calendar,
    ...(r.layers && { layers: r.layers, upgradeOrder: upgradeOrderJson(view.steps) }),
    ...(r.pins && { pins: r.pins.rows, pinSource: r.pins.source }),
    waivers: audit.inForce,
    waiverAudit: { expiringSoon: audit.expiringSoon, unusedPolicyWaivers: audit.unusedPolicyWaivers },
    ...(r.coverage && { coverage: r.coverage }),
    ...(r.history && { history: r.history }),
    functions: r.rows,
  };
  return `${JSON.stringify(doc, null, 2)}\n`;
}

/** One BatchImportFindings request a line (at most 100 findings, one account and region each): docs/report.md, "Security Hub". */
export function renderAsff(r: InventoryReport): string {
  return asffBatches(r.rows, r.now.getTime())
    .map((b) => `${JSON.stringify(b.request)}\n`)
    .join('');
}
