import { Logger } from '@aws-lambda-powertools/logger';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { DynamoDBClient, PutItemCommand, ScanCommand } from '@aws-sdk/client-dynamodb';
import { LambdaClient, ListTagsCommand, PutRuntimeManagementConfigCommand } from '@aws-sdk/client-lambda';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createHandler as createNotify } from '../../remediation/notify/handler.js';
import { createHandler as createSwitch, PREVIOUS_MODE_TAG } from '../../remediation/switch-mode/handler.js';
import { DEFAULT_POLICY } from '../../shared/index.js';
import { NotificationLog } from '../../shared/io/notificationLog.js';
import { createAlerting, type AlertingFixture } from '../../scripts/emulator/alerting.js';
import { seedFleet, seedUsage } from '../../scripts/emulator/fleet.js';
import { startMoto, type MotoServer } from '../../scripts/emulator/moto.js';
import { stubRuntimeManagement } from '../../scripts/emulator/runtimeManagementStub.js';

// Remediation against moto's server: Lambda, SNS (read back through an SQS subscription) and the
// DynamoDB notification log are real; Get/PutRuntimeManagementConfig, which moto lacks, are
// added to the Lambda client by a stub that keeps Lambda's rules.

const PIN = 'arn:aws:lambda:eu-west-1::runtime:0af1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f9';

