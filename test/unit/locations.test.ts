// Where each finding says to edit (#21.6): the value that decides it - the property, SAM's Globals,
// a parameter's Default or AllowedValues entry, a mapping entry, an !If branch, a Fn::ForEach body -
// else the resource; line and column as cfn-lint counts them, checked against the real cfn-lint.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_POLICY, type Finding } from '../../shared/index.js';
import { parsePolicyText } from '../../shared/policy/policyText.js';
import { locatorOf } from '../../shared/template/parse.js';
import { scanTemplateText, type ScannedFile } from '../../shared/template/scan.js';
import { ROOT } from '../helpers/fixtures.js';

const NOW = Date.parse('2026-11-23T00:00:00Z');
const examplePolicy = parsePolicyText(readFileSync(join(ROOT, 'examples', 'policy.yaml'), 'utf8'));

/** The issue's example: a runtime in Globals.Function at line 7, two functions inheriting it. */
const GLOBALS_EXAMPLE = [
  "AWSTemplateFormatVersion: '2010-09-09'",
  'Transform: AWS::Serverless-2016-10-31',
  'Description: two functions inherit a deprecated runtime',
  '',
  'Globals:',
  '  Function:',
  '    Runtime: nodejs16.x',
  '    Timeout: 10',
  '',
  'Resources:',
  '  InheritsOne:',
  '    Type: AWS::Serverless::Function',
  '    Properties:',
  '      Handler: index.handler',
  '      CodeUri: src/',
  '  InheritsTwo:',
  '    Type: AWS::Serverless::Function',
  '    Properties:',
  '      Handler: index.handler',
  '      CodeUri: src/',
  '',
].join('\n');

const fn = (id: string, props: string[], indent = '      '): string => [`  ${id}:`, '    Type: AWS::Lambda::Function', '    Properties:', '      Handler: i.h', '      Role: arn:aws:iam::123456789012:role/r', '      Code: { ZipFile: x }', ...props.map((p) => `${indent}${p}`)].join('\n');

const scan = (text: string, policy = DEFAULT_POLICY): ScannedFile => scanTemplateText('t.yaml', text, policy, NOW);

/** `line:column-endColumn` of the `n`th occurrence of `written` in `text`, found by searching: what a location should read. */
function span(text: string, written: string, n = 1): string {
  let at = -1;
  for (let i = 0; i < n; i++) at = text.indexOf(written, at + 1);
  if (at < 0) throw new Error(`${written} is not in the text`);
  const line = text.slice(0, at).split('\n').length;
  const column = at - text.lastIndexOf('\n', at - 1);
  return `${line}:${column}-${column + written.length}`;
}

/** Each function's findings as `RWnnn path line:column-endColumn`. */
function where(file: ScannedFile): Record<string, string[]> {
  const at = (x: Finding): string => (x.location ? `${x.ruleId} ${x.location.path} ${x.location.line}:${x.location.column}-${x.location.endLine === x.location.line ? '' : `${x.location.endLine}:`}${x.location.endColumn}` : `${x.ruleId} -`);
  return Object.fromEntries(file.functions.map((f) => [f.logicalId, f.findings.map(at)]));
}

