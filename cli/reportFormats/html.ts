import { createHash } from 'node:crypto';
import { dayStart, daysBetween } from '../../shared/catalog/catalog.js';
import type { CoverageGap } from '../../shared/io/coverage.js';
import { totals } from '../../shared/report/inventory.js';
import { describeAge, describeLimit, type PinRow } from '../../shared/report/pins.js';
import { functionKey } from '../../shared/report/upgradeOrder.js';
import { byOwner, PHASES_BY_RISK, phasesByFamily, rollUp, timeline, type RollUp, type TimelineMonth } from '../../shared/report/summary.js';
import { EXPIRING_SOON_DAYS } from '../../shared/waivers/digest.js';
import { pageData, scriptSafeJson } from './pageData.js';
import { PAGE_SCRIPT } from './pageScript.js';
import type { LayerRow } from '../../shared/report/layers.js';
import { auditOf, upgradeView, type InventoryReport, type UpgradeView } from './report.js';

// One offline page whatever the fleet: a summary of fixed size (cards, a timeline, phases by
// family, roll-ups cut to their top rows), and the inventory as data the page's own script draws a
// page at a time. No network: the Content-Security-Policy allows nothing but the page's own script
// and style, by hash.

const esc = (s: unknown): string => String(s ?? '').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const num = (n: number): string => n.toLocaleString('en');
const days = (n: number): string => `${num(n)} ${Math.abs(n) === 1 ? 'day' : 'days'}`;

const PHASE_COLOURS: Readonly<Record<(typeof PHASES_BY_RISK)[number], string>> = {
  'update-blocked': '#6a1b9a',
  'create-blocked': '#c62828',
  deprecated: '#ef6c00',
  unknown: '#455a64',
  active: '#2e7d32',
  'container-image': '#1565c0',
};
const WALL_COLOURS = { deprecation: '#ef6c00', blockCreate: '#c62828', blockUpdate: '#6a1b9a' } as const;
/** Rows a roll-up shows on the page; the rest are in the JSON and CSV. */
const ROLL_UP_ROWS = 25;
const LIST_ROWS = 200;

const STYLE = `
body { font: 14px/1.4 system-ui, sans-serif; margin: 1.5em; color: #222; }
h1 { margin: 0; font-size: 1.6em; } h2 { margin-top: 1.6em; } .meta { color: #555; margin: .3em 0 0; }
.cards { display: flex; flex-wrap: wrap; gap: .8em; margin: 1em 0; }
.card { border: 1px solid #ddd; border-radius: 6px; padding: .6em 1em; min-width: 9em; }
.card .value { display: block; font-size: 1.8em; font-weight: 600; white-space: nowrap; }
.card.bad .value { color: #c62828; } .card.good .value { color: #2e7d32; } .card.warn .value { color: #ef6c00; }
.charts { display: flex; flex-wrap: wrap; gap: 2em; align-items: flex-start; } figure { margin: 0; } figcaption { font-weight: 600; margin-bottom: .4em; }
svg text { font-size: 11px; fill: #333; } .legend { display: flex; gap: 1em; flex-wrap: wrap; margin: .3em 0; font-size: 12px; }
.legend i { display: inline-block; width: .9em; height: .9em; margin-right: .3em; vertical-align: -.1em; }
${Object.entries(PHASE_COLOURS).map(([p, c]) => `.k-${p} { background: ${c}; }`).join(' ')}
${Object.entries(WALL_COLOURS).map(([p, c]) => `.k-${p} { background: ${c}; }`).join(' ')}
.rollups { display: flex; flex-wrap: wrap; gap: 2em; }
table { border-collapse: collapse; margin: .6em 0; } th, td { border-bottom: 1px solid #eee; padding: .25em .55em; text-align: left; white-space: nowrap; }
th { background: #f5f5f5; } td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
.wrap { max-width: 100%; overflow-x: auto; }
#inventory { width: 100%; table-layout: auto; } #inventory th { cursor: pointer; user-select: none; }
#inventory th[aria-sort=ascending]::after { content: " \\25B2"; } #inventory th[aria-sort=descending]::after { content: " \\25BC"; }
#inventory td { max-width: 22em; overflow: hidden; text-overflow: ellipsis; }
tr.NON_COMPLIANT td:first-child { border-left: 3px solid #c62828; } tr.deletion-candidate td { color: #777; }
tr.expiring-soon td:first-child, tr.over-limit td:first-child { border-left: 3px solid #ef6c00; }
tr.layer-step td { background: #fff3e0; font-weight: 600; }
.controls { display: flex; flex-wrap: wrap; gap: .6em; align-items: center; margin: .6em 0; }
.controls input { min-width: 16em; } .more { color: #555; }
`;

