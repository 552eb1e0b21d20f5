import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findTemplates } from '../../cli/files.js';
import { describeLayerWarning, planFix, unifiedDiff, type FilePlan } from '../../cli/fix.js';
import { DEFAULT_POLICY } from '../../shared/index.js';
import { parseTemplate } from '../../shared/template/parse.js';
import { scanTemplateText } from '../../shared/template/scan.js';
import { NOW, ROOT } from '../helpers/fixtures.js';

const CORPUS = join(ROOT, '..', 'shared', 'corpus');
const LIFECYCLE = ['RW004', 'RW005', 'RW006'];

const lifecycleFlagged = (path: string, text: string): string[] =>
  scanTemplateText(path, text, DEFAULT_POLICY, NOW, false).functions.filter((f) => f.findings.some((x) => LIFECYCLE.includes(x.ruleId))).map((f) => f.logicalId);

/** The 1-based numbers of the lines that differ; a fix never adds or removes one. */
function changedLines(before: string, after: string): number[] {
  const a = before.split('\n');
  const b = after.split('\n');
  expect(b).toHaveLength(a.length);
  return a.flatMap((line, i) => (line === b[i] ? [] : [i + 1]));
}

/** What every fix must be: the edited lines and nothing else, each only its value changed, a template that parses and scans clean. */
function expectSound(plan: FilePlan): void {
  expect(changedLines(plan.text, plan.fixed)).toEqual(plan.edits.map((e) => e.line));
  const before = plan.text.split('\n');
  const after = plan.fixed.split('\n');
  for (const e of plan.edits) {
    const at = e.column - 1;
    expect(before[e.line - 1]!.slice(at, at + e.from.length)).toBe(e.from);
    expect(after[e.line - 1]).toBe(`${before[e.line - 1]!.slice(0, at)}${e.to}${before[e.line - 1]!.slice(at + e.from.length)}`);
  }
  expect(() => parseTemplate(plan.fixed)).not.toThrow();
}

const plan = (text: string, path = 'template.yaml'): FilePlan => planFix(path, text, DEFAULT_POLICY, NOW);

const SAM = (globals: string, resources: string): string =>
  `AWSTemplateFormatVersion: '2010-09-09'\nTransform: AWS::Serverless-2016-10-31\n${globals}Resources:\n${resources}`;

