import { Logger } from '@aws-lambda-powertools/logger';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { BENCH_EPOCH, contextFor, ruleHandler, STATE_TABLE } from '../../bench/scale/harness.js';
import { fleetFunction, startStandIn, type StandIn } from '../../bench/scale/standIn.js';
import { VirtualClock } from '../../bench/scale/virtualClock.js';
import { MODE_PENDING } from '../../shared/config/decision.js';
import { DynamoFunctionState } from '../../shared/io/functionState.js';

// The Config rule as deployed (real SDK clients, the production rate limiter and state store)
// against the loopback stand-in of bench/scale/standIn.ts, which answers Config's advanced query
// with rows (moto runs no SQL) and pages and throttles as Lambda does, on a virtual clock.

const scheduled = (rule: string, parameters: Record<string, string> = {}) => ({
  invokingEvent: JSON.stringify({ messageType: 'ScheduledNotification', notificationCreationTime: new Date(BENCH_EPOCH).toISOString() }),
  ruleParameters: JSON.stringify(parameters),
  resultToken: 'token',
  configRuleName: rule,
});

function changeEvent(i: number, shape: { functions: number; versions: number }) {
  const f = fleetFunction(i, shape);
  const configurationItem = {
    resourceType: 'AWS::Lambda::Function',
    resourceId: f.name,
    resourceName: f.name,
    ARN: f.arn,
    configurationItemCaptureTime: new Date(BENCH_EPOCH).toISOString(),
    configurationItemStatus: 'OK',
    tags: f.tags,
    configuration: { functionName: f.name, functionArn: f.arn, runtime: f.latest.Runtime, packageType: 'Zip', lastModified: f.latest.LastModified, version: '$LATEST' },
  };
  return { ...scheduled('runtime'), invokingEvent: JSON.stringify({ messageType: 'ConfigurationItemChangeNotification', configurationItem }) };
}

