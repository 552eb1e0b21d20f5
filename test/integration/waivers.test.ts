import { BatchGetItemCommand, CreateTableCommand, DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { DeleteFunctionCommand, LambdaClient, TagResourceCommand, UntagResourceCommand } from '@aws-sdk/client-lambda';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createHandler as createDigest } from '../../waivers/digest/handler.js';
import { factsFromFunctionConfiguration } from '../../shared/adapters/lambdaApi.js';
import { evaluateFunction, type ConfigEvaluation } from '../../shared/config/decision.js';
import { DEFAULT_POLICY } from '../../shared/index.js';
import { listFunctions, readTags } from '../../shared/io/lambdaInventory.js';
import { LEDGER_KEY, WaiverLedger } from '../../shared/io/waiverLedger.js';
import { WaiverWatch, type WaiverWatchDependencies } from '../../shared/waivers/watch.js';
import { createAlerting, type AlertingFixture } from '../../scripts/emulator/alerting.js';
import { seedFleet, type FunctionSpec } from '../../scripts/emulator/fleet.js';
import { startMoto, type MotoServer } from '../../scripts/emulator/moto.js';

// The waiver ledger against moto's DynamoDB, Lambda and SNS (read back through an SQS
// subscription): judged the way the Config rule's periodic pass judges (the ledger read 100
// records a call ahead of the pass, then each function), and the weekly digest.

const DAY = 86_400_000;
const ACCOUNT_ARN = 'arn:aws:lambda:eu-west-1:123456789012:function';
const WAIVER = 'runtime-warden:waiver';
const TIER = 'runtime-warden:tier';
const logger = { info: () => undefined };