describe('runtime-warden fix', () => {
  it('changes one line for a runtime inherited from Globals, and the template then scans clean of lifecycle errors', () => {
    const text = readFileSync(join(ROOT, 'test', 'fixtures', 'templates', 'sam-globals.yaml'), 'utf8');
    const p = plan(text);
    expect(p.edits).toEqual([{ where: 'Globals.Function.Runtime', line: 5, column: 14, from: 'nodejs16.x', to: 'nodejs22.x', functions: ['InheritsOne', 'InheritsTwo'] }]);
    expect(p.left).toEqual([]);
    expectSound(p);
    expect(lifecycleFlagged('t.yaml', text)).toEqual(['InheritsOne', 'InheritsTwo']);
    expect(lifecycleFlagged('t.yaml', p.fixed)).toEqual([]);
  });

  it("edits a function's own Runtime, quoted or plain, keeping quotes, comments, CRLF line ends and everything else", () => {
    const text = SAM(
      '',
      [
        '  # the API',
        '  Api:',
        '    Type: AWS::Serverless::Function',
        '    Properties:',
        "      Runtime: 'java8'   # same JDK please",
        '      Handler: a.B::handle',
        '      CodeUri: api/',
        '  Worker:',
        '    Type: AWS::Lambda::Function',
        '    Properties:',
        '      Runtime: "go1.x"',
        '      Handler: bootstrap',
        '      Role: arn:aws:iam::123456789012:role/r',
        '      Code: { S3Bucket: b, S3Key: k }',
        '',
      ].join('\n'),
    ).replace(/\n/g, '\r\n');
    const p = plan(text);
    expect(p.edits.map((e) => [e.where, e.from, e.to])).toEqual([
      ['Resources.Api.Properties.Runtime', 'java8', 'java8.al2023'],
      ['Resources.Worker.Properties.Runtime', 'go1.x', 'provided.al2023'],
    ]);
    expectSound(p);
    expect(p.fixed).toContain("      Runtime: 'java8.al2023'   # same JDK please\r\n");
    expect(p.fixed).toContain('      Runtime: "provided.al2023"\r\n');
    expect(lifecycleFlagged('t.yaml', p.fixed)).toEqual([]);
  });

  it('edits pretty-printed JSON in place, and a parameter Default a Ref names', () => {
    const template = {
      AWSTemplateFormatVersion: '2010-09-09',
      Parameters: { NodeRuntime: { Type: 'String', Default: 'nodejs16.x' } },
      Resources: {
        Direct: { Type: 'AWS::Lambda::Function', Properties: { Runtime: 'python3.8', Handler: 'i.h', Role: 'arn:aws:iam::123456789012:role/r', Code: { ZipFile: 'x' } } },
        ViaParameter: { Type: 'AWS::Lambda::Function', Properties: { Runtime: { Ref: 'NodeRuntime' }, Handler: 'i.h', Role: 'arn:aws:iam::123456789012:role/r', Code: { ZipFile: 'x' } } },
      },
    };
    const text = `${JSON.stringify(template, null, 2)}\n`;
    const p = plan(text, 'template.json');
    expect(p.edits.map((e) => [e.where, e.from, e.to])).toEqual([
      ['Parameters.NodeRuntime.Default', 'nodejs16.x', 'nodejs22.x'],
      ['Resources.Direct.Properties.Runtime', 'python3.8', 'python3.11'],
    ]);
    expectSound(p);
    expect(JSON.parse(p.fixed)).toEqual({
      ...template,
      Parameters: { NodeRuntime: { Type: 'String', Default: 'nodejs22.x' } },
      Resources: { ...template.Resources, Direct: { ...template.Resources.Direct, Properties: { ...template.Resources.Direct.Properties, Runtime: 'python3.11' } } },
    });
  });

  it('never touches what it cannot resolve or place: intrinsics, AllowedValues, a flow map', () => {
    const fn = (name: string, runtime: string): string => `  ${name}:\n    Type: AWS::Serverless::Function\n    Properties:\n      CodeUri: x/\n      Handler: i.h\n      Runtime: ${runtime}\n`;
    const text = SAM(
      'Parameters:\n  Pinned:\n    Type: String\n    Default: nodejs16.x\n    AllowedValues: [nodejs16.x, nodejs18.x]\nConditions:\n  Prod: !Equals [!Ref AWS::StackName, prod]\n',
      [
        fn('Choice', '!If [Prod, nodejs16.x, nodejs18.x]'),
        fn('Restricted', '!Ref Pinned'),
        '  Flow:\n    Type: AWS::Serverless::Function\n    Properties: {CodeUri: x/, Handler: i.h, Runtime: python3.8}\n',
      ].join(''),
    );
    expect(lifecycleFlagged('t.yaml', text)).toEqual(['Choice', 'Restricted', 'Flow']);
    const p = plan(text);
    expect(p.edits).toEqual([]);
    expect(p.fixed).toBe(text);
    expect(p.left).toEqual([
      'Choice: Resources.Choice.Properties.Runtime is !If [Prod, nodejs16.x, nodejs18.x]: not a literal',
      'Restricted: nodejs22.x is not in the AllowedValues of parameter Pinned: change both',
      'Flow: Resources.Flow.Properties.Runtime is not written as one plain or quoted value on its key\'s line',
    ]);
  });

  it("moves functions whose template layers do not declare the target all the same, and names each such layer with what to do", () => {
    const text = readFileSync(join(ROOT, 'test', 'fixtures', 'fix', 'layers.yaml'), 'utf8');
    const p = plan(text);
    // Both python3.9 values move to python3.11: none is refused for its layers.
    expect(p.edits.map((e) => [e.where, e.from, e.to, e.functions])).toEqual([
      ['Globals.Function.Runtime', 'python3.9', 'python3.11', ['Billing']],
      ['Resources.Invoices.Properties.Runtime', 'python3.9', 'python3.11', ['Invoices']],
    ]);
    expect(p.left).toEqual([]);
    expectSound(p);
    // Billing takes Globals' layer; Invoices' own list replaces it (SAM), and of its three only
    // NativeDeps misses python3.11: Ready declares it, Silent declares nothing (RW022's, not a warning).
    expect(p.layerWarnings).toEqual([
      { layer: 'shared-utils', declares: ['python3.8', 'python3.9'], to: 'python3.11', line: 7, column: 14, functions: ['Billing'] },
      { layer: 'NativeDeps', declares: ['python3.9'], to: 'python3.11', line: 44, column: 16, functions: ['Invoices'] },
    ]);
    expect(describeLayerWarning(p.layerWarnings[0]!)).toBe(
      'layer shared-utils declares python3.8, python3.9, not python3.11, which Billing moves to: rebuild the layer for python3.11 and add python3.11 to its CompatibleRuntimes, then test the function with it before deploying (the runtime was changed all the same)',
    );
    // The scan of the fixed template says the same of the layers (RW018), so the warning is not fix's alone.
    const after = scanTemplateText('t.yaml', p.fixed, DEFAULT_POLICY, NOW).functions.filter((f) => f.findings.some((x) => x.ruleId === 'RW018')).map((f) => f.logicalId);
    expect(after).toEqual(['Billing', 'Invoices']);
  });

  it('warns of no layer when every layer of the moved functions declares the target, or there is none', () => {
    const text = readFileSync(join(ROOT, 'test', 'fixtures', 'fix', 'layers.yaml'), 'utf8').replace(/CompatibleRuntimes: \[python3\.8, python3\.9\]/, 'CompatibleRuntimes: [python3.9, python3.11]').replace('        - python3.9\n', '        - python3.9\n        - python3.11\n');
    const p = plan(text);
    expect(p.edits).toHaveLength(2);
    expect(p.layerWarnings).toEqual([]);
    expect(plan(readFileSync(join(ROOT, 'test', 'fixtures', 'templates', 'sam-globals.yaml'), 'utf8')).layerWarnings).toEqual([]);
  });

  it('prints a unified diff of the changed lines with their context', () => {
    const before = ['a', 'b', 'c', 'd', 'Runtime: x', 'e', 'f', 'g', 'h'].join('\n');
    expect(unifiedDiff('t.yaml', before, before.replace('Runtime: x', 'Runtime: y'))).toBe(
      ['--- t.yaml', '+++ t.yaml', '@@ -2,7 +2,7 @@', ' b', ' c', ' d', '-Runtime: x', '+Runtime: y', ' e', ' f', ' g', ''].join('\n'),
    );
    expect(unifiedDiff('t.yaml', before, before)).toBe('');
  });

  it.skipIf(!existsSync(CORPUS))('fixes every corpus template with a deprecated literal runtime: each parses, scans clean of RW004-RW006 and differs only on the edited lines', () => {
    let fixed = 0;
    for (const t of findTemplates([CORPUS], undefined, { exclude: [], gitignore: false })) {
      const text = readFileSync(t.path, 'utf8');
      const flagged = lifecycleFlagged(t.path, text);
      const p = planFix(t.path, text, DEFAULT_POLICY, NOW, false);
      if (flagged.length === 0) {
        expect(p.fixed).toBe(text);
        continue;
      }
      expect(p.left, t.path).toEqual([]);
      expectSound(p);
      expect(lifecycleFlagged(t.path, p.fixed), t.path).toEqual([]);
      fixed++;
    }
    // The corpus holds 144 such templates (2026-11-23); far fewer would mean the scan found none.
    expect(fixed).toBeGreaterThanOrEqual(50);
  }, 120_000);
});