describe('remediation against the emulator', () => {
  let moto: MotoServer;
  let lambda: LambdaClient;
  let sns: SNSClient;
  let sqs: SQSClient;
  let dynamo: DynamoDBClient;
  let modes: Map<string, { UpdateRuntimeOn: string; RuntimeVersionArn?: string }>;
  let topicArn: string;
  let alerting: AlertingFixture;
  const logger = new Logger({ serviceName: 'test', logLevel: 'SILENT' });
  const context = { invokedFunctionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:runtime-warden-notify' };
  const now = Date.parse('2026-11-23T12:00:00Z');

  beforeAll(async () => {
    moto = await startMoto();
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
    lambda?.destroy();
    lambda = new LambdaClient(moto.clientConfig);
    modes = stubRuntimeManagement(lambda);
    alerting = await createAlerting(sns, sqs, dynamo);
    topicArn = alerting.topicArn;
  });

  const received = () => alerting.received();

  const notify = (at = now) =>
    createNotify({ lambda, snsFor: () => sns, log: new NotificationLog(dynamo, alerting.tableName), topicArn, region: 'eu-west-1', defaultQuietPeriodMinutes: 60, loadPolicy: () => Promise.resolve(DEFAULT_POLICY), now: () => at, logger });
  /** The notification log as DynamoDB holds it: claim key, sentAt and expiresAt (epoch seconds). */
  const claims = async () =>
    ((await dynamo.send(new ScanCommand({ TableName: alerting.tableName }))).Items ?? []).map((i) => ({ pk: i.pk!.S!, sentAt: Number(i.sentAt?.N), expiresAt: Number(i.expiresAt?.N) }));
  const iso = (seconds: number) => new Date(seconds * 1000).toISOString().replace('.000Z', 'Z');

  it('notify on a critical nodejs16.x function publishes exactly one message, and none again within the quiet period', async () => {
    await seedFleet(moto.clientConfig, [{ name: 'checkout', runtime: 'nodejs16.x', tags: { 'runtime-warden:tier': 'critical', owner: 'team-payments' } }]);
    modes.set('checkout', { UpdateRuntimeOn: 'FunctionUpdate' });
    // Act
    const first = await notify()({ functionName: 'checkout' }, context);
    const second = await notify()({ functionName: 'checkout' }, context);
    // Assess
    const messages = await received();
    expect(first).toMatchObject({ published: true, compliance: 'NON_COMPLIANT' });
    const [stored] = await claims();
    expect(second).toMatchObject({ published: false, reason: `An alert for the same findings went out at ${iso(stored!.sentAt)}; the next one may go out from ${iso(stored!.expiresAt)} (quiet period 60 minutes).` });
    expect(stored!.expiresAt - stored!.sentAt).toBe(3600);
    expect(messages).toHaveLength(1);
    expect(messages[0]!.Subject).toBe('[runtime-warden] NON_COMPLIANT checkout: RW004 runtime-deprecated');
    expect(messages[0]!.Message).toContain('Runtime:      nodejs16.x');
    expect(messages[0]!.Message).toContain('deprecation: 2024-06-12');
    expect(messages[0]!.Message).toMatch(/Recommended: {2}upgrade to nodejs2\d\.x/);
    expect(messages[0]!.Message).toContain('Owner:        team-payments');
    expect(messages[0]!.MessageAttributes).toMatchObject({ severity: { Value: 'error' }, tier: { Value: 'critical' }, runtime: { Value: 'nodejs16.x' }, account: { Value: '123456789012' } });
  });

  it("notify says how much the function is used, from CloudWatch: invocations and last day, or none in 90 days", async () => {
    const busy = { name: 'checkout', runtime: 'nodejs16.x', tags: {}, invocations: [{ daysAgo: 0, count: 40 }, { daysAgo: 13, count: 2 }, { daysAgo: 14, count: 1000 }] };
    const idle = { name: 'legacy-export', runtime: 'python3.8', tags: {}, invocations: [{ daysAgo: 120, count: 5 }] };
    await seedFleet(moto.clientConfig, [busy, idle, { name: 'orders-old', runtime: 'nodejs16.x', tags: {} }]);
    await seedUsage(moto.clientConfig, [busy, idle], now);
    const cloudWatch = new CloudWatchClient(moto.clientConfig);
    const withUsage = createNotify({ lambda, snsFor: () => sns, log: new NotificationLog(dynamo, alerting.tableName), topicArn, region: 'eu-west-1', defaultQuietPeriodMinutes: 60, loadPolicy: () => Promise.resolve(DEFAULT_POLICY), now: () => now, logger, cloudWatch });
    // Act
    await withUsage({ functionName: 'checkout' }, context);
    await withUsage({ functionName: 'legacy-export' }, context);
    // Assess
    const messages = new Map((await received()).map((m) => [m.Subject!.split(' ')[2]!.replace(':', ''), m.Message!]));
    expect(messages.get('checkout')).toContain('Usage:        42 invocations in the last 14 days; last invoked 2026-11-23');
    expect(messages.get('legacy-export')).toContain('Usage:        no invocation in 90 days: a candidate for deletion rather than an upgrade');
    // CloudWatch unreadable (here: a wrong endpoint) costs the line its figures, never the alert.
    const broken = new CloudWatchClient({ ...moto.clientConfig, endpoint: 'http://127.0.0.1:9', maxAttempts: 1 });
    const unread = createNotify({ lambda, snsFor: () => sns, log: new NotificationLog(dynamo, alerting.tableName), topicArn, region: 'eu-west-1', defaultQuietPeriodMinutes: 60, loadPolicy: () => Promise.resolve(DEFAULT_POLICY), now: () => now, logger, cloudWatch: broken });
    expect(await unread({ functionName: 'orders-old' }, context)).toMatchObject({ published: true });
    expect((await received())[0]!.Message).toContain('Usage:        unknown (CloudWatch could not be read)');
    cloudWatch.destroy();
    broken.destroy();
  });

  it('notify fans the alert in to a central topic in another region, and a retry after a failed publish pages only the topic that missed it', async () => {
    // Prepare: the central topic in us-east-1, served by the same emulator; SNS Publish only
    // reaches a topic through its own region's endpoint.
    const east = { ...moto.clientConfig, region: 'us-east-1' };
    const [snsEast, sqsEast] = [new SNSClient(east), new SQSClient(east)];
    const central = await createAlerting(snsEast, sqsEast, dynamo, 'org-runtime-alerts');
    expect(central.topicArn).toContain(':us-east-1:');
    await seedFleet(moto.clientConfig, [
      { name: 'checkout', runtime: 'nodejs16.x', tags: {} },
      { name: 'billing', runtime: 'nodejs16.x', tags: {} },
    ]);
    let centralDown = false;
    const snsFor = (region: string) =>
      region !== 'us-east-1' ? sns : centralDown ? { send: () => Promise.reject(Object.assign(new Error('Rate exceeded'), { name: 'Throttling' })) } : snsEast;
    const handler = createNotify({ lambda, snsFor, log: new NotificationLog(dynamo, alerting.tableName), topicArn, centralTopicArn: central.topicArn, region: 'eu-west-1', defaultQuietPeriodMinutes: 60, loadPolicy: () => Promise.resolve(DEFAULT_POLICY), now: () => now, logger });
    // Act
    const both = await handler({ functionName: 'checkout' }, context);
    centralDown = true;
    const failed = handler({ functionName: 'billing' }, context);
    await expect(failed).rejects.toThrow(/^Could not publish the alert for billing to arn:aws:sns:us-east-1:.*: Throttling: Rate exceeded$/);
    centralDown = false;
    const retried = await handler({ functionName: 'billing' }, context);
    // Assess
    expect(both).toMatchObject({ published: true });
    expect(retried).toMatchObject({ published: true });
    expect((await central.received()).map((m) => m.Subject).sort()).toEqual(['[runtime-warden] NON_COMPLIANT billing: RW004 runtime-deprecated', '[runtime-warden] NON_COMPLIANT checkout: RW004 runtime-deprecated']);
    expect((await received()).map((m) => m.Subject).sort()).toEqual(['[runtime-warden] NON_COMPLIANT billing: RW004 runtime-deprecated', '[runtime-warden] NON_COMPLIANT checkout: RW004 runtime-deprecated']);
    for (const c of [snsEast, sqsEast]) c.destroy();
  });

  it("notify keeps the deployment's quiet period whatever the caller asks, in the claim it stores (#20.4)", async () => {
    await seedFleet(moto.clientConfig, [{ name: 'checkout', runtime: 'nodejs16.x', tags: {} }]);
    // Act
    expect(await notify()({ functionName: 'checkout', quietPeriodMinutes: 525_600 }, context)).toMatchObject({ published: true });
    // Assess: the claim lasts the deployment's 60 minutes, and after them the alert goes out again
    const [stored] = await claims();
    expect(stored!.expiresAt - stored!.sentAt).toBe(3600);
    expect(await notify(now + 61 * 60_000)({ functionName: 'checkout', quietPeriodMinutes: 525_600 }, context)).toMatchObject({ published: true });
    expect(await received()).toHaveLength(2);
  });

  it.each([
    ['an expiry in 2099', (c: { sentAt: number }) => ({ sentAt: { N: String(c.sentAt) }, expiresAt: { N: '4102444800' } }), 61],
    ['no sentAt', () => ({ expiresAt: { N: '4102444800' } }), 0],
    ['a sentAt in the future', () => ({ sentAt: { N: '4102444000' }, expiresAt: { N: '4102444800' } }), 0],
  ])('notify honours a claim written into the table with %s for no longer than its quiet period (#20.4)', async (_, forged, minutesLater) => {
    // Prepare: an alert, then its claim rewritten by whoever could write the table (the key is computable)
    await seedFleet(moto.clientConfig, [{ name: 'checkout', runtime: 'nodejs16.x', tags: {} }]);
    await notify()({ functionName: 'checkout' }, context);
    const [claim] = await claims();
    await dynamo.send(new PutItemCommand({ TableName: alerting.tableName, Item: { pk: { S: claim!.pk }, ...forged({ sentAt: claim!.sentAt }) } }));
    // Act
    const later = await notify(now + minutesLater * 60_000)({ functionName: 'checkout' }, context);
    // Assess
    expect(later).toMatchObject({ published: true });
    expect(await received()).toHaveLength(2);
  });

  it('notify states when the stored claim ends, as it holds the alert back: a forged expiry of 2099 ends with its quiet period (#20.4)', async () => {
    await seedFleet(moto.clientConfig, [{ name: 'checkout', runtime: 'nodejs16.x', tags: {} }]);
    await notify()({ functionName: 'checkout' }, context);
    const [claim] = await claims();
    await dynamo.send(new PutItemCommand({ TableName: alerting.tableName, Item: { pk: { S: claim!.pk }, sentAt: { N: String(claim!.sentAt) }, expiresAt: { N: '4102444800' } } }));
    // Act
    const meanwhile = await notify(now + 60_000)({ functionName: 'checkout' }, context);
    // Assess
    expect(meanwhile).toMatchObject({ published: false, reason: `An alert for the same findings went out at ${iso(claim!.sentAt)}; the next one may go out from ${iso(claim!.sentAt + 3600)} (quiet period 60 minutes).` });
  });

  it('notify publishes nothing for a compliant function', async () => {
    await seedFleet(moto.clientConfig, [{ name: 'search', runtime: 'python3.13', tags: {} }]);
    expect(await notify()({ functionName: 'search' }, context)).toMatchObject({ published: false, compliance: 'COMPLIANT' });
    expect(await received()).toEqual([]);
  });

  it('notify fails clearly for a function that does not exist, and for a topic that does not exist', async () => {
    await expect(notify()({ functionName: 'ghost' }, context)).rejects.toThrow('Function ghost does not exist in account 123456789012, region eu-west-1: nothing to remediate.');
    await seedFleet(moto.clientConfig, [{ name: 'checkout', runtime: 'nodejs16.x', tags: {} }]);
    const broken = createNotify({ lambda, snsFor: () => sns, log: new NotificationLog(dynamo, alerting.tableName), topicArn: `${topicArn}-gone`, region: 'eu-west-1', defaultQuietPeriodMinutes: 60, loadPolicy: () => Promise.resolve(DEFAULT_POLICY), now: () => now, logger });
    await expect(broken({ functionName: 'checkout' }, context)).rejects.toThrow(/^Could not publish the alert for checkout to .*-gone: NotFound/);
    // The failed attempt gave its claim back: the next run pages.
    expect(await notify()({ functionName: 'checkout' }, context)).toMatchObject({ published: true });
  });

  it('switch-mode sets an expired Manual pin to Auto, reports the previous ARN, and does nothing the second time', async () => {
    await seedFleet(moto.clientConfig, [{ name: 'orders', runtime: 'python3.13', tags: { 'runtime-warden:tier': 'important' } }]);
    await lambda.send(new PutRuntimeManagementConfigCommand({ FunctionName: 'orders', UpdateRuntimeOn: 'Manual', RuntimeVersionArn: PIN }));
    const later = now + 45 * 86_400_000;
    const handler = createSwitch({ lambda, region: 'eu-west-1', loadPolicy: () => Promise.resolve(DEFAULT_POLICY), now: () => later, logger });
    // Act
    const dry = await handler({ functionName: 'orders', dryRun: 'true' });
    const afterDry = { ...modes.get('orders') };
    const first = await handler({ functionName: 'orders' });
    const second = await handler({ functionName: 'orders' });
    // Assess
    expect(dry).toMatchObject({ action: 'dry-run', applied: { UpdateRuntimeOn: 'Auto' } });
    expect(afterDry).toEqual({ UpdateRuntimeOn: 'Manual', RuntimeVersionArn: PIN });
    expect(first).toMatchObject({ action: 'changed', previous: { UpdateRuntimeOn: 'Manual', RuntimeVersionArn: PIN }, applied: { UpdateRuntimeOn: 'Auto' } });
    expect(modes.get('orders')).toEqual({ UpdateRuntimeOn: 'Auto' });
    const { Tags } = await lambda.send(new ListTagsCommand({ Resource: 'arn:aws:lambda:eu-west-1:123456789012:function:orders' }));
    expect(Tags?.[PREVIOUS_MODE_TAG]).toMatch(new RegExp(`^Manual ${PIN} \\d{4}-`));
    expect(second).toMatchObject({ action: 'unchanged' });
  });

  it('switch-mode fails clearly for a function that does not exist', async () => {
    const handler = createSwitch({ lambda, region: 'eu-west-1', loadPolicy: () => Promise.resolve(DEFAULT_POLICY), now: () => now, logger });
    await expect(handler({ functionName: 'ghost' }, context)).rejects.toThrow('Function ghost does not exist in account 123456789012, region eu-west-1: nothing to remediate.');
  });
});
