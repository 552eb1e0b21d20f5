import { describeWaiver, totals, upgradeCalendar, waiversInForce, type InventoryRow } from '../../shared/report/inventory.js';
import { EXPIRING_SOON_DAYS } from '../../shared/waivers/digest.js';
import type { InventoryReport } from './report.js';
import type { CoverageGap } from '../../shared/io/coverage.js';

const esc = (s: unknown): string => String(s ?? '').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

const PHASE_COLOURS: Record<string, string> = {
  active: '#2e7d32',
  deprecated: '#ef6c00',
  'create-blocked': '#c62828',
  'update-blocked': '#6a1b9a',
  unknown: '#455a64',
  'container-image': '#1565c0',
};

/** A horizontal bar chart as inline SVG: no script, no network. */
function barChart(id: string, title: string, counts: Record<string, number>, colour: (k: string) => string): string {
  const entries = Object.entries(counts).sort((a, b) => b[1] - a[1]);
  const max = Math.max(1, ...entries.map(([, v]) => v));
  const rowH = 22;
  const bars = entries
    .map(([k, v], i) => {
      const w = Math.max(2, Math.round((v / max) * 360));
      const y = i * rowH;
      return `<g class="bar" data-key="${esc(k)}" data-value="${v}"><text x="0" y="${y + 15}">${esc(k)}</text><rect x="150" y="${y + 3}" width="${w}" height="16" fill="${colour(k)}"></rect><text x="${156 + w}" y="${y + 15}">${v}</text></g>`;
    })
    .join('');
  return `<figure><figcaption>${esc(title)}</figcaption><svg id="${id}" role="img" aria-label="${esc(title)}" width="560" height="${entries.length * rowH + 4}" xmlns="http://www.w3.org/2000/svg">${bars}</svg></figure>`;
}

type Column<K extends string> = [K, string];

/** What a reader sees where a value is absent: usage unknown is not the same as no usage. */
function shown(r: InventoryRow, k: keyof InventoryRow): unknown {
  if (k === 'invocations14d') return r.invocations14d ?? 'unknown';
  if (k === 'lastInvoked') return r.invocations14d === null ? 'unknown' : (r.lastInvoked ?? 'none in 90 days');
  if (k === 'deletionCandidate') return r.deletionCandidate ? 'delete?' : '';
  if (k === 'waivers') return r.waivers.map(describeWaiver).join(' | ');
  return r[k] ?? '';
}

/** A sortable table: numbers sort by value, everything else by the text shown. */
/** Where functions run that no runtime-warden rule judges: nothing there is ever non-compliant. */
function coverageSection(gaps: readonly CoverageGap[]): string {
  const body =
    gaps.length === 0
      ? '<p id="no-coverage-gaps">Every account and region holding functions has a runtime-warden rule.</p>'
      : `<p>No runtime-warden rule judges the functions of these accounts and regions: regions outside the StackSet's TargetRegions, accounts outside its OUs, the management account. Deploy there, or deny the region (an SCP), or keep workloads out of the management account.</p>
<table id="coverage"><thead><tr><th scope="col">account</th><th scope="col">region</th><th scope="col">functions not judged</th></tr></thead><tbody>${gaps
          .map((g) => `<tr><td>${esc(g.accountId)}</td><td>${esc(g.region)}</td><td>${g.functions.toLocaleString('en')}</td></tr>`)
          .join('')}</tbody></table>`;
  return `<section>\n<h2>Coverage</h2>\n${body}\n</section>`;
}

function table<T, K extends string>(id: string, columns: Column<K>[], rows: readonly T[], value: (r: T, k: K) => unknown, raw: (r: T, k: K) => unknown, rowClass: (r: T) => string): string {
  const head = columns.map(([k, label], i) => `<th data-col="${i}" data-key="${esc(k)}" scope="col">${esc(label)}</th>`).join('');
  const body = rows
    .map(
      (r) =>
        `<tr class="${esc(rowClass(r))}">${columns
          .map(([k]) => {
            const v = raw(r, k);
            return `<td data-sort="${esc(typeof v === 'number' ? String(v + 1e12).padStart(16, '0') : value(r, k))}">${esc(value(r, k))}</td>`;
          })
          .join('')}</tr>`,
    )
    .join('\n');
  return `<table id="${id}" class="sortable"><thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody></table>`;
}

