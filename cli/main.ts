// runtime-warden's command line: scan templates before deployment, and generate Guard rules.
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import pkg from '../package.json' with { type: 'json' };
import { DEFAULT_CATALOG, DEFAULT_POLICY, parsePolicyText, type Policy, type RuntimeCatalog } from '../shared/index.js';
import { guardRules } from '../shared/guard/generate.js';
import { ConfigServiceClient } from '@aws-sdk/client-config-service';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { readAggregator, readRegions } from '../shared/io/inventorySources.js';
import { inventoryRow } from '../shared/report/inventory.js';
import { MAX_TEMPLATE_BYTES, scanTemplateText, TOO_LARGE } from '../shared/template/scan.js';
import { renderHtml } from './reportFormats/html.js';
import { renderCsv, renderJson as renderInventoryJson } from './reportFormats/tabular.js';
import { findTemplates } from './files.js';
import { renderJson } from './scanFormats/json.js';
import { renderJunit } from './scanFormats/junit.js';
import { renderSarif } from './scanFormats/sarif.js';
import { renderText } from './scanFormats/text.js';
import { describeCatalog, exitCode, type FailOn, type ScanReport } from './scanReport.js';
import { renderCatalog } from './catalogTable.js';
import { catalogChanges, describeChanges, parseCatalogText } from '../shared/catalog/catalogDocument.js';
import { catalogFromPage, refreshedDocument, RUNTIMES_PAGE_URL } from '../shared/catalog/runtimesPage.js';
import { withCatalog } from '../shared/policy/policy.js';
import { encodeCatalog } from '../shared/io/catalogSource.js';

const USAGE = `Usage:
  runtime-warden scan [paths...] [--format text|json|sarif|junit] [--policy FILE] [--catalog FILE]
                      [--now YYYY-MM-DD] [--fail-on error|warning] [--max-catalog-age DAYS] [--output FILE]
      Finds CloudFormation and SAM templates under the paths (default: the current folder; skips
      node_modules, .git, .aws-sam) and judges every Lambda function against the runtime policy.
      Warns on stderr when the runtime catalog is older than --max-catalog-age days (60; 0: never).
      Exit code: 0 nothing breaks the policy, 1 something does, 2 usage or input errors.
  runtime-warden guard [--policy FILE] [--catalog FILE] [--now YYYY-MM-DD] [--output FILE]
      Writes AWS CloudFormation Guard rules generated from the policy.
  runtime-warden report [--aggregator NAME | --regions r1,r2] [--format html|csv|json] [--policy FILE]
                        [--catalog FILE] [--now YYYY-MM-DD] [--output FILE]
      An inventory of every Lambda function and where it stands against the policy: from an AWS
      Config aggregator (the whole organisation), or from the Lambda API of the current account
      in the given regions (default: AWS_REGION). Progress goes to stderr.
  runtime-warden catalog refresh [--from URL|FILE] [--output FILE]
      Reads AWS's "Lambda runtimes" page (default: ${RUNTIMES_PAGE_URL}),
      checks it, writes the runtime catalog as JSON (to --output, else stdout) and prints what changed
      from the catalog it replaces (the --output file's, else the built-in one). Exit 2, nothing
      written, when the page fails a check.
  runtime-warden catalog show [--catalog FILE] [--now YYYY-MM-DD]
      Prints the runtime catalog (built in, or FILE) with each runtime's phase on --now.
  runtime-warden catalog encode [--catalog FILE]
      Prints the catalog as the value of the SSM parameter the deployed functions read
      (gzip, base64), for accounts without outbound HTTPS:
      aws ssm put-parameter --name /runtime-warden/runtime-catalog --type String --overwrite \\
        --value "$(runtime-warden catalog encode --catalog catalog.json)"
`;