describe('where a finding says to edit', () => {
  it("names Globals.Function.Runtime at its line and column for every function that inherits it (the issue's example)", () => {
    const file = scan(GLOBALS_EXAMPLE);
    expect(where(file)).toEqual({ InheritsOne: ['RW004 Globals.Function.Runtime 7:5-24'], InheritsTwo: ['RW004 Globals.Function.Runtime 7:5-24'] });
    expect(span(GLOBALS_EXAMPLE, 'Runtime: nodejs16.x')).toBe('7:5-24');
    // The resource stays the function's own line and column.
    expect(file.functions.map((f) => [f.line, f.column])).toEqual([[11, 3], [16, 3]]);
  });

  it("points at a parameter's Default, the AllowedValues entry judged, a mapping entry and an !If branch", () => {
    const text = [
      'Parameters:',
      '  NodeRuntime:',
      '    Type: String',
      '    Default: nodejs16.x',
      '  PyRuntime:',
      '    Type: String',
      '    Default: python3.13',
      '    AllowedValues: [python3.13, python3.8]',
      'Mappings:',
      '  Runtimes:',
      '    prod: { java: java8 }',
      'Conditions:',
      '  IsProd: !Equals [!Ref AWS::Region, eu-west-1]',
      'Resources:',
      fn('ViaDefault', ['Runtime: !Ref NodeRuntime']),
      fn('ViaAllowed', ['Runtime: !Ref PyRuntime']),
      fn('ViaMap', ['Runtime: !FindInMap [Runtimes, prod, java]']),
      fn('ViaIf', ['Runtime: !If [IsProd, nodejs22.x, !Ref NodeRuntime]']),
      fn('ViaIfLiteral', ['Runtime: !If [IsProd, python3.9, nodejs22.x]']),
      '',
    ].join('\n');
    // A map entry from its key to its value, a list item (AllowedValues, !If) from its own start, as cfn-lint counts.
    expect(where(scan(text))).toEqual({
      ViaDefault: [`RW004 Parameters.NodeRuntime.Default ${span(text, 'Default: nodejs16.x')}`],
      ViaAllowed: [`RW004 Parameters.PyRuntime.AllowedValues[1] ${span(text, 'python3.8')}`],
      ViaMap: [`RW005 Mappings.Runtimes.prod.java ${span(text, 'java: java8')}`],
      ViaIf: [`RW004 Parameters.NodeRuntime.Default ${span(text, 'Default: nodejs16.x')}`],
      ViaIfLiteral: [`RW004 Resources.ViaIfLiteral.Properties.Runtime.Fn::If[1] ${span(text, 'python3.9')}`],
    });
  });

  it("points at a !FindInMap's DefaultValue and inside the Fn::ForEach body that makes a function", () => {
    const text = [
      'Transform: AWS::LanguageExtensions',
      'Mappings:',
      '  Runtimes:',
      '    prod: { node: nodejs22.x }',
      'Resources:',
      '  Fallback:',
      '    Type: AWS::Lambda::Function',
      '    Properties:',
      '      Runtime: !FindInMap [Runtimes, dev, node, { DefaultValue: python3.8 }]',
      '  Fn::ForEach::Workers:',
      '    - Name',
      '    - [A, B]',
      '    - ${Name}Worker:',
      '        Type: AWS::Lambda::Function',
      '        Properties:',
      '          Runtime: nodejs16.x',
      '',
    ].join('\n');
    const body = `RW004 Resources.Fn::ForEach::Workers[2].\${Name}Worker.Properties.Runtime ${span(text, 'Runtime: nodejs16.x')}`;
    expect(where(scan(text))).toEqual({
      Fallback: [`RW004 Resources.Fallback.Properties.Runtime.Fn::FindInMap[3].DefaultValue ${span(text, 'DefaultValue: python3.8')}`],
      AWorker: [body],
      BWorker: [body],
    });
  });

  it('points every other rule at the property deciding it, else at the resource', () => {
    const text = [
      'Resources:',
      // Manual without an ARN (RW009), where the tier allows only Auto (RW008).
      fn('Pinned', ['Runtime: nodejs22.x', 'RuntimeManagementConfig:', '  UpdateRuntimeOn: Manual']),
      // A tier tag naming no tier (RW012), in Lambda's Key/Value list.
      fn('BadTier', ['Runtime: nodejs22.x', 'Tags:', '  - Key: owner', '    Value: a', '  - Key: runtime-warden:tier', '    Value: gold']),
      // A value the policy cannot read (RW017) beside a deprecated runtime (RW004).
      fn('Unreadable', ['Runtime: python3.9', 'RuntimeManagementConfig: { UpdateRuntimeOn: Sometimes }']),
      // A runtime the template does not decide (RW016).
      fn('Imported', ['Runtime: !ImportValue shared-runtime']),
      // A critical function on Auto, the mode absent: the tier tag decides RW008.
      fn('Critical', ['Runtime: nodejs24.x', 'Tags: [{ Key: runtime-warden:tier, Value: critical }]']),
      '',
    ].join('\n');
    const got = where(scan(text, examplePolicy));
    const mode = `Resources.Pinned.Properties.RuntimeManagementConfig.UpdateRuntimeOn ${span(text, 'UpdateRuntimeOn: Manual')}`;
    expect(got.Pinned).toEqual([`RW008 ${mode}`, `RW009 ${mode}`]);
    expect(got.BadTier).toEqual([`RW012 Resources.BadTier.Properties.Tags[1].Value ${span(text, 'Value: gold')}`]);
    const runtime = `Resources.Unreadable.Properties.Runtime ${span(text, 'Runtime: python3.9')}`;
    expect(got.Unreadable).toEqual([`RW017 Resources.Unreadable.Properties.RuntimeManagementConfig.UpdateRuntimeOn ${span(text, 'UpdateRuntimeOn: Sometimes')}`, `RW003 ${runtime}`, `RW004 ${runtime}`]);
    expect(got.Imported).toEqual([`RW016 Resources.Imported.Properties.Runtime ${span(text, 'Runtime: !ImportValue shared-runtime')}`]);
    expect(got.Critical).toEqual([`RW008 Resources.Critical.Properties.Tags[0].Value ${span(text, 'Value: critical')}`]);
    // Critical by default, nothing in the template decides it: the resource.
    const critical = parsePolicyText(readFileSync(join(ROOT, 'examples', 'policy.yaml'), 'utf8').replace('defaultTier: non-critical', 'defaultTier: critical'));
    const plain = ['Resources:', fn('Plain', ['Runtime: nodejs24.x']), ''].join('\n');
    expect(where(scan(plain, critical))).toEqual({ Plain: [`RW008 Resources.Plain ${span(plain, 'Plain')}`] });
  });

  it('reads JSON, flow maps and a byte order mark, and gives no location rather than a wrong one', () => {
    const template = { Resources: { F: { Type: 'AWS::Lambda::Function', Properties: { Runtime: 'nodejs16.x', Handler: 'i.h' } } } };
    for (const text of [JSON.stringify(template, null, 2), JSON.stringify(template)]) {
      expect(where(scanTemplateText('t.json', text, DEFAULT_POLICY, NOW))).toEqual({ F: [`RW004 Resources.F.Properties.Runtime ${span(text, '"Runtime": "nodejs16.x"'.replace(': ', text.includes(': ') ? ': ' : ':'))}`] });
    }
    const flow = '\ufeffResources: { F: { Type: AWS::Lambda::Function, Properties: { Runtime: nodejs16.x } } }\n';
    expect(where(scan(flow))).toEqual({ F: [`RW004 Resources.F.Properties.Runtime ${span(flow, 'Runtime: nodejs16.x')}`] });
    // Anchors and aliases: the alias is where the value is written for this function.
    const aliased = ['Resources:', fn('A', ['Runtime: &old nodejs16.x']), fn('B', ['Runtime: *old']), ''].join('\n');
    expect(where(scan(aliased))).toEqual({ A: [`RW004 Resources.A.Properties.Runtime ${span(aliased, 'Runtime: &old nodejs16.x')}`], B: [`RW004 Resources.B.Properties.Runtime ${span(aliased, 'Runtime: *old')}`] });
    // A path the text cannot be followed along stops at the last node it could be.
    const locate = locatorOf('a:\n  b: [1, 2]\n')!;
    expect(locate(['a', 'b', 5])).toMatchObject({ path: ['a', 'b'] });
    expect(locatorOf('a: [')).toBeUndefined();
  });

  it('leaves the hook without locations (no second reading of the template)', () => {
    const file = scanTemplateText('t.yaml', GLOBALS_EXAMPLE, DEFAULT_POLICY, NOW, true, { locate: false });
    expect(file.functions.flatMap((f) => f.findings.map((x) => x.location))).toEqual([undefined, undefined]);
  });
});

