import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { ResponseCode, type IAwsInvoker } from '@cdklabs/cdk-ssm-documents';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createAlerting, type AlertingFixture } from '../../scripts/emulator/alerting.js';
import { seedFleet } from '../../scripts/emulator/fleet.js';
import { startMoto, type MotoServer } from '../../scripts/emulator/moto.js';
import { loadTemplate, renderTemplate } from '../helpers/cfnRender.js';
import { RemediationInvoker, simulate, simulatorDocument, type DocumentContent } from '../helpers/ssmSimulation.js';

// Both remediation documents of template.yaml run in AWS's SSM Automation simulator
// (@cdklabs/cdk-ssm-documents), with our real handlers behind the aws:invokeLambdaFunction step,
// against moto's server. The simulator, like SSM, does not fail an invoke step whose function
// throws: the documents must, from the invoke's Payload alone (the simulator substitutes null for
// an absent FunctionError, so a document reading it would prove nothing here).

const resources = renderTemplate(loadTemplate('template.yaml'), {}, { resolve: true }).Resources;
const content = (id: string) => resources[id]!.Properties!.Content as unknown as DocumentContent;
const NOTIFY_ARN = `arn:aws:lambda:eu-west-1:123456789012:function:NotifyFunction`;
const SWITCH_ARN = `arn:aws:lambda:eu-west-1:123456789012:function:SwitchModeFunction`;
const ROLE = 'arn:aws:iam::123456789012:role/automation';
const NOW = Date.parse('2026-11-23T12:00:00Z');

/** SSM's defaults, which the simulator's printed document leaves out. */
function withoutDefaults(c: DocumentContent): unknown {
  return { ...c, mainSteps: c.mainSteps.map(({ onFailure, ...s }) => (onFailure === 'Abort' ? s : { ...s, onFailure })) };
}