const inventoryTable = (id: string, columns: Column<keyof InventoryRow>[], rows: readonly InventoryRow[]): string =>
  table(id, columns, rows, shown, (r, k) => r[k], (r) => `${r.compliance}${r.deletionCandidate ? ' deletion-candidate' : ''}`);

type InForce = ReturnType<typeof waiversInForce>[number];

const waiverValue = (w: InForce, k: keyof InForce): unknown => (k === 'rules' ? w.rules.join(', ') : k === 'source' && w.waiver !== undefined ? `policy: ${w.waiver}` : (w[k] ?? ''));

/** One self-contained page: summary, charts, upgrade calendar, and the sortable inventory. */
export function renderHtml(r: InventoryReport): string {
  const t = totals(r.rows);
  const calendar = upgradeCalendar(r.rows);
  const waivers = waiversInForce(r.rows);
  const phases = Object.keys(PHASE_COLOURS);
  const accountRows = Object.entries(t.byAccount)
    .map(([a, c]) => `<tr><th scope="row">${esc(a)}</th>${phases.map((p) => `<td>${c[p] ?? 0}</td>`).join('')}<td>${Object.values(c).reduce((x, y) => x + y, 0)}</td></tr>`)
    .join('');
  const card = (label: string, value: number, cls: string): string => `<div class="card ${cls}"><span class="value" data-total="${esc(cls)}">${value}</span><span>${esc(label)}</span></div>`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>runtime-warden inventory</title>
<style>
body { font: 14px/1.4 system-ui, sans-serif; margin: 2em; color: #222; }
h1 { margin-bottom: 0; } .meta { color: #666; margin-top: .2em; }
.cards { display: flex; gap: 1em; margin: 1em 0; } .card { border: 1px solid #ddd; border-radius: 6px; padding: .8em 1.2em; min-width: 8em; }
.card .value { display: block; font-size: 2em; font-weight: 600; } .NON_COMPLIANT .value { color: #c62828; } .COMPLIANT .value { color: #2e7d32; }
.charts { display: flex; flex-wrap: wrap; gap: 2em; } figure { margin: 0; } figcaption { font-weight: 600; margin-bottom: .4em; }
svg text { font-size: 12px; }
table { border-collapse: collapse; margin: 1em 0; } th, td { border-bottom: 1px solid #eee; padding: .3em .6em; text-align: left; }
table.sortable th { cursor: pointer; background: #f5f5f5; } table.sortable th[aria-sort]::after { content: attr(data-arrow); }
tr.NON_COMPLIANT td:first-child { border-left: 3px solid #c62828; }
tr.deletion-candidate td { color: #777; }
tr.expiring-soon td:first-child { border-left: 3px solid #ef6c00; }
</style>
</head>
<body>
<h1>Lambda runtimes across the organisation</h1>
<p class="meta">Source: ${esc(r.source)} · Policy: ${esc(r.policy)} · Runtime catalog as of ${esc(r.catalog.asOf)} (${esc(r.catalog.source)}) · Judged at ${esc(r.now.toISOString())} · runtime-warden ${esc(r.version)}</p>
<section id="summary">
<div class="cards">${card('functions', t.functions, 'functions')}${card('non-compliant', t.byCompliance.NON_COMPLIANT ?? 0, 'NON_COMPLIANT')}${card('compliant', t.byCompliance.COMPLIANT ?? 0, 'COMPLIANT')}${card('not applicable', t.byCompliance.NOT_APPLICABLE ?? 0, 'NOT_APPLICABLE')}${card('invocations in 14 days', t.invocations14d, 'invocations14d')}${card('no invocation in 90 days', t.deletionCandidates, 'deletionCandidates')}${card('waivers in force', t.waivers, 'waivers')}</div>
${t.usageUnknown > 0 ? `<p class="meta">Usage unknown for ${t.usageUnknown} functions (CloudWatch not read, or not readable for their account).</p>` : ''}
<div class="charts">
${barChart('phase-chart', 'Functions by lifecycle phase', t.byPhase, (k) => PHASE_COLOURS[k] ?? '#888')}
${barChart('runtime-chart', 'Functions by runtime', t.byRuntime, () => '#546e7a')}
</div>
<h2>Per account</h2>
<table id="accounts"><thead><tr><th scope="col">account</th>${phases.map((p) => `<th scope="col">${esc(p)}</th>`).join('')}<th scope="col">total</th></tr></thead><tbody>${accountRows}</tbody></table>
</section>
<section>
<h2>Upgrade calendar</h2>
<p>Functions that must move to a newer runtime within a year, by when: the deprecation date less the tier's lead time (${esc(r.leadTimes)}). Negative days: late. Within one date, the most invoked first; "delete?": no invocation in 90 days, a candidate for deletion rather than an upgrade.</p>
${inventoryTable('calendar', [['moveBy', 'move by'], ['daysToMove', 'days left'], ['tier', 'tier'], ['name', 'function'], ['invocations14d', 'invocations (14 d)'], ['lastInvoked', 'last invoked'], ['deletionCandidate', 'unused'], ['accountId', 'account'], ['region', 'region'], ['runtime', 'runtime'], ['deprecation', 'deprecation'], ['target', 'upgrade to'], ['owner', 'owner']], calendar)}
</section>
<section>
<h2>Waivers in force</h2>
<p>Each waiver downgrades the errors of the rules named to warnings on its function: who set it, what it covers, until when, why. Soonest expiry first; rows expiring within ${EXPIRING_SOON_DAYS} days are marked. The Lambda API does not say who tagged a function: CloudTrail's TagResource events do.</p>
${waivers.length === 0 ? '<p id="no-waivers">No waiver is in force.</p>' : table('waivers', [['daysLeft', 'days left'], ['expires', 'until'], ['name', 'function'], ['accountId', 'account'], ['region', 'region'], ['source', 'source'], ['setBy', 'set by'], ['rules', 'rules'], ['reason', 'reason'], ['owner', 'owner']], waivers, waiverValue, (w, k) => w[k], (w) => (w.daysLeft <= EXPIRING_SOON_DAYS ? 'expiring-soon' : ''))}
</section>
${r.coverage === undefined ? '' : coverageSection(r.coverage)}
<section>
<h2>Inventory</h2>
<p>Click a column to sort.</p>
${inventoryTable('inventory', [['accountId', 'account'], ['region', 'region'], ['name', 'function'], ['runtime', 'runtime'], ['phase', 'phase'], ['tier', 'tier'], ['compliance', 'compliance'], ['ruleIds', 'rules'], ['deprecation', 'deprecation'], ['blockUpdate', 'update blocked'], ['target', 'upgrade to'], ['invocations14d', 'invocations (14 d)'], ['lastInvoked', 'last invoked'], ['deletionCandidate', 'unused'], ['owner', 'owner'], ['waivers', 'waivers'], ['summary', 'summary']], r.rows)}
</section>
<script>
for (const table of document.querySelectorAll('table.sortable')) {
  table.querySelectorAll('th').forEach((th, col) => th.addEventListener('click', () => {
    const asc = th.getAttribute('aria-sort') !== 'ascending';
    table.querySelectorAll('th').forEach((h) => { h.removeAttribute('aria-sort'); h.removeAttribute('data-arrow'); });
    th.setAttribute('aria-sort', asc ? 'ascending' : 'descending');
    th.setAttribute('data-arrow', asc ? ' ▲' : ' ▼');
    const body = table.tBodies[0];
    const rows = [...body.rows].sort((a, b) => a.cells[col].dataset.sort.localeCompare(b.cells[col].dataset.sort, undefined, { numeric: true }) * (asc ? 1 : -1));
    body.append(...rows);
  }));
}
</script>
</body>
</html>
`;
}
