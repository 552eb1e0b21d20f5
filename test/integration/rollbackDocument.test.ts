import { CloudWatchLogsClient, CreateLogGroupCommand, CreateLogStreamCommand, PutLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetFunctionCommand } from '@aws-sdk/client-lambda';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { ResponseCode } from '@cdklabs/cdk-ssm-documents';
import { beforeEach, describe, expect, it } from 'vitest';
import { ROLLBACK_FROM_TAG, ROLLBACK_TAG } from '../../shared/remediation/rollback.js';
import { createAlerting } from '../../scripts/emulator/alerting.js';
import { seedFleet } from '../../scripts/emulator/fleet.js';
import { motoPerTest } from '../helpers/motoPerTest.js';
import { loadTemplate, renderTemplate } from '../helpers/cfnRender.js';
import { RemediationInvoker, simulate, simulatorDocument, type DocumentContent } from '../helpers/ssmSimulation.js';

// template.yaml's RollbackDocument run in AWS's SSM Automation simulator with the real
// switch-mode handler (its rollback action) behind the invoke step, against moto's server:
// Lambda, CloudWatch Logs (INIT_START lines), SNS read back through SQS; runtime management
// through the project's stub.

const resources = renderTemplate(loadTemplate('template.yaml'), {}, { resolve: true }).Resources;
const content = resources.RollbackDocument!.Properties!.Content as unknown as DocumentContent;
const SWITCH_ARN = 'arn:aws:lambda:eu-west-1:123456789012:function:SwitchModeFunction';
const ROLE = 'arn:aws:iam::123456789012:role/automation';
const NOW = Date.parse('2026-11-23T12:00:00Z');
const A = 'arn:aws:lambda:eu-west-1::runtime:aaaa1111aaaa1111aaaa1111aaaa1111aaaa1111aaaa1111aaaa1111aaaa1111';
const B = 'arn:aws:lambda:eu-west-1::runtime:bbbb2222bbbb2222bbbb2222bbbb2222bbbb2222bbbb2222bbbb2222bbbb2222';
const H = 3_600_000;

