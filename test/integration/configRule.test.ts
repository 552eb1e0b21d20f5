import { Logger } from '@aws-lambda-powertools/logger';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { ConfigServiceClient } from '@aws-sdk/client-config-service';
import { GetFunctionConfigurationCommand, LambdaClient, ListTagsCommand, UntagResourceCommand } from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createHandler } from '../../config-rules/runtime-compliance/handler.js';
import { DEFAULT_POLICY } from '../../shared/index.js';
import { sampleFleet, seedFleet } from '../../scripts/emulator/fleet.js';
import { startMoto, type MotoServer } from '../../scripts/emulator/moto.js';
import { loadEvent, NOW } from '../helpers/fixtures.js';

// The Config rule against moto's server: Lambda reads are real; PutEvaluations is real in
// TestMode (moto stores nothing otherwise), and what it received is read back from the
// emulator's request recording. moto has no GetResourceConfigHistory for Lambda and runs no
// SQL for SelectResourceConfig (it answers no rows): the oversized path and Config's recorded
// tags stub only that call on an otherwise real client.

const camel = (v: unknown): unknown =>
  Array.isArray(v) ? v.map(camel) : v && typeof v === 'object' ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k[0]!.toLowerCase() + k.slice(1), camel(x)])) : v;

describe('config rule against the emulator', () => {
  let moto: MotoServer;
  let lambda: LambdaClient;
  let config: ConfigServiceClient;
  let cloudWatch: CloudWatchClient;
  const logger = new Logger({ serviceName: 'test', logLevel: 'SILENT' });
  const deps = () => ({ lambda, config, cloudWatch, policyLoader: () => () => Promise.resolve(DEFAULT_POLICY), now: () => NOW, logger, deadlineReserveMs: 5_000, concurrency: 8 });

  beforeAll(async () => {
    moto = await startMoto({ record: true });
    lambda = new LambdaClient(moto.clientConfig);
    config = new ConfigServiceClient({ ...moto.clientConfig, maxAttempts: 1 });
    cloudWatch = new CloudWatchClient(moto.clientConfig);
  });
  afterAll(async () => {
    lambda?.destroy();
    config?.destroy();
    cloudWatch?.destroy();
    await moto?.stop();
  });
  beforeEach(() => moto.reset());

  /** What the emulator received in PutEvaluations calls. */
  async function putEvaluations(): Promise<{ ComplianceResourceId: string; ComplianceType: string; Annotation: string }[][]> {
    return (await moto.recorded())
      .filter((r) => r.target === 'StarlingDoveService.PutEvaluations')
      .map((r) => (JSON.parse(r.body) as { Evaluations: { ComplianceResourceId: string; ComplianceType: string; Annotation: string }[]; TestMode: boolean }).Evaluations);
  }

  /** The emulator's own view of a function, as Config records its configuration. */
  async function configurationOf(functionName: string): Promise<Record<string, unknown>> {
    const { $metadata: _, ...configuration } = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: functionName }));
    return configuration;
  }

  /** A change notification built from the emulator's own view of a function. */
  async function changeEvent(functionName: string): Promise<unknown> {
    const cfg = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: functionName }));
    const { Tags } = await lambda.send(new ListTagsCommand({ Resource: cfg.FunctionArn!.replace(/:\$LATEST$/, '') }));
    const event = loadEvent<{ invokingEvent: string; resultToken: string }>('config', 'change-python38');
    const inv = JSON.parse(event.invokingEvent) as { configurationItem: Record<string, unknown> };
    const { $metadata: _, ...configuration } = cfg;
    Object.assign(inv.configurationItem, { resourceId: functionName, resourceName: functionName, ARN: cfg.FunctionArn, tags: Tags, configuration: camel(configuration) });
    return { ...event, invokingEvent: JSON.stringify(inv), resultToken: 'TESTMODE' };
  }

  it('reports a python3.8 function NON_COMPLIANT on a change event, naming the runtime and its deprecation date', async () => {
    await seedFleet(moto.clientConfig, [{ name: 'orders-ingest', runtime: 'python3.8', tags: { 'runtime-warden:tier': 'important' } }]);
    const result = await createHandler(deps())(await changeEvent('orders-ingest'));
    expect(result).toEqual([expect.objectContaining({ ComplianceResourceId: 'orders-ingest', ComplianceType: 'NON_COMPLIANT', Annotation: expect.stringContaining('python3.8 is deprecated since 2024-10-14') })]);
    expect(await putEvaluations()).toEqual([[expect.objectContaining({ ComplianceResourceId: 'orders-ingest', ComplianceType: 'NON_COMPLIANT', Annotation: result[0]!.Annotation })]]);
  });

  it('reaches the same verdict for an oversized item after fetching it', async () => {
    await seedFleet(moto.clientConfig, [{ name: 'orders-ingest', runtime: 'python3.8', tags: {} }]);
    const direct = (await createHandler(deps())(await changeEvent('orders-ingest')))[0]!;
    const item = JSON.parse((JSON.parse(JSON.stringify(await changeEvent('orders-ingest'))) as { invokingEvent: string }).invokingEvent).configurationItem;
    const history = new ConfigServiceClient(moto.clientConfig);
    history.middlewareStack.add(
      (next, context) => async (args) =>
        context.commandName === 'GetResourceConfigHistoryCommand'
          ? { output: { configurationItems: [{ ...item, configuration: JSON.stringify(item.configuration) }], $metadata: {} }, response: {} }
          : next(args),
      { step: 'initialize', name: 'moto-lacks-lambda-config-history' },
    );
    const oversized = { ...loadEvent<object>('config', 'oversized-python38'), resultToken: 'TESTMODE' };
    const [e] = await createHandler({ ...deps(), config: history })(oversized);
    expect(e).toEqual(direct);
    history.destroy();
  });

  it("judges a function without the waiver tag Config's record still carries but the function has lost, and reads no other function's tags again", async () => {
    // Prepare: Config recorded these tags; since then the waiver was removed from legacy-billing
    const recordedTags: Record<string, Record<string, string>> = {
      'legacy-billing': { owner: 'team-billing', 'runtime-warden:waiver': '2026-12-31 migration booked' },
      'orders-ingest': { owner: 'team-orders' },
      checkout: { 'runtime-warden:tier': 'critical' },
    };
    await seedFleet(moto.clientConfig, [
      { name: 'legacy-billing', runtime: 'python3.8', tags: recordedTags['legacy-billing']! },
      { name: 'orders-ingest', runtime: 'python3.8', tags: recordedTags['orders-ingest']! },
      { name: 'checkout', runtime: 'python3.13', tags: recordedTags.checkout! },
    ]);
    const arn = (await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: 'legacy-billing' }))).FunctionArn!;
    await lambda.send(new UntagResourceCommand({ Resource: arn, TagKeys: ['runtime-warden:waiver'] }));
    const recordedConfig = new ConfigServiceClient({ ...moto.clientConfig, maxAttempts: 1 });
    recordedConfig.middlewareStack.add(
      (next, context) => async (args) =>
        context.commandName === 'SelectResourceConfigCommand'
          ? { output: { Results: await Promise.all(Object.entries(recordedTags).map(async ([resourceName, tags]) => JSON.stringify({ resourceName, configuration: camel(await configurationOf(resourceName)), tags: Object.entries(tags).map(([key, value]) => ({ key, value })) }))), $metadata: {} }, response: {} }
          : next(args),
      { step: 'initialize', name: 'moto-lacks-lambda-advanced-query' },
    );
    const reads: string[] = [];
    const counted = new LambdaClient(moto.clientConfig);
    counted.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === 'GetFunctionCommand' || context.commandName === 'ListTagsCommand') reads.push(`${context.commandName} ${JSON.stringify(args.input)}`);
        return next(args);
      },
      { step: 'initialize', name: 'count-tag-reads' },
    );
    // Act
    const result = await createHandler({ ...deps(), lambda: counted, config: recordedConfig })({ ...loadEvent<object>('config', 'scheduled'), resultToken: 'TESTMODE' }, { getRemainingTimeInMillis: () => 600_000 });
    recordedConfig.destroy();
    counted.destroy();
    // Assess: the lost waiver no longer counts; only that function's tags were read again
    const byName = new Map(result.map((e) => [e.ComplianceResourceId, e]));
    expect(byName.get('legacy-billing')).toMatchObject({ ComplianceType: 'NON_COMPLIANT', Annotation: expect.stringMatching(/^RW004 python3\.8 is deprecated since 2024-10-14/) });
    expect(byName.get('legacy-billing')!.Annotation).not.toMatch(/waive/i);
    expect(byName.get('orders-ingest')).toMatchObject({ ComplianceType: 'NON_COMPLIANT' });
    expect(byName.get('checkout')).toMatchObject({ ComplianceType: 'COMPLIANT' });
    expect(reads).toEqual(['GetFunctionCommand {"FunctionName":"legacy-billing"}']);
  });

  it('reports a deleted function NOT_APPLICABLE', async () => {
    const [e] = await createHandler(deps())({ ...loadEvent<object>('config', 'deleted'), resultToken: 'TESTMODE' });
    expect(e).toMatchObject({ ComplianceResourceId: 'orders-ingest', ComplianceType: 'NOT_APPLICABLE' });
    expect((await putEvaluations()).flat()).toEqual([expect.objectContaining({ ComplianceResourceId: 'orders-ingest', ComplianceType: 'NOT_APPLICABLE' })]);
  });

  it('reports exactly 1,000 evaluations for 1,000 functions in at most 10 PutEvaluations calls', async () => {
    // Prepare
    const fleet = sampleFleet(1000);
    await seedFleet(moto.clientConfig, fleet);
    // Act
    const result = await createHandler(deps())({ ...loadEvent<object>('config', 'scheduled'), resultToken: 'TESTMODE' }, { getRemainingTimeInMillis: () => 600_000 });
    // Assess: what the handler returns and what the emulator received agree
    const received = await putEvaluations();
    expect(result).toHaveLength(1000);
    expect(received.length).toBeLessThanOrEqual(Math.ceil(1000 / 100));
    expect(received.every((batch) => batch.length <= 100)).toBe(true);
    expect(received.flat().map((e) => e.ComplianceResourceId).sort()).toEqual(fleet.map((f) => f.name).sort());
    const byName = new Map(result.map((e) => [e.ComplianceResourceId, e]));
    const first = (pred: (f: (typeof fleet)[number]) => boolean): string => fleet.find(pred)!.name;
    expect(byName.get(first((f) => f.runtime === 'nodejs16.x'))).toMatchObject({ ComplianceType: 'NON_COMPLIANT', Annotation: expect.stringContaining('nodejs16.x is deprecated since 2024-06-12') });
    expect(byName.get(first((f) => f.aliasOn !== undefined))).toMatchObject({ ComplianceType: 'NON_COMPLIANT', Annotation: expect.stringMatching(/^\$LATEST compliant \| version 1 \(nodejs16\.x, RW004\): alias prod \| /) });
    expect(byName.get(first((f) => f.runtime === undefined))).toMatchObject({ ComplianceType: 'NOT_APPLICABLE' });
    expect(byName.get(first((f) => f.runtime === 'python3.13' && !('runtime-warden:waiver' in f.tags)))).toMatchObject({ ComplianceType: 'COMPLIANT' });
  }, 300_000);
});
