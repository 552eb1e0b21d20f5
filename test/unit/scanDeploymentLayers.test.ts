import { describe, expect, it } from 'vitest';
import { DEFAULT_POLICY, parsePolicy } from '../../shared/index.js';
import { reviewStack } from '../../shared/template/stackReview.js';
import { scanTemplateText } from '../../shared/template/scan.js';
import { summarise } from '../../cli/scanReport.js';
import { renderText } from '../../cli/scanFormats/text.js';

// The scanner's facts beyond the hook's properties (issue #24): how a SAM function deploys, its
// architectures, and what a LayerVersion of the same template declares; and the layer resources
// themselves (RW019), at their line.

const NOW = Date.parse('2026-11-23T00:00:00Z');
const policy = parsePolicy({
  version: 1,
  tiers: {
    definitions: {
      critical: { allowedUpdateModes: ['Manual', 'FunctionUpdate'], preferredUpdateMode: 'FunctionUpdate', upgradeLeadDays: 180, deployment: { requireTrafficShifting: true, requireAlarms: 1 } },
      important: { allowedUpdateModes: ['FunctionUpdate', 'Auto'], preferredUpdateMode: 'Auto', upgradeLeadDays: 90, deployment: { requirePublishedVersions: true } },
      'non-critical': { allowedUpdateModes: ['Auto'], upgradeLeadDays: 30 },
    },
  },
});

const sam = (resources: string, globals = ''): string => `Transform: AWS::Serverless-2016-10-31
${globals}Resources:
${resources}`;
const critical = (extra = ''): string => `  Api:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: nodejs22.x
      Handler: index.handler
      CodeUri: src/
      RuntimeManagementConfig:
        UpdateRuntimeOn: FunctionUpdate
      Tags:
        runtime-warden:tier: critical
${extra}`;
const scan = (text: string, p = policy) => scanTemplateText('t.yaml', text, p, NOW);
const rule = (text: string, id: string, p = policy) => scan(text, p).functions.flatMap((f) => f.findings.filter((x) => x.ruleId === id).map((x) => ({ fn: f.logicalId, ...x })));

describe('deployment facts in the scanner (RW020)', () => {
  it('flags a critical SAM function without DeploymentPreference, at the resource, saying what to add', () => {
    const [f, ...rest] = rule(sam(critical()), 'RW020');
    expect(rest).toEqual([]);
    expect(f).toMatchObject({ fn: 'Api', severity: 'warning', location: { path: 'Resources.Api', line: 3 } });
    expect(f!.message).toBe('The critical tier requires how a function deploys: add AutoPublishAlias; a DeploymentPreference with a Canary or Linear Type; 1 more CloudWatch alarm(s) under DeploymentPreference.Alarms (has 0, needs 1).');
  });

  it('accepts AutoPublishAlias with a Canary preference and an alarm, and points at an AllAtOnce preference', () => {
    const good = `      AutoPublishAlias: live
      DeploymentPreference:
        Type: Canary10Percent5Minutes
        Alarms: [!Ref ErrorsAlarm]
`;
    expect(rule(sam(critical(good)), 'RW020')).toEqual([]);
    const allAtOnce = `      AutoPublishAlias: live
      DeploymentPreference:
        Type: AllAtOnce
        Alarms: [!Ref ErrorsAlarm]
`;
    const [f] = rule(sam(critical(allAtOnce)), 'RW020');
    expect(f!.message).toContain('a Canary or Linear DeploymentPreference.Type (not AllAtOnce)');
    expect(f!.location).toMatchObject({ path: 'Resources.Api.Properties.DeploymentPreference', line: 14 });
  });

  it('takes a preference with Enabled: false for none: no shifting, no alarms', () => {
    const disabled = `      AutoPublishAlias: live
      DeploymentPreference:
        Enabled: false
        Type: Canary10Percent5Minutes
        Alarms: [!Ref ErrorsAlarm]
`;
    const [f, ...rest] = rule(sam(critical(disabled)), 'RW020');
    expect(rest).toEqual([]);
    expect(f!.message).toContain('a DeploymentPreference with a Canary or Linear Type');
    expect(f!.message).toContain('(has 0, needs 1)');
  });

  it('reads the preference from Globals.Function, and a parameter it resolves', () => {
    const globals = `Parameters:
  Shift: { Type: String, Default: Linear10PercentEvery1Minute }
Globals:
  Function:
    AutoPublishAlias: live
    DeploymentPreference:
      Type: !Ref Shift
      Alarms: [a1]
`;
    expect(rule(sam(critical(), globals), 'RW020')).toEqual([]);
  });

  it('leaves RW020 to deploy time where the template does not decide the preference', () => {
    const open = `      AutoPublishAlias: live
      DeploymentPreference:
        Type: !ImportValue shared-deploy-type
        Alarms: [a1]
`;
    expect(rule(sam(critical(open)), 'RW020')).toEqual([]);
  });

  it('counts an AWS::Lambda::Version of the function as publishing versions (the important tier)', () => {
    const fn = (name: string) => `  ${name}:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: nodejs22.x
      Handler: index.handler
      CodeUri: src/
      Tags:
        runtime-warden:tier: important
`;
    const text = sam(`${fn('Versioned')}${fn('Bare')}  V1:
    Type: AWS::Lambda::Version
    Properties:
      FunctionName: !Ref Versioned
`);
    expect(rule(text, 'RW020').map((f) => f.fn)).toEqual(['Bare']);
  });

  it('judges nothing of how a function deploys under the default policy', () => {
    expect(rule(sam(critical()), 'RW020', DEFAULT_POLICY)).toEqual([]);
  });
});