describe('the rollback document in the SSM Automation simulator', () => {
  const emu = motoPerTest();
  const doc = simulatorDocument('RollbackDocument', content);
  const invoker = (modes: Record<string, { UpdateRuntimeOn: string; RuntimeVersionArn?: string }>) =>
    new RemediationInvoker([{ arn: SWITCH_ARN, handler: 'switch-mode' }], { endpoint: emu.moto.endpoint, region: 'eu-west-1', modes, now: NOW });
  const tags = async (name: string) => (await emu.lambda.send(new GetFunctionCommand({ FunctionName: name }))).Tags ?? {};

  beforeEach(async () => {
    await seedFleet(emu.moto.clientConfig, [{ name: 'pdf-render', runtime: 'nodejs22.x', tags: { 'runtime-warden:tier': 'important' } }]);
  });

  it('is simulated exactly as template.yaml declares it', () => {
    const { mainSteps, ...rest } = content;
    expect(JSON.parse(doc.print())).toEqual({ ...rest, mainSteps: mainSteps.map(({ onFailure, ...s }) => (onFailure === 'Abort' ? s : { ...s, onFailure })) });
  });

  it('pins the runtime version, tags when, who and why; a dry run changes nothing; Undo restores the tier mode', async () => {
    const inv = invoker({ 'pdf-render': { UpdateRuntimeOn: 'Auto' } });
    const inputs = { FunctionName: 'pdf-render', AutomationAssumeRole: ROLE, ToRuntimeVersionArn: A, Reason: 'pdf rendering fails since v42', RequestedBy: 'on-call alice' };

    const dry = simulate(doc, inv, { ...inputs, DryRun: true });
    expect(dry.responseCode, dry.stackTrace).toBe(ResponseCode.SUCCESS);
    expect(JSON.parse(dry.outputs!['Rollback.Payload'])).toMatchObject({ action: 'dry-run', applied: { UpdateRuntimeOn: 'Manual', RuntimeVersionArn: A } });
    expect(await tags('pdf-render')).not.toHaveProperty(ROLLBACK_TAG);

    const done = simulate(doc, inv, inputs);
    expect(done.responseCode, done.stackTrace).toBe(ResponseCode.SUCCESS);
    expect(done.executedSteps).toEqual(['Rollback', 'CheckAnswer']);
    expect(JSON.parse(done.outputs!['Rollback.Payload'])).toMatchObject({ functionName: 'pdf-render', action: 'rolled-back' });
    expect(inv.invocations.at(-1)!.payload).toEqual({ action: 'rollback', functionName: 'pdf-render', to: A, reason: 'pdf rendering fails since v42', requestedBy: 'on-call alice', undo: false, dryRun: false });
    expect((await tags('pdf-render'))[ROLLBACK_TAG]).toBe('2026-11-23T12:00:00Z by on-call alice: pdf rendering fails since v42');

    const undo = simulate(doc, inv, { FunctionName: 'pdf-render', AutomationAssumeRole: ROLE, RequestedBy: 'on-call alice', Undo: true });
    expect(undo.responseCode, undo.stackTrace).toBe(ResponseCode.SUCCESS);
    expect(JSON.parse(undo.outputs!['Rollback.Payload'])).toMatchObject({ action: 'undone', applied: { UpdateRuntimeOn: 'Auto' } });
    const after = await tags('pdf-render');
    expect(after).not.toHaveProperty(ROLLBACK_TAG);
    expect(after).not.toHaveProperty(ROLLBACK_FROM_TAG);
  });

  it('with no version given, finds the one before in the INIT_START lines, pins it and alerts on-call', async () => {
    const logs = new CloudWatchLogsClient(emu.moto.clientConfig);
    await logs.send(new CreateLogGroupCommand({ logGroupName: '/aws/lambda/pdf-render' }));
    await logs.send(new CreateLogStreamCommand({ logGroupName: '/aws/lambda/pdf-render', logStreamName: 's1' }));
    await logs.send(
      new PutLogEventsCommand({
        logGroupName: '/aws/lambda/pdf-render',
        logStreamName: 's1',
        logEvents: [
          { timestamp: NOW - 30 * H, message: `INIT_START Runtime Version: nodejs:22.v41\tRuntime Version ARN: ${A}\n` },
          { timestamp: NOW - 2 * H, message: `INIT_START Runtime Version: nodejs:22.v42\tRuntime Version ARN: ${B}\n` },
        ],
      }),
    );
    logs.destroy();
    const alerting = await createAlerting(new SNSClient(emu.moto.clientConfig), new SQSClient(emu.moto.clientConfig), new DynamoDBClient(emu.moto.clientConfig));
    const inv = new RemediationInvoker([{ arn: SWITCH_ARN, handler: 'switch-mode' }], {
      endpoint: emu.moto.endpoint,
      region: 'eu-west-1',
      modes: { 'pdf-render': { UpdateRuntimeOn: 'Auto' } },
      topicArn: alerting.topicArn,
      now: NOW,
    });

    const r = simulate(doc, inv, { FunctionName: 'pdf-render', AutomationAssumeRole: ROLE, Reason: 'pdf rendering fails since v42', RequestedBy: 'on-call alice' });
    expect(r.responseCode, r.stackTrace).toBe(ResponseCode.SUCCESS);
    expect(JSON.parse(r.outputs!['Rollback.Payload'])).toMatchObject({ action: 'rolled-back', applied: { UpdateRuntimeOn: 'Manual', RuntimeVersionArn: A } });
    expect((await tags('pdf-render'))[ROLLBACK_FROM_TAG]).toBe(B);
    const [alert] = await alerting.received();
    expect(alert).toMatchObject({ Subject: 'runtime-warden: runtime rolled back on pdf-render' });
    expect(alert!.Message).toMatch(/nodejs:22\.v41/);
  });

  it('fails the execution, saying what to give, when no earlier version is known', () => {
    const r = simulate(doc, invoker({}), { FunctionName: 'pdf-render', AutomationAssumeRole: ROLE, Reason: 'broke', RequestedBy: 'alice' });
    expect(r.responseCode).toBe(ResponseCode.FAILED);
    expect(r.stackTrace).toMatch(/Rollback failed: RemediationError: No runtime version of pdf-render is known .*pass --to ARN/);
  });

  it('fails the execution without a reason', () => {
    const r = simulate(doc, invoker({}), { FunctionName: 'pdf-render', AutomationAssumeRole: ROLE, ToRuntimeVersionArn: A, RequestedBy: 'alice' });
    expect(r.responseCode).toBe(ResponseCode.FAILED);
    expect(r.stackTrace).toMatch(/Rollback failed: RemediationError: Say why \(--reason\)/);
  });
});
