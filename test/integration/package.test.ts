import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/fixtures.js';
import { runCommand, type CommandResult } from '../helpers/runCommand.js';

const exec = promisify(execFile);
const env = { ...process.env, npm_config_update_notifier: 'false' };

/** Bytes under a folder, every file counted. */
function sizeOf(dir: string): number {
  return readdirSync(dir, { withFileTypes: true, recursive: true }).reduce((n, e) => n + (e.isFile() ? statSync(join(e.parentPath, e.name)).size : 0), 0);
}

const run = (cmd: string, args: string[], cwd: string): Promise<CommandResult> => runCommand(cmd, args, { cwd, env });

describe('the CLI package (scripts/pack-cli.mjs)', () => {
  const work = mkdtempSync(join(tmpdir(), 'rw-package-'));
  const project = join(work, 'empty-project');
  let tarball = '';
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  beforeAll(async () => {
    // Prepare: the tarball, then an empty folder with nothing of the repository around it
    tarball = (await exec(process.execPath, [join(ROOT, 'scripts', 'pack-cli.mjs'), join(work, 'out'), '--prebuilt'], { cwd: ROOT, env })).stdout.trim().split('\n').pop()!;
    mkdirSync(project);
    // Act: installed from the tarball alone (offline: it must need nothing from a registry)
    await exec('npm', ['install', '--offline', '--no-audit', '--no-fund', tarball], { cwd: project, env });
  }, 300_000);

  it('holds the bundled bin and nothing else: no tests, fixtures, examples, Lambda code or dependencies', async () => {
    const { stdout } = await exec('tar', ['tzf', tarball]);
    const files = stdout.trim().split('\n');
    expect(files.filter((f) => !/^package\/(dist\/.*\.mjs|package\.json|README\.md|LICENSE)$/.test(f))).toEqual([]);
    const manifest = JSON.parse(readFileSync(join(project, 'node_modules', 'runtime-warden', 'package.json'), 'utf8')) as Record<string, unknown>;
    expect(manifest).toMatchObject({ name: 'runtime-warden', bin: { 'runtime-warden': 'dist/runtime-warden.mjs' } });
    expect(manifest.dependencies).toBeUndefined();
    expect(readdirSync(join(project, 'node_modules')).filter((d) => !d.startsWith('.'))).toEqual(['runtime-warden']);
    expect(sizeOf(join(project, 'node_modules'))).toBeLessThan(15 * 1024 * 1024);
  });

  it('npx runtime-warden scan DIR --format sarif reports a nodejs16.x function and exits 1', async () => {
    const templates = join(project, 'infra');
    mkdirSync(templates);
    writeFileSync(
      join(templates, 'template.yaml'),
      ['Transform: AWS::Serverless-2016-10-31', 'Resources:', '  Legacy:', '    Type: AWS::Serverless::Function', '    Properties:', '      Runtime: nodejs16.x', '      Handler: index.handler', '      CodeUri: src/', ''].join('\n'),
    );
    const { code, stdout } = await run('npx', ['--no-install', 'runtime-warden', 'scan', 'infra', '--format', 'sarif', '--max-catalog-age', '0'], project);
    expect(code).toBe(1);
    const sarif = JSON.parse(stdout) as { version: string; runs: { results: { ruleId: string; message: { text: string }; locations: { physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number } } }[] }[] }[] };
    expect(sarif.version).toBe('2.1.0');
    const results = sarif.runs[0]!.results;
    expect(results.length).toBeGreaterThan(0);
    expect(results.some((r) => r.message.text.includes('nodejs16.x') && r.locations[0]!.physicalLocation.artifactLocation.uri.endsWith('infra/template.yaml') && r.locations[0]!.physicalLocation.region.startLine === 6)).toBe(true);
  });

  it.each([
    [['guard'], /rule /],
    [['catalog', 'show'], /nodejs22\.x/],
    [['--version'], /^0\.\d+\.\d+\n$/],
  ])('runs %j there too', async (args, expected) => {
    const { code, stdout } = await run('npx', ['--no-install', 'runtime-warden', ...args], project);
    expect(code).toBe(0);
    expect(stdout).toMatch(expected);
  });
});
