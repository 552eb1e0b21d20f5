import { Logger } from '@aws-lambda-powertools/logger';
import { ConfigServiceClient } from '@aws-sdk/client-config-service';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CreateRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { CreateFunctionCommand, GetFunctionConfigurationCommand, LambdaClient, ListTagsCommand, PublishLayerVersionCommand, type PublishLayerVersionCommandInput } from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createHandler } from '../../config-rules/runtime-compliance/handler.js';
import { DEFAULT_POLICY } from '../../shared/index.js';
import { DynamoFunctionState, STATE_KEY } from '../../shared/io/functionState.js';
import { startMoto, type MotoServer } from '../../scripts/emulator/moto.js';
import { loadEvent, NOW } from '../helpers/fixtures.js';

// The Config rule's layer judgement against moto's server: layers published with
// PublishLayerVersion, functions using them, the state table in moto's DynamoDB. moto runs no
// SQL for Config's advanced query, so the pass lists the functions from Lambda (with their
// Layers, as Config's item carries configuration.layers). Every Lambda request is counted.

const TABLE = 'function-state';
const camel = (v: unknown): unknown =>
  Array.isArray(v) ? v.map(camel) : v && typeof v === 'object' ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k[0]!.toLowerCase() + k.slice(1), camel(x)])) : v;

