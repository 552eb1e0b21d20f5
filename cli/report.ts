// `runtime-warden report`: loaded only for that command (the AWS SDK clients are not needed to scan).
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { ConfigServiceClient } from '@aws-sdk/client-config-service';
import { LambdaClient } from '@aws-sdk/client-lambda';
import pkg from '../package.json' with { type: 'json' };
import type { Policy } from '../shared/index.js';
import { coverageGaps, ruleLocations, type CoverageGap } from '../shared/io/coverage.js';
import { readAggregator, readRegions } from '../shared/io/inventorySources.js';
import { readUsage, usageKey } from '../shared/io/usageMetrics.js';
import { inventoryRow } from '../shared/report/inventory.js';
import { InputError, UsageError, write } from './common.js';
import { renderHtml } from './reportFormats/html.js';
import { renderCsv, renderJson as renderInventoryJson } from './reportFormats/tabular.js';

const REPORT_FORMATS = { html: renderHtml, csv: renderCsv, json: renderInventoryJson } as const;
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

export async function inventory(
  values: { format: keyof typeof REPORT_FORMATS; aggregator?: string; regions?: string; output?: string; usage: boolean },
  policy: Policy,
  policyName: string,
  now: number,
): Promise<number> {
  const render = REPORT_FORMATS[values.format];
  if (values.aggregator && values.regions) throw new UsageError('give --aggregator or --regions, not both');
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
  const rows = facts.map((f) => inventoryRow(f, policy, now, usage.get(usageKey(f)))).sort((a, b) => a.accountId.localeCompare(b.accountId) || a.region.localeCompare(b.region) || a.name.localeCompare(b.name));
  const leadTimes = [...policy.tiers.values()].map((t) => `${t.name} ${t.upgradeLeadDays} days`).join(', ');
  write(render({ rows, now: new Date(now), policy: policyName, catalog: policy.base.origin, source, version: pkg.version, leadTimes, ...(coverage && { coverage }) }), values.output);
  progress(`${rows.length} functions reported`);
  return 0;
}