const sha256 = (text: string): string => `'sha256-${createHash('sha256').update(text).digest('base64')}'`;

function card(label: string, value: number, key: string, tone = ''): string {
  return `<div class="card ${tone}"><span class="value" data-total="${esc(key)}">${num(value)}</span><span>${esc(label)}</span></div>`;
}

/** Stacked bars per month: how many functions reach each AWS date then. */
function timelineChart(months: readonly TimelineMonth[]): string {
  const w = 34;
  const h = 150;
  const max = Math.max(1, ...months.map((m) => m.deprecation + m.blockCreate + m.blockUpdate));
  const bars = months
    .map((m, i) => {
      let y = h;
      const seg = (['deprecation', 'blockCreate', 'blockUpdate'] as const)
        .map((k) => {
          const hh = Math.round((m[k] / max) * (h - 14));
          y -= hh;
          return m[k] === 0 ? '' : `<rect x="${i * w + 4}" y="${y}" width="${w - 8}" height="${hh}" fill="${WALL_COLOURS[k]}"><title>${esc(m.month)}: ${num(m[k])} ${k}</title></rect>`;
        })
        .join('');
      const total = m.deprecation + m.blockCreate + m.blockUpdate;
      return `<g class="month" data-month="${m.month}" data-deprecation="${m.deprecation}" data-block-create="${m.blockCreate}" data-block-update="${m.blockUpdate}">${seg}${total > 0 ? `<text x="${i * w + w / 2}" y="${y - 3}" text-anchor="middle">${num(total)}</text>` : ''}<text x="${i * w + w / 2}" y="${h + 13}" text-anchor="middle">${m.month.slice(2).replace('-', '/')}</text></g>`;
    })
    .join('');
  return `<figure><figcaption>Functions reaching AWS's dates, month by month</figcaption>
<div class="legend"><span><i class="k-deprecation"></i>deprecation</span><span><i class="k-blockCreate"></i>creates blocked</span><span><i class="k-blockUpdate"></i>updates blocked</span></div>
<svg id="timeline" role="img" aria-label="Functions reaching deprecation, creates blocked and updates blocked per month" width="${months.length * w}" height="${h + 18}" xmlns="http://www.w3.org/2000/svg">${bars}</svg></figure>`;
}

/** One stacked bar per runtime family, coloured by phase, riskiest first. */
function phaseChart(rows: InventoryReport['rows']): string {
  const families = phasesByFamily(rows);
  const max = Math.max(1, ...families.map((f) => f.functions));
  const rowH = 22;
  const width = 340;
  const bars = families
    .map((f, i) => {
      let x = 130;
      const segs = PHASES_BY_RISK.map((p) => {
        const n = f.byPhase[p];
        if (n === 0) return '';
        const sw = Math.max(2, Math.round((n / max) * width));
        const s = `<rect class="seg" data-phase="${p}" data-value="${n}" x="${x}" y="${i * rowH + 3}" width="${sw}" height="16" fill="${PHASE_COLOURS[p]}"><title>${esc(f.family)} ${p}: ${num(n)}</title></rect>`;
        x += sw;
        return s;
      }).join('');
      return `<g class="bar" data-key="${esc(f.family)}" data-value="${f.functions}"><text x="0" y="${i * rowH + 15}">${esc(f.family)}<title>${esc(f.runtimes.join(', '))}</title></text>${segs}<text x="${x + 5}" y="${i * rowH + 15}">${num(f.functions)}</text></g>`;
    })
    .join('');
  return `<figure><figcaption>Functions by runtime family and phase, riskiest first</figcaption>
<div class="legend">${PHASES_BY_RISK.map((p) => `<span><i class="k-${p}"></i>${p}</span>`).join('')}</div>
<svg id="phase-chart" role="img" aria-label="Functions by runtime family, stacked by lifecycle phase" width="${130 + width + 70}" height="${families.length * rowH + 4}" xmlns="http://www.w3.org/2000/svg">${bars}</svg></figure>`;
}