describe('remediation documents in the SSM Automation simulator', () => {
  let moto: MotoServer;
  let alerting: AlertingFixture;
  let clients: { destroy(): void }[];

  beforeAll(async () => {
    moto = await startMoto();
  });
  afterAll(async () => {
    await moto?.stop();
  });
  beforeEach(async () => {
    await moto.reset();
    for (const c of clients ?? []) c.destroy();
    const [sns, sqs, dynamo] = [new SNSClient(moto.clientConfig), new SQSClient(moto.clientConfig), new DynamoDBClient(moto.clientConfig)];
    clients = [sns, sqs, dynamo];
    alerting = await createAlerting(sns, sqs, dynamo);
    await seedFleet(moto.clientConfig, [
      { name: 'checkout', runtime: 'nodejs16.x', tags: { owner: 'team-payments' } },
      { name: 'ledger', runtime: 'nodejs22.x', tags: { 'runtime-warden:tier': 'critical' } },
    ]);
  });

  const invoker = (modes: Record<string, { UpdateRuntimeOn: string }> = {}) =>
    new RemediationInvoker(
      [
        { arn: NOTIFY_ARN, handler: 'notify' },
        { arn: SWITCH_ARN, handler: 'switch-mode' },
      ],
      { endpoint: moto.endpoint, region: 'eu-west-1', modes, topicArn: alerting.topicArn, tableName: alerting.tableName, now: NOW },
    );

  it.each(['NotifyDocument', 'SwitchModeDocument'])('%s is simulated exactly as template.yaml declares it', (id) => {
    expect(JSON.parse(simulatorDocument(id, content(id)).print())).toEqual(withoutDefaults(content(id)));
  });

  describe('notify', () => {
    const doc = simulatorDocument('NotifyDocument', content('NotifyDocument'));

    it('succeeds when the function publishes the alert, with its answer as the document output', async () => {
      // Act
      const result = simulate(doc, invoker(), { FunctionName: 'checkout', AutomationAssumeRole: ROLE });
      // Assess
      expect(result.responseCode, result.stackTrace).toBe(ResponseCode.SUCCESS);
      expect(result.executedSteps).toEqual(['Notify', 'CheckAnswer']);
      expect(JSON.parse(result.outputs!['Notify.Payload'])).toMatchObject({ functionName: 'checkout', published: true, compliance: 'NON_COMPLIANT' });
      expect((await alerting.received()).map((m) => m.Subject)).toEqual(['[runtime-warden] NON_COMPLIANT checkout: RW004 runtime-deprecated']);
    });

    it('fails the execution with the function error when the function throws (the function to judge is gone)', () => {
      // Act
      const result = simulate(doc, invoker(), { FunctionName: 'deleted-meanwhile', AutomationAssumeRole: ROLE });
      // Assess
      expect(result.responseCode).toBe(ResponseCode.FAILED);
      expect(result.executedSteps).toEqual(['Notify', 'CheckAnswer']);
      expect(result.stackTrace).toMatch(/Notify failed: RemediationError: .*deleted-meanwhile/);
    });

    it('fails the execution on an error object without errorType, as Lambda reports what the runtime could not handle', () => {
      // Prepare: Lambda's answer when the function times out, with FunctionError left out, as the
      // check must not read it
      const timedOut: IAwsInvoker = { invoke: () => ({ StatusCode: 200, Payload: JSON.stringify({ errorMessage: 'RequestId: 1 Error: Task timed out after 60.00 seconds' }) }) };
      // Act
      const result = simulate(doc, timedOut, { FunctionName: 'checkout', AutomationAssumeRole: ROLE });
      // Assess
      expect(result.responseCode).toBe(ResponseCode.FAILED);
      expect(result.stackTrace).toContain('Notify failed: Error: RequestId: 1 Error: Task timed out after 60.00 seconds');
    });

    it('fails the execution when the remediation function itself does not exist', () => {
      const missing = new RemediationInvoker([], { endpoint: moto.endpoint, region: 'eu-west-1', modes: {}, now: NOW });
      // Act
      const result = simulate(doc, missing, { FunctionName: 'checkout', AutomationAssumeRole: ROLE });
      // Assess
      expect(result.responseCode).toBe(ResponseCode.FAILED);
      expect(result.executedSteps).toEqual(['Notify']);
      expect(result.stackTrace).toContain('ResourceNotFoundException: Function not found');
    });
  });

  describe('switch-mode', () => {
    const doc = simulatorDocument('SwitchModeDocument', content('SwitchModeDocument'));

    it('changes the update mode the policy asks for, and in a dry run changes nothing', () => {
      const inv = invoker({ ledger: { UpdateRuntimeOn: 'Auto' } });
      // Act
      const dry = simulate(doc, inv, { FunctionName: 'ledger', AutomationAssumeRole: ROLE, DryRun: true, AllowCritical: true });
      const real = simulate(doc, inv, { FunctionName: 'ledger', AutomationAssumeRole: ROLE, AllowCritical: true });
      // Assess
      expect(dry.responseCode, dry.stackTrace).toBe(ResponseCode.SUCCESS);
      expect(JSON.parse(dry.outputs!['SwitchMode.Payload'])).toMatchObject({ action: 'dry-run', applied: { UpdateRuntimeOn: 'FunctionUpdate' } });
      expect(inv.invocations[0]!.payload).toEqual({ functionName: 'ledger', dryRun: true, allowCritical: true, mode: 'Policy' });
      expect(real.responseCode, real.stackTrace).toBe(ResponseCode.SUCCESS);
      expect(JSON.parse(real.outputs!['SwitchMode.Payload'])).toMatchObject({ action: 'changed', previous: { UpdateRuntimeOn: 'Auto' }, applied: { UpdateRuntimeOn: 'FunctionUpdate' } });
    });

    it('fails the execution with the function error when the function refuses the input', () => {
      // Act: Auto is not a mode the critical tier allows
      const result = simulate(doc, invoker(), { FunctionName: 'ledger', AutomationAssumeRole: ROLE, AllowCritical: true, Mode: 'Auto' });
      // Assess
      expect(result.responseCode).toBe(ResponseCode.FAILED);
      expect(result.executedSteps).toEqual(['SwitchMode', 'CheckAnswer']);
      expect(result.stackTrace).toContain('SwitchMode failed: RemediationError: Mode Auto is not allowed for the critical tier of ledger');
    });

    it('fails the execution when the function to switch does not exist', () => {
      const result = simulate(doc, invoker(), { FunctionName: 'deleted-meanwhile', AutomationAssumeRole: ROLE });
      expect(result.responseCode).toBe(ResponseCode.FAILED);
      expect(result.stackTrace).toMatch(/SwitchMode failed: RemediationError: .*deleted-meanwhile/);
    });
  });
});
