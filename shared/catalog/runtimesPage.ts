// Reads AWS's "Lambda runtimes" page (Lambda Developer Guide, lambda-runtimes.html) into catalog
// entries: its supported and deprecated tables, with the columns Name, Identifier, Operating
// system, Deprecation date, Block function create, Block function update. The page has changed
// its layout over the years, so tables are found by their header names and their heading, never by
// position; the page is accepted as HTML and as its Markdown rendering. Pure: the caller fetches.
import { marked, type Token, type Tokens } from 'marked';
import { parse as parseHtml, type HTMLElement } from 'node-html-parser';
import { dayStart, DEFAULT_CATALOG, inferFamily, RuntimeCatalog } from './catalog.js';
import { catalogDocument, catalogOfEntries, catalogProblems, CatalogError, CatalogRegressionError, lifecycleRegressions, type CatalogEntry } from './catalogDocument.js';

export const RUNTIMES_PAGE_URL = 'https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtimes.html';

interface PageTable {
  readonly heading: string;
  readonly headers: readonly string[];
  readonly rows: readonly (readonly string[])[];
}

const clean = (s: string): string => s.replace(/\s+/g, ' ').trim();

function htmlTables(html: string): PageTable[] {
  const root = parseHtml(html);
  const tables: PageTable[] = [];
  let heading = '';
  const walk = (el: HTMLElement): void => {
    for (const child of el.childNodes) {
      if (child.nodeType !== 1) continue;
      const node = child as HTMLElement;
      const tag = node.tagName?.toLowerCase();
      if (tag && /^h[1-6]$/.test(tag)) heading = clean(node.text);
      else if (tag === 'table') {
        const rows = node.querySelectorAll('tr');
        const headerRow = rows.find((r) => r.querySelector('th')) ?? rows[0];
        if (!headerRow) continue;
        tables.push({
          heading,
          headers: headerRow.querySelectorAll('th, td').map((c) => clean(c.text)),
          rows: rows.filter((r) => r !== headerRow).map((r) => r.querySelectorAll('td, th').map((c) => clean(c.text))),
        });
      } else walk(node);
    }
  };
  walk(root);
  return tables;
}

/** A Markdown cell as plain text: code spans, emphasis and links keep their text only. */
function plain(tokens: readonly Token[] | undefined, fallback: string): string {
  if (!tokens || tokens.length === 0) return clean(fallback);
  return clean(tokens.map((t) => ('tokens' in t && t.tokens ? plain(t.tokens, '') : 'text' in t ? String(t.text) : '')).join(''));
}

function markdownTables(md: string): PageTable[] {
  const tables: PageTable[] = [];
  let heading = '';
  for (const token of marked.lexer(md)) {
    if (token.type === 'heading') heading = plain((token as Tokens.Heading).tokens, (token as Tokens.Heading).text);
    if (token.type !== 'table') continue;
    const t = token as Tokens.Table;
    tables.push({ heading, headers: t.header.map((c) => plain(c.tokens, c.text)), rows: t.rows.map((r) => r.map((c) => plain(c.tokens, c.text))) });
  }
  return tables;
}

const COLUMNS = {
  id: ['identifier'],
  name: ['name'],
  os: ['operating system', 'os'],
  deprecation: ['deprecation date', 'deprecation'],
  blockCreate: ['block function create'],
  blockUpdate: ['block function update'],
} as const;
type Column = keyof typeof COLUMNS;
const REQUIRED: readonly Column[] = ['id', 'deprecation', 'blockCreate', 'blockUpdate'];