function rollUpTable(id: string, what: string, groups: readonly RollUp[]): string {
  const shown = groups.slice(0, ROLL_UP_ROWS);
  const body = shown
    .map(
      (g) =>
        `<tr><th scope="row">${esc(g.key)}</th><td class="num">${num(g.functions)}</td><td class="num">${num(g.nonCompliant)}</td><td class="num">${num(g.critical)}</td><td class="num">${num(g.late)}</td><td>${g.nextWall ? `${esc(g.nextWall.kind)} ${g.nextWall.date} (${days(g.nextWall.daysLeft)}, ${num(g.nextWall.functions)} fn)` : ''}</td></tr>`,
    )
    .join('');
  const more = groups.length > shown.length ? `<p class="more">and ${num(groups.length - shown.length)} more ${what}s (all in the JSON and CSV).</p>` : '';
  return `<div><h3>Per ${what}</h3><table id="${id}"><thead><tr><th scope="col">${what}</th><th scope="col" class="num">functions</th><th scope="col" class="num">non-compliant</th><th scope="col" class="num">critical</th><th scope="col" class="num">late</th><th scope="col">next AWS date</th></tr></thead><tbody>${body}</tbody></table>${more}</div>`;
}

function coverageSection(gaps: readonly CoverageGap[]): string {
  const body =
    gaps.length === 0
      ? '<p id="no-coverage-gaps">Every account and region holding functions has a runtime-warden rule.</p>'
      : `<p>No runtime-warden rule judges the functions of these accounts and regions: regions outside the StackSet's TargetRegions, accounts outside its OUs, the management account. Deploy there, or deny the region (an SCP), or keep workloads out of the management account.</p>
<table id="coverage"><thead><tr><th scope="col">account</th><th scope="col">region</th><th scope="col" class="num">functions not judged</th></tr></thead><tbody>${gaps
          .map((g) => `<tr><td>${esc(g.accountId)}</td><td>${esc(g.region)}</td><td class="num">${num(g.functions)}</td></tr>`)
          .join('')}</tbody></table>`;
  return `<section>\n<h2>Coverage</h2>\n${body}\n</section>`;
}

function waiverSection(r: InventoryReport): string {
  const audit = auditOf(r);
  const shown = audit.inForce.slice(0, LIST_ROWS);
  const rows = shown
    .map(
      (w) =>
        `<tr class="${w.expiringSoon ? 'expiring-soon' : ''}"><td class="num">${num(w.daysLeft)}</td><td>${esc(w.expires)}</td><td>${esc(w.name)}</td><td>${esc(w.accountId)}</td><td>${esc(w.region)}</td><td>${esc(w.source === 'policy' ? `policy: ${w.waiver}` : 'tag')}</td><td>${esc(w.setBy)}</td><td>${esc(w.rules.join(', '))}</td><td>${esc(w.reason)}</td><td>${esc(w.owner)}</td></tr>`,
    )
    .join('');
  const unused = audit.unusedPolicyWaivers;
  return `<section>
<h2>Waivers in force</h2>
<p>Each waiver downgrades the errors of the rules named to warnings on its function: who granted it, what it covers, until when, why. Soonest expiry first; ${num(audit.expiringSoon)} expiring within ${EXPIRING_SOON_DAYS} days are marked. The Lambda API does not say who tagged a function: CloudTrail's TagResource events do.</p>
${audit.inForce.length === 0 ? '<p id="no-waivers">No waiver is in force.</p>' : `<div class="wrap"><table id="waivers"><thead><tr><th scope="col" class="num">days left</th><th scope="col">until</th><th scope="col">function</th><th scope="col">account</th><th scope="col">region</th><th scope="col">source</th><th scope="col">granted by</th><th scope="col">rules</th><th scope="col">reason</th><th scope="col">owner</th></tr></thead><tbody>${rows}</tbody></table></div>`}
${audit.inForce.length > shown.length ? `<p class="more">and ${num(audit.inForce.length - shown.length)} more (all in the JSON and CSV).</p>` : ''}
${unused.length === 0 ? '' : `<h3>Policy waivers that apply to no function</h3><table id="unused-waivers"><thead><tr><th scope="col">function</th><th scope="col">account</th><th scope="col">rules</th><th scope="col">until</th><th scope="col">reason</th></tr></thead><tbody>${unused.map((w) => `<tr><td>${esc(w.function)}</td><td>${esc(w.account ?? '')}</td><td>${esc(w.rules === 'all' ? 'all' : w.rules.join(', '))}</td><td>${esc(w.expires)}</td><td>${esc(w.reason)}</td></tr>`).join('')}</tbody></table>`}
</section>`;
}

