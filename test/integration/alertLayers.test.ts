import { Logger } from '@aws-lambda-powertools/logger';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CreateRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { CreateFunctionCommand, LambdaClient, PublishLayerVersionCommand, PutRuntimeManagementConfigCommand, type PublishLayerVersionCommandInput } from '@aws-sdk/client-lambda';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createHandler as createNotify } from '../../remediation/notify/handler.js';
import { readForAlert } from '../../remediation/notify/read.js';
import { DEFAULT_POLICY } from '../../shared/index.js';
import { DynamoFunctionState, STATE_KEY } from '../../shared/io/functionState.js';
import { LayerCache } from '../../shared/io/layerCache.js';
import { NotificationLog } from '../../shared/io/notificationLog.js';
import { alertSubject, buildNotification } from '../../shared/remediation/notification.js';
import { createAlerting, type AlertingFixture } from '../../scripts/emulator/alerting.js';
import { startMoto, type MotoServer } from '../../scripts/emulator/moto.js';
import { stubRuntimeManagement } from '../../scripts/emulator/runtimeManagementStub.js';
import { NOW } from '../helpers/fixtures.js';

// The alert's layers and pins against moto: layers published with PublishLayerVersion, the
// kept layer versions in moto's DynamoDB state table, Lambda requests counted. The alert is
// built as the notify handler builds it (readForAlert -> alertSubject -> buildNotification),
// with the layer reads the handler is to pass; the pin through the handler itself, SNS and all.

const TABLE = 'function-state';
const PIN = 'arn:aws:lambda:eu-west-1::runtime:0af1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f9';
const where = { accountId: '123456789012', region: 'eu-west-1' };