describe('the Config rule at scale, against the stand-in', () => {
  let standIn: StandIn | undefined;
  const cleanups: (() => void)[] = [];
  afterEach(async () => {
    cleanups.splice(0).forEach((c) => c());
    await standIn?.close();
  });

  async function setup(shape: { functions: number; versions: number }, overrides: Parameters<typeof ruleHandler>[0]['overrides'] = {}) {
    standIn = await startStandIn(shape);
    const clock = new VirtualClock();
    const logger = new Logger({ serviceName: 'test', logLevel: 'SILENT' });
    const error = vi.spyOn(logger, 'error');
    const rule = ruleHandler({ endpoint: standIn.endpoint, clock, callsPerSecond: 5, reservedConcurrency: 3, overrides: { logger, ...overrides } });
    const dynamo = new DynamoDBClient({ endpoint: standIn.endpoint, region: 'eu-west-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
    cleanups.push(rule.destroy, () => dynamo.destroy());
    return { s: standIn, clock, handler: rule.handler, error, store: new DynamoFunctionState(dynamo, STATE_TABLE, () => {}) };
  }
  const lambdaCalls = (s: StandIn) => [...s.calls].filter(([k]) => k.startsWith('lambda.') && k !== 'lambda.GetFunction').reduce((n, [, v]) => n + v, 0);

  it('judges every function in a pass when the sweep has read only a fraction, saying what is not read yet', async () => {
    // Prepare: 2,000 functions; one short sweep reads some of them
    const { s, clock, handler, store } = await setup({ functions: 2000, versions: 1 });
    await handler({ action: 'sweep' }, contextFor(clock, 120_000));
    const swept = (await store.getCursor())!.after;
    // Act: the daily pass of each rule
    s.evaluations.clear();
    await handler(scheduled('runtime'), contextFor(clock, 900_000));
    const runtime = new Map(s.evaluations);
    s.evaluations.clear();
    await handler(scheduled('update-mode', { scope: 'update-mode' }), contextFor(clock, 900_000));
    const modes = new Map(s.evaluations);
    // Assess: every function has a verdict from each rule
    expect(runtime.size).toBe(2000);
    expect(modes.size).toBe(2000);
    const pending = [...runtime].filter(([, e]) => e.Annotation.endsWith('update mode, versions not read yet'));
    // Those the sweep or the pass read are judged on everything; the rest on their runtime, saying what is pending.
    expect(pending.length).toBeGreaterThan(1000);
    expect(pending.every(([name]) => name > swept)).toBe(true);
    // fn-000002 runs nodejs20.x (deprecated) and was read by the sweep.
    expect(runtime.get('fn-000002')).toMatchObject({ ComplianceType: 'NON_COMPLIANT', Annotation: expect.stringMatching(/^RW004 nodejs20\.x is deprecated/) });
    expect(runtime.get('fn-000002')!.Annotation).not.toContain('not read yet');
    // The update-mode rule's pass read more modes in its own first half; the rest are pending, never COMPLIANT.
    const modePending = [...modes.values()].filter((e) => e.ComplianceType === 'NOT_APPLICABLE');
    expect(modePending.length).toBeGreaterThan(500);
    expect(new Set(modePending.map((e) => e.Annotation))).toEqual(new Set([`${MODE_PENDING}: the sweep reads it, or the function's next change.`]));
    expect([...modes.values()].filter((e) => e.ComplianceType === 'COMPLIANT' || e.ComplianceType === 'NON_COMPLIANT').length).toBe(2000 - modePending.length);
  }, 120_000);

  it('keeps its cursor between runs, goes on after it, and wraps to the first function, timing the lap', async () => {
    const { clock, handler, store } = await setup({ functions: 60, versions: 0 }, { sweepBatch: 25, refreshAfterMs: 0, deadlineReserveMs: 0 });
    // Each run has 30 virtual seconds: about 25 reads at 1.67 calls/s and 2 calls a function.
    await handler({ action: 'sweep' }, contextFor(clock, 15_000));
    const first = (await store.getCursor())!;
    expect(first.after > 'fn-000000' && first.after < 'fn-000059').toBe(true);
    await handler({ action: 'sweep' }, contextFor(clock, 15_000));
    const second = (await store.getCursor())!;
    expect(second.after > first.after).toBe(true);
    expect(second.lastLapHours).toBeUndefined();
    const readAt = async (name: string) => (await store.getMany([name])).get(name)?.mode?.at;
    for (let run = 0; run < 10 && (await store.getCursor())!.lastLapHours === undefined; run++) await handler({ action: 'sweep' }, contextFor(clock, 15_000));
    const lapped = (await store.getCursor())!;
    expect(lapped.lastLapHours).toBeGreaterThanOrEqual(0);
    expect(lapped.after < first.after).toBe(true);
    expect(Date.parse(lapped.lapStartedAt!)).toBeGreaterThan(Date.parse(first.lapStartedAt!));
    // The first function was read again on the second lap.
    expect(Date.parse((await readAt('fn-000000'))!)).toBeGreaterThan(Date.parse(first.lapStartedAt!));
  }, 60_000);

  it('stores what a change notification read at once, so that the next pass judges from it without a Lambda call', async () => {
    const shape = { functions: 40, versions: 2 };
    const { s, clock, handler, store } = await setup(shape);
    for (let i = 0; i < shape.functions; i++) await handler(changeEvent(i, shape), contextFor(clock, 900_000));
    const stored = (await store.getMany(['fn-000020'])).get('fn-000020')!;
    expect(stored.mode).toMatchObject({ updateMode: 'Auto' });
    expect(stored.versions?.list.map((v) => [v.v, v.r])).toEqual([['1', 'nodejs16.x'], ['2', 'nodejs22.x']]);
    expect(stored.versions?.uses).toEqual([expect.objectContaining({ v: '1', aliases: ['prod'] })]);
    s.resetCounts();
    s.evaluations.clear();
    await handler(scheduled('runtime'), contextFor(clock, 900_000));
    expect(s.evaluations.get('fn-000020')).toEqual({ ComplianceType: 'NON_COMPLIANT', Annotation: '$LATEST compliant | version 1 (nodejs16.x, RW004): alias prod | fix: delete version 1, or move what invokes it to a current version' });
    expect(s.evaluations.size).toBe(40);
    expect(lambdaCalls(s)).toBe(0);
  }, 60_000);

  it("lists from Lambda, logging an error, when Config's inventory is empty while Lambda has functions", async () => {
    const { s, clock, handler, error } = await setup({ functions: 120, versions: 0 });
    s.inventory = false;
    await handler(scheduled('runtime'), contextFor(clock, 900_000));
    expect(s.evaluations.size).toBe(120);
    expect(s.calls.get('lambda.ListTags')).toBe(120);
    expect(error).toHaveBeenCalledWith("AWS Config's inventory cannot serve the periodic pass: functions are listed from Lambda, on its control-plane quota", { reason: expect.stringContaining('has no Lambda function while Lambda lists some') });
  }, 60_000);
});