function historySection(h: NonNullable<InventoryReport['history']>): string {
  const c = h.comparison;
  const trend = h.trend;
  const max = Math.max(1, ...trend.map((t) => t.nonCompliant));
  const w = 60;
  const points = trend.map((t, i) => `${i * w + 20},${110 - Math.round((t.nonCompliant / max) * 90)}`).join(' ');
  const chart =
    trend.length < 2
      ? ''
      : `<figure><figcaption>Non-compliant functions, report by report</figcaption><svg id="trend" role="img" aria-label="Non-compliant functions over the reports compared" width="${trend.length * w + 40}" height="130" xmlns="http://www.w3.org/2000/svg"><polyline points="${points}" fill="none" stroke="#c62828" stroke-width="2"></polyline>${trend
          .map((t, i) => `<g class="point" data-now="${esc(t.now)}" data-non-compliant="${t.nonCompliant}"><circle cx="${i * w + 20}" cy="${110 - Math.round((t.nonCompliant / max) * 90)}" r="3" fill="#c62828"></circle><text x="${i * w + 20}" y="125" text-anchor="middle">${esc(t.now.slice(5, 10))}</text><text x="${i * w + 20}" y="${100 - Math.round((t.nonCompliant / max) * 90)}" text-anchor="middle">${num(t.nonCompliant)}</text></g>`)
          .join('')}</svg></figure>`;
  const list = (id: string, title: string, items: readonly { accountId: string; region: string; name: string }[], extra: (x: never) => string): string =>
    `<div><h3>${esc(title)} (${num(items.length)})</h3>${items.length === 0 ? '<p>none</p>' : `<table id="${id}"><tbody>${items
      .slice(0, LIST_ROWS)
      .map((x) => `<tr><td>${esc(x.name)}</td><td>${esc(x.accountId)}</td><td>${esc(x.region)}</td><td>${esc(extra(x as never))}</td></tr>`)
      .join('')}</tbody></table>${items.length > LIST_ROWS ? `<p class="more">and ${num(items.length - LIST_ROWS)} more (all in the JSON).</p>` : ''}`}</div>`;
  return `<section id="history">
<h2>Since ${esc(c.since.slice(0, 10))}</h2>
${chart}
<div class="rollups">
${list('newly-non-compliant', 'Newly non-compliant', c.newlyNonCompliant, (x: { from: string }) => `was ${x.from}`)}
${list('fixed', 'Fixed', c.fixed, (x: { to: string }) => `now ${x.to}`)}
${list('new-waivers', 'New waivers', c.newWaivers, (x: { rules: string[]; expires: string }) => `${x.rules.join(', ')} until ${x.expires}`)}
${list('ended-waivers', 'Ended waivers', c.endedWaivers, (x: { expired?: boolean; expires: string }) => (x.expired ? `expired ${x.expires}` : `removed (until ${x.expires})`))}
${list('tier-moved', 'Moved tier', c.tierMoved, (x: { from: string; to: string }) => `${x.from} to ${x.to}`)}
${list('runtime-changed', 'Changed runtime', c.runtimeChanged, (x: { from: string; to: string }) => `${x.from} to ${x.to}`)}
${list('added', 'New functions', c.added, (x: { compliance: string }) => x.compliance)}
${list('removed', 'Removed functions', c.removed, () => '')}
</div>
</section>`;
}