describe('the alert: layers that block the move, and pins with their age', () => {
  let moto: MotoServer;
  let lambda: LambdaClient;
  let dynamo: DynamoDBClient;
  let calls: string[];
  beforeAll(async () => {
    moto = await startMoto();
    dynamo = new DynamoDBClient(moto.clientConfig);
  });
  afterAll(async () => {
    lambda?.destroy();
    dynamo?.destroy();
    await moto?.stop();
  });
  beforeEach(async () => {
    await moto.reset();
    lambda?.destroy();
    lambda = new LambdaClient(moto.clientConfig);
    calls = [];
    lambda.middlewareStack.add((next, context) => async (args) => (calls.push(context.commandName ?? ''), next(args)), { step: 'initialize', name: 'count' });
    await dynamo.send(new CreateTableCommand({ TableName: TABLE, BillingMode: 'PAY_PER_REQUEST', AttributeDefinitions: [{ AttributeName: STATE_KEY, AttributeType: 'S' }], KeySchema: [{ AttributeName: STATE_KEY, KeyType: 'HASH' }] }));
  });

  const publish = async (input: Omit<PublishLayerVersionCommandInput, 'Content'>) => (await lambda.send(new PublishLayerVersionCommand({ ...input, Content: { ZipFile: new TextEncoder().encode('layer') } }))).LayerVersionArn!;
  async function createFunction(name: string, runtime: string, layers: string[] = [], tags: Record<string, string> = {}): Promise<void> {
    const iam = new IAMClient(moto.clientConfig);
    const role = await iam.send(new CreateRoleCommand({ RoleName: `role-${name}`, AssumeRolePolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }] }) }));
    iam.destroy();
    await lambda.send(new CreateFunctionCommand({ FunctionName: name, Role: role.Role!.Arn!, Runtime: runtime as never, Handler: 'index.handler', Code: { ZipFile: new TextEncoder().encode('x') }, Layers: layers, Tags: tags }));
  }
  /** What the handler does, with the layer reads (a cache that does not write: the notify role only reads the table). */
  async function alert(name: string): Promise<string> {
    const cache = new LayerCache(lambda, new DynamoFunctionState(dynamo, TABLE, () => {}), { now: () => NOW, persist: false });
    const read = await readForAlert(lambda, name, where, { cache, policy: DEFAULT_POLICY, now: NOW });
    const s = alertSubject(read, [], DEFAULT_POLICY, NOW);
    return buildNotification(s.facts, s.findings, s.verdict, DEFAULT_POLICY, NOW, where).message;
  }

  it('names the layer that blocks the target and the one declaring nothing, once each; with the version kept, no layer call', async () => {
    const utils = await publish({ LayerName: 'shared-utils', CompatibleRuntimes: ['python3.8', 'python3.9'], CompatibleArchitectures: ['x86_64'] });
    const bare = await publish({ LayerName: 'bare' });
    await createFunction('orders', 'python3.9', [utils, bare]);
    const first = await alert('orders');
    expect(first).toContain('Recommended:  upgrade to python3.11');
    expect(first).toContain('Layers:       shared-utils:1 declares python3.8, python3.9: blocks python3.11 (RW018); bare:1 declares no runtimes: compatibility unknown (RW022)');
    expect(first).toContain('- [RW018 warning] Layer shared-utils:1 declares python3.8, python3.9, not python3.11: publish a version of `shared-utils` compatible with python3.11 first.');
    expect(first.match(/\[RW022 info\]/g)).toHaveLength(1);
    expect(calls.filter((c) => c === 'GetLayerVersionCommand')).toHaveLength(2);
    // The Config rule's sweep keeps them: the next alert reads the table, and Lambda for nothing but the function.
    const store = new DynamoFunctionState(dynamo, TABLE, () => {});
    await new LayerCache(lambda, store, { now: () => NOW }).read([utils, bare]);
    calls = [];
    expect(await alert('orders')).toBe(first);
    expect(calls).toEqual(['GetFunctionCommand']);
  });

  it('reads no layer for a function that need not move', async () => {
    const utils = await publish({ LayerName: 'shared-utils', CompatibleRuntimes: ['python3.8'] });
    await createFunction('current', 'python3.13', [utils]);
    calls = [];
    const message = await alert('current');
    expect(message).not.toContain('Layers:');
    expect(calls).toEqual(['GetFunctionCommand']);
  });

  it('names a layer of another account that cannot be read, never as compatible', async () => {
    const utils = await publish({ LayerName: 'shared-utils', CompatibleRuntimes: ['python3.9', 'python3.11'] });
    await createFunction('orders', 'python3.9', [utils]);
    const foreign = 'arn:aws:lambda:eu-west-1:210987654321:layer:vendor-sdk:4';
    // moto keeps a function's layers only if they exist in it: the foreign one is added to what GetFunction answers.
    lambda.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === 'GetLayerVersionCommand' && (args.input as { LayerName?: string }).LayerName?.includes(':210987654321:')) throw Object.assign(new Error('User is not authorized to perform: lambda:GetLayerVersion'), { name: 'AccessDeniedException', $metadata: { httpStatusCode: 403 } });
        const out = await next(args);
        if (context.commandName === 'GetFunctionCommand') (out.output as { Configuration: { Layers: { Arn: string }[] } }).Configuration.Layers.push({ Arn: foreign });
        return out;
      },
      { step: 'initialize', name: 'cross-account' },
    );
    const message = await alert('orders');
    expect(message).toContain('Layers:       shared-utils:1 declares python3.9, python3.11; vendor-sdk:4 could not be read (AccessDeniedException: User is not authorized to perform: lambda:GetLayerVersion): compatibility unknown');
  });

  describe('pins, through the notify handler', () => {
    let sns: SNSClient;
    let sqs: SQSClient;
    let alerting: AlertingFixture;
    beforeEach(async () => {
      sns = new SNSClient(moto.clientConfig);
      sqs = new SQSClient(moto.clientConfig);
      stubRuntimeManagement(lambda);
      alerting = await createAlerting(sns, sqs, dynamo);
    });
    const notify = () =>
      createNotify({ lambda, snsFor: () => sns, log: new NotificationLog(dynamo, alerting.tableName), topicArn: alerting.topicArn, region: 'eu-west-1', defaultQuietPeriodMinutes: 60, loadPolicy: () => Promise.resolve(DEFAULT_POLICY), now: () => NOW, logger: new Logger({ logLevel: 'SILENT' }) });

    it('shows the pinned runtime version and the age of the pin from the rollback tag, or that the age is unknown', async () => {
      // The important tier does not allow Manual: the alert is about the pin.
      await createFunction('pinned', 'python3.13', [], { 'runtime-warden:tier': 'important', 'runtime-warden:rollback': '2026-11-13T12:00:00Z by alice: pdf rendering broke' });
      await createFunction('pinned-by-hand', 'python3.13', [], { 'runtime-warden:tier': 'important' });
      for (const f of ['pinned', 'pinned-by-hand']) await lambda.send(new PutRuntimeManagementConfigCommand({ FunctionName: f, UpdateRuntimeOn: 'Manual', RuntimeVersionArn: PIN }));
      const context = { invokedFunctionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:runtime-warden-notify' };
      expect(await notify()({ functionName: 'pinned' }, context)).toMatchObject({ published: true });
      expect(await notify()({ functionName: 'pinned-by-hand' }, context)).toMatchObject({ published: true });
      const messages = new Map((await alerting.received()).map((m) => [m.Subject!.split(' ')[2]!.replace(':', ''), m.Message!]));
      expect(messages.get('pinned')).toContain(`Update mode:  Manual, pinned to ${PIN}; pinned 10 days ago (runtime-warden:rollback: 2026-11-13T12:00:00Z by alice: pdf rendering broke)`);
      expect(messages.get('pinned-by-hand')).toContain(`Update mode:  Manual, pinned to ${PIN}; age unknown: no runtime-warden:rollback tag`);
      sns.destroy();
      sqs.destroy();
    });
  });
});
