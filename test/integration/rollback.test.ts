import { CloudWatchLogsClient, CreateLogGroupCommand, CreateLogStreamCommand, FilterLogEventsCommand, PutLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { ConfigServiceClient } from '@aws-sdk/client-config-service';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetFunctionCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { rollbackText } from '../../cli/rollback.js';
import { rollback } from '../../shared/remediation/rollbackRun.js';
import { DEFAULT_POLICY } from '../../shared/index.js';
import { historyFromLogs, type FilterLogEvents } from '../../shared/io/runtimeVersionHistory.js';
import { ROLLBACK_FROM_TAG, ROLLBACK_TAG } from '../../shared/remediation/rollback.js';
import { createAlerting } from '../../scripts/emulator/alerting.js';
import { seedFleet } from '../../scripts/emulator/fleet.js';
import { stubRuntimeManagement } from '../../scripts/emulator/runtimeManagementStub.js';
import { motoPerTest } from '../helpers/motoPerTest.js';
import { modelErrors } from '../helpers/awsModels.js';
import { NOW } from '../helpers/fixtures.js';

// `rollback` against moto's server: Lambda (functions, tags), SNS read back through SQS, and
// CloudWatch Logs holding INIT_START lines written with PutLogEvents are real. moto lacks
// Get/PutRuntimeManagementConfig (the project's stub adds them with Lambda's rules) and has no
// Config history for Lambda (stubbed on an otherwise real client, as test/integration/configRule
// does).

const A = 'arn:aws:lambda:eu-west-1::runtime:aaaa1111aaaa1111aaaa1111aaaa1111aaaa1111aaaa1111aaaa1111aaaa1111';
const B = 'arn:aws:lambda:eu-west-1::runtime:bbbb2222bbbb2222bbbb2222bbbb2222bbbb2222bbbb2222bbbb2222bbbb2222';
const H = 3_600_000;

describe('rollback against the emulator', () => {
  const emu = motoPerTest();
  let modes: ReturnType<typeof stubRuntimeManagement>;
  let logs: CloudWatchLogsClient;
  const filterLogEvents: FilterLogEvents = (input) => logs.send(new FilterLogEventsCommand(input));
  const initStart = async (group: string, lines: [number, string, string][]): Promise<void> => {
    await logs.send(new CreateLogGroupCommand({ logGroupName: group }));
    await logs.send(new CreateLogStreamCommand({ logGroupName: group, logStreamName: 's1' }));
    const events = lines.flatMap(([t, version, arn]) => [
      { timestamp: t, message: `INIT_START Runtime Version: ${version}\tRuntime Version ARN: ${arn}\n` },
      { timestamp: t + 1, message: `START RequestId: 1 Version: $LATEST\n` },
    ]);
    await logs.send(new PutLogEventsCommand({ logGroupName: group, logStreamName: 's1', logEvents: events }));
  };

  beforeEach(() => {
    modes = stubRuntimeManagement(emu.lambda);
    logs = new CloudWatchLogsClient(emu.moto.clientConfig);
  });
  afterEach(() => logs.destroy());

  it('pins version A of a function that moved from A to B (INIT_START lines), tags when and why, alerts, and --undo restores the tier mode', async () => {
    await seedFleet(emu.moto.clientConfig, [{ name: 'pdf-render', runtime: 'nodejs22.x', tags: { 'runtime-warden:tier': 'important', owner: 'team-docs' } }]);
    await initStart('/aws/lambda/pdf-render', [
      [NOW - 30 * H, 'nodejs:22.v41', A],
      [NOW - 20 * H, 'nodejs:22.v41', A],
      [NOW - 2 * H, 'nodejs:22.v42', B],
    ]);
    const alerting = await createAlerting(new SNSClient(emu.moto.clientConfig), new SQSClient(emu.moto.clientConfig), new DynamoDBClient(emu.moto.clientConfig));
    const deps = { lambda: emu.lambda, filterLogEvents, sns: new SNSClient(emu.moto.clientConfig), policy: DEFAULT_POLICY, now: NOW };

    const dry = await rollback('pdf-render', { reason: 'pdf rendering fails since v42', by: 'alice', dryRun: true }, deps);
    expect(rollbackText(dry)).toMatch(/^Dry run, nothing changed: Pin pdf-render to runtime version nodejs:22\.v41 /);
    expect(modes.get('pdf-render')).toBeUndefined();

    const done = await rollback('pdf-render', { reason: 'pdf rendering fails since v42', by: 'alice', topic: alerting.topicArn }, deps);
    expect(done).toMatchObject({ applied: true, alerted: true, problems: [] });
    expect(modes.get('pdf-render')).toEqual({ UpdateRuntimeOn: 'Manual', RuntimeVersionArn: A });
    const tags = (await emu.lambda.send(new GetFunctionCommand({ FunctionName: 'pdf-render' }))).Tags!;
    expect(tags[ROLLBACK_TAG]).toBe('2026-11-23T12:00:00Z by alice: pdf rendering fails since v42');
    expect(tags[ROLLBACK_FROM_TAG]).toBe(B);
    const [alert] = await alerting.received();
    expect(alert).toMatchObject({ Subject: 'runtime-warden: runtime rolled back on pdf-render', Message: done.plan.description });

    const undone = await rollback('pdf-render', { undo: true }, deps);
    expect(undone.plan.description).toMatch(/^Return pdf-render to Auto, the important tier's mode, from Manual on arn:aws:lambda:eu-west-1::runtime:aaaa/);
    expect(modes.get('pdf-render')).toEqual({ UpdateRuntimeOn: 'Auto' });
    const after = (await emu.lambda.send(new GetFunctionCommand({ FunctionName: 'pdf-render' }))).Tags!;
    expect(Object.keys(after).sort()).toEqual(['owner', 'runtime-warden:tier']);
  });

  it('finds the previous version in AWS Config history when the logs show only one', async () => {
    await seedFleet(emu.moto.clientConfig, [{ name: 'orders', runtime: 'nodejs22.x', tags: {} }]);
    await initStart('/aws/lambda/orders', [[NOW - H, 'nodejs:22.v42', B]]);
    const config = new ConfigServiceClient(emu.moto.clientConfig);
    const item = (arn: string, at: number) => ({ configurationItemCaptureTime: new Date(at), configuration: JSON.stringify({ functionName: 'orders', runtimeVersionConfig: { runtimeVersionArn: arn } }) });
    config.middlewareStack.add(
      (next, context) => async (args) =>
        context.commandName === 'GetResourceConfigHistoryCommand' ? ({ output: { configurationItems: [item(B, NOW - 3 * H), item(A, NOW - 90 * H)], $metadata: {} }, response: {} } as never) : next(args),
      { step: 'initialize', name: 'moto-lacks-lambda-config-history' },
    );
    const r = await rollback('orders', { reason: 'errors after the runtime update', by: 'bob', dryRun: true }, { lambda: emu.lambda, config, filterLogEvents, policy: DEFAULT_POLICY, now: NOW });
    expect(r.plan.put).toEqual({ UpdateRuntimeOn: 'Manual', RuntimeVersionArn: A });
    config.destroy();
  });

  it('refuses with what to do when no earlier version is known, and says which source failed', async () => {
    await seedFleet(emu.moto.clientConfig, [{ name: 'quiet', runtime: 'python3.13', tags: {} }]);
    await expect(rollback('quiet', { reason: 'x', by: 'bob' }, { lambda: emu.lambda, filterLogEvents, policy: DEFAULT_POLICY, now: NOW })).rejects.toThrow(
      /^No runtime version of quiet is known \(no INIT_START line, no Config record\): pass --to ARN\. \(INIT_START lines in \/aws\/lambda\/quiet: ResourceNotFoundException/,
    );
    expect(modes.get('quiet')).toBeUndefined();
  });

  it('leaves the tags as they were when the pin is refused', async () => {
    await seedFleet(emu.moto.clientConfig, [{ name: 'tagged', runtime: 'nodejs22.x', tags: { [ROLLBACK_TAG]: 'older note' } }]);
    const failing = new LambdaClient(emu.moto.clientConfig);
    stubRuntimeManagement(failing);
    failing.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === 'PutRuntimeManagementConfigCommand') throw Object.assign(new Error('Rate exceeded'), { name: 'TooManyRequestsException' });
        return next(args);
      },
      { step: 'initialize', name: 'throttled-put', priority: 'high' },
    );
    await expect(rollback('tagged', { reason: 'x', by: 'bob', to: A }, { lambda: failing, policy: DEFAULT_POLICY, now: NOW })).rejects.toThrow(/Could not set the runtime update mode of tagged: TooManyRequestsException: Rate exceeded/);
    const tags = (await emu.lambda.send(new GetFunctionCommand({ FunctionName: 'tagged' }))).Tags!;
    expect(tags).toEqual({ [ROLLBACK_TAG]: 'older note' });
    failing.destroy();
  });

  it('given the function by ARN, reads its history by name; refuses, naming the permission, when GetFunction could not read the tags', async () => {
    await seedFleet(emu.moto.clientConfig, [{ name: 'by-arn', runtime: 'nodejs22.x', tags: { 'runtime-warden:tier': 'important' } }]);
    await initStart('/aws/lambda/by-arn', [[NOW - 30 * H, 'nodejs:22.v41', A], [NOW - 2 * H, 'nodejs:22.v42', B]]);
    const deps = { lambda: emu.lambda, filterLogEvents, policy: DEFAULT_POLICY, now: NOW };
    const dry = await rollback('arn:aws:lambda:eu-west-1:123456789012:function:by-arn', { reason: 'broke', by: 'alice', dryRun: true }, deps);
    expect(dry).toMatchObject({ problems: [], plan: { functionName: 'by-arn', put: { UpdateRuntimeOn: 'Manual', RuntimeVersionArn: A } } });
    const noTags = { send: () => Promise.resolve({ Configuration: { FunctionName: 'by-arn', PackageType: 'Zip' }, TagsError: { ErrorCode: 'AccessDeniedException', Message: 'not allowed lambda:ListTags' } }) } as never;
    await expect(rollback('by-arn', { reason: 'broke', by: 'alice', to: A }, { ...deps, lambda: noTags })).rejects.toThrow('Could not read the tags of by-arn: AccessDeniedException: not allowed lambda:ListTags (grant lambda:ListTags)');
  });

  it('reads INIT_START lines only, within the window', async () => {
    await initStart('/aws/lambda/w', [[NOW - 40 * 24 * H, 'nodejs:22.v40', A], [NOW - H, 'nodejs:22.v42', B]]);
    const h = await historyFromLogs(filterLogEvents, '/aws/lambda/w', NOW - 14 * 24 * H, NOW);
    expect(h).toEqual({ sightings: [{ version: 'nodejs:22.v42', arn: B, atMs: NOW - H }], problems: [] });
  });

  it('reads the platform.initStart events of a function that logs JSON, beside text lines and other events', async () => {
    const group = '/aws/lambda/json-logs';
    await logs.send(new CreateLogGroupCommand({ logGroupName: group }));
    await logs.send(new CreateLogStreamCommand({ logGroupName: group, logStreamName: 's1' }));
    const record = (t: number, type: string, runtimeVersion: string, runtimeVersionArn: string) => ({
      timestamp: t,
      message: JSON.stringify({ time: new Date(t).toISOString(), type, record: { initializationType: 'on-demand', phase: 'init', runtimeVersion, runtimeVersionArn, functionName: 'json-logs', functionVersion: '$LATEST' } }),
    });
    await logs.send(
      new PutLogEventsCommand({
        logGroupName: group,
        logStreamName: 's1',
        logEvents: [
          record(NOW - 3 * H, 'platform.initStart', 'nodejs:22.v41', A),
          record(NOW - 3 * H + 5, 'platform.start', 'nodejs:22.v41', A),
          { timestamp: NOW - 3 * H + 9, message: JSON.stringify({ level: 'INFO', message: 'mentions platform.initStart in passing' }) },
          record(NOW - H, 'platform.initStart', 'nodejs:22.v42', B),
        ],
      }),
    );
    const h = await historyFromLogs(filterLogEvents, group, NOW - 14 * 24 * H, NOW);
    expect(h).toEqual({ sightings: [{ version: 'nodejs:22.v41', arn: A, atMs: NOW - 3 * H }, { version: 'nodejs:22.v42', arn: B, atMs: NOW - H }], problems: [] });
  });

  it('sends what the botocore models accept', async () => {
    await seedFleet(emu.moto.clientConfig, [{ name: 'pdf-render', runtime: 'nodejs22.x', tags: {} }]);
    const sent: { api: string; params: unknown }[] = [];
    const spy = new LambdaClient(emu.moto.clientConfig);
    spy.middlewareStack.add((next, context) => async (args) => (sent.push({ api: `lambda.${context.commandName!.replace(/Command$/, '')}`, params: args.input }), next(args)), { step: 'initialize', name: 'capture', priority: 'high' });
    stubRuntimeManagement(spy);
    await rollback('pdf-render', { reason: 'broke', by: 'alice', to: A }, { lambda: spy, policy: DEFAULT_POLICY, now: NOW });
    await rollback('pdf-render', { undo: true }, { lambda: spy, policy: DEFAULT_POLICY, now: NOW });
    const logsInput = { logGroupName: '/aws/lambda/pdf-render', startTime: NOW - H, endTime: NOW, filterPattern: '?"INIT_START" ?"platform.initStart"' };
    expect(modelErrors([...sent.map((s, i) => ({ id: `${i} ${s.api}`, ...s })), { id: 'logs', api: 'logs.FilterLogEvents', params: logsInput }])).toEqual([]);
    // GetFunctionConfiguration is the stub's own check that the function exists.
    expect(sent.map((s) => s.api).filter((a) => a !== 'lambda.GetFunctionConfiguration')).toEqual(['lambda.GetFunction', 'lambda.GetRuntimeManagementConfig', 'lambda.TagResource', 'lambda.PutRuntimeManagementConfig', 'lambda.GetFunction', 'lambda.GetRuntimeManagementConfig', 'lambda.PutRuntimeManagementConfig', 'lambda.UntagResource']);
    spy.destroy();
  });
});
