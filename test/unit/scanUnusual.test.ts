import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { DEFAULT_POLICY } from '../../shared/index.js';
import { parsePolicyText } from '../../shared/policy/policyText.js';
import { MAX_TEMPLATE_BYTES, scanTemplateText, type ScannedFile } from '../../shared/template/scan.js';
import { outcome, ROOT } from '../helpers/fixtures.js';
import { HOSTILE_SHAPES } from '../helpers/hostileShapes.js';

const NOW = Date.parse('2026-11-23T00:00:00Z');
const FIXTURES = join(ROOT, 'test', 'fixtures', 'unusual-templates');
// critical: FunctionUpdate or Manual only; non-critical: Auto or FunctionUpdate.
const fixturePolicy = parsePolicyText(readFileSync(join(ROOT, 'test', 'fixtures', 'policies', 'fixture-policy.yaml'), 'utf8'));

const scanFile = (name: string): ScannedFile => scanTemplateText(name, readFileSync(join(FIXTURES, name), 'utf8'), DEFAULT_POLICY, NOW);
const scanText = (body: string, policy = DEFAULT_POLICY): ScannedFile => scanTemplateText('t.yaml', body, policy, NOW);


const ZIP = '      Handler: index.handler\n      Role: arn:aws:iam::123456789012:role/app\n      Code: { ZipFile: x }\n';
const template = (params: string, props: string, conditions = ''): string =>
  `Parameters:\n${params || '  Unused: { Type: String, Default: x }\n'}${conditions ? `Conditions:\n${conditions}` : ''}Resources:\n  F:\n    Type: AWS::Lambda::Function\n    Properties:\n${props}${ZIP}`;

describe('the scanner judges everything the template decides', () => {
  it('judges the update mode when the Runtime is not decided (#10.4)', () => {
    const file = scanText(template('  Rt: { Type: String }\n', '      Runtime: !Ref Rt\n      RuntimeManagementConfig: { UpdateRuntimeOn: Manual }\n'));
    expect(outcome(file)).toEqual({ F: 'NON_COMPLIANT RW008:error RW009:error RW016:warning' });
    expect(file.functions[0]!.findings[2]!.message).toBe('Runtime is !Ref Rt: !Ref Rt has no Default or AllowedValues; it is judged when deployed (hook, Config rule).');
  });

  it('says an undecided update mode is open, never a schema error, and lets an image pass as the hook does (#10.5)', () => {
    const zip = scanText(template('  Mode: { Type: String }\n', '      Runtime: nodejs22.x\n      RuntimeManagementConfig: { UpdateRuntimeOn: !Ref Mode }\n'));
    expect(outcome(zip)).toEqual({ F: 'COMPLIANT RW016:warning' });
    // Every rule reading the update mode is named (rules added later that read it too, after these).
    expect(zip.functions[0]!.findings[0]!.message).toMatch(/RW008, RW009, RW010, RW011(, RW\d{3})* are judged when deployed/);
    const image = scanText(template('  Mode: { Type: String }\n', '      PackageType: Image\n      RuntimeManagementConfig: { UpdateRuntimeOn: !Ref Mode }\n'));
    expect(image.functions[0]!.findings.map((f) => f.ruleId)).not.toContain('RW017');
    expect(image.functions[0]!.verdict.compliance).not.toBe('NON_COMPLIANT');
  });

  it('judges every candidate of a tier tag and an update mode, the worst winning (#10.6)', () => {
    const cond = '  IsProd: !Equals [!Ref Unused, prod]\n';
    const tier = scanText(template('', '      Runtime: nodejs22.x\n      Tags: [{ Key: runtime-warden:tier, Value: !If [IsProd, non-critical, critical] }]\n', cond), fixturePolicy);
    expect(outcome(tier)).toEqual({ F: 'NON_COMPLIANT RW007:warning RW008:error' });
    const mode = scanText(template('', '      Runtime: nodejs22.x\n      RuntimeManagementConfig: { UpdateRuntimeOn: !If [IsProd, Auto, Manual] }\n', cond));
    expect(outcome(mode)).toEqual({ F: 'NON_COMPLIANT RW008:error RW009:error' });
    expect(mode.functions[0]!.findings[0]!.message).toContain('RuntimeManagementConfig.UpdateRuntimeOn !If [IsProd, Auto, Manual] = Manual via a branch of condition IsProd');
  });

  it('keeps one condition one value across properties: no combination the template cannot make', () => {
    // Image when IsImage, else Zip on nodejs22.x: neither branch lacks what it needs.
    const file = scanText(template('', '      PackageType: !If [IsImage, Image, Zip]\n      Runtime: !If [IsImage, !Ref AWS::NoValue, nodejs22.x]\n', '  IsImage: !Equals [!Ref Unused, image]\n'));
    expect(outcome(file)).toEqual({ F: 'COMPLIANT' });
  });

  it('says a tier from a parameter without Default is open rather than dropping it (#10.6)', () => {
    const file = scanText(template('  Tier: { Type: String }\n', '      Runtime: nodejs22.x\n      Tags: { runtime-warden:tier: !Ref Tier }\n'), fixturePolicy);
    expect(outcome(file)).toEqual({ F: 'COMPLIANT RW016:warning' });
    expect(file.functions[0]!.findings[0]!.message).toMatch(/^Tag runtime-warden:tier is .*!Ref Tier has no Default or AllowedValues; RW007, RW008, RW010, RW011, RW012(, RW\d{3})* are judged when deployed/);
  });

  it('judges a function without its waiver when the waiver tag is not decided', () => {
    const file = scanText(template('  W: { Type: String }\n', '      Runtime: nodejs16.x\n      Tags: { runtime-warden:waiver: !Ref W }\n'));
    expect(outcome(file)).toEqual({ F: 'NON_COMPLIANT RW004:error RW016:warning' });
  });
});

