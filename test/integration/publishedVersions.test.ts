import { Logger } from '@aws-lambda-powertools/logger';
import { CloudWatchClient, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { ConfigServiceClient } from '@aws-sdk/client-config-service';
import { CreateRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { AddPermissionCommand, CreateEventSourceMappingCommand, CreateFunctionCommand, LambdaClient, PublishVersionCommand, UpdateFunctionConfigurationCommand } from '@aws-sdk/client-lambda';
import { CreateQueueCommand, GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createHandler, type ConfigRuleDependencies } from '../../config-rules/runtime-compliance/handler.js';
import { startMoto, type MotoServer } from '../../scripts/emulator/moto.js';
import { DEFAULT_POLICY } from '../../shared/index.js';
import { configEvent, loadEvent, NOW } from '../helpers/fixtures.js';
import { modelErrors } from '../helpers/awsModels.js';

// Published versions that no alias routes to (issue #20, item 2), against moto's server: Lambda
// (PublishVersion, UpdateFunctionConfiguration, CreateEventSourceMapping from SQS, AddPermission
// with a Qualifier, GetPolicy, ListEventSourceMappings) and CloudWatch (PutMetricData of the
// AWS/Lambda Invocations that Lambda itself would emit, GetMetricData) are real. Each case runs
// the periodic pass and the change-triggered path, which read versions and mappings differently.
// moto matches a metric's dimensions in the order given: they are written in the order asked.

const DAY = 86_400_000;
const FIX = 'fix: delete version 1, or move what invokes it to a current version';

describe('published versions that can still run code', () => {
  let moto: MotoServer;
  let lambda: LambdaClient;
  let config: ConfigServiceClient;
  let cloudWatch: CloudWatchClient;
  let roleArn: string;
  const logger = new Logger({ serviceName: 'test', logLevel: 'SILENT' });
  /** Every Lambda and CloudWatch request made through the shared clients since the test began, as sent. */
  const requests: { api: string; params: Record<string, unknown> }[] = [];
  const recordInto = (client: LambdaClient | CloudWatchClient, service: string): void =>
    client.middlewareStack.add(
      (next, context) => async (args) => {
        // Dates become ISO strings, as botocore's validator takes them; paginators reuse one input object.
        requests.push({ api: `${service}.${context.commandName!.replace(/Command$/, '')}`, params: JSON.parse(JSON.stringify(args.input)) as Record<string, unknown> });
        return next(args);
      },
      { step: 'initialize', name: 'record-requests' },
    );

  beforeAll(async () => {
    moto = await startMoto();
    lambda = new LambdaClient(moto.clientConfig);
    config = new ConfigServiceClient({ ...moto.clientConfig, maxAttempts: 1 });
    cloudWatch = new CloudWatchClient(moto.clientConfig);
    recordInto(lambda, 'lambda');
    recordInto(cloudWatch, 'cloudwatch');
  });
  afterAll(async () => {
    lambda?.destroy();
    config?.destroy();
    cloudWatch?.destroy();
    await moto?.stop();
  });
  beforeEach(async () => {
    await moto.reset();
    requests.length = 0;
    const iam = new IAMClient(moto.clientConfig);
    roleArn = (await iam.send(new CreateRoleCommand({ RoleName: 'fn-role', AssumeRolePolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [] }) }))).Role!.Arn!;
    iam.destroy();
  });

  /** A function whose versions 1..n were published on nodejs16.x and whose `$LATEST` now runs nodejs22.x. */
  async function upgradedLeavingVersions(name: string, n = 1): Promise<{ arn: string; versionArns: string[] }> {
    const created = await lambda.send(new CreateFunctionCommand({ FunctionName: name, Role: roleArn, Runtime: 'nodejs16.x', Handler: 'index.handler', Code: { ZipFile: new TextEncoder().encode('exports.handler = async () => ({})') } }));
    const versionArns: string[] = [];
    for (let i = 1; i <= n; i++) {
      // Lambda publishes a version only for a changed function.
      await lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: name, Description: `release ${i}` }));
      versionArns.push((await lambda.send(new PublishVersionCommand({ FunctionName: name }))).FunctionArn!);
    }
    await lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: name, Runtime: 'nodejs22.x' }));
    return { arn: created.FunctionArn!, versionArns };
  }

  /** The Invocations Lambda records for calls of `resource` (`name:version`, or an ARN), a count a day. */
  async function invoked(name: string, resource: string, days: readonly { daysAgo: number; count: number }[]): Promise<void> {
    const today = Math.floor(NOW / DAY) * DAY;
    const MetricData = days.map(({ daysAgo, count }) => ({
      MetricName: 'Invocations',
      Dimensions: [
        { Name: 'FunctionName', Value: name },
        { Name: 'Resource', Value: resource },
      ],
      Timestamp: new Date(today - daysAgo * DAY + 3_600_000),
      Value: count,
      Unit: 'Count' as const,
    }));
    await cloudWatch.send(new PutMetricDataCommand({ Namespace: 'AWS/Lambda', MetricData }));
  }

  async function sqsMapping(queueName: string, versionArn: string): Promise<string> {
    const sqs = new SQSClient(moto.clientConfig);
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: queueName }));
    const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }));
    sqs.destroy();
    return (await lambda.send(new CreateEventSourceMappingCommand({ EventSourceArn: Attributes!.QueueArn!, FunctionName: versionArn }))).UUID!;
  }

  const rule = (overrides: Partial<ConfigRuleDependencies> = {}) =>
    createHandler({ lambda, config, cloudWatch, policyLoader: () => () => Promise.resolve(DEFAULT_POLICY), now: () => NOW, logger, deadlineReserveMs: 5_000, concurrency: 4, ...overrides });

  /** The periodic pass's evaluation of each function, by name. */
  async function periodic(overrides: Partial<ConfigRuleDependencies> = {}): Promise<Record<string, [string, string]>> {
    const result = await rule(overrides)({ ...loadEvent<object>('config', 'scheduled'), resultToken: 'TESTMODE' }, { getRemainingTimeInMillis: () => 600_000 });
    return Object.fromEntries(result.map((e) => [e.ComplianceResourceId, [e.ComplianceType, e.Annotation]]));
  }

  /** The change-triggered evaluation of a function whose configuration item records `$LATEST` on nodejs22.x. */
  async function changed(name: string, arn: string, overrides: Partial<ConfigRuleDependencies> = {}): Promise<[string, string]> {
    const event = configEvent('change-python38', {
      fields: { resultToken: 'TESTMODE' },
      configuration: { functionName: name, functionArn: arn, runtime: 'nodejs22.x', layers: [], lastModified: new Date(NOW - DAY).toISOString() },
      item: { resourceId: name, resourceName: name, ARN: arn, tags: {} },
    });
    const [e] = await rule(overrides)(event);
    return [e!.ComplianceType, e!.Annotation];
  }

  it('a function whose $LATEST is compliant but whose unaliased version 1 runs nodejs16.x and is invoked: NON_COMPLIANT, naming version 1', async () => {
    // Prepare: one version invoked in the last 14 days, one called 40 days ago (by its ARN, the other spelling of Resource), one idle for 100 days
    const recent = await upgradedLeavingVersions('orders-recent');
    await invoked('orders-recent', 'orders-recent:1', [
      { daysAgo: 0, count: 30 },
      { daysAgo: 13, count: 7 },
      { daysAgo: 20, count: 500 },
    ]);
    const monthly = await upgradedLeavingVersions('orders-monthly');
    await invoked('orders-monthly', monthly.versionArns[0]!, [{ daysAgo: 40, count: 3 }]);
    const gone = await upgradedLeavingVersions('orders-gone');
    await invoked('orders-gone', 'orders-gone:1', [{ daysAgo: 100, count: 9 }]);
    // Act
    const byName = await periodic();
    // Assess
    expect(byName['orders-recent']).toEqual(['NON_COMPLIANT', `$LATEST compliant | version 1 (nodejs16.x, RW004): invoked 37 times in 14 days | ${FIX}`]);
    expect(byName['orders-monthly']).toEqual(['NON_COMPLIANT', `$LATEST compliant | version 1 (nodejs16.x, RW004): last invoked ${new Date(Math.floor(NOW / DAY) * DAY - 40 * DAY).toISOString().slice(0, 10)} | ${FIX}`]);
    expect(byName['orders-gone']![0]).toBe('COMPLIANT');
    expect(await changed('orders-recent', recent.arn)).toEqual(byName['orders-recent']);
    expect(await changed('orders-gone', gone.arn)).toEqual(byName['orders-gone']);
  }, 120_000);

  it('names the event source mapping and the resource-policy statement that invoke an unaliased version, reading GetPolicy only where no mapping answers', async () => {
    // Prepare
    const mapped = await upgradedLeavingVersions('orders-ingest');
    const uuid = await sqsMapping('orders', mapped.versionArns[0]!);
    const granted = await upgradedLeavingVersions('orders-notify');
    await lambda.send(new AddPermissionCommand({ FunctionName: 'orders-notify', Qualifier: '1', StatementId: 'sns-orders', Action: 'lambda:InvokeFunction', Principal: 'sns.amazonaws.com', SourceArn: 'arn:aws:sns:eu-west-1:123456789012:orders' }));
    // Act
    const byName = await periodic();
    // Assess
    expect(byName['orders-ingest']).toEqual(['NON_COMPLIANT', `$LATEST compliant | version 1 (nodejs16.x, RW004): event source mapping ${uuid} | ${FIX}`]);
    expect(byName['orders-notify']).toEqual(['NON_COMPLIANT', `$LATEST compliant | version 1 (nodejs16.x, RW004): policy statement sns-orders | ${FIX}`]);
    const listings = requests.filter((r) => r.api === 'lambda.ListEventSourceMappings');
    // Each version nothing else shows in use has its own mappings read (by its ARN): no account-wide listing held in memory.
    expect(listings.map((r) => r.params)).toEqual(expect.arrayContaining([{ FunctionName: mapped.versionArns[0], MaxItems: 100 }]));
    expect(listings).toHaveLength(2);
    expect(requests.filter((r) => r.api === 'lambda.GetPolicy').map((r) => r.params)).toEqual([{ FunctionName: 'orders-notify', Qualifier: '1' }]);
    // The change-triggered path asks for the version's own mappings
    requests.length = 0;
    expect(await changed('orders-ingest', mapped.arn)).toEqual(byName['orders-ingest']);
    expect(requests.filter((r) => r.api === 'lambda.ListEventSourceMappings').map((r) => r.params)).toEqual([{ FunctionName: mapped.versionArns[0], MaxItems: 100 }]);
    expect(await changed('orders-notify', granted.arn)).toEqual(byName['orders-notify']);
  }, 120_000);

  it('warns about a version that is neither referenced nor invoked: delete it, it can still be invoked by its qualified ARN', async () => {
    const { arn } = await upgradedLeavingVersions('orders-idle');
    const byName = await periodic();
    expect(byName['orders-idle']).toEqual([
      'COMPLIANT',
      'Compliant with warnings: $LATEST compliant | version 1 (nodejs16.x, RW004): idle (not invoked in 90 days, nothing references it) | delete it: it can still be invoked by its qualified ARN',
    ]);
    expect(await changed('orders-idle', arn)).toEqual(byName['orders-idle']);
  }, 120_000);

  it('counts a version as possibly in use, never idle, when CloudWatch cannot be read, saying its usage is unknown', async () => {
    // Prepare: nothing references the version; CloudWatch refuses connections
    const { arn } = await upgradedLeavingVersions('orders-idle');
    const unreachable = new CloudWatchClient({ ...moto.clientConfig, endpoint: 'http://127.0.0.1:1', maxAttempts: 1 });
    // Act
    const byName = await periodic({ cloudWatch: unreachable });
    const change = await changed('orders-idle', arn, { cloudWatch: unreachable });
    unreachable.destroy();
    // Assess
    expect(byName['orders-idle']).toEqual(['NON_COMPLIANT', `$LATEST compliant | version 1 (nodejs16.x, RW004): invocations unknown (GetMetricData failed) | ${FIX}`]);
    expect(change).toEqual(byName['orders-idle']);
  }, 120_000);

  it('names as many versions as fit in 256 characters, then how many more', async () => {
    // Prepare: 30 versions on nodejs16.x, each invoked by its qualified ARN
    await upgradedLeavingVersions('orders-api', 30);
    for (let v = 1; v <= 30; v++) await invoked('orders-api', `orders-api:${v}`, [{ daysAgo: 1, count: v }]);
    // Act
    const [compliance, annotation] = (await periodic())['orders-api']!;
    // Assess
    expect(compliance).toBe('NON_COMPLIANT');
    expect(annotation.length).toBeLessThanOrEqual(256);
    const shape = /^\$LATEST compliant \| (.+) \| and (\d+) more \| fix: delete each, or move what invokes it to a current version$/.exec(annotation);
    expect(shape, annotation).not.toBeNull();
    const named = shape![1]!.split(' | ');
    expect(named.length).toBeGreaterThan(0);
    named.forEach((part, i) => expect(part).toBe(`version ${i + 1} (nodejs16.x, RW004): invoked ${i + 1} ${i === 0 ? 'time' : 'times'} in 14 days`));
    expect(named.length + Number(shape![2])).toBe(30);
  }, 120_000);

  it('sends only requests that are valid for their API (botocore models)', async () => {
    // Prepare: every new request - the account's mappings, one version's mappings, a version's policy, its invocations
    const { arn, versionArns } = await upgradedLeavingVersions('orders-idle');
    // Act
    await periodic();
    await changed('orders-idle', arn);
    // Assess
    const checks = requests.filter((r) => ['lambda.ListEventSourceMappings', 'lambda.GetPolicy', 'cloudwatch.GetMetricData'].includes(r.api)).map((r, i) => ({ id: `${i} ${r.api}`, api: r.api, params: r.params }));
    expect(checks.map((c) => c.api).sort()).toEqual(['cloudwatch.GetMetricData', 'cloudwatch.GetMetricData', 'lambda.GetPolicy', 'lambda.GetPolicy', 'lambda.ListEventSourceMappings', 'lambda.ListEventSourceMappings']);
    expect(modelErrors(checks)).toEqual([]);
    // botocore checks no maxima: 100 mappings a page and 500 queries a call are the API References' limits (lambdaInventory.ts, usageMetrics.ts).
    const metricQueries = checks.find((c) => c.api === 'cloudwatch.GetMetricData')!.params.MetricDataQueries;
    expect(metricQueries).toEqual(
      ['orders-idle:1', versionArns[0]].map((Value, i) => ({
        Id: `${i === 0 ? 'n' : 'a'}0`,
        ReturnData: true,
        MetricStat: { Metric: { Namespace: 'AWS/Lambda', MetricName: 'Invocations', Dimensions: [{ Name: 'FunctionName', Value: 'orders-idle' }, { Name: 'Resource', Value }] }, Period: 86400, Stat: 'Sum' },
      })),
    );
  }, 120_000);
});