function layerSection(layers: readonly LayerRow[]): string {
  const shown = layers.slice(0, LIST_ROWS);
  const declares = (l: LayerRow): string => (l.missingTargets === null ? 'unknown: declares no runtimes' : l.targets.length === 0 ? 'nothing to move to' : l.missingTargets.length === 0 ? 'yes' : `no: publish a version for ${l.missingTargets.join(', ')}`);
  const rows = shown
    .map((l) => `<tr><td>${esc(l.layer)}</td><td class="num">${num(l.deprecatedFunctions)}</td><td class="num">${num(l.functions)}</td><td>${esc(l.compatibleRuntimes.join(', '))}</td><td>${esc(l.targets.join(', '))}</td><td>${esc(declares(l))}</td><td>${esc(l.publishBy ?? '')}</td></tr>`)
    .join('');
  return `<section>
<h2>Layers</h2>
<p>A function cannot move to a runtime its layers do not declare: a layer that does not declare its functions' target is published first, by the earliest move-by of the functions waiting for it. Most deprecated functions first.</p>
${layers.length === 0 ? '<p id="no-layers">No function uses a layer.</p>' : `<div class="wrap"><table id="layers"><thead><tr><th scope="col">layer version</th><th scope="col" class="num">deprecated functions</th><th scope="col" class="num">functions</th><th scope="col">declares</th><th scope="col">its functions move to</th><th scope="col">declares the target</th><th scope="col">publish by</th></tr></thead><tbody>${rows}</tbody></table></div>`}
${layers.length > shown.length ? `<p class="more">and ${num(layers.length - shown.length)} more (all in the JSON).</p>` : ''}
</section>`;
}

/**
 * The work in order, layers first where they block: what a security lead reads first after the
 * summary (docs/report.md, "Upgrade order"). Its first LIST_ROWS steps, the rest in the JSON and CSV.
 */