describe('Config rule: layers judged where functions run', () => {
  let moto: MotoServer;
  let lambda: LambdaClient;
  let config: ConfigServiceClient;
  let dynamo: DynamoDBClient;
  let calls: string[];
  const logger = new Logger({ serviceName: 'test', logLevel: 'SILENT' });
  const zip = { ZipFile: new TextEncoder().encode('layer') };

  beforeAll(async () => {
    moto = await startMoto();
    lambda = new LambdaClient(moto.clientConfig);
    lambda.middlewareStack.add((next, context) => async (args) => (calls.push(context.commandName ?? ''), next(args)), { step: 'initialize', name: 'count' });
    config = new ConfigServiceClient({ ...moto.clientConfig, maxAttempts: 1 });
    dynamo = new DynamoDBClient(moto.clientConfig);
  });
  afterAll(async () => {
    lambda?.destroy();
    config?.destroy();
    dynamo?.destroy();
    await moto?.stop();
  });
  beforeEach(async () => {
    await moto.reset();
    calls = [];
    await dynamo.send(new CreateTableCommand({ TableName: TABLE, BillingMode: 'PAY_PER_REQUEST', AttributeDefinitions: [{ AttributeName: STATE_KEY, AttributeType: 'S' }], KeySchema: [{ AttributeName: STATE_KEY, KeyType: 'HASH' }] }));
  });

  const handler = () =>
    createHandler({ lambda, config, state: new DynamoFunctionState(dynamo, TABLE, () => {}), policyLoader: () => () => Promise.resolve(DEFAULT_POLICY), now: () => NOW, logger, deadlineReserveMs: 5_000, concurrency: 4 });
  const context = { getRemainingTimeInMillis: () => 600_000 };
  const scheduled = () => ({ ...loadEvent<object>('config', 'scheduled'), resultToken: 'TESTMODE' });
  const publish = async (input: Omit<PublishLayerVersionCommandInput, 'Content'>) => (await lambda.send(new PublishLayerVersionCommand({ ...input, Content: zip }))).LayerVersionArn!;

  async function createFunction(name: string, runtime: string, layers: string[]): Promise<void> {
    const iam = new IAMClient(moto.clientConfig);
    const role = await iam.send(new CreateRoleCommand({ RoleName: `role-${name}`, AssumeRolePolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }] }) }));
    iam.destroy();
    await lambda.send(new CreateFunctionCommand({ FunctionName: name, Role: role.Role!.Arn!, Runtime: runtime as never, Handler: 'index.handler', Code: { ZipFile: new TextEncoder().encode('x') }, Layers: layers }));
  }

  async function changeEvent(name: string): Promise<unknown> {
    const { $metadata: _, ...cfg } = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: name }));
    const { Tags } = await lambda.send(new ListTagsCommand({ Resource: cfg.FunctionArn! }));
    const event = loadEvent<{ invokingEvent: string }>('config', 'change-python38');
    const inv = JSON.parse(event.invokingEvent) as { configurationItem: Record<string, unknown> };
    Object.assign(inv.configurationItem, { resourceId: name, resourceName: name, ARN: cfg.FunctionArn, tags: Tags ?? {}, configuration: camel(cfg) });
    return { ...event, invokingEvent: JSON.stringify(inv), resultToken: 'TESTMODE' };
  }

  it('the sweep reads a layer version once; the next passes judge it from the table, naming the layer and the target, with no layer call', async () => {
    const utils = await publish({ LayerName: 'shared-utils', CompatibleRuntimes: ['python3.8', 'python3.9'], CompatibleArchitectures: ['x86_64'] });
    await createFunction('orders', 'python3.9', [utils]);
    await createFunction('billing', 'python3.9', [utils]);
    const h = handler();
    // Before the sweep: the pass says the layers are not read yet, and makes no layer call.
    const [before] = (await h(scheduled(), context)).filter((e) => e.ComplianceResourceId === 'orders');
    expect(before!.Annotation).toContain('layers not read yet');
    expect(calls.filter((c) => c === 'GetLayerVersionCommand')).toEqual([]);
    // The sweep reads the shared version once for both functions.
    await h({ action: 'sweep' }, context);
    expect(calls.filter((c) => c === 'GetLayerVersionCommand')).toHaveLength(1);
    calls = [];
    for (let pass = 0; pass < 2; pass++) {
      const result = await handler()(scheduled(), context);
      const orders = result.find((e) => e.ComplianceResourceId === 'orders')!;
      expect(orders.ComplianceType).toBe('NON_COMPLIANT');
      expect(orders.Annotation).toMatch(/^RW004 python3\.9 is deprecated/);
      expect(orders.Annotation).toMatch(/ \| layer shared-utils:1 declares python3\.8, python3\.9 only: publish a version compatible with python3\.11 first$/);
      expect(orders.Annotation.length).toBeLessThanOrEqual(256);
    }
    expect(calls.filter((c) => c === 'GetLayerVersionCommand')).toEqual([]);
  });

  it('a change reads its function’s uncached layers live, once; a layer declaring nothing is unknown, said once; warnings alone change no verdict', async () => {
    const utils = await publish({ LayerName: 'shared-utils', CompatibleRuntimes: ['python3.8', 'python3.9'] });
    const bare = await publish({ LayerName: 'bare' });
    const good = await publish({ LayerName: 'good', CompatibleRuntimes: ['python3.13'] });
    await createFunction('orders', 'python3.9', [utils, bare]);
    await createFunction('current', 'python3.13', [good, bare]);
    const [orders] = await handler()(await changeEvent('orders'));
    expect(orders).toMatchObject({ ComplianceType: 'NON_COMPLIANT' });
    expect(orders!.Annotation).toContain('| layer shared-utils:1 declares python3.8, python3.9 only: publish a version compatible with python3.11 first; layer bare:1 unknown (declares no runtimes)');
    expect(orders!.Annotation.match(/unknown/g)).toHaveLength(1);
    expect(calls.filter((c) => c === 'GetLayerVersionCommand')).toHaveLength(2);
    // The other function shares `bare`: only its own new version is read.
    calls = [];
    const [current] = await handler()(await changeEvent('current'));
    expect(calls.filter((c) => c === 'GetLayerVersionCommand')).toHaveLength(1);
    // A compliant function stays compliant: a layer declaring nothing is no finding to act on for it.
    expect(current).toMatchObject({ ComplianceType: 'COMPLIANT' });
    expect(current!.Annotation).not.toContain('layer');
  });

  it('a layer of another account that cannot be read is said on the verdict, never taken as compatible, and kept for a day', async () => {
    const foreign = 'arn:aws:lambda:eu-west-1:210987654321:layer:vendor-sdk:4';
    const utils = await publish({ LayerName: 'shared-utils', CompatibleRuntimes: ['python3.13'] });
    await createFunction('orders', 'python3.13', [utils]);
    const event = (await changeEvent('orders')) as { invokingEvent: string };
    const inv = JSON.parse(event.invokingEvent) as { configurationItem: { configuration: { layers: unknown[] } } };
    inv.configurationItem.configuration.layers.push({ arn: foreign });
    // moto answers any other account's layer as not found; AWS answers AccessDenied when it is not shared.
    lambda.middlewareStack.add(
      (next, context) => async (args) => {
        const input = args.input as { LayerName?: string };
        if (context.commandName === 'GetLayerVersionCommand' && input.LayerName?.includes(':210987654321:')) throw Object.assign(new Error('User is not authorized to perform: lambda:GetLayerVersion'), { name: 'AccessDeniedException', $metadata: { httpStatusCode: 403 } });
        return next(args);
      },
      { step: 'initialize', name: 'cross-account-denied' },
    );
    const h = handler();
    const [e] = await h({ ...event, invokingEvent: JSON.stringify(inv) });
    expect(e).toMatchObject({ ComplianceType: 'COMPLIANT', Annotation: expect.stringContaining('| layer vendor-sdk:4 could not be read (AccessDeniedException)') });
    calls = [];
    await handler()({ ...event, invokingEvent: JSON.stringify(inv) });
    expect(calls.filter((c) => c === 'GetLayerVersionCommand')).toEqual([]);
    lambda.middlewareStack.remove('cross-account-denied');
  });
});
