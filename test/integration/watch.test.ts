import { CloudWatchClient, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { CloudWatchLogsClient, CreateLogGroupCommand, CreateLogStreamCommand, FilterLogEventsCommand, PutLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { GetFunctionCommand } from '@aws-sdk/client-lambda';
import { ResourceGroupsTaggingAPIClient } from '@aws-sdk/client-resource-groups-tagging-api';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { ResponseCode } from '@cdklabs/cdk-ssm-documents';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runWatch, type WatchDependencies } from '../../remediation/notify/watch.js';
import { createAlerting, type AlertingFixture } from '../../scripts/emulator/alerting.js';
import { seedFleet } from '../../scripts/emulator/fleet.js';
import { parsePolicy, type Policy } from '../../shared/index.js';
import { NotificationLog } from '../../shared/io/notificationLog.js';
import { TokenBucket } from '../../shared/io/rateLimit.js';
import { DynamoWatchStore } from '../../shared/io/watchState.js';
import { ROLLBACK_TAG } from '../../shared/remediation/rollback.js';
import { WATCH_ALERT_KIND } from '../../shared/remediation/watch.js';
import { modelErrors, type ModelCheck } from '../helpers/awsModels.js';
import { loadTemplate, renderTemplate } from '../helpers/cfnRender.js';
import { motoPerTest } from '../helpers/motoPerTest.js';
import { RemediationInvoker, simulate, simulatorDocument, type DocumentContent } from '../helpers/ssmSimulation.js';

// The runtime version watch against moto's server: functions and their tags (Lambda; the Tagging
// API's GetResources), INIT_START lines in CloudWatch Logs, AWS/Lambda Errors and Invocations put
// with PutMetricData and read back with GetMetricData, the watch records and claims in the
// notification log table (DynamoDB), alerts read back through an SQS subscription. moto has no
// StartAutomationExecution: the watch's call is validated against botocore's model and the
// template's RollbackDocument run with its parameters in AWS's SSM Automation simulator, the real
// switch-mode handler behind it (runtime management through the project's stub).

const A = 'arn:aws:lambda:eu-west-1::runtime:aaaa1111aaaa1111aaaa1111aaaa1111aaaa1111aaaa1111aaaa1111aaaa1111';
const B = 'arn:aws:lambda:eu-west-1::runtime:bbbb2222bbbb2222bbbb2222bbbb2222bbbb2222bbbb2222bbbb2222bbbb2222';
const H = 3_600_000;
const MIN = 60_000;
// Real time: CloudWatch and its Logs take recent data points and events.
const T = Math.floor(Date.now() / MIN) * MIN;
const WHERE = { accountId: '123456789012', region: 'eu-west-1' };
const SWITCH_ARN = 'arn:aws:lambda:eu-west-1:123456789012:function:SwitchModeFunction';
const ROLE = 'arn:aws:iam::123456789012:role/rw-switch-mode-automation';
const content = renderTemplate(loadTemplate('template.yaml'), {}, { resolve: true }).Resources.RollbackDocument!.Properties!.Content as unknown as DocumentContent;
const rollbackDocument = simulatorDocument('RollbackDocument', content);

const policyWith = (tiers: Record<string, object>, defaultTier = 'non-critical'): Policy =>
  parsePolicy({
    version: 1,
    tiers: {
      defaultTier,
      definitions: {
        important: { allowedUpdateModes: ['FunctionUpdate', 'Auto'], upgradeLeadDays: 90, ...tiers.important },
        critical: { allowedUpdateModes: ['Manual', 'FunctionUpdate'], preferredUpdateMode: 'FunctionUpdate', upgradeLeadDays: 180, ...tiers.critical },
        'non-critical': { allowedUpdateModes: ['Auto'], upgradeLeadDays: 30, ...tiers['non-critical'] },
      },
    },
  });
const POLICY = policyWith({ important: { watch: {} }, critical: { watch: { act: 'rollback' } } });

type Logged = { level: string; message: string; extra: Record<string, unknown> };

describe('the runtime version watch', () => {
  const emu = motoPerTest();
  let logs: CloudWatchLogsClient;
  let cloudWatch: CloudWatchClient;
  let dynamo: DynamoDBClient;
  let alerting: AlertingFixture;
  let logged: Logged[];
  let sent: Extract<ModelCheck, { api: string }>[];
  let started: { params: Record<string, string[]>; result: ReturnType<typeof simulate> }[];
  let invoker: RemediationInvoker;

  /** Records each request's parameters, for botocore's model. */
  const recorded = <C extends { middlewareStack: { add: (mw: never, opts: object) => void } }>(client: C, service: string): C => {
    const mw = (next: (args: unknown) => Promise<unknown>, context: { commandName?: string }) => (args: { input: unknown }) => {
      const name = (context.commandName ?? '').replace(/Command$/, '');
      sent.push({ id: `${service}.${name}`, api: `${service}.${name}`, params: JSON.parse(JSON.stringify(args.input)) });
      return next(args);
    };
    client.middlewareStack.add(mw as never, { step: 'initialize', name: 'recordForModel' });
    return client;
  };

  const deps = (over: Partial<WatchDependencies> = {}): WatchDependencies => {
    const config = emu.moto.clientConfig;
    return {
      tagging: recorded(new ResourceGroupsTaggingAPIClient(config), 'resourcegroupstaggingapi'),
      lambda: emu.lambda,
      filterLogEvents: (i) => logs.send(new FilterLogEventsCommand(i)),
      logsBucket: new TokenBucket(50, 1),
      cloudWatch,
      store: new DynamoWatchStore(dynamo, alerting.tableName, () => undefined),
      log: new NotificationLog(dynamo, alerting.tableName),
      snsFor: (region) => recorded(new SNSClient({ ...config, region }), 'sns'),
      topicArn: alerting.topicArn,
      rollback: {
        documentName: 'RollbackDocument',
        automationRoleArn: ROLE,
        start: async (input) => {
          sent.push({ id: 'StartAutomationExecution', api: 'ssm.StartAutomationExecution', params: input });
          const params = input.Parameters as Record<string, string[]>;
          const result = simulate(rollbackDocument, invoker, Object.fromEntries(Object.entries(params).map(([k, [v]]) => [k, v])));
          started.push({ params, result });
          return { AutomationExecutionId: `exec-${started.length}` };
        },
      },
      maxFunctions: 500,
      loadPolicy: () => Promise.resolve(POLICY),
      now: () => T,
      logger: {
        info: (message: string, extra: Record<string, unknown>) => logged.push({ level: 'info', message, extra }),
        warn: (message: string, extra: Record<string, unknown>) => logged.push({ level: 'warn', message, extra }),
        error: (message: string, extra: Record<string, unknown>) => logged.push({ level: 'error', message, extra }),
      } as unknown as WatchDependencies['logger'],
      ...over,
    };
  };
  const runAt = (at: number, over: Partial<WatchDependencies> = {}) => runWatch(deps({ now: () => at, ...over }), WHERE);
  const outcome = (r: Awaited<ReturnType<typeof runWatch>>, name: string) => r.functions.find((f) => f.function === name);

  const initStarts = async (name: string, lines: [arn: string, version: string, atMs: number][]) => {
    await logs.send(new CreateLogGroupCommand({ logGroupName: `/aws/lambda/${name}` }));
    await logs.send(new CreateLogStreamCommand({ logGroupName: `/aws/lambda/${name}`, logStreamName: '2026/12/01/[$LATEST]1' }));
    const events = lines.flatMap(([arn, version, atMs]) => [
      { timestamp: atMs, message: `INIT_START Runtime Version: ${version}\tRuntime Version ARN: ${arn}\n` },
      { timestamp: atMs + 1, message: `START RequestId: ${atMs} Version: $LATEST\n` },
    ]);
    await logs.send(new PutLogEventsCommand({ logGroupName: `/aws/lambda/${name}`, logStreamName: '2026/12/01/[$LATEST]1', logEvents: events }));
  };
  const metrics = async (name: string, points: [atMs: number, invocations: number, errors: number][]) => {
    const dim = [{ Name: 'FunctionName', Value: name }];
    await cloudWatch.send(
      new PutMetricDataCommand({
        Namespace: 'AWS/Lambda',
        MetricData: points.flatMap(([at, inv, err]) => [
          { MetricName: 'Invocations', Dimensions: dim, Timestamp: new Date(at), Value: inv, Unit: 'Count' as const },
          { MetricName: 'Errors', Dimensions: dim, Timestamp: new Date(at), Value: err, Unit: 'Count' as const },
        ]),
      }),
    );
  };
  /** A: on version A for a day, B from 50 minutes before T. */
  const changedToB = (name: string) =>
    initStarts(name, [
      [A, 'nodejs:22.v41', T - 26 * H],
      [A, 'nodejs:22.v41', T - 150 * MIN],
      [B, 'nodejs:22.v42', T - 50 * MIN],
      [B, 'nodejs:22.v42', T - 10 * MIN],
    ]);
  const baselineOf = (name: string) => metrics(name, [[T - 5 * H, 1000, 10]]);

  beforeEach(async () => {
    logs = new CloudWatchLogsClient(emu.moto.clientConfig);
    cloudWatch = recorded(new CloudWatchClient(emu.moto.clientConfig), 'cloudwatch');
    recorded(logs, 'logs');
    dynamo = new DynamoDBClient(emu.moto.clientConfig);
    alerting = await createAlerting(new SNSClient(emu.moto.clientConfig), new SQSClient(emu.moto.clientConfig), dynamo);
    logged = [];
    sent = [];
    started = [];
    invoker = new RemediationInvoker([{ arn: SWITCH_ARN, handler: 'switch-mode' }], { endpoint: emu.moto.endpoint, region: 'eu-west-1', modes: { orders: { UpdateRuntimeOn: 'Auto' } }, now: T });
    await seedFleet(emu.moto.clientConfig, [
      { name: 'pdf-render', runtime: 'nodejs22.x', tags: { 'runtime-warden:tier': 'important', owner: 'team-docs' } },
      { name: 'orders', runtime: 'nodejs22.x', tags: { 'runtime-warden:tier': 'Critical' } },
      { name: 'thumbnails', runtime: 'nodejs22.x', tags: { owner: 'team-media' } },
    ]);
  });
  afterEach(() => {
    logs.destroy();
    cloudWatch.destroy();
    dynamo.destroy();
  });

  it('watches only the tiers with watch, found by their tag; no change: it records the version, then says nothing', async () => {
    await initStarts('pdf-render', [
      [A, 'nodejs:22.v41', T - 150 * MIN],
      [A, 'nodejs:22.v41', T - 30 * MIN],
    ]);
    const first = await runAt(T - 2 * H);
    const second = await runAt(T);
    expect(first.functions.map((f) => [f.function, f.tier, f.outcome])).toEqual([
      ['orders', 'critical', 'no-log-group'],
      ['pdf-render', 'important', 'first-seen'],
    ]);
    // A watched function with no log group where the watch reads is said, never silently skipped.
    expect(logged.find((l) => l.message.startsWith('watch: no log group'))).toMatchObject({ level: 'warn', extra: { functions: 1, first: ['orders'] } });
    expect(outcome(second, 'pdf-render')).toMatchObject({ outcome: 'unchanged' });
    expect(await alerting.received()).toEqual([]);
    expect(logged.find((l) => l.message === 'watch: first-seen')?.extra).toMatchObject({ function: 'pdf-render', tier: 'important', version: 'nodejs:22.v41', arn: A });
  });

  it('the first run only records, even when its hour shows a change', async () => {
    await changedToB('pdf-render');
    await baselineOf('pdf-render');
    await metrics('pdf-render', [[T - 20 * MIN, 200, 150]]);
    const r = await runAt(T);
    expect(outcome(r, 'pdf-render')).toEqual({ function: 'pdf-render', tier: 'important', outcome: 'first-seen' });
    expect(await alerting.received()).toEqual([]);
  });

  it('a change without an error rise: judged, nothing sent', async () => {
    await changedToB('pdf-render');
    await baselineOf('pdf-render');
    await metrics('pdf-render', [[T - 20 * MIN, 200, 2]]);
    await runAt(T - 2 * H);
    const r = await runAt(T);
    expect(outcome(r, 'pdf-render')).toMatchObject({ outcome: 'changed', verdict: 'no-rise' });
    expect(await alerting.received()).toEqual([]);
    expect(logged.find((l) => l.message === 'watch: judged')?.extra).toMatchObject({ function: 'pdf-render', from: A, to: B, baseline: { invocations: 1000, errors: 10 }, after: { invocations: 200, errors: 2 }, verdict: 'no-rise' });
  });

  it('a rise after the change: one alert proposing the rollback, with the evidence; the next runs send no second one', async () => {
    await changedToB('pdf-render');
    await baselineOf('pdf-render');
    await metrics('pdf-render', [[T - 20 * MIN, 200, 40]]);
    sent.length = 0;
    await runAt(T - 2 * H);
    const r = await runAt(T);
    const again = await runAt(T + H);
    expect(outcome(r, 'pdf-render')).toMatchObject({ outcome: 'changed', verdict: 'breach', action: 'proposed' });
    expect(outcome(again, 'pdf-render')).toEqual({ function: 'pdf-render', tier: 'important', outcome: 'unchanged' });
    const messages = await alerting.received();
    expect(messages).toHaveLength(1);
    const [m] = messages;
    expect(m!.Subject).toBe('[runtime-warden] rollback proposed: pdf-render errors up after runtime update');
    expect(Object.fromEntries(Object.entries(m!.MessageAttributes).map(([k, v]) => [k, v.Value]))).toEqual({ kind: WATCH_ALERT_KIND, severity: 'error', action: 'proposed', tier: 'important', account: '123456789012', function: 'pdf-render' });
    expect(m!.Message).toContain(`Version from: nodejs:22.v41 (${A})`);
    expect(m!.Message).toContain(`Version to:   nodejs:22.v42 (${B})`);
    expect(m!.Message).toContain(`Changed at:   ${new Date(T - 50 * MIN).toISOString().replace('.000Z', 'Z')}`);
    expect(m!.Message).toMatch(/Before: {7}1\.0% errors: 10 of 1000 invocations/);
    expect(m!.Message).toMatch(/After: {8}20\.0% errors: 40 of 200 invocations/);
    expect(m!.Message).toContain(`runtime-warden rollback pdf-render --to ${A} --reason "error rate 20.0 percent after runtime version nodejs:22.v42`);
    expect(m!.Message).toContain(`--document-name RollbackDocument --parameters '{"FunctionName":["pdf-render"],"ToRuntimeVersionArn":["${A}"]`);
    expect(started).toEqual([]);
    expect(logged.find((l) => l.message === 'watch: error rate breach')).toMatchObject({ level: 'warn', extra: { function: 'pdf-render', verdict: 'breach', action: 'proposed' } });
    // Every request the watch made, as AWS's models take it.
    expect(modelErrors(sent)).toEqual([]);
    expect(new Set(sent.map((s) => s.api))).toEqual(new Set(['resourcegroupstaggingapi.GetResources', 'logs.FilterLogEvents', 'cloudwatch.GetMetricData', 'sns.Publish']));
  });

  it('too few invocations after the change: it waits, then alerts once there are enough', async () => {
    await changedToB('pdf-render');
    await baselineOf('pdf-render');
    await metrics('pdf-render', [[T - 20 * MIN, 50, 40]]);
    await runAt(T - 2 * H);
    const waiting = await runAt(T);
    await metrics('pdf-render', [[T + 30 * MIN, 100, 60]]);
    const later = await runAt(T + H);
    expect(outcome(waiting, 'pdf-render')).toMatchObject({ verdict: 'waiting' });
    expect(outcome(later, 'pdf-render')).toMatchObject({ outcome: 'unchanged', verdict: 'breach', action: 'proposed' });
    const messages = await alerting.received();
    expect(messages).toHaveLength(1);
    expect(messages[0]!.Message).toMatch(/After: {8}66\.7% errors: 100 of 150 invocations/);
  });

  it('a change whose watch ends without enough invocations is said, once, when it ends', async () => {
    await changedToB('pdf-render');
    await baselineOf('pdf-render');
    await metrics('pdf-render', [[T - 20 * MIN, 50, 40]]);
    await runAt(T - 2 * H);
    await runAt(T);
    const ended = (m: Logged) => m.message.startsWith('watch: the watch of a change ended');
    expect(logged.filter(ended)).toEqual([]);
    await runAt(T + 6 * H);
    await runAt(T + 8 * H);
    expect(logged.filter(ended)).toEqual([{ level: 'warn', message: expect.any(String), extra: expect.objectContaining({ function: 'pdf-render', to: B }) }]);
    expect(await alerting.received()).toEqual([]);
  });

  it('a breach whose claims cannot be kept sends nothing and fails the run, naming the function', async () => {
    await changedToB('pdf-render');
    await baselineOf('pdf-render');
    await metrics('pdf-render', [[T - 20 * MIN, 200, 40]]);
    await runAt(T - 2 * H);
    const broken = { claim: () => Promise.reject(Object.assign(new Error('Requested resource not found'), { name: 'ResourceNotFoundException' })), release: () => Promise.resolve() };
    await expect(runAt(T, { log: broken })).rejects.toThrow(/Could not publish 1 watch alerts: pdf-render: ResourceNotFoundException: Requested resource not found/);
    expect(logged.find((l) => l.message.startsWith('watch: error rate breach, but its claims'))).toMatchObject({ level: 'error', extra: { function: 'pdf-render' } });
    expect(await alerting.received()).toEqual([]);
  });

  it("a tier with act: rollback starts the RollbackDocument with the version before; the function is pinned to it, and watched no more", async () => {
    await changedToB('orders');
    await baselineOf('orders');
    await metrics('orders', [[T - 20 * MIN, 300, 90]]);
    await runAt(T - 2 * H);
    const r = await runAt(T);
    expect(outcome(r, 'orders')).toMatchObject({ verdict: 'breach', action: 'rollback-started' });
    expect(started).toHaveLength(1);
    const [{ params, result }] = started as [(typeof started)[number]];
    expect(params).toMatchObject({ FunctionName: ['orders'], ToRuntimeVersionArn: [A], RequestedBy: ['runtime-warden watch'], AutomationAssumeRole: [ROLE] });
    expect(result.responseCode, result.stackTrace).toBe(ResponseCode.SUCCESS);
    expect(invoker.invocations.at(-1)!.payload).toMatchObject({ action: 'rollback', functionName: 'orders', to: A, requestedBy: 'runtime-warden watch', undo: false, dryRun: false });
    const tags = (await emu.lambda.send(new GetFunctionCommand({ FunctionName: 'orders' }))).Tags ?? {};
    expect(tags[ROLLBACK_TAG]).toMatch(/ by runtime-warden watch: error rate 30\.0 percent after runtime version nodejs:22\.v42 from .* was 1\.0 percent before$/);
    const [m] = await alerting.received();
    expect(m!.Subject).toBe('[runtime-warden] rolled back: orders errors up after runtime update');
    expect(m!.Message).toContain('rollback started, automation execution exec-1 (document RollbackDocument)');
    expect(modelErrors(sent.filter((s) => s.api === 'ssm.StartAutomationExecution'))).toEqual([]);
    // Pinned by the rollback (its tag): not watched, so never a second rollback.
    const next = await runAt(T + H);
    expect(outcome(next, 'orders')).toBeUndefined();
    expect(next.pinned).toBe(1);
    expect(started).toHaveLength(1);
  });

  it('a rollback that cannot be started: the alert says so and gives the commands; it is not tried again', async () => {
    await changedToB('orders');
    await baselineOf('orders');
    await metrics('orders', [[T - 20 * MIN, 300, 90]]);
    const refuse = { documentName: 'RollbackDocument', automationRoleArn: ROLE, start: () => Promise.reject(Object.assign(new Error('not authorized to perform: iam:PassRole'), { name: 'AccessDeniedException' })) };
    // The record of the alert is lost (a failed write): the next run judges again, and the claims hold it back.
    const real = new DynamoWatchStore(dynamo, alerting.tableName, () => undefined);
    const losing = { get: (n: string) => real.get(n), put: (n: string, rec: Parameters<typeof real.put>[1]) => (rec.change?.alertedAtMs ? Promise.reject(new Error('lost')) : real.put(n, rec)) };
    await runAt(T - 2 * H, { rollback: refuse, store: losing });
    const r = await runAt(T, { rollback: refuse, store: losing });
    const again = await runAt(T + 30 * MIN, { rollback: refuse, store: losing });
    expect(outcome(again, 'orders')).toMatchObject({ verdict: 'breach', action: 'rollback-tried-before' });
    expect(outcome(r, 'orders')).toMatchObject({ verdict: 'breach', action: 'rollback-failed' });
    const messages = await alerting.received();
    expect(messages.map((m) => m.Subject)).toEqual(['[runtime-warden] rollback FAILED: orders errors up after runtime update']);
    expect(messages[0]!.Message).toContain('FAILED:       the rollback could not be started: AccessDeniedException: not authorized to perform: iam:PassRole');
    expect(logged.filter((l) => l.message === 'watch: error rate breach').map((l) => [l.level, l.extra.action])).toEqual([
      ['error', 'rollback-failed'],
      ['warn', 'rollback-tried-before'],
    ]);
  });

  it('when the default tier watches, every function is listed, at most WATCH_MAX_FUNCTIONS of them, and the rest named in an error', async () => {
    const policy = policyWith({ 'non-critical': { watch: {} } });
    const r = await runAt(T, { loadPolicy: () => Promise.resolve(policy), maxFunctions: 1 });
    // Tagged functions first: pdf-render (important) has no watch in this policy, orders (critical) neither.
    expect(r).toMatchObject({ candidates: 1, notWatched: 0 });
    expect(r.functions.map((f) => f.function)).toEqual(['thumbnails']);
    await seedFleet(emu.moto.clientConfig, [{ name: 'avatars', runtime: 'nodejs22.x', tags: {} }]);
    const more = await runAt(T, { loadPolicy: () => Promise.resolve(policy), maxFunctions: 1 });
    expect(more.functions.map((f) => f.function)).toEqual(['avatars']);
    expect(logged.find((l) => l.level === 'error')).toMatchObject({ message: 'watch: more functions to watch than WATCH_MAX_FUNCTIONS; the rest are not watched', extra: { limit: 1, notWatched: 1, firstNotWatched: ['thumbnails'] } });
  });

  it('out of time: no function is started, and an error says how many were not read', async () => {
    await initStarts('pdf-render', [[A, 'nodejs:22.v41', T - 30 * MIN]]);
    const r = await runWatch(deps(), WHERE, () => 5_000);
    expect(r.functions.map((f) => f.outcome)).toEqual(['not-reached', 'not-reached']);
    expect(logged.find((l) => l.level === 'error')).toMatchObject({ message: 'watch: the invocation ran out of time; some functions were not read this run', extra: { notReached: 2, candidates: 2 } });
    expect(sent.filter((c) => c.api === 'logs.FilterLogEvents')).toEqual([]);
  });

  it('a watch record that cannot be read counts as none: said, then recorded anew', async () => {
    await dynamo.send(new PutItemCommand({ TableName: alerting.tableName, Item: { pk: { S: 'watch#pdf-render' }, arn: { S: A }, seenAtMs: { N: String(T - H) }, change: { S: '{"from":' } } }));
    await dynamo.send(new PutItemCommand({ TableName: alerting.tableName, Item: { pk: { S: 'watch#orders' }, arn: { S: A } } }));
    const malformed: string[] = [];
    const store = new DynamoWatchStore(dynamo, alerting.tableName, (name, what) => malformed.push(`${name}: ${what}`));
    expect(await store.get('pdf-render')).toEqual({ arn: A, seenAtMs: T - H });
    expect(await store.get('orders')).toBeUndefined();
    expect(malformed).toEqual(['pdf-render: change is not a change', 'orders: no arn or seenAtMs']);
    await initStarts('orders', [[B, 'nodejs:22.v42', T - 10 * MIN]]);
    const r = await runAt(T, { store });
    expect(outcome(r, 'orders')).toMatchObject({ outcome: 'first-seen' });
    expect(await store.get('orders')).toEqual({ arn: B, version: 'nodejs:22.v42', seenAtMs: T });
  });

  it('no tier watches: no call at all', async () => {
    const r = await runAt(T, { loadPolicy: () => Promise.resolve(policyWith({})) });
    expect(r).toEqual({ candidates: 0, pinned: 0, notWatched: 0, functions: [] });
    expect(sent).toEqual([]);
  });

  it('CloudWatch Logs throttling past the retries: the function is unread, nothing recorded or sent, an error logged; the next run reads it', async () => {
    await initStarts('pdf-render', [[A, 'nodejs:22.v41', T - 30 * MIN]]);
    const throttled = new CloudWatchLogsClient({ ...emu.moto.clientConfig, maxAttempts: 1 });
    const mock = mockClient(throttled);
    mock.on(FilterLogEventsCommand).rejects(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException', $metadata: { httpStatusCode: 400 } }));
    const r = await runAt(T, { filterLogEvents: (i) => throttled.send(new FilterLogEventsCommand(i)) });
    mock.restore();
    expect(outcome(r, 'pdf-render')).toMatchObject({ outcome: 'unread', problem: expect.stringContaining('ThrottlingException: Rate exceeded') });
    expect(logged.find((l) => l.level === 'error' && l.extra.function === 'pdf-render')).toMatchObject({ message: 'watch: could not read; judged again next run', extra: { tier: 'important', problem: expect.stringContaining('ThrottlingException') } });
    expect(await new DynamoWatchStore(dynamo, alerting.tableName, () => undefined).get('pdf-render')).toBeUndefined();
    const next = await runAt(T + MIN);
    expect(outcome(next, 'pdf-render')).toMatchObject({ outcome: 'first-seen' });
  });

  it('an alert SNS refuses fails the run (Lambda retries it); the retry sends it once', async () => {
    await changedToB('pdf-render');
    await baselineOf('pdf-render');
    await metrics('pdf-render', [[T - 20 * MIN, 200, 40]]);
    await runAt(T - 2 * H);
    const refusing = new SNSClient(emu.moto.clientConfig);
    mockClient(refusing).rejects(Object.assign(new Error('KMS key is disabled'), { name: 'KMSDisabledException' }));
    await expect(runAt(T, { snsFor: () => refusing })).rejects.toThrow(/Could not publish 1 watch alerts: pdf-render to .*KMSDisabledException: KMS key is disabled/);
    const retry = await runAt(T + MIN);
    expect(outcome(retry, 'pdf-render')).toMatchObject({ verdict: 'breach', action: 'proposed' });
    expect(await alerting.received()).toHaveLength(1);
  });
});
