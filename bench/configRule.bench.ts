// The Config rule's periodic pass over emulated accounts of growing size (moto's server on
// loopback): API calls and wall time, against the lower bound of calls the APIs allow.
// Prints figures; asserts nothing. Usage: tsx bench/configRule.bench.ts [sizes...] (default 250 1000)
import { Logger } from '@aws-lambda-powertools/logger';
import { ConfigServiceClient } from '@aws-sdk/client-config-service';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { performance } from 'node:perf_hooks';
import { createHandler } from '../config-rules/runtime-compliance/handler.js';
import { countCalls } from '../scripts/emulator/callCounter.js';
import { sampleFleet, seedFleet } from '../scripts/emulator/fleet.js';
import { startMoto } from '../scripts/emulator/moto.js';
import { DEFAULT_POLICY } from '../shared/index.js';

const sizes = process.argv.slice(2).map(Number).filter((n) => n > 0);
const NOW = Date.parse('2026-11-23T12:00:00Z');
const moto = await startMoto();
console.log('runtime-warden Config rule, periodic pass, moto server on loopback');
console.log('Lower bound per API (what the APIs allow at best): ListFunctions ceil((functions + versions) / 50),');
console.log('ListTags one per function (no bulk tag read in the Lambda API), ListAliases one per function whose');
console.log('published version breaks the policy (data-dependent, so at most one per function with versions),');
console.log('PutEvaluations ceil(functions / 100). GetRuntimeManagementConfig (one per function) is off here: moto lacks it.');
console.log('moto answers ListFunctions in a single page, so it shows fewer calls than AWS would need.\n');
try {
  for (const n of sizes.length > 0 ? sizes : [250, 1000]) {
    await moto.reset();
    const fleet = sampleFleet(n);
    await seedFleet(moto.clientConfig, fleet);
    const lambda = new LambdaClient(moto.clientConfig);
    const config = new ConfigServiceClient({ ...moto.clientConfig, maxAttempts: 1 });
    const lambdaCalls = countCalls(lambda);
    const configCalls = countCalls(config);
    const rule = createHandler({ lambda, config, policyLoader: () => () => Promise.resolve(DEFAULT_POLICY), now: () => NOW, logger: new Logger({ logLevel: 'SILENT' }), deadlineReserveMs: 5_000, concurrency: 8 });
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
    const bounds: Record<string, number> = { ListFunctions: Math.ceil((n + versions) / 50), ListTags: n, ListAliases: versions, PutEvaluations: Math.ceil(n / 100) };
    const calls = new Map([...lambdaCalls, ...configCalls]);
    const passCalls = Object.keys(bounds).reduce((s, k) => s + (calls.get(k) ?? 0), 0);
    const passBound = Object.values(bounds).reduce((s, v) => s + v, 0);
    console.log(`${n} functions, ${versions} with an aliased published version: ${evaluations.length} evaluations in ${ms.toFixed(0)} ms = ${((ms / n) * 1000).toFixed(0)} ms per 1,000 functions`);
    for (const [api, bound] of Object.entries(bounds)) console.log(`  ${api.padEnd(34)} ${String(calls.get(api) ?? 0).padStart(6)} calls, bound ${bound}`);
    console.log(`  ${'GetComplianceDetailsByConfigRule'.padEnd(34)} ${String(calls.get('GetComplianceDetailsByConfigRule') ?? 0).padStart(6)} calls (retiring stale results; moto lacks it)`);
    console.log(`  pass total ${passCalls} calls vs bound ${passBound} (ratio ${(passCalls / passBound).toFixed(2)}), ${((passCalls / n) * 1000).toFixed(0)} calls per 1,000 functions\n`);
    lambda.destroy();
    config.destroy();
  }
} finally {
  await moto.stop();
}