class UsageError extends Error {
  public constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

const FORMATS = { text: renderText, json: renderJson, sarif: (r: ScanReport) => renderSarif(r), junit: renderJunit } as const;

function readText(file: string, what: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    throw new UsageError(`cannot read ${what} ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}

/** The built-in catalog, or a catalog file (`catalog refresh --output`). */
function loadCatalog(file: string | undefined): RuntimeCatalog {
  return file ? parseCatalogText(readText(file, 'catalog file'), `catalog file ${file}`) : DEFAULT_CATALOG;
}

function loadPolicy(file: string | undefined): { policy: Policy; name: string } {
  if (!file) return { policy: DEFAULT_POLICY, name: 'bundled default' };
  return { policy: parsePolicyText(readText(file, 'policy file'), `policy file ${file}`), name: file };
}

/** The page's text: fetched when a URL, read when a file. */
async function readPage(from: string): Promise<string> {
  if (!/^https?:\/\//.test(from)) return readText(from, 'page');
  let res: Response;
  try {
    res = await fetch(from, { headers: { 'user-agent': `runtime-warden/${pkg.version}` }, signal: AbortSignal.timeout(30_000) });
  } catch (err) {
    throw new UsageError(`cannot fetch ${from}: ${(err as Error).message}`);
  }
  if (!res.ok) throw new UsageError(`cannot fetch ${from}: HTTP ${res.status}`);
  return res.text();
}

async function catalogCommand(sub: string | undefined, rest: string[], values: { from?: string; output?: string; catalog?: string; now?: string }): Promise<number> {
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
  const summary = [
    `runtime catalog: ${refreshed.catalog.all().length} runtimes as of ${refreshed.catalog.origin.asOf} from ${from}`,
    changes.length === 0 ? `no changes from the ${previous === DEFAULT_CATALOG ? 'built-in catalog' : `catalog in ${values.output}`} (as of ${previous.origin.asOf})` : `${changes.length} changes from the ${previous === DEFAULT_CATALOG ? 'built-in catalog' : `catalog in ${values.output}`} (as of ${previous.origin.asOf}):`,
    ...changes.map((c) => `  ${c}`),
  ].join('\n');
  write(refreshedDocument(refreshed), values.output);
  // The catalog itself may be on stdout: the summary then goes to stderr.
  (values.output ? process.stdout : process.stderr).write(`${summary}\n`);
  return 0;
}

function parseNow(value: string | undefined): number {
  if (value === undefined) return Date.now();
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value) || Number.isNaN(Date.parse(`${value}T00:00:00Z`))) throw new UsageError(`--now ${value} is not a date (YYYY-MM-DD)`);
  return Date.parse(`${value}T00:00:00Z`);
}

function write(text: string, output: string | undefined): void {
  if (output) writeFileSync(output, text);
  else process.stdout.write(text);
}

const REPORT_FORMATS = { html: renderHtml, csv: renderCsv, json: renderInventoryJson } as const;
const clientConfig = { retryMode: 'adaptive', maxAttempts: 6 } as const;

/** Progress on stderr: one line rewritten in place on a terminal, plain lines otherwise. */
function progress(message: string): void {
  if (process.stderr.isTTY) process.stderr.write(`\r\x1b[K${message}`);
  else process.stderr.write(`${message}\n`);
}

async function inventory(values: { format?: string; aggregator?: string; regions?: string; output?: string }, policy: Policy, policyName: string, now: number): Promise<number> {
  const render = REPORT_FORMATS[(values.format ?? 'html') as keyof typeof REPORT_FORMATS];
  if (!render) throw new UsageError(`--format must be one of ${Object.keys(REPORT_FORMATS).join(', ')} for report`);
  if (values.aggregator && values.regions) throw new UsageError('give --aggregator or --regions, not both');
  let facts;
  let source: string;
  if (values.aggregator) {
    const config = new ConfigServiceClient(clientConfig);
    facts = await readAggregator(config, values.aggregator, progress);
    source = `AWS Config aggregator ${values.aggregator}`;
  } else {
    const regions = (values.regions ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? '').split(',').map((r) => r.trim()).filter(Boolean);
    if (regions.length === 0) throw new UsageError('no region: give --regions or set AWS_REGION');
    const clients = new Map<string, LambdaClient>();
    facts = await readRegions((region) => clients.get(region) ?? clients.set(region, new LambdaClient({ ...clientConfig, region })).get(region)!, regions, progress);
    source = `Lambda API of the current account in ${regions.join(', ')}`;
  }
  if (process.stderr.isTTY) process.stderr.write('\n');
  const rows = facts.map((f) => inventoryRow(f, policy, now)).sort((a, b) => a.accountId.localeCompare(b.accountId) || a.region.localeCompare(b.region) || a.name.localeCompare(b.name));
  const leadTimes = [...policy.tiers.values()].map((t) => `${t.name} ${t.upgradeLeadDays} days`).join(', ');
  write(render({ rows, now: new Date(now), policy: policyName, catalog: policy.base.origin, source, version: pkg.version, leadTimes }), values.output);
  progress(`${rows.length} functions reported`);
  return 0;
}

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      format: { type: 'string' },
      policy: { type: 'string' },
      now: { type: 'string' },
      'fail-on': { type: 'string', default: 'error' },
      output: { type: 'string', short: 'o' },
      aggregator: { type: 'string' },
      catalog: { type: 'string' },
      from: { type: 'string' },
      'max-catalog-age': { type: 'string', default: '60' },
      regions: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
      version: { type: 'boolean' },
    },
  });
  if (values.version) {
    process.stdout.write(`${pkg.version}\n`);
    return 0;
  }
  const [command, ...paths] = positionals;
  if (values.help || command === undefined || command === 'help') {
    process.stdout.write(USAGE);
    return command === undefined && !values.help ? 2 : 0;
  }
  if (command === 'catalog') return catalogCommand(paths[0], paths.slice(1), values);
  const catalog = loadCatalog(values.catalog);
  const loaded = loadPolicy(values.policy);
  const policy = withCatalog(loaded.policy, catalog);
  const name = loaded.name;
  const now = parseNow(values.now);
  if (command === 'guard') {
    if (paths.length > 0) throw new UsageError('guard takes no paths');
    write(guardRules(policy, now, `${name === 'bundled default' ? 'the bundled default policy' : name}, ${describeCatalog(catalog.origin)}`), values.output);
    return 0;
  }
  if (command === 'report') {
    if (paths.length > 0) throw new UsageError('report takes no paths');
    return inventory(values, policy, name, now);
  }
  if (command !== 'scan') throw new UsageError(`unknown command ${command}`);
  const render = FORMATS[(values.format ?? 'text') as keyof typeof FORMATS];
  if (!render) throw new UsageError(`--format must be one of ${Object.keys(FORMATS).join(', ')}`);
  const failOn = values['fail-on'];
  if (failOn !== 'error' && failOn !== 'warning') throw new UsageError('--fail-on must be error or warning');
  const maxAge = values['max-catalog-age']!;
  if (!/^\d+$/.test(maxAge)) throw new UsageError('--max-catalog-age must be a whole number of days (0: never warn)');
  const age = catalog.ageDays(now);
  if (Number(maxAge) > 0 && age > Number(maxAge)) {
    process.stderr.write(
      `runtime-warden: warning: the ${describeCatalog(catalog.origin)} is ${age} days old: AWS may have moved dates since. Refresh it with \`runtime-warden catalog refresh --output catalog.json\` and scan with --catalog catalog.json (--max-catalog-age 0 silences this).\n`,
    );
  }
  const files = findTemplates(paths.length > 0 ? paths : ['.']).map((t) => {
    if (t.error) return { path: t.path, functions: [], error: t.error };
    let text: string;
    try {
      // Not read at all when far too large to be a template.
      if (statSync(t.path).size > MAX_TEMPLATE_BYTES) return { path: t.path, functions: [], error: TOO_LARGE };
      text = readFileSync(t.path, 'utf8');
    } catch (err) {
      return { path: t.path, functions: [], error: `cannot read: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}` };
    }
    return scanTemplateText(t.path, text, policy, now, t.explicit);
  });
  const report: ScanReport = { files, now: new Date(now), policy: name, catalog: catalog.origin, version: pkg.version };
  write(render(report), values.output);
  for (const f of files.filter((x) => x.error)) process.stderr.write(`runtime-warden: ${f.path}: ${f.error}\n`);
  return exitCode(report, failOn as FailOn);
}

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (err) {
  const e = err as Error;
  process.stderr.write(`runtime-warden: ${e.message}\n`);
  if (e.name === 'UsageError' || (e as NodeJS.ErrnoException).code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') process.stderr.write(`\n${USAGE}`);
  process.exitCode = 2;
}
