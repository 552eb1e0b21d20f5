import { GetFunctionCommand } from '@aws-sdk/client-lambda';
import { ResponseCode } from '@cdklabs/cdk-ssm-documents';
import { beforeEach, describe, expect, it } from 'vitest';
import { ROLLBACK_FROM_TAG, ROLLBACK_TAG } from '../../shared/remediation/rollback.js';
import { seedFleet } from '../../scripts/emulator/fleet.js';
import { motoPerTest } from '../helpers/motoPerTest.js';
import { loadTemplate, renderTemplate } from '../helpers/cfnRender.js';
import { RemediationInvoker, simulate, simulatorDocument, type DocumentContent } from '../helpers/ssmSimulation.js';

// remediation/rollback-document.yaml, placed in template.yaml as the lead will place it, run in
// AWS's SSM Automation simulator with the real switch-mode handler (its rollback action) behind
// the invoke step, against moto's server (runtime management through the project's stub).

const template = loadTemplate('template.yaml');
const fragment = loadTemplate('remediation/rollback-document.yaml');
const resources = renderTemplate({ ...template, Resources: { ...template.Resources, ...fragment.Resources } }, {}, { resolve: true }).Resources;
const content = resources.RollbackDocument!.Properties!.Content as unknown as DocumentContent;
const SWITCH_ARN = 'arn:aws:lambda:eu-west-1:123456789012:function:SwitchModeFunction';
const ROLE = 'arn:aws:iam::123456789012:role/automation';
const NOW = Date.parse('2026-11-23T12:00:00Z');
const A = 'arn:aws:lambda:eu-west-1::runtime:aaaa1111aaaa1111aaaa1111aaaa1111aaaa1111aaaa1111aaaa1111aaaa1111';

describe('the rollback document in the SSM Automation simulator', () => {
  const emu = motoPerTest();
  const doc = simulatorDocument('RollbackDocument', content);
  const invoker = (modes: Record<string, { UpdateRuntimeOn: string; RuntimeVersionArn?: string }>) =>
    new RemediationInvoker([{ arn: SWITCH_ARN, handler: 'switch-mode' }], { endpoint: emu.moto.endpoint, region: 'eu-west-1', modes, now: NOW });
  const tags = async (name: string) => (await emu.lambda.send(new GetFunctionCommand({ FunctionName: name }))).Tags ?? {};

  beforeEach(async () => {
    await seedFleet(emu.moto.clientConfig, [{ name: 'pdf-render', runtime: 'nodejs22.x', tags: { 'runtime-warden:tier': 'important' } }]);
  });

  it('is simulated exactly as the fragment declares it', () => {
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
