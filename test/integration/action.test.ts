// The GitHub Action (action.yml), run here as a runner would: each step's script with its env,
// inputs and defaults as GitHub resolves them, and GITHUB_ENV / GITHUB_OUTPUT / GITHUB_STEP_SUMMARY
// files between steps. Its SARIF must be the CLI's, byte for byte.
import { execFile } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { load } from 'js-yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/fixtures.js';
import { runCommand } from '../helpers/runCommand.js';

const exec = promisify(execFile);

interface Step {
  readonly name: string;
  readonly id?: string;
  readonly shell?: string;
  readonly run?: string;
  readonly uses?: string;
  readonly env?: Record<string, string>;
}
interface Action {
  readonly inputs: Record<string, { default?: string }>;
  readonly outputs: Record<string, { value: string }>;
  readonly runs: { using: string; steps: Step[] };
}

const action = load(readFileSync(join(ROOT, 'action.yml'), 'utf8')) as Action;
/** A SARIF log with its one instant (the run's judgedAt) taken out: two runs differ in nothing else. */
const sarifOf = (file: string): string => readFileSync(file, 'utf8').replace(/"judgedAt": "[^"]+"/, '"judgedAt": "(the run\'s instant)"');

/** `KEY=value` lines, as the runner reads GITHUB_ENV and GITHUB_OUTPUT. */
const keyValues = (file: string): Record<string, string> =>
  Object.fromEntries(
    readFileSync(file, 'utf8')
      .split('\n')
      .filter((l) => l.includes('='))
      .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
  );

interface ActionRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly outputs: Record<string, string>;
  readonly summary: string;
}

/**
 * Runs the composite action's steps in `workspace` with `inputs` (the rest from their defaults),
 * from the action's folder `actionPath` (as the runner checks it out), the runner's environment
 * changed by `env`.
 */
