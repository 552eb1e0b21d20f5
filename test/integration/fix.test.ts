import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/fixtures.js';
import { runCommand, type CommandResult } from '../helpers/runCommand.js';

const BIN = join(ROOT, 'dist', 'runtime-warden.mjs');
const env = { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' };
const cli = (args: string[], cwd: string): Promise<CommandResult> => runCommand(process.execPath, [BIN, ...args, '--now', '2026-11-23'], { cwd, env });

describe('runtime-warden fix (the built CLI)', () => {
  const work = mkdtempSync(join(tmpdir(), 'rw-fix-'));
  afterAll(() => rmSync(work, { recursive: true, force: true }));
  const original = readFileSync(join(ROOT, 'test', 'fixtures', 'templates', 'sam-globals.yaml'), 'utf8');

  it('--dry-run prints a unified diff of the one Globals line and writes nothing; fix then writes it, and the template scans clean', async () => {
    const dir = join(work, 'app');
    cpSync(join(ROOT, 'test', 'fixtures', 'templates', 'sam-globals.yaml'), join(dir, 'template.yaml'));

    const dry = await cli(['fix', '--dry-run'], dir);
    expect(dry).toMatchObject({ code: 1, stderr: '' });
    expect(dry.stdout).toBe(
      [
        '--- template.yaml',
        '+++ template.yaml',
        '@@ -2,7 +2,7 @@',
        ' Transform: AWS::Serverless-2016-10-31',
        ' Globals:',
        '   Function:',
        '-    Runtime: nodejs16.x',
        '+    Runtime: nodejs22.x',
        '     Handler: index.handler',
        '     Tags:',
        '       owner: team-orders',
        '',
      ].join('\n'),
    );
    expect(readFileSync(join(dir, 'template.yaml'), 'utf8')).toBe(original);

    const fixed = await cli(['fix', 'template.yaml'], dir);
    expect(fixed).toMatchObject({ code: 1, stdout: 'template.yaml:5:14: Globals.Function.Runtime nodejs16.x -> nodejs22.x (InheritsOne, InheritsTwo)\n' });
    expect(readFileSync(join(dir, 'template.yaml'), 'utf8')).toBe(original.replace('Runtime: nodejs16.x', 'Runtime: nodejs22.x'));

    expect((await cli(['scan', 'template.yaml'], dir)).code).toBe(0);
    expect(await cli(['fix', 'template.yaml'], dir)).toMatchObject({ code: 0, stdout: '', stderr: '' });
  });

  it("scan's SARIF carries fix's edits as fixes: applying their replacements gives byte for byte what fix writes", async () => {
    const dir = join(work, 'sarif');
    mkdirSync(dir);
    const parameters = [
      'Parameters:',
      '  PyRuntime:',
      '    Type: String',
      '    Default: "python3.8"   # quoted, a comment after',
      'Resources:',
      '  Own:',
      '    Type: AWS::Lambda::Function',
      "    Properties: { Runtime: 'java8' }",
      '  Block:',
      '    Type: AWS::Lambda::Function',
      '    Properties:',
      "      Runtime: 'java8'",
      '  ViaParameter:',
      '    Type: AWS::Lambda::Function',
      '    Properties:',
      '      Runtime: !Ref PyRuntime',
      "      Handler: i.h",
      '',
    ].join('\n');
    const texts: Record<string, string> = { 'globals.yaml': original, 'crlf.yaml': original.replace(/\n/g, '\r\n'), 'parameters.yaml': parameters };
    for (const [name, text] of Object.entries(texts)) writeFileSync(join(dir, name), text);
    // Act
    const scan = await cli(['scan', '.', '--format', 'sarif'], dir);
    const fixed = await cli(['fix', '.'], dir);
    // Assess
    expect([scan.code, fixed.code]).toEqual([1, 1]);
    const results = JSON.parse(scan.stdout).runs[0].results as { fixes?: { artifactChanges: { artifactLocation: { uri: string }; replacements: { deletedRegion: { startLine: number; startColumn: number; endColumn: number }; insertedContent: { text: string } }[] }[] }[] }[];
    // One edit may fix several results (a Globals value): each replacement applied once, last first.
    const edits = new Map<string, { uri: string; line: number; from: number; to: number; text: string }>();
    for (const change of results.flatMap((r) => r.fixes ?? []).flatMap((f) => f.artifactChanges)) {
      for (const { deletedRegion: d, insertedContent } of change.replacements) {
        const e = { uri: change.artifactLocation.uri, line: d.startLine, from: d.startColumn, to: d.endColumn, text: insertedContent.text };
        edits.set(JSON.stringify(e), e);
      }
    }
    // Globals twice (LF, CRLF), the parameter's Default, Block's runtime; Own's, in a flow map, fix leaves alone and so does SARIF.
    expect(edits.size).toBe(4);
    expect(fixed.stderr).toContain('not fixed: Own: Resources.Own.Properties.Runtime is not written as one plain or quoted value on its key\'s line');
    for (const [name, text] of Object.entries(texts)) {
      const lines = text.split('\n');
      for (const e of [...edits.values()].filter((x) => x.uri === name).sort((a, b) => b.line - a.line || b.from - a.from)) {
        const line = lines[e.line - 1]!;
        lines[e.line - 1] = `${line.slice(0, e.from - 1)}${e.text}${line.slice(e.to - 1)}`;
      }
      expect(lines.join('\n'), name).toBe(readFileSync(join(dir, name), 'utf8'));
      expect(readFileSync(join(dir, name), 'utf8'), name).not.toBe(text);
    }
  });

  it('warns, naming the layer and what to do, when a moved function\'s layer does not declare the target; the fix is made', async () => {
    const dir = join(work, 'layers');
    mkdirSync(dir);
    cpSync(join(ROOT, 'test', 'fixtures', 'fix', 'layers.yaml'), join(dir, 'template.yaml'));
    const dry = await cli(['fix', '--dry-run'], dir);
    expect(dry.code).toBe(1);
    // The diff stays a patch; the warnings go beside the notes, on stderr.
    expect(dry.stdout.split('\n').filter((l) => l.startsWith('+ ') || /^\+\s/.test(l))).toEqual(['+    Runtime: python3.11', '+      Runtime: python3.11']);
    expect(dry.stderr.trimEnd().split('\n')).toEqual([
      'runtime-warden: warning: template.yaml:7:14: layer shared-utils declares python3.8, python3.9, not python3.11, which Billing moves to: rebuild the layer for python3.11 and add python3.11 to its CompatibleRuntimes, then test the function with it before deploying (the runtime was changed all the same)',
      'runtime-warden: warning: template.yaml:44:16: layer NativeDeps declares python3.9, not python3.11, which Invoices moves to: rebuild the layer for python3.11 and add python3.11 to its CompatibleRuntimes, then test the function with it before deploying (the runtime was changed all the same)',
    ]);
    const fixed = await cli(['fix'], dir);
    expect(fixed.code).toBe(1);
    expect(fixed.stdout).toBe(
      [
        'template.yaml:7:14: Globals.Function.Runtime python3.9 -> python3.11 (Billing); layer shared-utils does not declare python3.11: see the warning',
        'template.yaml:44:16: Resources.Invoices.Properties.Runtime python3.9 -> python3.11 (Invoices); layer NativeDeps does not declare python3.11: see the warning',
        '',
      ].join('\n'),
    );
    expect(fixed.stderr).toBe(dry.stderr);
    expect(readFileSync(join(dir, 'template.yaml'), 'utf8')).toBe(readFileSync(join(ROOT, 'test', 'fixtures', 'fix', 'layers.yaml'), 'utf8').replace(/Runtime: python3\.9$/gm, 'Runtime: python3.11'));
  });

  it('names what it leaves alone, and exits 2 for a named file that is not a template', async () => {
    const dir = join(work, 'left');
    mkdirSync(dir);
    const text = original.replace('Runtime: nodejs16.x', 'Runtime: !If [Prod, nodejs16.x, nodejs22.x]').replace('Resources:', 'Conditions:\n  Prod: !Equals [!Ref AWS::StackName, prod]\nResources:');
    cpSync(join(ROOT, 'package.json'), join(dir, 'package.json'));
    writeFileSync(join(dir, 'template.yaml'), text);

    const left = await cli(['fix', 'template.yaml'], dir);
    expect(left.code).toBe(1);
    expect(left.stderr).toContain('template.yaml: not fixed: InheritsOne: Globals.Function.Runtime is !If [Prod, nodejs16.x, nodejs22.x]: not a literal');
    expect(readFileSync(join(dir, 'template.yaml'), 'utf8')).toBe(text);

    expect((await cli(['fix', 'package.json'], dir)).code).toBe(2);
  });
});
