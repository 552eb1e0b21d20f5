// The Config rule's periodic pass over emulated accounts of growing size (moto's server on
// loopback): API calls and wall time, against the lower bound of calls the APIs allow, without and
// with AWS Config's inventory. At 10,000 functions and more: bench/scale.bench.ts.
// Prints figures; asserts nothing. Usage: tsx bench/configRule.bench.ts [sizes...] (default 250 1000)
import { Logger } from '@aws-lambda-powertools/logger';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { ConfigServiceClient } from '@aws-sdk/client-config-service';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { performance } from 'node:perf_hooks';
import { createHandler } from '../config-rules/runtime-compliance/handler.js';
import { countCalls } from '../scripts/emulator/callCounter.js';
import { sampleFleet, seedFleet, type FunctionSpec } from '../scripts/emulator/fleet.js';
import { FUNCTION_INVENTORY_QUERY, SELECT_PAGE } from '../shared/io/configInventory.js';
import { startMoto } from '../scripts/emulator/moto.js';
import { DEFAULT_POLICY } from '../shared/index.js';

const sizes = process.argv.slice(2).map(Number).filter((n) => n > 0);
const NOW = Date.parse('2026-11-23T12:00:00Z');
const moto = await startMoto();

/**
 * Config's advanced query as AWS answers it for a recorder that has every function: moto accepts
 * SelectResourceConfig but runs no SQL (it answers no rows), so this answers the pass's one query
 * from the fleet the emulator holds, 100 rows a page, in the documented row shape. Every other
 * call goes to moto.
 */
function recordedByConfig(config: ConfigServiceClient, fleet: readonly FunctionSpec[]): void {
  const rows = fleet.map((f) =>
    JSON.stringify({
      resourceName: f.name,
      configuration: { functionArn: `arn:aws:lambda:eu-west-1:123456789012:function:${f.name}`, runtime: f.runtime, packageType: f.runtime ? 'Zip' : 'Image', lastModified: '2026-10-01T00:00:00.000+0000' },
      tags: Object.entries(f.tags).map(([key, value]) => ({ key, value })),
    }),
  );
  const mw = (next: (args: unknown) => Promise<unknown>) => async (args: { input: { Expression?: string; NextToken?: string } }) => {
    if (args.input.Expression !== FUNCTION_INVENTORY_QUERY) return next(args);
    const from = Number(args.input.NextToken ?? 0);
    const next100 = from + SELECT_PAGE;
    return { output: { $metadata: {}, Results: rows.slice(from, next100), ...(next100 < rows.length && { NextToken: String(next100) }) } };
  };
  config.middlewareStack.add(mw as never, { step: 'initialize', name: 'recorded-by-config', priority: 'low' });
}

console.log('runtime-warden Config rule, periodic pass, moto server on loopback');
console.log('A first pass, with no state yet: every function without state has its versions read now (ListVersionsByFunction,');
console.log('and ListAliases where a version breaks the policy). With Config\'s inventory: SelectResourceConfig ceil(functions / 100)');
console.log('and no listing or tag read on Lambda; without it (moto answers no rows): ListFunctions ceil(functions / 50) + 1 and one');
console.log('ListTags per function. PutEvaluations ceil(functions / 100). Update modes are off here (moto lacks');
console.log('GetRuntimeManagementConfig): one more call per Zip function. Passes with state: bench/scale.bench.ts.\n');
try {
  for (const n of sizes.length > 0 ? sizes : [250, 1000]) {
    await moto.reset();
    const fleet = sampleFleet(n);
    await seedFleet(moto.clientConfig, fleet);
    for (const recorder of ['without Config records (moto answers no rows: ListTags for each)', 'with Config records (stand-in for the advanced query)']) {
      const lambda = new LambdaClient(moto.clientConfig);
      const config = new ConfigServiceClient({ ...moto.clientConfig, maxAttempts: 1 });
      const cloudWatch = new CloudWatchClient(moto.clientConfig);
      const lambdaCalls = countCalls(lambda);
      const configCalls = countCalls(config);
      const cloudWatchCalls = countCalls(cloudWatch);
      const recorded = recorder.startsWith('with ');
      if (recorded) recordedByConfig(config, fleet);
      const rule = createHandler({ lambda, config, cloudWatch, policyLoader: () => () => Promise.resolve(DEFAULT_POLICY), now: () => NOW, logger: new Logger({ logLevel: 'SILENT' }), deadlineReserveMs: 5_000, concurrency: 8 });
      const event = {
        invokingEvent: JSON.stringify({ messageType: 'ScheduledNotification' }),
        ruleParameters: JSON.stringify({ checkUpdateMode: 'false' }),
        resultToken: 'TESTMODE',
        configRuleName: 'runtime-warden-runtime-compliance',
      };
      const start = performance.now();
      const evaluations = await rule(event, { getRemainingTimeInMillis: () => 900_000 });
      const ms = performance.now() - start;
      const versions = fleet.filter((f) => f.aliasOn).length;
      const zip = fleet.filter((f) => f.runtime !== undefined).length;
      // Every breaking version of the sample fleet is behind alias prod: nothing more to read for it.
      const bounds: Record<string, number> = {
        ListFunctions: recorded ? 0 : Math.ceil(n / 50) + 1,
        SelectResourceConfig: Math.ceil(n / SELECT_PAGE),
        ListTags: recorded ? 0 : n,
        ListVersionsByFunction: n,
        ListAliases: versions,
        ListEventSourceMappings: 0,
        GetPolicy: 0,
        PutEvaluations: Math.ceil(n / 100),
      };
      const calls = new Map([...lambdaCalls, ...configCalls]);
      const passCalls = Object.keys(bounds).reduce((s, k) => s + (calls.get(k) ?? 0), 0);
      const passBound = Object.values(bounds).reduce((s, v) => s + v, 0);
      console.log(`${n} functions (${zip} Zip), ${versions} with an aliased published version, ${recorder}:`);
      console.log(`  ${evaluations.length} evaluations in ${ms.toFixed(0)} ms = ${((ms / n) * 1000).toFixed(0)} ms per 1,000 functions`);
      for (const [api, bound] of Object.entries(bounds)) console.log(`  ${api.padEnd(34)} ${String(calls.get(api) ?? 0).padStart(6)} calls, bound ${bound}`);
      console.log(`  ${'GetMetricData'.padEnd(34)} ${String(cloudWatchCalls.get('GetMetricData') ?? 0).padStart(6)} calls, bound ${versions} (CloudWatch's quota, not Lambda's)`);
      console.log(`  ${'GetComplianceDetailsByConfigRule'.padEnd(34)} ${String(calls.get('GetComplianceDetailsByConfigRule') ?? 0).padStart(6)} calls (retiring stale results; moto lacks it)`);
      console.log(`  pass total ${passCalls} calls vs bound ${passBound} (ratio ${(passCalls / passBound).toFixed(2)}), ${(passCalls / n).toFixed(2)} calls per function`);
      console.log(`  with update modes (+${zip} GetRuntimeManagementConfig): ${((passCalls + zip) / n).toFixed(2)} calls per function\n`);
      lambda.destroy();
      config.destroy();
      cloudWatch.destroy();
    }
  }
} finally {
  await moto.stop();
}
