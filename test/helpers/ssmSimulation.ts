import {
  AutomationDocument,
  AwsService,
  DataTypeEnum,
  ExecuteScriptStep,
  HardCodedString,
  Input,
  InvokeLambdaFunctionStep,
  OnFailure,
  ScriptCode,
  ScriptLanguage,
  Simulation,
  StringVariable,
  type AutomationStep,
  type IAwsInvoker,
  type Invocation,
  type IStringMapVariable,
} from '@cdklabs/cdk-ssm-documents';
import { Stack } from 'aws-cdk-lib';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import type { RemediationRequest } from './remediationProcess.js';
import { ROOT } from './fixtures.js';

// Runs an SSM Automation document of template.yaml in AWS's own simulator
// (@cdklabs/cdk-ssm-documents). The simulator builds documents from its step constructs, so each
// step of ours is translated into the construct of its action; `print()` of the result must equal
// our content (tested), so what is simulated is what is deployed.

type StepDef = { name: string; action: string; inputs: Record<string, any>; onFailure?: string; isEnd?: boolean; timeoutSeconds?: number; maxAttempts?: number; outputs?: { Name: string; Selector: string; Type: string }[] };
type ParamDef = { type: string; description?: string; default?: unknown; allowedPattern?: string; allowedValues?: string[] };
export type DocumentContent = { description: string; assumeRole: string; parameters: Record<string, ParamDef>; mainSteps: StepDef[]; outputs: string[] };

const TYPES: Record<string, DataTypeEnum> = { String: DataTypeEnum.STRING, Integer: DataTypeEnum.INTEGER, Boolean: DataTypeEnum.BOOLEAN, StringMap: DataTypeEnum.STRING_MAP };
const placeholder = /^\{\{\s*([\w.]+)\s*\}\}$/;
const variable = (value: string) => {
  const m = placeholder.exec(value);
  return m ? new StringVariable(m[1]!) : new HardCodedString(value);
};

/** InputPayload as SSM resolves it: each `{{ X }}` value replaced by the typed value of X. */
class PayloadVariable implements IStringMapVariable {
  constructor(private readonly map: Record<string, string>) {}
  resolve(inputs: Record<string, unknown>): Record<string, unknown> {
    return Object.fromEntries(Object.entries(this.map).map(([k, v]) => [k, placeholder.test(v) ? inputs[placeholder.exec(v)![1]!] : v]));
  }
  resolveToStringMap(inputs: Record<string, unknown>): Record<string, unknown> {
    return this.resolve(inputs);
  }
  print(): Record<string, string> {
    return this.map;
  }
  toJSON(): Record<string, string> {
    return this.map;
  }
  requiredInputs(): string[] {
    return Object.values(this.map).flatMap((v) => (placeholder.test(v) ? [placeholder.exec(v)![1]!] : []));
  }
}

function step(stack: Stack, def: StepDef): AutomationStep {
  const common = {
    name: def.name,
    ...(def.isEnd !== undefined && { isEnd: def.isEnd }),
    ...(def.timeoutSeconds !== undefined && { timeoutSeconds: def.timeoutSeconds }),
    ...(def.maxAttempts !== undefined && { maxAttempts: def.maxAttempts }),
    ...(def.onFailure === 'Abort' && { onFailure: OnFailure.abort() }),
    ...(def.outputs && { userOutputs: def.outputs.map((o) => ({ name: o.Name, selector: o.Selector, outputType: TYPES[o.Type]! })) }),
  };
  const known = (keys: string[]) => {
    const extra = Object.keys(def.inputs).filter((k) => !keys.includes(k));
    if (extra.length > 0) throw new Error(`${def.name}: inputs the translation does not carry: ${extra.join(', ')}`);
  };
  switch (def.action) {
    case 'aws:invokeLambdaFunction':
      known(['FunctionName', 'InputPayload']);
      return new InvokeLambdaFunctionStep(stack, def.name, { ...common, functionName: variable(def.inputs.FunctionName), payload: new PayloadVariable(def.inputs.InputPayload) });
    case 'aws:executeScript':
      known(['Runtime', 'Handler', 'InputPayload', 'Script']);
      return new ExecuteScriptStep(stack, def.name, {
        ...common,
        language: ScriptLanguage.fromRuntime(def.inputs.Runtime, def.inputs.Handler),
        code: ScriptCode.inline(def.inputs.Script),
        inputPayload: Object.fromEntries(Object.entries(def.inputs.InputPayload as Record<string, string>).map(([k, v]) => [k, variable(v)])),
      });
    default:
      throw new Error(`${def.name}: no translation for ${def.action}`);
  }
}