describe('the waiver ledger against the emulator', () => {
  let moto: MotoServer;
  let lambda: LambdaClient;
  let sns: SNSClient;
  let sqs: SQSClient;
  let dynamo: DynamoDBClient;
  let alerting: AlertingFixture;
  let ledger: WaiverLedger;
  let deps: WaiverWatchDependencies;

  beforeAll(async () => {
    moto = await startMoto({ record: true });
    lambda = new LambdaClient(moto.clientConfig);
    sns = new SNSClient(moto.clientConfig);
    sqs = new SQSClient(moto.clientConfig);
    dynamo = new DynamoDBClient(moto.clientConfig);
  });
  afterAll(async () => {
    for (const c of [lambda, sns, sqs, dynamo]) c?.destroy();
    await moto?.stop();
  });
  beforeEach(async () => {
    await moto.reset();
    alerting = await createAlerting(sns, sqs, dynamo, 'runtime-warden-security');
    await dynamo.send(
      new CreateTableCommand({
        TableName: 'waiver-ledger',
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [{ AttributeName: LEDGER_KEY, AttributeType: 'S' }],
        KeySchema: [{ AttributeName: LEDGER_KEY, KeyType: 'HASH' }],
      }),
    );
    ledger = new WaiverLedger(dynamo, 'waiver-ledger');
    deps = { ledger, sns, topicArn: alerting.topicArn, logger };
  });

  /** One periodic pass as the Config rule makes it: the ledger read ahead, then each function judged with it. */
  async function pass(now: number, watchDeps = deps): Promise<Map<string, ConfigEvaluation>> {
    const watch = new WaiverWatch(watchDeps, DEFAULT_POLICY, now);
    const listed = await listFunctions(lambda, false);
    await watch.prefetch(listed.map((f) => f.latest.FunctionArn!));
    const out = new Map<string, ConfigEvaluation>();
    for (const fn of listed) {
      const facts = factsFromFunctionConfiguration(fn.latest, { tags: await readTags(lambda, fn.latest.FunctionArn!) });
      out.set(facts.name, await watch.judged(facts, async (f) => evaluateFunction(f, [], DEFAULT_POLICY, now, new Date(now))));
    }
    return out;
  }

  const seed = (specs: FunctionSpec[]) => seedFleet(moto.clientConfig, specs);
  const tag = (name: string, tags: Record<string, string>) => lambda.send(new TagResourceCommand({ Resource: `${ACCOUNT_ARN}:${name}`, Tags: tags }));
  const calls = async (operation: string) => (await moto.recorded()).filter((r) => r.target === `DynamoDB_20120810.${operation}`).length;

  it('judges a deprecated runtime with a tag waiver compliant, announces the waiver once, and nothing on the next pass', async () => {
    // Prepare
    const now = Date.parse('2026-11-23T12:00:00Z');
    await seed([
      { name: 'checkout', runtime: 'nodejs16.x', tags: { [WAIVER]: '2026-12-31 upgrade planned in sprint 48', owner: 'team-payments' } },
      { name: 'search', runtime: 'python3.13', tags: {} },
    ]);
    // Act
    const first = await pass(now);
    const announced = await alerting.received();
    const second = await pass(now + 3_600_000);
    // Assess
    expect(first.get('checkout')).toMatchObject({ ComplianceType: 'COMPLIANT' });
    expect(first.get('checkout')!.Annotation).toContain('RW013');
    expect(announced.map((m) => m.Subject)).toEqual(['[runtime-warden] Waiver applied: checkout']);
    expect(announced[0]!.Message).toContain('Reason:       upgrade planned in sprint 48');
    expect(announced[0]!.Message).toContain(`Function:     ${ACCOUNT_ARN}:checkout`);
    expect(announced[0]!.MessageAttributes).toMatchObject({ kind: { Value: 'waiver-applied' }, function: { Value: 'checkout' } });
    expect(second.get('checkout')).toMatchObject({ ComplianceType: 'COMPLIANT' });
    expect(await alerting.received()).toEqual([]);
    const item = await dynamo.send(new GetItemCommand({ TableName: 'waiver-ledger', Key: { [LEDGER_KEY]: { S: `${ACCOUNT_ARN}:checkout` } } }));
    expect(item.Item?.waiverTagSince).toEqual({ S: '2026-11-23' });
  });

  it('refuses a renewed tag waiver past maxDays from the first sighting, also after the tag was removed and set again', async () => {
    // Prepare: first seen 2026-10-01, waived until 2026-12-01.
    const day0 = Date.parse('2026-10-01T09:00:00Z');
    await seed([{ name: 'billing', runtime: 'nodejs16.x', tags: { [WAIVER]: '2026-12-01 waiting for the vendor SDK' } }]);
    expect((await pass(day0)).get('billing')).toMatchObject({ ComplianceType: 'COMPLIANT' });
    await alerting.received();
    // Act: 80 days later, re-tagged to 2027-01-25 - 36 days ahead, but 116 days after the first sighting.
    const day80 = day0 + 80 * DAY;
    await tag('billing', { [WAIVER]: '2027-01-25 waiting for the vendor SDK' });
    const renewed = await pass(day80);
    await lambda.send(new UntagResourceCommand({ Resource: `${ACCOUNT_ARN}:billing`, TagKeys: [WAIVER] }));
    await pass(day80 + DAY);
    await tag('billing', { [WAIVER]: '2027-01-25 waiting for the vendor SDK' });
    const readded = await pass(day80 + 2 * DAY);
    // Assess
    for (const judged of [renewed, readded]) {
      expect(judged.get('billing')).toMatchObject({ ComplianceType: 'NON_COMPLIANT' });
      expect(judged.get('billing')!.Annotation).toMatch(/^RW004 /);
    }
    expect(await alerting.received()).toEqual([]);
    expect((await ledger.get(`${ACCOUNT_ARN}:billing`))!.waiverTagSince).toBe('2026-10-01');
  });

  it('announces a tier tag lowered once, and not a tier raised', async () => {
    // Prepare
    const now = Date.parse('2026-11-23T12:00:00Z');
    await seed([{ name: 'orders', runtime: 'python3.13', tags: { [TIER]: 'critical' } }]);
    await pass(now);
    // Act
    await tag('orders', { [TIER]: 'non-critical' });
    await pass(now + DAY);
    const lowered = await alerting.received();
    await pass(now + 2 * DAY);
    await tag('orders', { [TIER]: 'critical' });
    await pass(now + 3 * DAY);
    // Assess
    expect(lowered.map((m) => m.Subject)).toEqual(['[runtime-warden] Tier lowered: orders critical -> non-critical']);
    expect(lowered[0]!.Message).toContain('Tier tag:     runtime-warden:tier is "non-critical", was "critical"');
    expect(await alerting.received()).toEqual([]);
  });

  it('reads the ledger 100 records a call on a periodic pass, and writes nothing when nothing changed', async () => {
    // Prepare
    const now = Date.parse('2026-11-23T12:00:00Z');
    await seed(Array.from({ length: 101 }, (_, i) => ({ name: `fn-${String(i).padStart(3, '0')}`, runtime: 'python3.13', tags: {} })));
    // Act
    await pass(now);
    const first = { batch: await calls('BatchGetItem'), get: await calls('GetItem'), put: await calls('PutItem') };
    await pass(now + 3_600_000);
    const both = { batch: await calls('BatchGetItem'), get: await calls('GetItem'), put: await calls('PutItem') };
    // Assess: 101 records in 2 calls a pass, no single reads; one write per function, once.
    expect(first).toEqual({ batch: 2, get: 0, put: 101 });
    expect(both).toEqual({ batch: 4, get: 0, put: 101 });
  });

  it('announces once when two runs judge the same function at the same time', async () => {
    // Prepare: both runs read the ledger ahead before either writes.
    const now = Date.parse('2026-11-23T12:00:00Z');
    await seed([{ name: 'checkout', runtime: 'nodejs16.x', tags: { [WAIVER]: '2026-12-31 upgrade planned' } }]);
    const { latest } = (await listFunctions(lambda, false))[0]!;
    const facts = factsFromFunctionConfiguration(latest, { tags: await readTags(lambda, latest.FunctionArn!) });
    const [a, b] = [new WaiverWatch(deps, DEFAULT_POLICY, now), new WaiverWatch(deps, DEFAULT_POLICY, now)];
    await a.prefetch([latest.FunctionArn!]);
    await b.prefetch([latest.FunctionArn!]);
    const judge = async () => 'judged';
    // Act
    await a.judged(facts, judge);
    await b.judged(facts, judge);
    // Assess
    expect((await alerting.received()).map((m) => m.Subject)).toEqual(['[runtime-warden] Waiver applied: checkout']);
    expect((await ledger.get(`${ACCOUNT_ARN}:checkout`))!.revision).toBe(1);
  });

  it('gives the claim back when the announcement cannot be published, so the next pass announces', async () => {
    const now = Date.parse('2026-11-23T12:00:00Z');
    await seed([{ name: 'checkout', runtime: 'nodejs16.x', tags: { [WAIVER]: '2026-12-31 upgrade planned' } }]);
    // Act
    const failed = pass(now, { ...deps, topicArn: `${alerting.topicArn}-gone` });
    // Assess
    await expect(failed).rejects.toMatchObject({ name: 'WaiverAnnouncementError', message: expect.stringMatching(/^Could not announce to .*-gone: \[runtime-warden\] Waiver applied: checkout: NotFound/) });
    expect((await ledger.get(`${ACCOUNT_ARN}:checkout`))!.waivers).toEqual([]);
    await pass(now + 3_600_000);
    expect((await alerting.received()).map((m) => m.Subject)).toEqual(['[runtime-warden] Waiver applied: checkout']);
  });

  it('sends a weekly digest of the waivers in force, those expiring within 14 days first; a deleted function leaves it', async () => {
    // Prepare
    const now = Date.parse('2026-11-23T12:00:00Z');
    await seed([
      { name: 'billing', runtime: 'nodejs16.x', tags: { [WAIVER]: '2027-01-20 vendor SDK' } },
      { name: 'checkout', runtime: 'nodejs16.x', tags: { [WAIVER]: '2026-11-30 release freeze' } },
      { name: 'orders', runtime: 'python3.9', tags: { [WAIVER]: '2026-12-24 holiday freeze' } },
      { name: 'legacy', runtime: 'nodejs18.x', tags: { [WAIVER]: '2026-12-02 to be deleted' } },
      { name: 'search', runtime: 'python3.13', tags: { [WAIVER]: '2026-12-01 nothing to waive' } },
    ]);
    await pass(now);
    await alerting.received();
    await lambda.send(new DeleteFunctionCommand({ FunctionName: 'legacy' }));
    await new WaiverWatch(deps, DEFAULT_POLICY, now).retire(`${ACCOUNT_ARN}:legacy`);
    const digest = createDigest({ ledger, sns, topicArn: alerting.topicArn, region: 'eu-west-1', now: () => now + DAY, logger });
    // Act
    const result = await digest({}, { invokedFunctionArn: `${ACCOUNT_ARN}:runtime-warden-waiver-digest` });
    // Assess
    const [message] = await alerting.received();
    expect(result).toEqual({ waivers: 3, expiringSoon: 1, subject: '[runtime-warden] Weekly waiver digest: 3 in force, 1 expiring within 14 days' });
    expect(message!.Subject).toBe(result.subject);
    expect(message!.Message.split('\n').filter((l) => l.startsWith('- ') || l.endsWith(':'))).toEqual([
      'Expiring within 14 days (1):',
      '- 2026-11-30 (7 days left)  checkout  tag waiver  RW004  reason: release freeze',
      'Later (2):',
      '- 2026-12-24 (31 days left)  orders  tag waiver  RW004  reason: holiday freeze',
      '- 2027-01-20 (58 days left)  billing  tag waiver  RW004  reason: vendor SDK',
    ]);
    expect(message!.Message).toContain('account 123456789012, region eu-west-1');
  });

  it('fails with its own error when the table is missing, never as a function that is gone', async () => {
    const missing = new WaiverLedger(dynamo, 'no-such-table');
    await expect(missing.get(`${ACCOUNT_ARN}:checkout`)).rejects.toMatchObject({ name: 'WaiverLedgerError', message: expect.stringMatching(/^Waiver ledger no-such-table: ResourceNotFoundException/) });
  });
});

