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
