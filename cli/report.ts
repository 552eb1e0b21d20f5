// `runtime-warden report`: loaded only for that command (the AWS SDK clients are not needed to scan).
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { ConfigServiceClient } from '@aws-sdk/client-config-service';
import { LambdaClient } from '@aws-sdk/client-lambda';
import pLimit from 'p-limit';
import pkg from '../package.json' with { type: 'json' };
import type { FunctionFacts, Policy } from '../shared/index.js';
import { awsError, isNotFound } from '../shared/io/awsErrors.js';
import { coverageGaps, ruleLocations, type CoverageGap } from '../shared/io/coverage.js';
import { readAggregator, readRegions } from '../shared/io/inventorySources.js';
import { RuntimeManagementReader } from '../shared/io/lambdaInventory.js';
import { lambdaRateBudget, limitLambdaClient } from '../shared/io/rateLimit.js';
import { readUsage, usageKey } from '../shared/io/usageMetrics.js';
import { importable } from '../shared/report/asff.js';
import { compareReports, trendPoint } from '../shared/report/compare.js';
import { inventoryRow, type InventoryRow } from '../shared/report/inventory.js';
import { layerRows } from '../shared/report/layers.js';
import { pinRows } from '../shared/report/pins.js';
import { reportDocumentSchema, REPORT_SCHEMA_VERSION, type ReportDocument } from '../shared/report/reportSchema.js';
import { waiverAudit } from '../shared/report/waiverAudit.js';
import { issueLines } from '../shared/schema/zod.js';
import { InputError, readText, UsageError, write } from './common.js';
import { renderHtml } from './reportFormats/html.js';
import type { InventoryReport } from './reportFormats/report.js';
import { renderAsff, renderCsv, renderJson as renderInventoryJson } from './reportFormats/tabular.js';
import { withRuntimeManagement } from '../shared/adapters/lambdaApi.js';

const REPORT_FORMATS = { html: renderHtml, csv: renderCsv, json: renderInventoryJson, asff: renderAsff } as const;
const clientConfig = { retryMode: 'adaptive', maxAttempts: 6 } as const;

/** A third of Lambda's 15/s control-plane quota, as the Config rule takes (template LambdaCallsPerSecond). */
const DEFAULT_REPORT_LAMBDA_RATE = 5;

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

/**
 * Each Zip function's runtime update mode and pinned version (GetRuntimeManagementConfig, $LATEST:
 * "If the runtime update mode is Manual, this includes the ARN of the runtime version", Lambda API
 * Reference), so that the report lists every pin and judges the mode rules (RW009-RW011) as the
 * Config rule does. One call per function from Lambda's shared control-plane quota (15 requests a
 * second, with ListTags: Lambda Developer Guide, "Lambda quotas"), 4 at a time within the client's
 * rate budget (--lambda-calls-per-second), the SDK's adaptive retry slowing down when throttled. A region whose endpoint lacks the API, or that refuses the
 * call (no permission), is said once and its modes stay unknown; a function deleted since the
 * listing keeps an unknown mode.
 */
export async function withModes(lambdaFor: (region: string) => LambdaClient, facts: readonly FunctionFacts[], progress: (m: string) => void): Promise<{ facts: FunctionFacts[]; unread: string[] }> {
  const unread = new Map<string, string>();
  const readers = new Map<string, RuntimeManagementReader>();
  // Calls already under way when the first one learns the API is missing each say so: once is enough.
  const unsupported = (region: string) => (why: string): void => {
    if (unread.has(region)) return;
    unread.set(region, why);
    progress(`${region}: update modes not read, pins known from the rollback tag only: ${why}`);
  };
  const readerOf = (region: string): RuntimeManagementReader => readers.get(region) ?? readers.set(region, new RuntimeManagementReader(lambdaFor(region), unsupported(region))).get(region)!;
  const limit = pLimit(4);
  let done = 0;
  const out = await Promise.all(
    facts.map((f) =>
      limit(async () => {
        if (f.packageType === 'Image' || f.region === undefined || unread.has(f.region)) return f;
        try {
          const m = await readerOf(f.region).read(f.name);
          if (++done % 500 === 0) progress(`update modes of ${done}/${facts.length}`);
          return withRuntimeManagement(f, m);
        } catch (err) {
          if (isNotFound(err)) return f;
          // A caller without lambda:GetRuntimeManagementConfig still gets the rest of the report.
          const e = awsError(err);
          if (e.status !== 403 && e.name !== 'AccessDeniedException') throw err;
          unsupported(f.region)(`GetRuntimeManagementConfig refused (${e.name}: ${e.message.split('\n')[0]}): grant lambda:GetRuntimeManagementConfig, or give --no-pins`);
          return f;
        }
      }),
    ),
  );
  return { facts: out, unread: [...unread.keys()] };
}