const layered = (runtimes: string, fnRuntime = 'python3.9', archs = '') => sam(`  Utils:
    Type: AWS::Serverless::LayerVersion
    Properties:
      LayerName: shared-utils
      ContentUri: layer/
      CompatibleRuntimes: ${runtimes}
${archs}  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: ${fnRuntime}
      Handler: app.handler
      CodeUri: src/
      Architectures: [arm64]
      Layers:
        - !Ref Utils
        - arn:aws:lambda:eu-west-1:123456789012:layer:elsewhere:3
`);

describe('template-declared layers (RW018, RW019, RW022)', () => {
  it('names the layer version and the target runtime for a python3.9 function whose layer declares only python3.8/3.9', () => {
    const [f, ...rest] = rule(layered('[python3.8, python3.9]'), 'RW018');
    expect(rest).toEqual([]);
    expect(f).toMatchObject({ fn: 'Fn', severity: 'warning', location: { path: 'Resources.Fn.Properties.Layers', line: 16 } });
    expect(f!.message).toBe('Layer shared-utils declares python3.8, python3.9, not python3.11: publish a version of `shared-utils` compatible with python3.11 first.');
  });

  it('flags the layer resource itself, at its CompatibleRuntimes, when it declares only deprecated runtimes', () => {
    const file = scan(layered('[python3.8, python3.9]'));
    const layer = file.functions.find((f) => f.logicalId === 'Utils')!;
    expect(layer).toMatchObject({ type: 'AWS::Serverless::LayerVersion', line: 3, verdict: { compliance: 'COMPLIANT' } });
    expect(layer.findings).toEqual([
      expect.objectContaining({ ruleId: 'RW019', severity: 'warning', location: expect.objectContaining({ path: 'Resources.Utils.Properties.CompatibleRuntimes', line: 8 }) }),
    ]);
    expect(layer.findings[0]!.message).toMatch(/^Layer shared-utils declares only deprecated runtimes \(python3\.8, python3\.9\): publish a version of `shared-utils` compatible with python3\./);
  });

  it('counts a flagged layer resource as a layer version, not a function, in the summary and the text', () => {
    const file = scan(layered('[python3.8, python3.9]'));
    const report = { files: [file], now: new Date(NOW), policy: 'test', catalog: policy.base.origin, version: '0' };
    expect(summarise(report)).toMatchObject({ functions: 1, layerVersions: 1, nonCompliant: 1 });
    expect(renderText(report).trimEnd().split('\n').at(-1)).toMatch(/^1 function in 1 template: .*; 1 layer version with findings \(/);
  });

  it('lists no layer resource that supports a current runtime, and no RW018 when it declares the target', () => {
    const file = scan(layered('[python3.11, python3.12, python3.13]', 'python3.12'));
    expect(file.functions.map((f) => f.logicalId)).toEqual(['Fn']);
    expect(file.functions[0]!.findings.filter((f) => f.ruleId.startsWith('RW01') && f.ruleId >= 'RW018')).toEqual([]);
  });

  it('checks the architectures the layer declares against the function', () => {
    const [f] = rule(layered('[python3.12]', 'python3.12', '      CompatibleArchitectures: [x86_64]\n'), 'RW018');
    expect(f!.message).toBe('Layer shared-utils declares architectures x86_64, not arm64.');
  });

  it('says once that a layer declaring nothing is of unknown compatibility', () => {
    const text = layered('[python3.12]', 'python3.12').replace('      CompatibleRuntimes: [python3.12]\n', '');
    const findings = rule(text, 'RW022');
    expect(findings.map((f) => [f.fn, f.severity, f.message])).toEqual([['Fn', 'info', 'Layer shared-utils declares no compatible runtimes: compatibility unknown, test the function with it before a runtime move.']]);
  });
});

describe('the stack hook', () => {
  it('flags a critical SAM function without DeploymentPreference', () => {
    const r = reviewStack({ kind: 'STACK', template: sam(critical()) }, policy, NOW);
    expect(r.judged.map((f) => f.logicalId)).toEqual(['Api']);
    expect(r.judged[0]!.findings.map((x) => x.ruleId)).toContain('RW020');
    expect(r.breaking).toEqual([]);
  });

  it('warns, at change-set time, that an update moves a critical function to a new runtime without gradual deployment', () => {
    const before = sam(critical().replace('nodejs22.x', 'nodejs20.x'));
    for (const kind of ['STACK', 'CHANGE_SET'] as const) {
      const r = reviewStack({ kind, template: sam(critical()), previousTemplate: before, ...(kind === 'CHANGE_SET' && { changedResources: [{ action: 'Modify', logicalResourceId: 'Api', resourceType: 'AWS::Serverless::Function' }] }) }, policy, NOW);
      const rw020 = r.judged[0]!.findings.find((f) => f.ruleId === 'RW020')!;
      expect(rw020.message).toMatch(/^This operation moves Api from nodejs20\.x to nodejs22\.x without the deployment its tier requires\. The critical tier requires how a function deploys: add AutoPublishAlias;/);
    }
    // Same runtime, another change: the plain RW020.
    const same = reviewStack({ kind: 'STACK', template: sam(critical('      MemorySize: 512\n')), previousTemplate: sam(critical()) }, policy, NOW);
    expect(same.judged[0]!.findings.find((f) => f.ruleId === 'RW020')!.message).toMatch(/^The critical tier requires/);
  });
});