export function simulatorDocument(name: string, content: DocumentContent): AutomationDocument {
  const stack = new Stack();
  const doc = new AutomationDocument(stack, name, {
    documentName: name,
    description: content.description,
    assumeRole: variable(content.assumeRole),
    docInputs: Object.entries(content.parameters).map(([p, d]) =>
      Input.ofSpecifiedType(TYPES[d.type]!, p, {
        name: p,
        inputType: TYPES[d.type]!,
        ...(d.description && { description: d.description }),
        ...(d.default !== undefined && { defaultValue: d.default }),
        ...(d.allowedPattern && { allowedPattern: d.allowedPattern }),
        ...(d.allowedValues && { allowedValues: d.allowedValues }),
      }),
    ),
    docOutputs: content.outputs.map((o) => ({ name: o, outputType: DataTypeEnum.STRING })),
  });
  for (const def of content.mainSteps) doc.addStep(step(stack, def));
  return doc;
}

export interface InvokedFunction {
  readonly arn: string;
  readonly handler: RemediationRequest['handler'];
}

/**
 * The simulator's AWS invoker: Lambda `Invoke` of one of our remediation functions runs the real
 * handler against the emulator (in a process of its own, as the simulator waits synchronously);
 * any other function does not exist, as Lambda would answer. Modes persist across invocations.
 */
export class RemediationInvoker implements IAwsInvoker {
  readonly invocations: { functionName: string; payload: unknown; answer: Record<string, unknown> }[] = [];
  private modes: RemediationRequest['modes'];
  constructor(
    private readonly functions: readonly InvokedFunction[],
    private readonly context: Omit<RemediationRequest, 'handler' | 'payload'>,
  ) {
    this.modes = context.modes;
  }

  invoke(invocation: Invocation): Record<string, unknown> {
    if (invocation.service !== AwsService.LAMBDA || invocation.awsApi !== 'invoke') throw new Error(`Unexpected AWS call ${invocation.service.namespace}.${invocation.awsApi}`);
    const params = invocation.awsParams as { FunctionName: string; Payload?: string };
    const fn = this.functions.find((f) => f.arn === params.FunctionName);
    if (!fn) throw Object.assign(new Error(`Function not found: ${params.FunctionName}`), { name: 'ResourceNotFoundException' });
    const payload = JSON.parse(params.Payload ?? '{}');
    const request: RemediationRequest = { ...this.context, modes: this.modes, handler: fn.handler, payload };
    const out = execFileSync(process.execPath, ['--import', 'tsx', join(ROOT, 'test', 'helpers', 'remediationProcess.ts')], { input: JSON.stringify(request), cwd: ROOT, encoding: 'utf8' });
    const { modes, ...answer } = JSON.parse(out) as Record<string, unknown> & { modes: RemediationRequest['modes'] };
    this.modes = modes;
    this.invocations.push({ functionName: params.FunctionName, payload, answer });
    return answer;
  }
}

export function simulate(doc: AutomationDocument, invoker: IAwsInvoker, inputs: Record<string, unknown>) {
  return Simulation.ofAutomation(doc, { awsInvoker: invoker, sleepHook: { sleep: () => undefined } }).simulate(inputs);
}
