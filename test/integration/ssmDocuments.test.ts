import { CreateDocumentCommand, DescribeDocumentCommand, SSMClient } from '@aws-sdk/client-ssm';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type * as z from '../../shared/schema/zod.js';
import { notifyInputSchema, switchModeInputSchema } from '../../shared/adapters/remediationInput.js';
import { rollbackInputSchema } from '../../remediation/switch-mode/handler.js';
import { parseTemplate } from '../../shared/template/parse.js';
import { startMoto, type MotoServer } from '../../scripts/emulator/moto.js';
import { ROOT } from '../helpers/fixtures.js';

type Resource = { Type: string; Properties: Record<string, any>; Metadata?: Record<string, any> };
const resources = (parseTemplate(readFileSync(join(ROOT, 'template.yaml'), 'utf8')) as { Resources: Record<string, Resource> }).Resources;
const ofType = (type: string): [string, Resource][] => Object.entries(resources).filter(([, r]) => r.Type === type);
const documents = ofType('AWS::SSM::Document');
const remediations = ofType('AWS::Config::RemediationConfiguration');

// Which inputs each remediation function accepts, by its entry point: switch-mode also takes the
// rollback action (RollbackDocument).
const INPUT_SCHEMAS: Record<string, z.ZodMiniType[]> = {
  'remediation/notify/handler.ts': [notifyInputSchema],
  'remediation/switch-mode/handler.ts': [switchModeInputSchema, rollbackInputSchema],
};

/** Replaces {{ Param }} with the parameter's default, or a sample value. */
function substitute(value: unknown, params: Record<string, { default?: unknown }>): unknown {
  if (typeof value === 'string') {
    const whole = /^\{\{\s*(\w+)\s*\}\}$/.exec(value);
    if (whole) return String(params[whole[1]!]?.default ?? (whole[1] === 'FunctionName' ? 'orders-api' : 'x'));
    return value;
  }
  if (Array.isArray(value)) return value.map((v) => substitute(v, params));
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, substitute(v, params)]));
  return value;
}