describe('what the held-out templates taught (#21)', () => {
  it("reads a template whose Rules section uses the rule functions", () => {
    const file = scanText(readFileSync(join(FIXTURES, 'rules-section.yaml'), 'utf8'));
    expect(file.error).toBeUndefined();
    expect(outcome(file)).toEqual({ F: 'NON_COMPLIANT RW004:error' });
  });

  it.each([
    ['an update mode Lambda does not know', '      RuntimeManagementConfig: { UpdateRuntimeOn: FunctionChange }\n', 'NON_COMPLIANT RW017:error RW004:error', /RuntimeManagementConfig\.UpdateRuntimeOn: /],
    ['a numeric FunctionName', '      FunctionName: 42\n', 'NON_COMPLIANT RW017:error RW004:error', /FunctionName: /],
    // Tags the scanner cannot read as tags are left out of what it judges (no tier, no waiver).
    ['Tags that are neither a list nor a map', '      Tags: not-tags\n', 'NON_COMPLIANT RW004:error', /nodejs16\.x is deprecated/],
  ])('reports %s beside the deprecated runtime, running every check whose inputs it can read', (_, props, expected, issue) => {
    const file = scanText(template('', `      Runtime: nodejs16.x\n${props}`));
    expect(outcome(file)).toEqual({ F: expected });
    expect(file.functions[0]!.findings[0]!.message).toMatch(issue);
  });

  it('judges every branch of an !If the template decides, and says the other is left to deploy time', () => {
    const file = scanText("Conditions:\n  IsProd: !Equals [!Ref AWS::Region, eu-west-1]\nResources:\n  F:\n    Type: AWS::Lambda::Function\n    Properties: { Runtime: !If [IsProd, python3.9, !ImportValue shared-runtime], Handler: a.h }\n");
    expect(outcome(file)).toEqual({ F: 'NON_COMPLIANT RW004:error RW016:warning' });
    expect(file.functions[0]!.findings[1]!.message).toMatch(/!ImportValue shared-runtime cannot be resolved from the template alone; the values the template decides are judged/);
  });

  it("resolves !FindInMap's DefaultValue for the keys the map does not hold, and names it as a map", () => {
    const file = scanText(
      'Transform: AWS::LanguageExtensions\nParameters:\n  Env: { Type: String, Default: staging, AllowedValues: [prod, staging] }\nMappings:\n  Runtimes:\n    prod: { node: nodejs22.x }\nResources:\n  F:\n    Type: AWS::Lambda::Function\n    Properties: { Runtime: !FindInMap [Runtimes, !Ref Env, node, { DefaultValue: nodejs16.x }], Handler: a.h }\n',
    );
    expect(outcome(file)).toEqual({ F: 'NON_COMPLIANT RW004:error' });
    expect(file.functions[0]!.findings[0]!.message).toContain('(Runtime !FindInMap [Runtimes, !Ref Env, node, {DefaultValue: nodejs16.x}] = nodejs16.x via DefaultValue of Runtimes, the worst of 2 values)');
  });

  it('says a runtime comes from Globals, and applies IgnoreGlobals as SAM does', () => {
    const body = [
      'Transform: AWS::Serverless-2016-10-31',
      'Globals:',
      '  Function:',
      '    Runtime: nodejs16.x',
      '    RuntimeManagementConfig: { UpdateRuntimeOn: Manual }',
      'Resources:',
      '  Inherits: { Type: AWS::Serverless::Function, Properties: { Handler: a.h, CodeUri: . } }',
      '  Image:',
      '    Type: AWS::Serverless::Function',
      '    IgnoreGlobals: [Runtime, RuntimeManagementConfig]',
      '    Properties: { PackageType: Image, ImageUri: repo:1 }',
      '  OwnRuntime:',
      '    Type: AWS::Serverless::Function',
      "    IgnoreGlobals: '*'",
      '    Properties: { Runtime: nodejs22.x, Handler: a.h, CodeUri: . }',
    ].join('\n');
    const file = scanText(body);
    expect(outcome(file)).toEqual({ Inherits: 'NON_COMPLIANT RW004:error RW008:error RW009:error', Image: 'NOT_APPLICABLE RW000:info', OwnRuntime: 'COMPLIANT' });
    expect(file.functions[0]!.findings[0]!.message).toMatch(/ \(nodejs16\.x from Globals\.Function\.Runtime; Manual from Globals\.Function\.RuntimeManagementConfig\.UpdateRuntimeOn\)$/);
  });
});