async function runAction(workspace: string, inputs: Record<string, string>, { actionPath = ROOT, env: extraEnv = {} as Record<string, string> } = {}): Promise<ActionRun> {
  const temp = mkdtempSync(join(tmpdir(), 'rw-runner-'));
  const files = { GITHUB_ENV: join(temp, 'env'), GITHUB_OUTPUT: join(temp, 'output'), GITHUB_STEP_SUMMARY: join(temp, 'summary') };
  for (const f of Object.values(files)) writeFileSync(f, '');
  const values = Object.fromEntries(Object.entries(action.inputs).map(([k, v]) => [k, inputs[k] ?? v.default ?? '']));
  const expression = (text: string): string =>
    text.replace(/\$\{\{\s*inputs\.([\w-]+)\s*\}\}/g, (_, name: string) => {
      if (!(name in values)) throw new Error(`action.yml reads an undeclared input ${name}`);
      return values[name]!;
    });
  const stepOutputs: Record<string, Record<string, string>> = {};
  let stdout = '';
  let stderr = '';
  let code = 0;
  for (const step of action.runs.steps) {
    if (step.uses) throw new Error(`step "${step.name}" uses another action, which this harness cannot run`);
    expect(step.shell, step.name).toBe('bash');
    expect(step.run, step.name).not.toMatch(/\$\{\{/); // inputs reach scripts through env only
    const script = join(temp, 'step.sh');
    writeFileSync(script, step.run!);
    writeFileSync(files.GITHUB_OUTPUT, '');
    const env = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      npm_config_update_notifier: 'false',
      ...files,
      RUNNER_TEMP: temp,
      GITHUB_ACTION_PATH: actionPath,
      GITHUB_WORKSPACE: workspace,
      ...extraEnv,
      ...keyValues(files.GITHUB_ENV),
      ...Object.fromEntries(Object.entries(step.env ?? {}).map(([k, v]) => [k, expression(v)])),
    };
    // What GitHub runs for `shell: bash`.
    const r = await runCommand('bash', ['--noprofile', '--norc', '-eo', 'pipefail', script], { cwd: workspace, env });
    stdout += r.stdout;
    stderr += r.stderr;
    if (step.id) stepOutputs[step.id] = keyValues(files.GITHUB_OUTPUT);
    code = r.code;
    if (code !== 0) break;
  }
  const outputs = Object.fromEntries(
    Object.entries(action.outputs).map(([k, v]) => [k, v.value.replace(/\$\{\{\s*steps\.([\w-]+)\.outputs\.([\w-]+)\s*\}\}/g, (_, id: string, name: string) => stepOutputs[id]?.[name] ?? '')]),
  );
  const summary = readFileSync(files.GITHUB_STEP_SUMMARY, 'utf8');
  rmSync(temp, { recursive: true, force: true });
  return { code, stdout, stderr, outputs, summary };
}

describe('the GitHub Action (action.yml)', () => {
  const work = mkdtempSync(join(tmpdir(), 'rw-action-'));
  const workspace = join(work, 'repo');
  let tarball = '';
  const cli = (args: string[]) => runCommand(process.execPath, [join(ROOT, 'dist', 'runtime-warden.mjs'), ...args], { cwd: workspace, env: { ...process.env } });
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  beforeAll(async () => {
    tarball = (await exec(process.execPath, [join(ROOT, 'scripts', 'pack-cli.mjs'), join(work, 'out'), '--prebuilt'], { cwd: ROOT })).stdout.trim().split('\n').pop()!;
    mkdirSync(join(workspace, 'infra'), { recursive: true });
    mkdirSync(join(workspace, 'services'), { recursive: true });
    const fn = (id: string, runtime: string) => `  ${id}:\n    Type: AWS::Serverless::Function\n    Properties:\n      Runtime: ${runtime}\n      Handler: index.handler\n      CodeUri: src/\n`;
    writeFileSync(join(workspace, 'infra', 'legacy.yaml'), `Transform: AWS::Serverless-2016-10-31\nResources:\n${fn('Legacy', 'nodejs16.x')}${fn('Current', 'nodejs22.x')}`);
    writeFileSync(join(workspace, 'services', 'python.yaml'), `Transform: AWS::Serverless-2016-10-31\nResources:\n${fn('Reports', 'python3.9')}`);
    writeFileSync(join(workspace, 'policy.yaml'), 'version: 1\ndeniedRuntimes: [nodejs22.x]\n');
  }, 120_000);

  it('runs the bundle committed in its own folder by default: nothing installed, no registry, one scan for the log, the SARIF and the annotations', async () => {
    // Prepare: the action's folder as a checkout of a tag holds it (no node_modules), a node on
    // PATH that notes each run, and npm pointed at no registry.
    const actionPath = join(work, 'action-checkout');
    cpSync(join(ROOT, 'action.yml'), join(actionPath, 'action.yml'), { recursive: true });
    cpSync(join(ROOT, 'dist'), join(actionPath, 'dist'), { recursive: true, filter: (src) => !src.endsWith('.map') });
    const shims = join(work, 'shims');
    mkdirSync(shims, { recursive: true });
    const runs = join(work, 'node-runs.log');
    writeFileSync(join(shims, 'node'), `#!/bin/sh\necho "$*" >> '${runs}'\nexec '${process.execPath}' "$@"\n`);
    chmodSync(join(shims, 'node'), 0o755);
    // Act
    const run = await runAction(workspace, { paths: 'infra', 'sarif-file': 'bundled.sarif' }, { actionPath, env: { PATH: `${shims}:${process.env.PATH}`, npm_config_offline: 'true', npm_config_registry: 'http://127.0.0.1:9/' } });
    // Assess
    expect(action.inputs.cli!.default).toBe('');
    expect(run.code, run.stderr).toBe(1);
    expect(run.outputs).toEqual({ 'sarif-file': 'bundled.sarif', 'exit-code': '1' });
    const scans = readFileSync(runs, 'utf8').split('\n').filter((l) => l.includes(' scan '));
    expect(scans).toHaveLength(1);
    expect(scans[0]).toContain(join(actionPath, 'dist', 'runtime-warden.mjs'));
    await cli(['scan', 'infra', '--format', 'sarif', '--output', join(work, 'bundled-cli.sarif')]);
    expect(sarifOf(join(workspace, 'bundled.sarif'))).toBe(sarifOf(join(work, 'bundled-cli.sarif')));
    expect(run.stdout).toMatch(/^::error file=infra\/legacy\.yaml,line=6,col=7,endLine=6,endColumn=26,title=RW004 Legacy::Legacy: nodejs16\.x is deprecated since /m);
    expect(run.stdout).toMatch(/^infra\/legacy\.yaml:3:3: Legacy \(AWS::Serverless::Function\) nodejs16\.x NON_COMPLIANT\ninfra\/legacy\.yaml:6:7: error RW004 Legacy: nodejs16\.x is deprecated/m);
  });

  it('writes the same SARIF as the CLI with the same inputs, fails on the nodejs16.x function and says why in the log and summary', async () => {
    const run = await runAction(workspace, { paths: 'infra', cli: tarball });
    expect(run.code, run.stderr).toBe(1);
    expect(run.outputs).toEqual({ 'sarif-file': 'runtime-warden.sarif', 'exit-code': '1' });
    const direct = await cli(['scan', 'infra', '--fail-on', 'error', '--format', 'sarif', '--output', join(work, 'cli.sarif')]);
    expect(direct.code).toBe(1);
    const sarif = sarifOf(join(workspace, 'runtime-warden.sarif'));
    expect(sarif).toBe(sarifOf(join(work, 'cli.sarif')));
    expect(JSON.parse(sarif).runs[0].results.map((r: { ruleId: string; locations: { physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number } } }[] }) => [r.ruleId, r.locations[0]!.physicalLocation.artifactLocation.uri, r.locations[0]!.physicalLocation.region.startLine])).toEqual([
      ['RW004', 'infra/legacy.yaml', 6],
    ]);
    expect(run.stdout).toMatch(/^infra\/legacy\.yaml:3:3: Legacy \(AWS::Serverless::Function\) nodejs16\.x NON_COMPLIANT\ninfra\/legacy\.yaml:6:7: error RW004 Legacy: nodejs16\.x is deprecated/m);
    expect(run.summary).toMatch(/^### runtime-warden\n\n2 functions in 1 template: 1 non-compliant/);
  });

  it('passes the policy and several paths on new lines as the CLI takes them, and fail-on never only reports', async () => {
    const run = await runAction(workspace, { paths: 'infra\nservices\n', policy: 'policy.yaml', 'fail-on': 'never', 'sarif-file': 'out.sarif', format: 'json', annotations: 'false', cli: tarball });
    expect(run.code, run.stderr).toBe(0);
    expect(run.outputs).toEqual({ 'sarif-file': 'out.sarif', 'exit-code': '1' });
    await cli(['scan', 'infra', 'services', '--fail-on', 'error', '--policy', 'policy.yaml', '--format', 'sarif', '--output', join(work, 'cli2.sarif')]);
    expect(sarifOf(join(workspace, 'out.sarif'))).toBe(sarifOf(join(work, 'cli2.sarif')));
    expect(JSON.parse(sarifOf(join(workspace, 'out.sarif'))).runs[0].results.map((r: { ruleId: string }) => r.ruleId)).toContain('RW002'); // the policy's denied runtime: the policy was read
    expect(JSON.parse(run.stdout.slice(run.stdout.indexOf('{'))).files.map((f: { path: string }) => f.path)).toEqual(['infra/legacy.yaml', 'services/python.yaml']);
    expect(run.summary).toBe(''); // a summary line only for the text format
    expect(run.stdout).not.toMatch(/^::/m); // annotations: false
  });

  it('passes the exclude (one pattern a line), catalog and config inputs to the scan', async () => {
    const catalogFile = join(work, 'catalog.json');
    expect((await cli(['catalog', 'refresh', '--from', join(ROOT, 'test', 'fixtures', 'runtimes-page', 'lambda-runtimes.md'), '--output', catalogFile])).code).toBe(0);
    // Files with errors, and the policy's denial (RW002) where it applies: what the inputs decide.
    const results = (file: string): { ruleId: string; level: string; locations: { physicalLocation: { artifactLocation: { uri: string } } }[] }[] => JSON.parse(readFileSync(join(workspace, file), 'utf8')).runs[0].results;
    const uris = (file: string): string[] => [...new Set(results(file).filter((r) => r.level === 'error').map((r) => r.locations[0]!.physicalLocation.artifactLocation.uri))];
    const denied = (file: string): boolean => results(file).some((r) => r.ruleId === 'RW002');
    const excluded = await runAction(workspace, { exclude: 'infra/\n\npolicy.yaml\n', catalog: catalogFile, 'sarif-file': 'excluded.sarif' });
    expect(excluded.code, excluded.stderr).toBe(1);
    expect(uris('excluded.sarif')).toEqual(['services/python.yaml']);
    expect(JSON.parse(readFileSync(join(workspace, 'excluded.sarif'), 'utf8')).runs[0].properties.catalogSource).toContain('lambda-runtimes.md');
    writeFileSync(join(workspace, 'warden.yaml'), 'paths: [infra]\npolicy: policy.yaml\nfail-on: warning\n');
    const configured = await runAction(workspace, { config: 'warden.yaml', 'sarif-file': 'configured.sarif' });
    expect(configured.code, configured.stderr).toBe(1);
    expect(uris('configured.sarif')).toEqual(['infra/legacy.yaml']); // the config's paths
    expect(denied('configured.sarif')).toBe(true); // and its policy
    // An input wins over the config file.
    const overridden = await runAction(workspace, { config: 'warden.yaml', paths: 'services', 'sarif-file': 'overridden.sarif' });
    expect(uris('overridden.sarif')).toEqual(['services/python.yaml']);
  });

  it('fails on a fail-on it does not know and on input errors, and runs no input as shell code', async () => {
    expect((await runAction(workspace, { 'fail-on': 'sometimes' })).code).toBe(2);
    expect((await runAction(workspace, { annotations: 'yes' })).code).toBe(2);
    const injected = await runAction(workspace, { paths: 'infra $(touch pwned) `touch pwned2`; touch pwned3', exclude: '$(touch pwned4)' });
    expect(injected.code).toBe(2);
    expect(injected.stderr).toMatch(/\$\(touch/);
    for (const f of ['pwned', 'pwned2', 'pwned3', 'pwned4']) expect(existsSync(join(workspace, f))).toBe(false);
    expect((await runAction(workspace, { policy: 'missing.yaml' })).code).toBe(2);
  });
});
