// `runtime-warden catalog refresh|show|encode`: loaded only for that command (the page parsers are
// not needed to scan).
import { existsSync, statSync } from 'node:fs';
import pkg from '../package.json' with { type: 'json' };
import { DEFAULT_CATALOG } from '../shared/index.js';
import { catalogChanges, describeChanges, parseCatalogText } from '../shared/catalog/catalogDocument.js';
import { catalogFromPage, refreshedDocument, RUNTIMES_PAGE_URL } from '../shared/catalog/runtimesPage.js';
import { encodeCatalog } from '../shared/io/catalogSource.js';
import { fetchPage } from '../shared/io/fetchPage.js';
import { renderCatalog } from './catalogTable.js';
import { InputError, loadCatalog, parseDay, readText, UsageError, write } from './common.js';

const PROXY_VARIABLES = ['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy'];

/**
 * Node's fetch ignores HTTPS_PROXY, HTTP_PROXY and NO_PROXY (Node.js 20 has no NODE_USE_ENV_PROXY):
 * behind a proxy, undici's EnvHttpProxyAgent, which reads them as curl does, becomes the dispatcher
 * of every fetch in the process. Loaded only then: it is half a megabyte of the bundle.
 */
async function proxyFromEnvironment(): Promise<void> {
  if (!PROXY_VARIABLES.some((v) => process.env[v])) return;
  // A CommonJS package: its exports object is the default export, bundled or not.
  const { EnvHttpProxyAgent, setGlobalDispatcher } = (await import('undici')).default;
  setGlobalDispatcher(new EnvHttpProxyAgent());
}

/**
 * The page's text, and the instant it stands for. AWS's page carries no date of its own (neither
 * the HTML nor its Markdown rendering: examples/lambda-runtimes.html), so a catalog is as of the
 * day the page was read: today for a URL; for a saved copy, the day `--as-of` says, else the
 * file's modification day.
 */
async function readPage(from: string, asOf: string | undefined): Promise<{ text: string; readAt: Date }> {
  const day = asOf === undefined ? undefined : parseDay(asOf, '--as-of');
  if (day !== undefined && day > Date.now()) throw new UsageError(`--as-of ${asOf} is after today`);
  if (!/^https?:\/\//.test(from)) {
    const text = readText(from, 'page');
    return { text, readAt: day !== undefined ? new Date(day) : new Date(Math.min(statSync(from).mtimeMs, Date.now())) };
  }
  await proxyFromEnvironment();
  try {
    return { text: await fetchPage(from, `runtime-warden/${pkg.version}`, { timeoutMs: 30_000 }), readAt: day !== undefined ? new Date(day) : new Date() };
  } catch (err) {
    throw new InputError(`cannot fetch ${from}: ${(err as Error).message}`);
  }
}

export function show(o: { catalog?: string; now: number; output?: string }): number {
  write(renderCatalog(loadCatalog(o.catalog), o.now), o.output);
  return 0;
}

export function encode(o: { catalog?: string; output?: string }): number {
  write(`${encodeCatalog(loadCatalog(o.catalog))}\n`, o.output);
  return 0;
}

export async function refresh(o: { from?: string; asOf?: string; output?: string }): Promise<number> {
  const from = o.from ?? RUNTIMES_PAGE_URL;
  const previous = o.output && existsSync(o.output) ? parseCatalogText(readText(o.output, 'catalog file'), `catalog file ${o.output}`) : DEFAULT_CATALOG;
  const page = await readPage(from, o.asOf);
  const refreshed = catalogFromPage(page.text, { source: from, fetchedAt: page.readAt }, previous);
  const changes = describeChanges(catalogChanges(previous, refreshed.catalog), refreshed.catalog);
  const replaced = `the ${previous === DEFAULT_CATALOG ? 'built-in catalog' : `catalog in ${o.output}`} (as of ${previous.origin.asOf})`;
  const summary = [
    `runtime catalog: ${refreshed.catalog.all().length} runtimes as of ${refreshed.catalog.origin.asOf} from ${from}`,
    changes.length === 0 ? `no changes from ${replaced}` : `${changes.length} changes from ${replaced}:`,
    ...changes.map((c) => `  ${c.line}`),
  ].join('\n');
  write(refreshedDocument(refreshed), o.output);
  // The catalog itself may be on stdout: the summary then goes to stderr.
  (o.output ? process.stdout : process.stderr).write(`${summary}\n`);
  return 0;
}