function upgradeOrderSection(view: UpgradeView, now: number): string {
  const shown = view.steps.slice(0, LIST_ROWS);
  const rows = shown
    .map((s, i) => {
      if (s.kind === 'layer') {
        const l = s.layer;
        const left = l.publishBy === null ? '' : days(daysBetween(now, dayStart(l.publishBy)));
        return `<tr class="layer-step" data-kind="layer" data-key="${esc(l.arn)}"><td class="num">${num(i + 1)}</td><td>layer ${esc(l.layer)}</td><td colspan="2">${esc(l.arn)}</td><td>publish a version declaring ${esc((l.missingTargets ?? []).join(', '))} (${num(l.waiting.length)} ${l.waiting.length === 1 ? 'function waits' : 'functions wait'})</td><td>${l.publishBy === null ? '' : `publish by ${esc(l.publishBy)}`}</td><td class="num">${esc(left)}</td><td></td><td></td></tr>`;
      }
      const f = s.function;
      const key = functionKey(f);
      const waits = view.waits.get(key);
      const move = f.target === '' ? 'move to another runtime family' : `upgrade to ${f.target}`;
      return `<tr data-kind="function" data-key="${esc(key)}"><td class="num">${num(i + 1)}</td><td>${esc(f.name)}</td><td>${esc(f.accountId)}</td><td>${esc(f.region)}</td><td>${esc(waits ? `${move}, after layer ${waits.join(', ')}` : move)}</td><td>${esc(f.wall ?? '')} ${esc(f.wallDate ?? '')}</td><td class="num">${f.daysToWall === null ? '' : days(f.daysToWall)}</td><td>${esc(f.moveBy ?? '')}</td><td>${esc(f.owner)}</td></tr>`;
    })
    .join('');
  return `<section id="upgrade-order">
<h2>Upgrade order</h2>
<p>The upgrade calendar as work to do, in order: every function that is late, critical, or due within a year, soonest AWS date first; a layer that does not declare the runtime its functions move to comes just before the first of them, since they cannot move until a version of it does (several before one function: the earliest publish-by first; one whose functions are all beyond the calendar, last).</p>
${view.steps.length === 0 ? '<p id="no-upgrades">Nothing to upgrade within a year.</p>' : `<div class="wrap"><table id="upgrade-steps"><thead><tr><th scope="col" class="num">#</th><th scope="col">step</th><th scope="col">account</th><th scope="col">region</th><th scope="col">what to do</th><th scope="col">deadline</th><th scope="col" class="num">days left</th><th scope="col">tier moves by</th><th scope="col">owner</th></tr></thead><tbody>${rows}</tbody></table></div>`}
${view.steps.length > shown.length ? `<p class="more">and ${num(view.steps.length - shown.length)} more steps (all in the JSON and CSV; the inventory below opens in this order).</p>` : ''}
</section>`;
}

function pinSection(pins: NonNullable<InventoryReport['pins']>): string {
  const shown = pins.rows.slice(0, LIST_ROWS);
  const version = (p: PinRow): string => p.runtimeVersionArn ?? (p.known === 'tag' ? 'unknown: update mode not read' : 'unknown');
  const rows = shown
    .map(
      (p) =>
        `<tr class="${p.daysToLimit !== null && p.daysToLimit < 0 ? 'over-limit' : ''}"><td>${esc(p.name)}</td><td>${esc(p.accountId)}</td><td>${esc(p.region)}</td><td>${esc(p.owner)}</td><td>${esc(version(p))}</td><td>${esc(describeAge(p))}</td><td>${esc(p.pinnedAt ?? '')}</td><td>${esc(p.pinnedBy ?? '')}</td><td>${esc(p.reason ?? '')}</td><td>${esc(describeLimit(p))}</td><td>${esc(p.rolledBackFrom ?? '')}</td></tr>`,
    )
    .join('');
  return `<section id="pins">
<h2>Runtime version pins</h2>
<p>Each function held on one runtime version (update mode Manual) misses the runtime's security patches until it leaves the pin; RW010 bounds how long it may stay. Closest to that limit first. The age is counted from the rollback tag (<code>runtime-warden:rollback</code>: when, who, why); RW010 counts the older of that and the last deploy. ${esc(pins.source)}</p>
${pins.rows.length === 0 ? '<p id="no-pins">No function is pinned to a runtime version.</p>' : `<div class="wrap"><table id="pin-list"><thead><tr><th scope="col">function</th><th scope="col">account</th><th scope="col">region</th><th scope="col">owner</th><th scope="col">pinned runtime version</th><th scope="col">pinned for</th><th scope="col">since</th><th scope="col">by</th><th scope="col">reason</th><th scope="col">RW010 limit</th><th scope="col">rolled back from</th></tr></thead><tbody>${rows}</tbody></table></div>`}
${pins.rows.length > shown.length ? `<p class="more">and ${num(pins.rows.length - shown.length)} more (all in the JSON and CSV).</p>` : ''}
</section>`;
}

function inventorySection(r: InventoryReport, view: UpgradeView): { html: string; data: string } {
  const data = pageData(view.ordered, view);
  const filters = data.cols
    .map((c, i) => (c.filter && c.t === 's' ? `<label>${esc(c.label)} <select data-col="${i}"><option value="">all</option>${c.s.map((s, j) => `<option value="${j}">${esc(s === '' ? '(none)' : s)}</option>`).join('')}</select></label>` : ''))
    .join('');
  const head = data.cols.map((c) => `<th scope="col" data-key="${esc(c.key)}"${c.t === 'n' ? ' class="num"' : ''}>${esc(c.label)}</th>`).join('');
  return {
    data: scriptSafeJson(data),
    html: `<section>
<h2>Inventory</h2>
<p>Every function, in the upgrade order ("#", the step above; then the rest, soonest AWS date first): "next AWS date" is AWS's (deprecation, creates blocked, updates blocked) with the real days left; "tier moves by" is the deprecation less the tier's lead time (${esc(r.leadTimes)}). Urgency: blocked (updates refused now), critical (a block inside the tier's lead time), late (past the tier's move-by). Click a column to sort; search matches function, runtime, owner, account, region and the layers waited for.</p>
<div class="controls"><input id="q" type="search" placeholder="search" aria-label="search the inventory">${filters}<button id="prev" type="button">previous</button><button id="next" type="button">next</button><span id="shown" aria-live="polite"></span></div>
<div class="wrap"><table id="inventory"><thead><tr>${head}</tr></thead><tbody></tbody></table></div>
</section>`,
  };
}

/** A title that fits what the report covers: one account, or an organisation. */
function title(r: InventoryReport): string {
  const accounts = [...new Set(r.rows.map((x) => x.accountId))];
  if (accounts.length === 1) return `Lambda runtimes in account ${accounts[0]}`;
  return `Lambda runtimes across ${num(accounts.length)} accounts`;
}

export function renderHtml(r: InventoryReport): string {
  const t = totals(r.rows);
  const now = r.now.getTime();
  const audit = auditOf(r);
  const count = (p: (x: InventoryReport['rows'][number]) => boolean): number => r.rows.reduce((n, x) => n + (p(x) ? 1 : 0), 0);
  const view = upgradeView(r);
  const inventory = inventorySection(r, view);
  const over = (r.pins?.rows ?? []).filter((p) => p.daysToLimit !== null && p.daysToLimit < 0).length;
  const style = STYLE;
  const script = PAGE_SCRIPT;
  const csp = `default-src 'none'; style-src ${sha256(style)}; script-src ${sha256(script)}; img-src data:`;
  const heading = title(r);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(heading)} - runtime-warden</title>
<style>${style}</style>
</head>
<body>
<h1>${esc(heading)}</h1>
<p class="meta">${num(t.functions)} functions · ${esc(r.source)} · policy ${esc(r.policy)} · runtime catalog as of ${esc(r.catalog.asOf)} (${esc(r.catalog.source)}) · judged ${esc(r.now.toISOString().slice(0, 16).replace('T', ' '))} UTC · runtime-warden ${esc(r.version)}</p>
<section id="summary">
<div class="cards">${card('functions', t.functions, 'functions')}${card('non-compliant', t.byCompliance.NON_COMPLIANT ?? 0, 'NON_COMPLIANT', 'bad')}${card('compliant', t.byCompliance.COMPLIANT ?? 0, 'COMPLIANT', 'good')}${card('not applicable', t.byCompliance.NOT_APPLICABLE ?? 0, 'NOT_APPLICABLE')}${card('updates blocked now', t.byPhase['update-blocked'] ?? 0, 'update-blocked', 'bad')}${card('critical: AWS block inside the lead time', count((x) => x.critical), 'critical', 'bad')}${card('late: past the tier\'s move-by', count((x) => x.late), 'late', 'warn')}${card('waivers in force', t.waivers, 'waivers')}${card(`waivers expiring within ${EXPIRING_SOON_DAYS} days`, audit.expiringSoon, 'expiringSoon', 'warn')}${card('invocations in 14 days', t.invocations14d, 'invocations14d')}${card('no invocation in 90 days', t.deletionCandidates, 'deletionCandidates')}${r.pins ? `${card('runtime version pins', r.pins.rows.length, 'pins')}${card("pins past RW010's limit", over, 'pinsOverLimit', over > 0 ? 'bad' : '')}` : ''}${r.coverage ? card('accounts and regions not judged', r.coverage.length, 'coverageGaps', r.coverage.length > 0 ? 'bad' : '') : ''}</div>
${t.usageUnknown > 0 ? `<p class="meta">Usage unknown for ${num(t.usageUnknown)} functions (CloudWatch not read, or not readable for their account).</p>` : ''}
<div class="charts">
${timelineChart(timeline(r.rows, now))}
${phaseChart(r.rows)}
</div>
<div class="rollups">
${rollUpTable('accounts', 'account', rollUp(r.rows, (x) => x.accountId))}
${rollUpTable('owners', 'owner', rollUp(r.rows, byOwner))}
</div>
</section>
${upgradeOrderSection(view, now)}
${r.history ? historySection(r.history) : ''}
${waiverSection(r)}
${r.pins ? pinSection(r.pins) : ''}
${r.coverage === undefined ? '' : coverageSection(r.coverage)}
${r.layers === undefined ? '' : layerSection(r.layers)}
${inventory.html}
<script type="application/json" id="inventory-data">${inventory.data}</script>
<script>${script}</script>
</body>
</html>
`;
}