export async function inventory(
  values: { format: keyof typeof REPORT_FORMATS; aggregator?: string; regions?: string; output?: string; usage: boolean; pins?: boolean; lambdaCallsPerSecond?: number; compare?: readonly string[] },
  policy: Policy,
  policyName: string,
  now: number,
): Promise<number> {
  const render = REPORT_FORMATS[values.format];
  if (values.aggregator && values.regions) throw new UsageError('give --aggregator or --regions, not both');
  // Read before the fleet: a bad file fails in a second, not after the listing.
  const previous = (values.compare ?? []).map(readPreviousReport);
  let facts: FunctionFacts[];
  let source: string;
  let pinSource: string;
  let coverage: CoverageGap[] | undefined;
  if (values.aggregator) {
    const config = new ConfigServiceClient(clientConfig);
    facts = await readAggregator(config, values.aggregator, progress);
    source = `AWS Config aggregator ${values.aggregator}`;
    coverage = coverageGaps(facts, await ruleLocations(config, values.aggregator));
    if (coverage.length > 0) progress(`${coverage.length} accounts and regions hold functions that no runtime-warden rule judges`);
    pinSource = "AWS Config's configuration items do not carry the update mode: these are the functions the rollback tag says are pinned, without the version they hold (run the report with --regions in the account to read it).";
  } else {
    const regions = (values.regions ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? '').split(',').map((r) => r.trim()).filter(Boolean);
    if (regions.length === 0) throw new InputError('no AWS region: set AWS_REGION, or give --regions');
    // The account's deploys and CI share Lambda's control-plane quota with this report: each
    // region's client spends at most --lambda-calls-per-second of it (shared/io/rateLimit.ts).
    const rate = values.lambdaCallsPerSecond ?? DEFAULT_REPORT_LAMBDA_RATE;
    const lambdaFor = perRegion((region) => limitLambdaClient(new LambdaClient({ ...clientConfig, region }), lambdaRateBudget(rate, 1)));
    facts = await readRegions(lambdaFor, regions, progress);
    source = `Lambda API of the current account in ${regions.join(', ')}`;
    if (values.pins === false) pinSource = 'Update modes were not read (--no-pins): these are the functions the rollback tag says are pinned.';
    else {
      const read = await withModes(lambdaFor, facts, progress);
      facts = read.facts;
      pinSource =
        read.unread.length === 0
          ? 'Update modes read from the Lambda API (GetRuntimeManagementConfig).'
          : `Update modes read from the Lambda API (GetRuntimeManagementConfig), except in ${read.unread.join(', ')}, where they could not be read (see stderr): there, the functions the rollback tag says are pinned.`;
    }
  }
  const usage = !values.usage
    ? new Map()
    : await readUsage(perRegion((region) => new CloudWatchClient({ ...clientConfig, region })), facts, now, progress, Boolean(values.aggregator));
  if (process.stderr.isTTY) process.stderr.write('\n');
  const unsorted = facts.map((f) => inventoryRow(f, policy, now, usage.get(usageKey(f))));
  // Only the Lambda API source reads what layers declare (an aggregator's items do not say).
  const layers = values.aggregator ? undefined : layerRows(facts, unsorted);
  const pins = { rows: pinRows(facts, unsorted, policy.document.manualPinMaxAgeDays, now), source: pinSource };
  const rows = [...unsorted].sort((a, b) => a.accountId.localeCompare(b.accountId) || a.region.localeCompare(b.region) || a.name.localeCompare(b.name));
  const leadTimes = [...policy.tiers.values()].map((t) => `${t.name} ${t.upgradeLeadDays} days`).join(', ');
  const audit = waiverAudit(rows, policy.document.waivers, now);
  const past = history(previous, rows, new Date(now));
  if (values.format === 'asff') {
    const left = rows.filter((r) => !importable(r)).length;
    if (left > 0) progress(`${left} functions left out of the findings: no 12-digit account or region to import them into`);
  }
  write(render({ rows, now: new Date(now), policy: policyName, catalog: policy.base.origin, source, version: pkg.version, leadTimes, audit, pins, ...(layers && { layers }), ...(coverage && { coverage }), ...(past && { history: past }) }), values.output);
  progress(`${rows.length.toLocaleString('en')} functions reported`);
  return 0;
}