describe('SSM Automation documents', () => {
  it('are three schema 0.3 Automation documents', () => {
    expect(documents.map(([id]) => id).sort()).toEqual(['NotifyDocument', 'RollbackDocument', 'SwitchModeDocument']);
    for (const [, d] of documents) {
      expect(d.Properties).toMatchObject({ DocumentType: 'Automation', Content: { schemaVersion: '0.3', assumeRole: '{{ AutomationAssumeRole }}' } });
    }
  });

  it.each(documents)('%s uses only parameters it declares, and every step invokes a function of the template with inputs it accepts', (_, doc) => {
    const content = doc.Properties.Content;
    const declared = new Set(Object.keys(content.parameters));
    const used = [...JSON.stringify(content).matchAll(/\{\{\s*(\w+)\s*\}\}/g)].map((m) => m[1]!);
    expect(used.filter((p) => !declared.has(p))).toEqual([]);
    expect([...declared].filter((p) => !used.includes(p))).toEqual([]);
    const invokes = content.mainSteps.filter((s: { action: string }) => s.action === 'aws:invokeLambdaFunction');
    expect(invokes).toHaveLength(1);
    for (const step of invokes) {
      expect(step).toMatchObject({ onFailure: 'Abort', inputs: { FunctionName: { 'Fn::GetAtt': [expect.any(String), 'Arn'] } } });
      const target = resources[step.inputs.FunctionName['Fn::GetAtt'][0]];
      expect(target?.Type).toBe('AWS::Serverless::Function');
      const schemas = INPUT_SCHEMAS[target!.Metadata!.BuildProperties.EntryPoints[0]];
      expect(schemas, 'a remediation function').toBeDefined();
      const payload = substitute(step.inputs.InputPayload, content.parameters);
      const errors = schemas!.map((s) => s.safeParse(payload).error);
      expect(errors.some((e) => e === undefined), String(errors)).toBe(true);
    }
    for (const out of content.outputs) expect(content.mainSteps.map((s: { name: string }) => s.name)).toContain(out.split('.')[0]);
  });

  // Each action's outputs as the Systems Manager User Guide documents them ("Automation actions
  // reference", the action's Output section), and which of them exist on every run. What SSM does
  // with a reference to an output that is absent is not documented: a document refers to none.
  // - aws:invokeLambdaFunction: StatusCode; Payload, "present only if the invocation type is
  //   RequestResponse" (the default); FunctionError only "if an error occurred"; LogResult only if
  //   the invocation type is RequestResponse "and the logs were requested".
  // - aws:executeScript: Payload, the object the script's function returns.
  const DOCUMENTED_OUTPUTS: Record<string, (inputs: Record<string, unknown>) => { always: string[]; optional: string[] }> = {
    'aws:invokeLambdaFunction': (inputs) => ((inputs.InvocationType ?? 'RequestResponse') === 'RequestResponse' ? { always: ['StatusCode', 'Payload'], optional: ['FunctionError', 'LogResult'] } : { always: ['StatusCode'], optional: ['FunctionError', 'LogResult', 'Payload'] }),
    'aws:executeScript': () => ({ always: ['Payload'], optional: [] }),
  };

  it.each(documents)('%s refers to no step output that AWS documents as optional, nor to any undocumented one', (_, doc) => {
    // Prepare: every `{{ Step.Output }}` in the document, and the document's own outputs
    const content = doc.Properties.Content;
    const steps = new Map<string, { action: string; inputs: Record<string, unknown> }>(content.mainSteps.map((st: { name: string }) => [st.name, st]));
    const references = [...[...JSON.stringify(content.mainSteps).matchAll(/\{\{\s*(\w+)\.(\w+)\s*\}\}/g)].map((m) => [m[1]!, m[2]!]), ...(content.outputs as string[]).map((o) => o.split('.'))];
    expect(references.length).toBeGreaterThan(0);
    for (const [step, output] of references) {
      // Act
      const target = steps.get(step!);
      const documented = target && DOCUMENTED_OUTPUTS[target.action]?.(target.inputs);
      // Assess
      expect(target, `${step}.${output}: a step of the document`).toBeDefined();
      expect(documented, `${target!.action}: its documented outputs written down here`).toBeDefined();
      expect(documented!.optional, `${step}.${output} is an optional output of ${target!.action}`).not.toContain(output);
      expect(documented!.always, `${step}.${output} is an output of ${target!.action}`).toContain(output);
    }
  });

  // CloudFormation cannot share one script between documents (an executeScript attachment must
  // live in S3, which `sam package` does not upload for SSM documents), so each carries it: this
  // keeps the copies one.
  it('fail on the function error with one script, the same in every document', () => {
    const [first, ...rest] = documents.map(([, d]) => {
      const [check, ...more] = d.Properties.Content.mainSteps.filter((st: { action: string }) => st.action === 'aws:executeScript');
      expect(more).toEqual([]);
      const { InputPayload, ...inputs } = check.inputs;
      return { ...check, inputs, payload: Object.keys(InputPayload) };
    });
    expect(rest).toHaveLength(2);
    for (const other of rest) expect(other).toEqual(first);
  });

  it('leave the rollback to on-call: RollbackDocument is no Config rule\'s remediation and runs as the switch-mode role', () => {
    expect(remediations.map(([, r]) => r.Properties.TargetId.Ref)).not.toContain('RollbackDocument');
    const step = resources.RollbackDocument!.Properties.Content.mainSteps[0];
    expect(step.inputs.FunctionName).toEqual({ 'Fn::GetAtt': ['SwitchModeFunction', 'Arn'] });
  });

  it('are wired one to a Config rule each, given every parameter without a default, with a role that may only invoke their function', () => {
    const rules = remediations.map(([, r]) => r.Properties.ConfigRuleName.Ref);
    expect(new Set(rules).size).toBe(remediations.length);
    for (const [, r] of remediations) {
      const p = r.Properties;
      expect(resources[p.ConfigRuleName.Ref]?.Type).toBe('AWS::Config::ConfigRule');
      const doc = resources[p.TargetId.Ref]!;
      expect(doc.Type).toBe('AWS::SSM::Document');
      const params = doc.Properties.Content.parameters as Record<string, { default?: unknown }>;
      expect(Object.keys(p.Parameters).sort()).toEqual(Object.keys(params).sort());
      expect(p.Parameters.FunctionName).toEqual({ ResourceValue: { Value: 'RESOURCE_ID' } });
      expect(p).toMatchObject({ TargetType: 'SSM_DOCUMENT', MaximumAutomaticAttempts: expect.any(Number), RetryAttemptSeconds: expect.any(Number) });
      const role = resources[p.Parameters.AutomationAssumeRole.StaticValue.Values[0]['Fn::GetAtt'][0]]!;
      expect(role.Properties.AssumeRolePolicyDocument.Statement[0].Principal).toEqual({ Service: 'ssm.amazonaws.com' });
      const statements = role.Properties.Policies.flatMap((x: { PolicyDocument: { Statement: unknown[] } }) => x.PolicyDocument.Statement);
      expect(statements).toEqual([{ Effect: 'Allow', Action: 'lambda:InvokeFunction', Resource: doc.Properties.Content.mainSteps[0].inputs.FunctionName }]);
    }
  });

  it('run notify automatically and switch-mode on request by default', () => {
    expect(resources.NotifyRemediation!.Properties.Automatic).toEqual({ 'Fn::If': ['NotifyIsAutomatic', true, false] });
    expect(resources.SwitchModeRemediation!.Properties.Automatic).toEqual({ 'Fn::If': ['SwitchModeIsAutomatic', true, false] });
  });

  describe('in the emulator', () => {
    let moto: MotoServer;
    let ssm: SSMClient;
    beforeAll(async () => {
      moto = await startMoto();
      ssm = new SSMClient(moto.clientConfig);
    });
    afterAll(async () => {
      ssm?.destroy();
      await moto?.stop();
    });

    it.each(documents)('%s is accepted by CreateDocument and exposes its parameters', async (id, doc) => {
      const content = JSON.parse(JSON.stringify(doc.Properties.Content).replace(/\{"Fn::GetAtt":\["(\w+)","Arn"\]\}/g, '"arn:aws:lambda:eu-west-1:123456789012:function:$1"'));
      await ssm.send(new CreateDocumentCommand({ Name: id, DocumentType: 'Automation', DocumentFormat: 'JSON', Content: JSON.stringify(content) }));
      const { Document } = await ssm.send(new DescribeDocumentCommand({ Name: id }));
      expect(Document?.Parameters?.map((p) => p.Name).sort()).toEqual(Object.keys(content.parameters).sort());
    });
  });
});