function columnsOf(headers: readonly string[]): Partial<Record<Column, number>> {
  const out: Partial<Record<Column, number>> = {};
  headers.forEach((h, i) => {
    const key = h.toLowerCase().replace(/[^a-z ]/g, '').replace(/\s+/g, ' ').trim();
    for (const [column, names] of Object.entries(COLUMNS) as [Column, readonly string[]][]) if (names.includes(key) && out[column] === undefined) out[column] = i;
  });
  return out;
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

/** `Apr 30, 2028` (or ISO) as `2028-04-30`; `Not scheduled`, `N/A` and an empty cell as null. */
export function pageDate(cell: string): string | null {
  const text = clean(cell);
  if (text === '' || /^(not scheduled|n\/a|-|—)$/i.test(text)) return null;
  let y: number, m: number, d: number;
  const written = /^([A-Za-z]{3,9})\.? (\d{1,2}), (\d{4})$/.exec(text);
  const iso = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (written && MONTHS.includes(written[1]!.slice(0, 3).toLowerCase())) [y, m, d] = [Number(written[3]), MONTHS.indexOf(written[1]!.slice(0, 3).toLowerCase()) + 1, Number(written[2])];
  else if (iso) [y, m, d] = [Number(iso[1]), Number(iso[2]), Number(iso[3])];
  else throw new Error(`"${text.slice(0, 40)}" is not a date`);
  const date = new Date(Date.UTC(y, m - 1, d));
  if (date.getUTCFullYear() !== y || date.getUTCMonth() !== m - 1 || date.getUTCDate() !== d) throw new Error(`"${text}" is not a calendar date`);
  return date.toISOString().slice(0, 10);
}

export interface RefreshedCatalog {
  readonly catalog: RuntimeCatalog;
  /** Each runtime's name as the page writes it (`Node.js 22`). */
  readonly names: ReadonlyMap<string, string>;
}

/**
 * The catalog AWS's page describes, after every gate: both tables found, each date a real date,
 * and `catalogProblems` (enough identifiers, none forgotten, no block before deprecation). A page
 * that fails a gate throws CatalogError with every reason: it is refused whole, never half-applied.
 * Families and operating systems AWS does not print keep the built-in catalog's values.
 */
export function catalogFromPage(text: string, origin: { source: string; fetchedAt: Date }, base: RuntimeCatalog = DEFAULT_CATALOG): RefreshedCatalog {
  const what = `The runtimes page from ${origin.source}`;
  const isHtml = /<(table|html|body|div)\b/i.test(text);
  const tables = (isHtml ? htmlTables(text) : markdownTables(text)).map((t) => ({ ...t, columns: columnsOf(t.headers) })).filter((t) => REQUIRED.every((c) => t.columns[c] !== undefined));
  const supported = tables.filter((t) => /supported/i.test(t.heading) && !/deprecated/i.test(t.heading));
  const deprecated = tables.filter((t) => /deprecated/i.test(t.heading));
  const problems: string[] = [];
  if (supported.length === 0) problems.push('no table of supported runtimes with the columns Identifier, Deprecation date, Block function create, Block function update');
  if (deprecated.length === 0) problems.push('no table of deprecated runtimes with the columns Identifier, Deprecation date, Block function create, Block function update');
  const entries: CatalogEntry[] = [];
  const names = new Map<string, string>();
  const fetchedMs = origin.fetchedAt.getTime();
  for (const t of [...supported, ...deprecated]) {
    for (const row of t.rows) {
      const cell = (c: Column): string => (t.columns[c] === undefined ? '' : (row[t.columns[c]!] ?? ''));
      const id = cell('id');
      if (!/^[a-z][a-z0-9.-]*$/.test(id)) {
        problems.push(`"${id.slice(0, 40)}" in the ${t.heading || 'untitled'} table is not a runtime identifier`);
        continue;
      }
      const dates: Partial<Record<'deprecation' | 'blockCreate' | 'blockUpdate', string | null>> = {};
      for (const field of ['deprecation', 'blockCreate', 'blockUpdate'] as const) {
        try {
          dates[field] = pageDate(cell(field));
        } catch (err) {
          problems.push(`${id}: ${field} ${(err as Error).message}`);
        }
      }
      // A runtime AWS lists as deprecated has been deprecated: a row there without a past date
      // would pass the runtime as active.
      if (deprecated.includes(t) && !(dates.deprecation && dayStart(dates.deprecation) <= fetchedMs)) {
        problems.push(`${id} is in the deprecated runtimes table but its deprecation date (${dates.deprecation ?? 'none'}) is not in the past`);
      }
      const known = base.get(id);
      if (cell('name')) names.set(id, cell('name'));
      entries.push({ id, family: known?.family ?? inferFamily(id), os: cell('os') || known?.os || 'unknown', deprecation: dates.deprecation ?? null, blockCreate: dates.blockCreate ?? null, blockUpdate: dates.blockUpdate ?? null });
    }
  }
  if (problems.length === 0) problems.push(...catalogProblems(entries));
  const fetchedAt = origin.fetchedAt.toISOString();
  const catalog = catalogOfEntries(entries, { asOf: fetchedAt.slice(0, 10), source: origin.source, fetchedAt });
  // Against the catalog it replaces and against the built-in one, so that neither a stored
  // catalog nor a first refresh can carry an un-deprecation in; said beside any other problem.
  const regressions = [...new Set([...lifecycleRegressions(base, catalog, fetchedMs), ...lifecycleRegressions(DEFAULT_CATALOG, catalog, fetchedMs)])];
  if (regressions.length > 0) throw new CatalogRegressionError([...problems, ...regressions], what);
  if (problems.length > 0) throw new CatalogError(problems, what);
  return { catalog, names };
}

/** The catalog JSON a refresh writes. */
export const refreshedDocument = (r: RefreshedCatalog): string => `${JSON.stringify(catalogDocument(r.catalog, r.names), null, 2)}\n`;
