import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoFunctionState } from '../../shared/io/functionState.js';
import { simulateAsyncBurst, type BurstResult } from './asyncBurst.js';
import { BENCH_EPOCH, contextFor, ruleHandler, STATE_TABLE } from './harness.js';
import { fleetFunction } from './standIn.js';
import { VirtualClock } from './virtualClock.js';

// One measurement in a process of its own, so that its peak RSS is its own: the stand-in runs in
// the parent (bench/scale.bench.ts). Prints one JSON line.

const arg = (name: string, fallback?: string): string => {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? process.argv[i + 1] : fallback;
  if (v === undefined) throw new Error(`--${name} is required`);
  return v;
};
const endpoint = arg('endpoint');
const mode = arg('mode', 'fleet');
const functions = Number(arg('functions'));
const versions = Number(arg('versions', '0'));
const callsPerSecond = Number(arg('calls-per-second', '5'));
const reservedConcurrency = Number(arg('reserved-concurrency', '3'));

const peak = { heapMb: 0, rssMb: 0 };
const sample = (): void => {
  const m = process.memoryUsage();
  peak.heapMb = Math.max(peak.heapMb, m.heapUsed / 2 ** 20);
  peak.rssMb = Math.max(peak.rssMb, m.rss / 2 ** 20);
};
const sampler = setInterval(sample, 20);

type Counts = { calls: Record<string, number>; throttled: Record<string, number>; evaluations: number; nonCompliant: number };
const counts = async (): Promise<Counts> => (await (await fetch(`${endpoint}/_standin/counts`)).json()) as Counts;
const reset = async (): Promise<void> => void (await fetch(`${endpoint}/_standin/reset`));
const lambdaCalls = (c: Counts) => Object.fromEntries(Object.entries(c.calls).filter(([k]) => k.startsWith('lambda.')));
const controlPlane = (c: Counts) => Object.entries(c.calls).filter(([k]) => k.startsWith('lambda.') && k !== 'lambda.GetFunction' && k !== 'lambda.GetPolicy').reduce((n, [, v]) => n + v, 0);

const scheduled = (rule: string, parameters: Record<string, string>) => ({
  invokingEvent: JSON.stringify({ messageType: 'ScheduledNotification', notificationCreationTime: new Date(BENCH_EPOCH).toISOString(), awsAccountId: '123456789012' }),
  ruleParameters: JSON.stringify(parameters),
  resultToken: 'bench-token',
  eventLeftScope: false,
  configRuleName: rule,
  accountId: '123456789012',
});

function changeEvent(i: number) {
  const f = fleetFunction(i, { functions, versions });
  const item = {
    resourceType: 'AWS::Lambda::Function',
    resourceId: f.name,
    resourceName: f.name,
    ARN: f.arn,
    awsRegion: 'eu-west-1',
    awsAccountId: '123456789012',
    configurationItemCaptureTime: new Date(BENCH_EPOCH).toISOString(),
    configurationItemStatus: 'OK',
    tags: f.tags,
    configuration: { functionName: f.name, functionArn: f.arn, runtime: f.latest.Runtime, packageType: 'Zip', lastModified: f.latest.LastModified, version: '$LATEST' },
  };
  return { ...scheduled('bench-runtime-compliance', {}), invokingEvent: JSON.stringify({ messageType: 'ConfigurationItemChangeNotification', configurationItem: item, notificationCreationTime: new Date(BENCH_EPOCH).toISOString() }) };
}

async function pass(clock: VirtualClock, handler: ReturnType<typeof ruleHandler>['handler'], rule: string, parameters: Record<string, string>) {
  await reset();
  const t0 = clock.now();
  let error: string | undefined;
  try {
    await handler(scheduled(rule, parameters), contextFor(clock, 900_000));
  } catch (err) {
    error = (err as Error).message.slice(0, 300);
  }
  const c = await counts();
  const seconds = (clock.now() - t0) / 1000;
  return { judged: c.evaluations, nonCompliant: c.nonCompliant, seconds: Math.round(seconds), lambdaCalls: lambdaCalls(c), controlPlanePerSecond: controlPlane(c) / seconds, throttled: c.throttled, ...(error && { error }) };
}

async function fleet() {
  const clock = new VirtualClock();
  const { handler, destroy } = ruleHandler({ endpoint, clock, callsPerSecond, reservedConcurrency });
  const store = new DynamoFunctionState(new DynamoDBClient({ endpoint, region: 'eu-west-1', credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' } }), STATE_TABLE, () => {});
  // A new deployment: no state yet. Every function is judged on its runtime; what the first half of the run can read is read.
  const firstPass = await pass(clock, handler, 'bench-runtime-compliance', {});
  // The sweep, every 15 minutes, until it has gone round the whole fleet once.
  await reset();
  const sweepStart = clock.now();
  let sweeps = 0;
  let sweepError: string | undefined;
  for (; sweeps < 2000; sweeps++) {
    const slot = sweepStart + sweeps * 900_000;
    clock.advanceTo(slot);
    try {
      await handler({ action: 'sweep' }, contextFor(clock, 900_000));
    } catch (err) {
      sweepError ??= (err as Error).message.slice(0, 300);
    }
    if ((await store.getCursor())?.lastLapHours !== undefined) break;
  }
  const sweepCounts = await counts();
  const lapSeconds = (clock.now() - sweepStart) / 1000;
  const sweep = { invocations: sweeps + 1, lapHours: Math.round((lapSeconds / 3600) * 10) / 10, lambdaCalls: lambdaCalls(sweepCounts), controlPlanePerSecond: controlPlane(sweepCounts) / lapSeconds, throttled: sweepCounts.throttled, ...(sweepError && { error: sweepError }) };
  // The daily passes of both rules, with the state the sweep read.
  const dailyPass = await pass(clock, handler, 'bench-runtime-compliance', {});
  const updateModePass = await pass(clock, handler, 'bench-update-mode', { scope: 'update-mode' });
  destroy();
  return { functions, versions, firstPass, sweep, dailyPass, updateModePass };
}

async function burst(): Promise<BurstResult & { lambdaCalls: Record<string, number>; throttledCalls: Record<string, number> }> {
  const containers = Array.from({ length: reservedConcurrency }, () => {
    const clock = new VirtualClock();
    return { clock, ...ruleHandler({ endpoint, clock, callsPerSecond, reservedConcurrency }) };
  });
  await reset();
  const result = await simulateAsyncBurst({ events: functions, reservedConcurrency, maximumEventAgeSeconds: 21_600, maximumRetryAttempts: 2 }, async (index, container, startMs) => {
    const c = containers[container]!;
    c.clock.advanceTo(startMs);
    const t0 = c.clock.now();
    try {
      await c.handler(changeEvent(index), contextFor(c.clock, 900_000));
      return { durationMs: c.clock.now() - t0 + 50, ok: true };
    } catch {
      return { durationMs: c.clock.now() - t0 + 50, ok: false };
    }
  });
  const c = await counts();
  for (const k of containers) k.destroy();
  return { ...result, lambdaCalls: lambdaCalls(c), throttledCalls: c.throttled };
}

const out = mode === 'burst' ? await burst() : await fleet();
sample();
clearInterval(sampler);
process.stdout.write(`${JSON.stringify({ ...out, peakHeapMb: Math.round(peak.heapMb), peakRssMb: Math.round(peak.rssMb) })}\n`);
