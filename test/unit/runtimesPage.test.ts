import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { catalogChanges, catalogDocument, CatalogError, catalogFromDocument, describeChanges, parseCatalogText } from '../../shared/catalog/catalogDocument.js';
import { catalogFromPage, pageDate, refreshedDocument } from '../../shared/catalog/runtimesPage.js';
import { DEFAULT_CATALOG } from '../../shared/index.js';
import { ROOT } from '../helpers/fixtures.js';
import { currentPage, movedAndAddedPage } from '../helpers/runtimesPages.js';

const PAGES = join(ROOT, 'test', 'fixtures', 'runtimes-page');
const page = (name: string): string => (name === 'lambda-runtimes.html' ? currentPage() : name === 'moved-and-added.html' ? movedAndAddedPage() : readFileSync(join(PAGES, name), 'utf8'));
const origin = { source: 'page.html', fetchedAt: new Date('2026-11-23T06:00:00Z') };
const refuse = (text: string): string[] => {
  try {
    catalogFromPage(text, origin);
  } catch (err) {
    expect(err).toBeInstanceOf(CatalogError);
    return [...(err as CatalogError).problems];
  }
  throw new Error('the page was accepted');
};

describe("AWS's runtimes page", () => {
  it.each(['lambda-runtimes.html', 'lambda-runtimes.md'])('%s gives the catalog its table holds, dated the day it was fetched', (name) => {
    const { catalog, names } = catalogFromPage(page(name), origin);
    expect(catalog.rows()).toEqual(DEFAULT_CATALOG.rows());
    expect(catalog.origin).toEqual({ asOf: '2026-11-23', source: 'page.html', fetchedAt: '2026-11-23T06:00:00.000Z' });
    expect(names.get('nodejs22.x')).toBe('Node.js 22');
    expect(catalogChanges(DEFAULT_CATALOG, catalog)).toEqual({ added: [], gone: [], moved: [] });
  });

  it('says exactly what AWS changed: one date moved, one runtime added', () => {
    const { catalog } = catalogFromPage(page('moved-and-added.html'), origin);
    const changes = catalogChanges(DEFAULT_CATALOG, catalog);
    expect(describeChanges(changes, catalog)).toEqual([
      { id: 'nodejs28.x', line: 'nodejs28.x added (deprecation not scheduled)' },
      { id: 'python3.11', line: 'python3.11 deprecation moved 2027-06-30 -> 2027-05-31' },
    ]);
    expect(catalog.get('nodejs28.x')).toMatchObject({ family: 'nodejs', os: 'Amazon Linux 2023', deprecation: null });
  });

  it('finds the tables by their header names, whatever their order and other columns', () => {
    // An older layout: an SDK column, the columns in another order.
    const reordered = page('lambda-runtimes.html')
      .replace(/<tr><th>Name<\/th><th>Identifier<\/th>/g, '<tr><th>Identifier</th><th>SDK</th><th>Name</th>')
      .replace(/<tr><td tabindex="-1">([^<]*)<\/td><td tabindex="-1">(<code class="code">[^<]*<\/code>)<\/td>/g, '<tr><td>$2</td><td>3.1.0</td><td>$1</td>');
    expect(catalogFromPage(reordered, origin).catalog.rows()).toEqual(DEFAULT_CATALOG.rows());
  });

  it.each([
    ['the deprecated table missing', (p: string) => p.replace(/<h2 id="runtimes-deprecated">[\s\S]*?<\/table>/, ''), /^no table of deprecated runtimes/],
    ['renamed headers', (p: string) => p.replaceAll('<th>Identifier</th>', '<th>Runtime ID</th>'), /^no table of supported runtimes/],
    ['a truncated page', (p: string) => p.slice(0, Math.floor(p.length * 0.45)), /^no table of deprecated runtimes/],
    ['a date that is not a date', (p: string) => p.replace('Apr 30, 2027', 'Spring 2027'), /^nodejs22\.x: deprecation "Spring 2027" is not a date$/],
    ['a date that is not in the calendar', (p: string) => p.replace('Apr 30, 2027', 'Feb 30, 2027'), /^nodejs22\.x: deprecation "Feb 30, 2027" is not a calendar date$/],
    ['a block date before the deprecation date', (p: string) => p.replace('Jun 1, 2027', 'Jan 1, 2027'), /^nodejs22\.x: blockCreate 2027-01-01 is before its deprecation date 2027-04-30$/],
    ['a runtime AWS listed before gone', (p: string) => p.replace(/<tr><td[^>]*>Go 1[^\n]*\n/, ''), /^runtimes missing that AWS has listed before: go1\.x$/],
  ])('refuses %s, saying why', (_, change, reason) => {
    const problems = refuse(change(page('lambda-runtimes.html')));
    expect(problems.some((p) => reason.test(p)), problems.join('\n')).toBe(true);
  });

  it('refuses a page with too few runtimes, and one that is not the page at all', () => {
    const rows = page('lambda-runtimes.md').split('\n');
    const few = rows.filter((l, i) => !l.startsWith('| ') || l.includes('Identifier') || l.includes('---') || i % 3 === 0).join('\n');
    expect(refuse(few).join('\n')).toMatch(/only \d+ runtime identifiers \(at least 30 expected\)/);
    expect(refuse('<html><body><p>Service unavailable</p></body></html>')).toHaveLength(2);
  });

  it('reads the dates AWS writes', () => {
    expect(['Apr 30, 2028', 'Sept 1, 2026', 'June 30, 2027', '2027-01-31', 'Not scheduled', 'N/A', ''].map(pageDate)).toEqual(['2028-04-30', '2026-09-01', '2027-06-30', '2027-01-31', null, null, null]);
  });
});

describe('the catalog document', () => {
  it('round-trips through its JSON, keeping where it came from', () => {
    const refreshed = catalogFromPage(page('moved-and-added.html'), origin);
    const again = parseCatalogText(refreshedDocument(refreshed), 'catalog.json');
    expect(again.rows()).toEqual(refreshed.catalog.rows());
    expect(again.origin).toEqual(refreshed.catalog.origin);
  });

  it('refuses a document that fails the gates or the schema, saying why', () => {
    const doc = catalogDocument(DEFAULT_CATALOG);
    expect(() => catalogFromDocument({ ...doc, entries: doc.entries.slice(0, 10) }, 'catalog.json')).toThrow(/catalog\.json is refused: only 10 runtime identifiers/);
    expect(() => catalogFromDocument({ ...doc, asOf: 'yesterday' }, 'catalog.json')).toThrow(/asOf: must be a date written YYYY-MM-DD/);
    expect(() => parseCatalogText('{', 'catalog.json')).toThrow(/not JSON/);
  });
});
