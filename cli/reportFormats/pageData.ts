import { describeWaiver, type InventoryRow } from '../../shared/report/inventory.js';
import { functionKey } from '../../shared/report/upgradeOrder.js';

// The inventory as the page embeds it: one array per column, and each text column as a table of
// its distinct strings plus one index per row. Runtimes, phases, tiers, accounts and owners repeat
// across a fleet: at 100,000 functions the page carries each once (bench/report.bench.ts). Each
// table is in collation order (numbers within text as numbers: python3.9 before python3.12), so
// that the page sorts a text column by its indexes, with no string compared in the browser.

interface TextColumn { readonly t: 's'; readonly s: string[]; readonly i: number[] }
interface NumberColumn { readonly t: 'n'; readonly v: (number | null)[]; readonly none: string }
export type PageColumn = (TextColumn | NumberColumn) & { readonly key: string; readonly label: string; readonly q?: true; readonly wide?: true; readonly filter?: true };

const collator = new Intl.Collator('en', { numeric: true });

function textColumn(rows: readonly InventoryRow[], value: (r: InventoryRow) => string): TextColumn {
  const values = rows.map(value);
  const s = [...new Set(values)].sort((a, b) => collator.compare(a, b) || (a < b ? -1 : a > b ? 1 : 0));
  const index = new Map(s.map((v, i) => [v, i]));
  return { t: 's', s, i: values.map((v) => index.get(v)!) };
}

/** What the table's "urgency" column says: AWS's block first, then our deadline. */
export function urgencyOf(r: InventoryRow): string {
  if (r.phase === 'update-blocked') return 'blocked';
  return [r.critical && 'critical', r.late && 'late'].filter(Boolean).join(', ');
}

type Spec = { key: string; label: string; text?: (r: InventoryRow) => string; num?: (r: InventoryRow) => number | null; none?: string; q?: true; wide?: true; filter?: true };

/** Where each function stands in the upgrade order (report.ts, upgradeView): its step, and the layers it waits for. */
export interface RowOrder {
  readonly stepOf: ReadonlyMap<string, number>;
  readonly waits: ReadonlyMap<string, readonly string[]>;
}

const specs = (order: RowOrder): readonly Spec[] => [
  { key: 'step', label: '#', num: (r) => order.stepOf.get(functionKey(r)) ?? null, none: '' },
  { key: 'name', label: 'function', text: (r) => r.name, q: true },
  { key: 'runtime', label: 'runtime', text: (r) => r.runtime, q: true, filter: true },
  { key: 'phase', label: 'phase', text: (r) => r.phase, filter: true },
  { key: 'compliance', label: 'compliance', text: (r) => r.compliance, filter: true },
  { key: 'urgency', label: 'urgency', text: urgencyOf, filter: true },
  { key: 'wall', label: 'next AWS date', text: (r) => r.wall ?? '' },
  { key: 'wallDate', label: 'on', text: (r) => r.wallDate ?? '' },
  { key: 'daysToWall', label: 'days left', num: (r) => r.daysToWall, none: '' },
  { key: 'moveBy', label: 'tier moves by', text: (r) => r.moveBy ?? '' },
  { key: 'tier', label: 'tier', text: (r) => r.tier, filter: true },
  { key: 'target', label: 'upgrade to', text: (r) => r.target },
  { key: 'waitsFor', label: 'waits for layer', text: (r) => (order.waits.get(functionKey(r)) ?? []).join(', '), q: true },
  { key: 'owner', label: 'owner', text: (r) => r.owner, q: true },
  { key: 'accountId', label: 'account', text: (r) => r.accountId, q: true },
  { key: 'region', label: 'region', text: (r) => r.region, q: true, filter: true },
  { key: 'invocations14d', label: 'calls (14 d)', num: (r) => r.invocations14d, none: 'unknown' },
  { key: 'lastInvoked', label: 'last called', text: (r) => (r.invocations14d === null ? 'unknown' : (r.lastInvoked ?? 'none in 90 days')) },
  { key: 'waivers', label: 'waivers', text: (r) => r.waivers.map(describeWaiver).join(' | '), wide: true },
  { key: 'summary', label: 'summary', text: (r) => r.summary, wide: true },
];

/**
 * The page's inventory. `rows` come in the upgrade order (then the rest, soonest AWS date first);
 * the page opens sorted by the step column, absent steps last and ties in row order: that order.
 */
export function pageData(rows: readonly InventoryRow[], order: RowOrder): { n: number; cols: PageColumn[]; rowClass: TextColumn; sortCol: number } {
  const columns = specs(order);
  const cols = columns.map((c): PageColumn => {
    const base = { key: c.key, label: c.label, ...(c.q && { q: true as const }), ...(c.wide && { wide: true as const }), ...(c.filter && { filter: true as const }) };
    return c.num ? { ...base, t: 'n', v: rows.map(c.num), none: c.none ?? '' } : { ...base, ...textColumn(rows, c.text!) };
  });
  const rowClass = textColumn(rows, (r) => `${r.compliance}${r.deletionCandidate ? ' deletion-candidate' : ''}`);
  return { n: rows.length, cols, rowClass, sortCol: columns.findIndex((c) => c.key === 'step') };
}

/** JSON that cannot end the script element it sits in. */
export const scriptSafeJson = (value: unknown): string => JSON.stringify(value).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
