import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_POLICY } from '../../shared/index.js';
import { parsePolicyText } from '../../shared/policy/policyText.js';
import { MAX_TEMPLATE_BYTES, scanTemplateText, type ScannedFile } from '../../shared/template/scan.js';
import { outcome, ROOT } from '../helpers/fixtures.js';

const NOW = Date.parse('2026-11-23T00:00:00Z');
const FIXTURES = join(ROOT, 'test', 'fixtures', 'templates');
const examplePolicy = parsePolicyText(readFileSync(join(ROOT, 'examples', 'policy.yaml'), 'utf8'));
// Templates carry no account: waivers scoped to one never match there, so the fixture uses one without.
const fixturePolicy = parsePolicyText(readFileSync(join(ROOT, 'test', 'fixtures', 'policies', 'fixture-policy.yaml'), 'utf8'));

function scan(name: string, policy = DEFAULT_POLICY, explicit = true): ScannedFile {
  return scanTemplateText(name, readFileSync(join(FIXTURES, name), 'utf8'), policy, NOW, explicit);
}


describe('template scan', () => {
  it('reports exactly the functions that inherit a deprecated runtime from SAM Globals, with their lines', () => {
    const file = scan('sam-globals.yaml');
    expect(outcome(file)).toEqual({
      InheritsOne: 'NON_COMPLIANT RW004:error',
      InheritsTwo: 'NON_COMPLIANT RW004:error',
      Overrides: 'COMPLIANT',
      ImageFunction: 'NOT_APPLICABLE RW000:info',
    });
    expect(file.functions.map((f) => [f.logicalId, f.line, f.runtime])).toEqual([
      ['InheritsOne', 10, 'nodejs16.x'],
      ['InheritsTwo', 14, 'nodejs16.x'],
      ['Overrides', 18, 'nodejs22.x'],
      ['ImageFunction', 23, undefined],
    ]);
  });

  it('passes current runtimes with allowed modes', () => {
    expect(outcome(scan('good-current.yaml'))).toEqual({ Api: 'COMPLIANT', Worker: 'COMPLIANT', Ledger: 'COMPLIANT' });
  });

  it('flags every lifecycle phase, unknown runtimes and a missing runtime', () => {
    expect(outcome(scan('bad-lifecycle.yaml'))).toEqual({
      Deprecated: 'NON_COMPLIANT RW004:error',
      CreateBlocked: 'NON_COMPLIANT RW005:error',
      UpdateBlocked: 'NON_COMPLIANT RW006:error',
      Unknown: 'NON_COMPLIANT RW001:error',
      NoRuntime: 'NON_COMPLIANT RW001:error',
    });
  });

  it('resolves parameters, conditions, mappings and Sub, judging the worst value and saying so', () => {
    const file = scan('parameters.yaml');
    expect(outcome(file)).toEqual({
      FromRefWorstAllowed: 'NON_COMPLIANT RW004:error',
      FromRefDefault: 'COMPLIANT',
      FromSub: 'COMPLIANT',
      FromIf: 'NON_COMPLIANT RW004:error',
      FromMapping: 'NON_COMPLIANT RW004:error',
      FromImport: 'COMPLIANT RW016:warning',
      FromPseudo: 'COMPLIANT RW016:warning',
    });
    const byId = new Map(file.functions.map((f) => [f.logicalId, f]));
    expect(byId.get('FromRefWorstAllowed')!.findings[0]!.message).toMatch(/\(Runtime !Ref NodeRuntime = nodejs16\.x via AllowedValues of NodeRuntime, the worst of 2 values\)$/);
    expect(byId.get('FromIf')!.findings[0]!.message).toMatch(/\(Runtime !If \[IsProd, nodejs22\.x, nodejs18\.x\] = nodejs18\.x via a branch of condition IsProd, the worst of 2 values\)$/);
    expect(byId.get('FromMapping')!.runtime).toBe('nodejs20.x');
    expect(byId.get('FromSub')!.runtime).toBe('python3.12');
    expect(byId.get('FromImport')!.findings[0]!.message).toBe('Runtime is !ImportValue shared-runtime: !ImportValue shared-runtime cannot be resolved from the template alone; it is judged when deployed (hook, Config rule).');
    expect(byId.get('FromPseudo')!.findings[0]!.message).toContain('!Ref AWS::StackName depends on the deployment');
  });

  it('judges tiers, update modes and waivers as the hook does', () => {
    expect(outcome(scan('tiers-modes.yaml', examplePolicy)).WaivedByPolicy).toBe('NON_COMPLIANT RW003:error RW004:error');
    expect(outcome(scan('tiers-modes.yaml', fixturePolicy))).toEqual({
      CriticalOnAuto: 'NON_COMPLIANT RW008:error',
      CriticalFunctionUpdate: 'COMPLIANT',
      ManualWithoutArn: 'NON_COMPLIANT RW009:error',
      NonCriticalOnFunctionUpdate: 'NON_COMPLIANT RW008:error',
      UnknownTierTag: 'COMPLIANT RW012:warning',
      WaivedByTag: 'COMPLIANT RW003:warning RW004:warning RW013:info',
      WaiverTooFar: 'NON_COMPLIANT RW003:error RW004:error RW015:warning',
      WaivedByPolicy: 'COMPLIANT RW003:warning RW004:warning RW013:info',
    });
  });

  it('reads CDK output and nested stacks as the templates they are', () => {
    expect(outcome(scan('cdk.out/OrdersStack.template.json'))).toEqual({ Handler886CB40B: 'NON_COMPLIANT RW004:error' });
    expect(outcome(scan('nested/parent.yaml'))).toEqual({ Notifier: 'COMPLIANT' });
    expect(outcome(scan('nested/child.yaml'))).toEqual({ ChildWorker: 'NON_COMPLIANT RW004:error' });
  });

  it('reports malformed YAML, alias bombs and non-templates per file without throwing', () => {
    expect(scan('malformed/broken.yaml').error).toMatch(/^not valid YAML or JSON: .* at line 5, column 1/);
    expect(scan('malformed/alias-bomb.yaml').error).toMatch(/^not valid YAML or JSON: Excessive alias count/);
    expect(scan('malformed/kubernetes.yaml').error).toBe('not a CloudFormation template (no Resources with a Type)');
    expect(scan('malformed/kubernetes.yaml', DEFAULT_POLICY, false)).toEqual({ path: 'malformed/kubernetes.yaml', functions: [], skipped: 'not a CloudFormation template (no Resources with a Type)' });
    expect(scan('cdk.out/manifest.json', DEFAULT_POLICY, false).skipped).toBeDefined();
  });

  it('refuses a huge file without parsing it', () => {
    const huge = `Resources:\n${'  # padding\n'.repeat(MAX_TEMPLATE_BYTES / 10)}`;
    expect(scanTemplateText('huge.yaml', huge, DEFAULT_POLICY, NOW).error).toBe('larger than 5 MiB: not scanned');
  });

  it('reports function properties it cannot read, naming them', () => {
    const file = scanTemplateText('x.yaml', 'Resources:\n  F:\n    Type: AWS::Lambda::Function\n    Properties:\n      Runtime: nodejs22.x\n      RuntimeManagementConfig: { UpdateRuntimeOn: Sometimes }\n', DEFAULT_POLICY, NOW);
    expect(outcome(file)).toEqual({ F: 'NON_COMPLIANT RW017:error' });
    expect(file.functions[0]!.findings[0]!.message).toContain('RuntimeManagementConfig.UpdateRuntimeOn');
  });

  it('passes the project template', () => {
    const file = scanTemplateText('template.yaml', readFileSync(join(ROOT, 'template.yaml'), 'utf8'), DEFAULT_POLICY, NOW);
    expect(file.functions.length).toBeGreaterThanOrEqual(4);
    expect(file.functions.every((f) => f.verdict.compliance === 'COMPLIANT' && f.runtime === 'nodejs22.x')).toBe(true);
  });
});
