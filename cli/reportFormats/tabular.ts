import { asffBatches } from '../../shared/report/asff.js';
import { describeWaiver, totals, upgradeCalendar, type InventoryRow } from '../../shared/report/inventory.js';
import { calendarWithLayers, type LayerRow } from '../../shared/report/layers.js';
import { REPORT_SCHEMA_VERSION } from '../../shared/report/reportSchema.js';
import { byOwner, phasesByFamily, rollUp, timeline } from '../../shared/report/summary.js';
import { auditOf, type InventoryReport } from './report.js';

const COLUMNS: (keyof InventoryRow)[] = ['accountId', 'region', 'name', 'runtime', 'phase', 'tier', 'compliance', 'ruleIds', 'deprecation', 'blockCreate', 'blockUpdate', 'wall', 'wallDate', 'daysToWall', 'moveBy', 'daysToMove', 'late', 'critical', 'target', 'owner', 'summary', 'invocations14d', 'lastInvoked', 'deletionCandidate', 'waivers', 'layers'];

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

export function renderCsv(r: InventoryReport): string {
  return `${[COLUMNS.join(','), ...r.rows.map((row) => COLUMNS.map((c) => field(cell(row, c))).join(','))].join('\r\n')}\r\n`;
}

/** The JSON report, the stable input of `--compare`: shared/report/reportSchema.ts parses it. */
export function renderJson(r: InventoryReport): string {
  const now = r.now.getTime();
  const audit = auditOf(r);
  const calendar = upgradeCalendar(r.rows);
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
    calendar,
    ...(r.layers && { layers: r.layers, upgradeOrder: upgradeOrder(calendar, r.layers) }),
    waivers: audit.inForce,
    waiverAudit: { expiringSoon: audit.expiringSoon, unusedPolicyWaivers: audit.unusedPolicyWaivers },
    ...(r.coverage && { coverage: r.coverage }),
    ...(r.history && { history: r.history }),
    functions: r.rows,
  };
  return `${JSON.stringify(doc, null, 2)}\n`;
}

/** The calendar's functions by name, each layer they wait for just before the first of them. */
function upgradeOrder(calendar: readonly InventoryRow[], layers: readonly LayerRow[]): object[] {
  return calendarWithLayers(calendar, layers).map((e) =>
    e.kind === 'layer'
      ? { kind: 'layer', layer: e.layer.layer, arn: e.layer.arn, publishBy: e.layer.publishBy, missingTargets: e.layer.missingTargets }
      : { kind: 'function', accountId: e.function.accountId, region: e.function.region, name: e.function.name, wallDate: e.function.wallDate, moveBy: e.function.moveBy },
  );
}

/** One BatchImportFindings request a line (at most 100 findings, one account and region each): docs/report.md, "Security Hub". */
export function renderAsff(r: InventoryReport): string {
  return asffBatches(r.rows, r.now.getTime())
    .map((b) => `${JSON.stringify(b.request)}\n`)
    .join('');
}