describe('the same line and column as cfn-lint', () => {
  const work = mkdtempSync(join(tmpdir(), 'rw-locations-'));
  afterAll(() => rmSync(work, { recursive: true, force: true }));
  const exec = promisify(execFile);

  /** Where cfn-lint's deprecated-runtime findings (E2531, W2531, E2533) are, `line:column` (one per place: it reports a Globals value once). */
  async function cfnLint(file: string): Promise<string[]> {
    const out = await exec(join(ROOT, '.venv', 'bin', 'cfn-lint'), ['--format', 'json', '--', file]).catch((e: { stdout: string }) => e);
    const matches = JSON.parse(out.stdout) as { Rule: { Id: string }; Location: { Start: { LineNumber: number; ColumnNumber: number }; Path: string[] } }[];
    return [...new Set(matches.filter((m) => ['E2531', 'W2531', 'E2533'].includes(m.Rule.Id)).map((m) => `${m.Location.Start.LineNumber}:${m.Location.Start.ColumnNumber}`))].sort();
  }

  it.each([
    ['the issue\'s Globals example', 'globals.yaml', GLOBALS_EXAMPLE],
    ['a resource\'s own quoted runtime and an !If branch', 'own.yaml', ['Conditions:', '  C: !Equals [!Ref AWS::Region, eu-west-1]', 'Resources:', fn('Own', ['Runtime: "nodejs16.x"']), fn('Branch', ['Runtime: !If [C, python3.8, nodejs22.x]']), ''].join('\n')],
    ['pretty-printed JSON', 'pretty.json', JSON.stringify({ Resources: { F: { Type: 'AWS::Lambda::Function', Properties: { Runtime: 'python3.8', Handler: 'i.h', Role: 'arn:aws:iam::123456789012:role/r', Code: { ZipFile: 'x' } } } } }, null, 2)],
    ['one-line JSON', 'line.json', JSON.stringify({ Resources: { F: { Type: 'AWS::Lambda::Function', Properties: { Runtime: 'python3.8', Handler: 'i.h', Role: 'arn:aws:iam::123456789012:role/r', Code: { ZipFile: 'x' } } } } })],
  ])('%s', async (_, name, text) => {
    const file = join(work, name);
    writeFileSync(file, text);
    const ours = scanTemplateText(file, text, DEFAULT_POLICY, NOW).functions.flatMap((f) => f.findings.filter((x) => ['RW004', 'RW005', 'RW006'].includes(x.ruleId)).map((x) => `${x.location!.line}:${x.location!.column}`));
    expect(ours.length).toBeGreaterThan(0);
    expect([...new Set(ours)].sort()).toEqual(await cfnLint(file));
  }, 60_000);
});
