// `runtime-warden report`: loaded only for that command (the AWS SDK clients are not needed to scan).
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { ConfigServiceClient } from '@aws-sdk/client-config-service';
import { LambdaClient } from '@aws-sdk/client-lambda';
import pkg from '../package.json' with { type: 'json' };
import type { Policy } from '../shared/index.js';
import { coverageGaps, ruleLocations, type CoverageGap } from '../shared/io/coverage.js';
import { readAggregator, readRegions } from '../shared/io/inventorySources.js';
import { readUsage, usageKey } from '../shared/io/usageMetrics.js';
import { importable } from '../shared/report/asff.js';
import { compareReports, trendPoint } from '../shared/report/compare.js';
import { inventoryRow, type InventoryRow } from '../shared/report/inventory.js';
import { layerRows } from '../shared/report/layers.js';
import { reportDocumentSchema, REPORT_SCHEMA_VERSION, type ReportDocument } from '../shared/report/reportSchema.js';
import { waiverAudit } from '../shared/report/waiverAudit.js';
import { issueLines } from '../shared/schema/zod.js';
import { InputError, readText, UsageError, write } from './common.js';
import { renderHtml } from './reportFormats/html.js';
import type { InventoryReport } from './reportFormats/report.js';
import { renderAsff, renderCsv, renderJson as renderInventoryJson } from './reportFormats/tabular.js';

const REPORT_FORMATS = { html: renderHtml, csv: renderCsv, json: renderInventoryJson, asff: renderAsff } as const;
const clientConfig = { retryMode: 'adaptive', maxAttempts: 6 } as const;

/** Progress on stderr: one line rewritten in place on a terminal, plain lines otherwise. */
function progress(message: string): void {
  if (process.stderr.isTTY) process.stderr.write(`\r\x1b[K${message}`);
  else process.stderr.write(`${message}\n`);
}

/** One client per region, made on first use. */
function perRegion<C>(make: (region: string) => C): (region: string) => C {
  const clients = new Map<string, C>();
  return (region) => clients.get(region) ?? clients.set(region, make(region)).get(region)!;
}

/** A previous JSON report (`--compare`), checked against the schema it must follow. */
export function readPreviousReport(file: string): ReportDocument {
  let json: unknown;
  try {
    json = JSON.parse(readText(file, 'previous report'));
  } catch (err) {
    if (err instanceof InputError) throw err;
    throw new InputError(`previous report ${file} is not JSON: ${(err as Error).message}`);
  }
  const version = (json as { schemaVersion?: unknown } | null)?.schemaVersion;
  if (version !== REPORT_SCHEMA_VERSION) {
    throw new InputError(`previous report ${file} has schemaVersion ${JSON.stringify(version ?? null)}; this runtime-warden reads ${REPORT_SCHEMA_VERSION} (write it again with report --format json)`);
  }
  const parsed = reportDocumentSchema.safeParse(json);
  if (!parsed.success) throw new InputError(`previous report ${file} is not a runtime-warden JSON report:\n  ${issueLines(parsed.error, '(document)').slice(0, 10).join('\n  ')}`);
  return parsed.data;
}

/** What changed since the latest of the previous reports, and the totals of each, oldest first. */
export function history(previous: readonly ReportDocument[], rows: readonly InventoryRow[], now: Date): InventoryReport['history'] {
  if (previous.length === 0) return undefined;
  const sorted = [...previous].sort((a, b) => (a.now < b.now ? -1 : a.now > b.now ? 1 : 0));
  return {
    comparison: compareReports(sorted.at(-1)!, rows, now.toISOString().slice(0, 10)),
    trend: [...sorted.map((d) => trendPoint(d.now, d.functions)), trendPoint(now.toISOString(), rows)],
  };
}

export async function inventory(
  values: { format: keyof typeof REPORT_FORMATS; aggregator?: string; regions?: string; output?: string; usage: boolean; compare?: readonly string[] },
  policy: Policy,
  policyName: string,
  now: number,
): Promise<number> {
  const render = REPORT_FORMATS[values.format];
  if (values.aggregator && values.regions) throw new UsageError('give --aggregator or --regions, not both');
  // Read before the fleet: a bad file fails in a second, not after the listing.
  const previous = (values.compare ?? []).map(readPreviousReport);
  let facts;
  let source: string;
  let coverage: CoverageGap[] | undefined;
  if (values.aggregator) {
    const config = new ConfigServiceClient(clientConfig);
    facts = await readAggregator(config, values.aggregator, progress);
    source = `AWS Config aggregator ${values.aggregator}`;
    coverage = coverageGaps(facts, await ruleLocations(config, values.aggregator));
    if (coverage.length > 0) progress(`${coverage.length} accounts and regions hold functions that no runtime-warden rule judges`);
  } else {
    const regions = (values.regions ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? '').split(',').map((r) => r.trim()).filter(Boolean);
    if (regions.length === 0) throw new InputError('no AWS region: set AWS_REGION, or give --regions');
    facts = await readRegions(perRegion((region) => new LambdaClient({ ...clientConfig, region })), regions, progress);
    source = `Lambda API of the current account in ${regions.join(', ')}`;
  }
  const usage = !values.usage
    ? new Map()
    : await readUsage(perRegion((region) => new CloudWatchClient({ ...clientConfig, region })), facts, now, progress, Boolean(values.aggregator));
  if (process.stderr.isTTY) process.stderr.write('\n');
  const unsorted = facts.map((f) => inventoryRow(f, policy, now, usage.get(usageKey(f))));
  // Only the Lambda API source reads what layers declare (an aggregator's items do not say).
  const layers = values.aggregator ? undefined : layerRows(facts, unsorted);
  const rows = [...unsorted].sort((a, b) => a.accountId.localeCompare(b.accountId) || a.region.localeCompare(b.region) || a.name.localeCompare(b.name));
  const leadTimes = [...policy.tiers.values()].map((t) => `${t.name} ${t.upgradeLeadDays} days`).join(', ');
  const audit = waiverAudit(rows, policy.document.waivers, now);
  const past = history(previous, rows, new Date(now));
  if (values.format === 'asff') {
    const left = rows.filter((r) => !importable(r)).length;
    if (left > 0) progress(`${left} functions left out of the findings: no 12-digit account or region to import them into`);
  }
  write(render({ rows, now: new Date(now), policy: policyName, catalog: policy.base.origin, source, version: pkg.version, leadTimes, audit, ...(layers && { layers }), ...(coverage && { coverage }), ...(past && { history: past }) }), values.output);
  progress(`${rows.length.toLocaleString('en')} functions reported`);
  return 0;
}

