// `runtime-warden catalog refresh|show|encode`: loaded only for that command (the page parsers are
// not needed to scan).
import { existsSync } from 'node:fs';
import pkg from '../package.json' with { type: 'json' };
import { DEFAULT_CATALOG } from '../shared/index.js';
import { catalogChanges, describeChanges, parseCatalogText } from '../shared/catalog/catalogDocument.js';
import { catalogFromPage, refreshedDocument, RUNTIMES_PAGE_URL } from '../shared/catalog/runtimesPage.js';
import { encodeCatalog } from '../shared/io/catalogSource.js';
import { fetchPage } from '../shared/io/fetchPage.js';
import { renderCatalog } from './catalogTable.js';
import { loadCatalog, parseNow, readText, UsageError, write } from './common.js';

/** The page's text: fetched when a URL, read when a file. */
async function readPage(from: string): Promise<string> {
  if (!/^https?:\/\//.test(from)) return readText(from, 'page');
  try {
    return await fetchPage(from, `runtime-warden/${pkg.version}`, { timeoutMs: 30_000 });
  } catch (err) {
    throw new UsageError(`cannot fetch ${from}: ${(err as Error).message}`);
  }
}

export async function catalogCommand(sub: string | undefined, rest: string[], values: { from?: string; output?: string; catalog?: string; now?: string }): Promise<number> {
  if (rest.length > 0) throw new UsageError(`catalog ${sub ?? ''} takes no paths`);
  if (sub === 'show') {
    const catalog = loadCatalog(values.catalog);
    write(renderCatalog(catalog, parseNow(values.now)), values.output);
    return 0;
  }
  if (sub === 'encode') {
    write(`${encodeCatalog(loadCatalog(values.catalog))}\n`, values.output);
    return 0;
  }
  if (sub !== 'refresh') throw new UsageError('catalog takes refresh, show or encode');
  const from = values.from ?? RUNTIMES_PAGE_URL;
  const previous = values.output && existsSync(values.output) ? parseCatalogText(readText(values.output, 'catalog file'), `catalog file ${values.output}`) : DEFAULT_CATALOG;
  const refreshed = catalogFromPage(await readPage(from), { source: from, fetchedAt: new Date() }, previous);
  const changes = describeChanges(catalogChanges(previous, refreshed.catalog), refreshed.catalog);
  const replaced = `the ${previous === DEFAULT_CATALOG ? 'built-in catalog' : `catalog in ${values.output}`} (as of ${previous.origin.asOf})`;
  const summary = [
    `runtime catalog: ${refreshed.catalog.all().length} runtimes as of ${refreshed.catalog.origin.asOf} from ${from}`,
    changes.length === 0 ? `no changes from ${replaced}` : `${changes.length} changes from ${replaced}:`,
    ...changes.map((c) => `  ${c.line}`),
  ].join('\n');
  write(refreshedDocument(refreshed), values.output);
  // The catalog itself may be on stdout: the summary then goes to stderr.
  (values.output ? process.stdout : process.stderr).write(`${summary}\n`);
  return 0;
}