describe('templates CloudFormation accepts', () => {
  it('reads Code given as a local path (#10.7)', () => {
    expect(outcome(scanFile('code-path.yaml'))).toEqual({ Packaged: 'NON_COMPLIANT RW004:error' });
  });

  it('expands Fn::ForEach over a list and over a CommaDelimitedList, at the loop line (#10.8)', () => {
    const file = scanFile('foreach.yaml');
    expect(outcome(file)).toEqual({
      OrdersFunction: 'NON_COMPLIANT RW004:error',
      PaymentsFunction: 'NON_COMPLIANT RW004:error',
      billingWorker: 'COMPLIANT',
      shippingeuWorker: 'COMPLIANT',
    });
    expect(file.functions.map((f) => [f.logicalId, f.line, f.runtime])).toEqual([
      ['OrdersFunction', 8, 'nodejs18.x'],
      ['PaymentsFunction', 8, 'nodejs18.x'],
      ['billingWorker', 19, 'nodejs22.x'],
      ['shippingeuWorker', 19, 'nodejs22.x'],
    ]);
  });

  it('reports a loop whose collection the template does not decide, rather than passing the file over', () => {
    const body = "Transform: AWS::LanguageExtensions\nParameters:\n  Names: { Type: CommaDelimitedList }\nResources:\n  'Fn::ForEach::X':\n    - N\n    - !Ref Names\n    - '${N}': { Type: AWS::Lambda::Function, Properties: { Runtime: nodejs16.x } }\n";
    expect(scanTemplateText('loop.yaml', body, DEFAULT_POLICY, NOW, false).error).toMatch(/^cannot be scanned: Fn::ForEach::X: its collection is not decided by the template \(!Ref Names has no Default\)/);
  });

  it.each([
    ['a copy per item', 'x${N}'],
    ['one shared string', 'x'],
  ])('refuses a Fn::ForEach whose output would be far past what CloudFormation accepts (%s), before building it', (_, piece) => {
    const items = Array.from({ length: 2_000 }, (_, i) => `a${i}`);
    const big = piece.repeat(Math.ceil(2_500_000 / piece.length));
    const body = JSON.stringify({
      Transform: 'AWS::LanguageExtensions',
      Resources: { 'Fn::ForEach::X': ['N', items, { 'F${N}': { Type: 'AWS::Lambda::Function', Properties: { Runtime: 'nodejs22.x', Description: big } } }] },
    });
    const before = process.memoryUsage().heapUsed;
    const file = scanTemplateText('bomb.json', body, DEFAULT_POLICY, NOW, false);
    expect(file.error).toMatch(/Fn::ForEach makes more than 5242880 characters of template, past what CloudFormation accepts/);
    expect(file.functions).toEqual([]);
    // Nothing near the 5 GB the expansion would take: bounded by the budget, not by the loop.
    expect(process.memoryUsage().heapUsed - before).toBeLessThan(256 * 1024 * 1024);
  });

  it('resolves !Select over a literal list, a CommaDelimitedList parameter and !Split (#10.9)', () => {
    const file = scanFile('select.yaml');
    expect(file.functions.map((f) => [f.logicalId, f.runtime])).toEqual([
      ['FromLiteralList', 'nodejs16.x'],
      ['FromListParameter', 'python3.9'],
      ['FromSplit', 'java8.al2'],
    ]);
    expect(outcome(file).FromLiteralList).toBe('NON_COMPLIANT RW004:error');
  });

  it('reads YAML that CloudFormation reads: flow collections closed at the key column, lines kept (#10.10)', () => {
    const file = scanFile('flow-closed-at-key.yaml');
    expect(file.error).toBeUndefined();
    expect(file.functions.map((f) => [f.logicalId, f.line, f.verdict.compliance])).toEqual([
      ['Legacy', 4, 'NON_COMPLIANT'],
      ['Current', 16, 'COMPLIANT'],
    ]);
    expect(file.functions[0]!.hookProperties.Layers).toEqual(['arn:aws:lambda:eu-west-1:123456789012:layer:shared:3']);
  });

  describe('the parser library', () => {
    afterEach(() => vi.restoreAllMocks());
    it('keeps its warnings off stderr (#10.10)', () => {
      const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
      const emit = vi.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
      scanText(`Resources:\n  F:\n    Type: AWS::Lambda::Function\n    Properties:\n      Runtime: nodejs22.x\n      Environment:\n        ? [a, b]\n        : c\n`);
      expect(warn).not.toHaveBeenCalled();
      expect(emit).not.toHaveBeenCalled();
    });
  });
});

