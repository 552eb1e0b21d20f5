// The pre-commit hook (.pre-commit-hooks.yaml), installed by pre-commit itself (from PyPI, in the
// project virtualenv) from this repository, on a temporary git repository: a deprecated runtime
// fails the commit, a supported one passes, and the repository's other YAML and JSON pass through.
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/fixtures.js';
import { runCommand } from '../helpers/runCommand.js';

const PRE_COMMIT = join(ROOT, '.venv', 'bin', 'pre-commit');
const template = (runtime: string) => `Transform: AWS::Serverless-2016-10-31\nResources:\n  OrdersFunction:\n    Type: AWS::Serverless::Function\n    Properties:\n      Runtime: ${runtime}\n      Handler: index.handler\n      CodeUri: src/\n`;

describe('the pre-commit hook', () => {
  const work = mkdtempSync(join(tmpdir(), 'rw-pre-commit-'));
  const repo = join(work, 'repo');
  const env = {
    ...process.env,
    PRE_COMMIT_HOME: join(work, 'cache'),
    GIT_AUTHOR_NAME: 'Test',
    GIT_AUTHOR_EMAIL: 'test@example.com',
    GIT_COMMITTER_NAME: 'Test',
    GIT_COMMITTER_EMAIL: 'test@example.com',
    npm_config_update_notifier: 'false',
    npm_config_audit: 'false',
    npm_config_fund: 'false',
  };
  // This repository as it will be committed: its HEAD with the hook manifest and the bundle of the
  // work tree (the ones under test; the first test checks that dist/ is what HEAD holds).
  const hookRepo = join(work, 'runtime-warden');
  const git = (...args: string[]) => runCommand('git', args, { cwd: repo, env });
  const tryRepo = () => runCommand(PRE_COMMIT, ['try-repo', hookRepo, 'runtime-warden'], { cwd: repo, env });
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  beforeAll(async () => {
    const inHookRepo = (...args: string[]) => runCommand('git', args, { cwd: hookRepo, env });
    expect((await runCommand('git', ['clone', '-q', ROOT, hookRepo], { cwd: work, env })).code).toBe(0);
    rmSync(join(hookRepo, 'dist'), { recursive: true, force: true });
    cpSync(join(ROOT, 'dist'), join(hookRepo, 'dist'), { recursive: true });
    cpSync(join(ROOT, '.pre-commit-hooks.yaml'), join(hookRepo, '.pre-commit-hooks.yaml'));
    await inHookRepo('add', '-A', 'dist', '.pre-commit-hooks.yaml');
    await inHookRepo('commit', '-q', '--allow-empty', '-m', 'the hook under test');
    mkdirSync(join(repo, 'infra'), { recursive: true });
    await git('init', '-q', '-b', 'main');
    // A repository's ordinary YAML and JSON: the hook's `files` pattern hands them over too.
    writeFileSync(join(repo, 'package.json'), '{"name": "orders", "version": "1.0.0"}\n');
    mkdirSync(join(repo, '.github', 'workflows'), { recursive: true });
    writeFileSync(join(repo, '.github', 'workflows', 'ci.yml'), 'on: push\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps: [{run: make test}]\n');
    writeFileSync(join(repo, 'infra', 'good.yaml'), template('nodejs22.x'));
    await git('add', '.');
  });

  it('installs the committed CLI bundle, which is what the sources build (the test setup has just rebuilt it)', async () => {
    const status = await runCommand('git', ['status', '--porcelain', '--', 'dist'], { cwd: ROOT, env });
    expect(status.stdout, 'dist/ differs from the sources: run `npm run build:cli` and commit dist/').toBe('');
  });

  it('passes a commit of a template on a supported runtime, and of files that are not templates', async () => {
    const r = await tryRepo();
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
    expect(r.stdout).toMatch(/runtime-warden \(Lambda runtimes in CloudFormation and SAM templates\)\.+Passed/);
  }, 600_000);

  it('fails a commit of a template with a deprecated runtime, naming the function and its line', async () => {
    writeFileSync(join(repo, 'infra', 'bad.yaml'), template('nodejs16.x'));
    await git('add', 'infra/bad.yaml');
    const r = await tryRepo();
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/\.+Failed/);
    expect(r.stdout).toMatch(/^infra\/bad\.yaml:3:3: OrdersFunction \(AWS::Serverless::Function\) nodejs16\.x NON_COMPLIANT\ninfra\/bad\.yaml:6:7: error RW004 OrdersFunction: nodejs16\.x is deprecated/m);
    expect(r.stdout).not.toMatch(/package\.json|ci\.yml/);
  }, 600_000);

  it('blocks `git commit` itself once installed from the same revision, and lets the fix through', async () => {
    const rev = (await runCommand('git', ['rev-parse', 'HEAD'], { cwd: hookRepo, env })).stdout.trim();
    writeFileSync(join(repo, '.pre-commit-config.yaml'), `repos:\n  - repo: ${hookRepo}\n    rev: ${rev}\n    hooks:\n      - id: runtime-warden\n`);
    expect((await runCommand(PRE_COMMIT, ['install'], { cwd: repo, env })).code).toBe(0);
    await git('add', '.pre-commit-config.yaml');
    const refused = await git('commit', '-q', '-m', 'orders on nodejs16.x');
    expect(refused.code).toBe(1);
    expect(`${refused.stdout}${refused.stderr}`).toMatch(/OrdersFunction .*nodejs16\.x NON_COMPLIANT/);
    expect((await git('rev-parse', '--verify', '-q', 'HEAD')).code).not.toBe(0); // nothing committed
    writeFileSync(join(repo, 'infra', 'bad.yaml'), template('nodejs22.x'));
    await git('add', 'infra/bad.yaml');
    const accepted = await git('commit', '-q', '-m', 'orders on nodejs22.x');
    expect(accepted.code, `${accepted.stdout}${accepted.stderr}`).toBe(0);
  }, 600_000);

  it('installs only what it runs: no Node.js environment, no npm dependencies, a few MB in all', async () => {
    // Everything pre-commit keeps for the hook once installed (the test above): its clone of the
    // hook repository and nothing else (`language: script`). `language: node` installed the SAM
    // application's 57 MB of dependencies there.
    const cache = env.PRE_COMMIT_HOME;
    const find = async (...test: string[]) => (await runCommand('find', [cache, ...test], { cwd: work, env })).stdout.trim().split('\n').filter(Boolean);
    expect(await find('-path', '*/dist/runtime-warden.mjs')).toHaveLength(1); // the hook's clone is there
    expect(await find('-name', 'node_modules', '-o', '-name', 'node_env*')).toEqual([]);
    const bytes = Number((await runCommand('du', ['-sb', cache], { cwd: work, env })).stdout.split('\t')[0]);
    expect(bytes, `pre-commit's cache holds ${(bytes / 1024 / 1024).toFixed(1)} MB`).toBeLessThan(10 * 1024 * 1024);
  });
});