describe('the waiver ledger when DynamoDB throttles', () => {
  // An emulator does not throttle: the retry of UnprocessedKeys is checked against a client mock.
  const key = (n: number) => ({ [LEDGER_KEY]: { S: `${ACCOUNT_ARN}:fn-${n}` } });
  const item = (n: number) => ({ ...key(n), functionName: { S: `fn-${n}` }, waivers: { L: [] }, revision: { N: '1' } });

  it('asks again for the keys DynamoDB left unprocessed, backing off, and gives up after 8 rounds', async () => {
    // Prepare
    const dynamo = new DynamoDBClient({ region: 'eu-west-1' });
    const mock = mockClient(dynamo);
    const sleeps: number[] = [];
    const ledger = new WaiverLedger(dynamo, 't', async (ms) => void sleeps.push(ms));
    mock
      .on(BatchGetItemCommand)
      .resolvesOnce({ Responses: { t: [item(1)] }, UnprocessedKeys: { t: { Keys: [key(2)] } } })
      .resolvesOnce({ Responses: { t: [item(2)] } });
    // Act
    const found = await ledger.getMany([`${ACCOUNT_ARN}:fn-1`, `${ACCOUNT_ARN}:fn-2`, `${ACCOUNT_ARN}:fn-1`]);
    // Assess
    expect([...found.keys()]).toEqual([`${ACCOUNT_ARN}:fn-1`, `${ACCOUNT_ARN}:fn-2`]);
    expect(mock.commandCalls(BatchGetItemCommand).map((c) => c.args[0].input.RequestItems!.t!.Keys)).toEqual([[key(1), key(2)], [key(2)]]);
    expect(sleeps).toEqual([100]);
    mock.reset().on(BatchGetItemCommand).resolves({ Responses: { t: [] }, UnprocessedKeys: { t: { Keys: [key(3)] } } });
    await expect(ledger.getMany([`${ACCOUNT_ARN}:fn-3`])).rejects.toMatchObject({ name: 'WaiverLedgerError', message: 'Waiver ledger t: Error: 1 records still unprocessed after 8 BatchGetItem rounds' });
    dynamo.destroy();
  });
});