describe('any shape a template holds is judged or reported as that file error (#10.2)', () => {
  it.each([
    ['a map', '{ a: nodejs16.x }', 'AllowedValues of parameter Rt must be a list'],
    ['a number', '16', 'AllowedValues of parameter Rt must be a list'],
    ['a string', 'nodejs16.x', 'AllowedValues of parameter Rt must be a list'],
  ])('AllowedValues as %s', (_, allowed, message) => {
    const file = scanText(template(`  Rt: { Type: String, AllowedValues: ${allowed} }\n`, '      Runtime: !Ref Rt\n'));
    expect(file).toEqual({ path: 't.yaml', functions: [], error: `not a valid template: ${message}` });
  });

  it('reports non-map parameters, resources and properties without throwing', () => {
    expect(scanText('Parameters: [a]\nResources:\n  F: { Type: AWS::Lambda::Function }\n').error).toBe('not a valid template: Parameters must be a map');
    expect(outcome(scanText('Parameters:\nResources:\n  F: { Type: AWS::Lambda::Function, Properties: { Runtime: nodejs22.x } }\n'))).toEqual({ F: 'COMPLIANT' });
    expect(outcome(scanText('Resources:\n  F: { Type: AWS::Lambda::Function, Properties: [1] }\n'))).toEqual({ F: 'NON_COMPLIANT RW001:error' });
    expect(outcome(scanText('Resources:\n  F: { Type: AWS::Lambda::Function, Properties: { Runtime: [nodejs16.x] } }\n'))).toEqual({ F: 'NON_COMPLIANT RW017:error' });
  });
});

describe('costs grow linearly with the input (#10.3; timed in bench/hostile.bench.ts)', () => {
  const shape = (name: string) => HOSTILE_SHAPES.find((s) => s.name === name)!;

  it('parses a waiver tag of 300,000 trailing spaces', () => {
    const s = shape('waiver tag with trailing spaces');
    expect(outcome(scanText(s.build(s.size)))).toEqual({ Spaces: 'COMPLIANT RW004:warning RW013:info' });
  });

  it('resolves !Sub with 50,000 references and !Join with 50,000 parts', () => {
    for (const name of ['!Sub with many references', '!Join with many parts']) {
      const s = shape(name);
      const file = scanText(s.build(s.size));
      expect(file.functions.map((f) => [f.runtime, f.verdict.compliance])).toEqual([['nodejs16.x', 'NON_COMPLIANT']]);
    }
  });

  it('scans 50,000 functions in one file, still finding a duplicate key', () => {
    const s = shape('many functions in one file');
    const text = s.build(s.size);
    expect(Buffer.byteLength(text)).toBeLessThan(MAX_TEMPLATE_BYTES);
    const file = scanText(text);
    expect(file.functions.length).toBe(50_000);
    expect(file.functions.filter((f) => f.verdict.compliance === 'NON_COMPLIANT').length).toBe(25_000);
    expect(scanText(`${text}  F7:\n    Type: AWS::SNS::Topic\n`).error).toBe('not valid YAML or JSON: duplicated mapping key at line 150002, column 3');
  });
});
