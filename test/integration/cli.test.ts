import { execFile } from 'node:child_process';
import { chmodSync, cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import AjvDraft04 from 'ajv-draft-04';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/fixtures.js';
import { runCommand, type CommandResult } from '../helpers/runCommand.js';

const exec = promisify(execFile);
const BIN = join(ROOT, 'dist', 'runtime-warden.mjs');
const FIXTURES = join(ROOT, 'test', 'fixtures', 'templates');
const POLICY = join(ROOT, 'test', 'fixtures', 'policies', 'fixture-policy.yaml');
const env = { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' };

/** Runs the built CLI as a user would. */
const cli = (args: string[], cwd = ROOT, command = process.execPath, pre: string[] = [BIN]): Promise<CommandResult> => runCommand(command, [...pre, ...args], { cwd, env });

describe('runtime-warden scan', () => {
  const work = mkdtempSync(join(tmpdir(), 'rw-cli-'));
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('npx runtime-warden scan reports exactly the functions inheriting a deprecated runtime from Globals, with file and line, and exits 1', async () => {
    // Prepare
    const dir = join(work, 'sam-app');
    cpSync(join(FIXTURES, 'sam-globals.yaml'), join(dir, 'template.yaml'), { recursive: true });
    // Act
    const { code, stdout } = await cli(['scan', dir, '--now', '2026-11-23'], ROOT, 'npx', ['runtime-warden']);
    // Assess
    expect(code).toBe(1);
    const flagged = stdout.split('\n').filter((l) => /NON_COMPLIANT$/.test(l));
    expect(flagged).toEqual(['    10  InheritsOne (AWS::Serverless::Function)  nodejs16.x  NON_COMPLIANT', '    14  InheritsTwo (AWS::Serverless::Function)  nodejs16.x  NON_COMPLIANT']);
    expect(stdout).toContain(`${join(dir, 'template.yaml')}\n`);
    expect(stdout).toContain('4 functions in 1 templates: 2 non-compliant, 0 with warnings, 1 not applicable');
  });

  it('passes the project template: exit 0', async () => {
    const { code, stdout } = await cli(['scan', 'template.yaml']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/\d+ functions in 1 templates: 0 non-compliant/);
  });

  it('scans the current folder by default, skipping node_modules and non-templates', async () => {
    const dir = join(work, 'default');
    cpSync(join(FIXTURES, 'good-current.yaml'), join(dir, 'infra', 'stack.yaml'), { recursive: true });
    cpSync(join(FIXTURES, 'bad-lifecycle.yaml'), join(dir, 'node_modules', 'dep', 'template.yaml'), { recursive: true });
    cpSync(join(FIXTURES, 'malformed', 'kubernetes.yaml'), join(dir, 'k8s.yaml'));
    const { code, stdout } = await cli(['scan', '--now', '2026-11-23'], dir);
    expect(code).toBe(0);
    expect(stdout).toContain('3 functions in 1 templates: 0 non-compliant');
    expect(stdout).not.toContain('node_modules');
  });

  it('writes JSON with every function and its findings', async () => {
    const { code, stdout } = await cli(['scan', FIXTURES, '--format', 'json', '--now', '2026-11-23', '--policy', POLICY]);
    const report = JSON.parse(stdout);
    expect(code).toBe(1);
    expect(report.summary).toEqual({ templates: 8, functions: 30, nonCompliant: 16, withWarnings: 5, notApplicable: 1, fileErrors: 2, skipped: 2 });
    const worker = report.files.find((f: { path: string }) => f.path.endsWith('nested/child.yaml')).functions[0];
    expect(worker).toMatchObject({ logicalId: 'ChildWorker', line: 3, runtime: 'ruby3.2', compliance: 'NON_COMPLIANT', findings: [{ ruleId: 'RW003' }, { ruleId: 'RW004' }] });
  });

  it('writes SARIF 2.1.0 that validates against its schema, one result per finding at the resource line', async () => {
    const { code, stdout } = await cli(['scan', FIXTURES, '--format', 'sarif', '--now', '2026-11-23'], ROOT);
    const sarif = JSON.parse(stdout);
    const schema = JSON.parse(readFileSync(join(ROOT, 'node_modules', '@microsoft', 'jest-sarif', 'lib', 'schemas', 'sarif-2.1.0-rtm.5.json'), 'utf8'));
    // SARIF's schema is JSON Schema draft 4, with a pattern that is not valid in Unicode mode.
    const validate = new AjvDraft04.default({ strict: false, allErrors: true, unicodeRegExp: false }).compile(schema);
    expect(validate(sarif), JSON.stringify(validate.errors?.slice(0, 3))).toBe(true);
    expect(validate({ ...sarif, version: '2.0.0' })).toBe(false);
    expect(code).toBe(1);
    const inherit = sarif.runs[0].results.filter((r: { message: { text: string } }) => r.message.text.startsWith('InheritsOne:'));
    expect(inherit).toEqual([expect.objectContaining({ ruleId: 'RW004', level: 'error', locations: [expect.objectContaining({ physicalLocation: { artifactLocation: { uri: 'test/fixtures/templates/sam-globals.yaml' }, region: { startLine: 10 } } })] })]);
    expect(sarif.runs[0].invocations[0].toolExecutionNotifications).toHaveLength(2);
  });

  it('writes well-formed JUnit XML with a failure per non-compliant function', async () => {
    const { stdout } = await cli(['scan', join(FIXTURES, 'bad-lifecycle.yaml'), join(FIXTURES, 'good-current.yaml'), '--format', 'junit', '--now', '2026-11-23']);
    expect(XMLValidator.validate(stdout)).toBe(true);
    const xml = new XMLParser({ ignoreAttributes: false }).parse(stdout);
    expect(xml.testsuites).toMatchObject({ '@_tests': '8', '@_failures': '5', '@_errors': '0' });
  });

  it('keeps template text to one printable line in text and JUnit output: no ANSI escape, forged line, workflow command or XML-breaking character', async () => {
    const hostile = '2026-13-01 \u001b[31mred\n::error file=x::pwned\u2028::add-mask::x\u0001\u202eevil';
    const file = join(work, 'hostile.json');
    writeFileSync(file, JSON.stringify({ Resources: { F: { Type: 'AWS::Lambda::Function', Properties: { Runtime: 'nodejs22.x', Tags: [{ Key: 'runtime-warden:waiver', Value: hostile }] } } } }));
    const text = (await cli(['scan', file, '--now', '2026-11-23'])).stdout;
    expect(text).toContain('RW015');
    expect(text).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u2028\u202e]/);
    expect(text.split('\n').filter((l) => l.startsWith('::'))).toEqual([]);
    expect(text).toContain('\\u001b[31mred\\n::error file=x::pwned\\u2028');
    const junit = (await cli(['scan', file, '--now', '2026-11-23', '--format', 'junit'])).stdout;
    expect(XMLValidator.validate(junit)).toBe(true);
    expect(junit).not.toMatch(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/);
    expect(new XMLParser({ ignoreAttributes: false }).parse(junit).testsuites).toBeDefined();
  });

  describe('in a repository that holds more than templates', () => {
    const repo = join(work, 'mixed-repo');
    const files: Record<string, string> = {
      'tsconfig.json': '{\n  // what tsc --init writes\n  "compilerOptions": { "strict": true, /* comment */ },\n}\n',
      '.vscode/settings.json': '{ // editor\n  "editor.tabSize": 2,\n}\n',
      'k8s/deploy.yaml': 'apiVersion: apps/v1\nkind: Deployment\nmetadata: { name: a }\n---\napiVersion: v1\nkind: Service\nmetadata: { name: b }\n',
      'chart/templates/deployment.yaml': 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ .Release.Name }}\n{{- if .Values.x }}\n  labels: {}\n{{- end }}\n',
      'ansible/vars.yml': 'secret: !vault |\n  $ANSIBLE_VAULT;1.1;AES256\n  6162\n',
      'mkdocs.yml': 'site_name: x\nmarkdown_extensions:\n  - pymdownx.superfences:\n      custom_fences:\n        - format: !!python/name:pymdownx.superfences.fence_code_format\n',
      'infra/template.yaml': 'Transform: AWS::Serverless-2016-10-31\nResources:\n  Api:\n    Type: AWS::Serverless::Function\n    Properties: { Runtime: nodejs16.x, Handler: a.h, CodeUri: . }\n',
    };
    for (const [name, text] of Object.entries(files)) {
      mkdirSync(dirname(join(repo, name)), { recursive: true });
      writeFileSync(join(repo, name), text);
    }

    it('reports only the template, passing over what is not one, and exits 1', async () => {
      const r = await cli(['scan', '.', '--now', '2026-11-23', '--format', 'json'], repo);
      expect(r.code).toBe(1);
      const report = JSON.parse(r.stdout) as { files: { path: string; functions: unknown[]; error?: string }[]; summary: Record<string, number> };
      expect(report.files.filter((f) => f.functions.length > 0 || f.error).map((f) => f.path)).toEqual(['infra/template.yaml']);
      expect(r.stderr).not.toMatch(/not valid YAML/);
      expect(report.summary.skipped).toBe(6);
      expect((await cli(['scan', '.', '--now', '2026-11-23'], repo)).stdout).toMatch(/; 6 files passed over \(not templates\)/);
    });

    it('still refuses text that is recognisably a template but does not parse', async () => {
      const broken = join(work, 'broken-repo');
      mkdirSync(broken, { recursive: true });
      writeFileSync(join(broken, 'template.yaml'), 'AWSTemplateFormatVersion: "2010-09-09"\nResources:\n  F: { Type: AWS::Lambda::Function, Properties: { Runtime: [nodejs16.x }\n');
      const r = await cli(['scan', '.', '--now', '2026-11-23'], broken);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/template\.yaml: not valid YAML or JSON/);
    });

    it.each([
      ['--exclude', ['--exclude', 'infra/']],
      ['--exclude with a glob', ['--exclude', '**/template.yaml']],
    ])('exits 0 when %s covers the template', async (_, args) => {
      const r = await cli(['scan', '.', '--now', '2026-11-23', ...args], repo);
      expect(r.code).toBe(0);
    });

    it('honours .gitignore in a git checkout, and .runtime-wardenignore anywhere', async () => {
      mkdirSync(join(repo, '.git'), { recursive: true });
      writeFileSync(join(repo, '.gitignore'), '# built\ninfra/*.yaml\n!infra/keep.yaml\n');
      try {
        expect((await cli(['scan', '.', '--now', '2026-11-23'], repo)).code).toBe(0);
        expect((await cli(['scan', '.', '--now', '2026-11-23', '--no-gitignore'], repo)).code).toBe(1);
        // From a subfolder too: the checkout's .gitignore applies above the scanned folder.
        expect((await cli(['scan', 'infra', '--now', '2026-11-23'], repo)).code).toBe(0);
      } finally {
        rmSync(join(repo, '.git'), { recursive: true, force: true });
        rmSync(join(repo, '.gitignore'));
      }
      writeFileSync(join(repo, 'infra', '.runtime-wardenignore'), 'template.yaml\n');
      try {
        expect((await cli(['scan', '.', '--now', '2026-11-23'], repo)).code).toBe(0);
      } finally {
        rmSync(join(repo, 'infra', '.runtime-wardenignore'));
      }
    });
  });

  it('writes to --output', async () => {
    const out = join(work, 'report.json');
    expect((await cli(['scan', join(FIXTURES, 'good-current.yaml'), '--format', 'json', '--output', out])).code).toBe(0);
    expect(JSON.parse(readFileSync(out, 'utf8')).summary.functions).toBe(3);
  });

  it('fails on warnings only when asked to', async () => {
    const file = join(FIXTURES, 'parameters.yaml');
    const args = ['scan', file, '--now', '2026-11-23', '--policy', POLICY];
    writeFileSync(join(work, 'warn-only.yaml'), 'Resources:\n  F:\n    Type: AWS::Lambda::Function\n    Properties: { Runtime: !ImportValue shared }\n');
    expect((await cli(['scan', join(work, 'warn-only.yaml')])).code).toBe(0);
    expect((await cli(['scan', join(work, 'warn-only.yaml'), '--fail-on', 'warning'])).code).toBe(1);
    expect((await cli(args)).code).toBe(1);
  });

  it('reports malformed files per file and carries on; exits 2 when nothing else is wrong', async () => {
    const dir = join(work, 'mixed');
    cpSync(join(FIXTURES, 'malformed'), dir, { recursive: true });
    cpSync(join(FIXTURES, 'good-current.yaml'), join(dir, 'good.yaml'));
    const { code, stdout, stderr } = await cli(['scan', dir]);
    expect(code).toBe(2);
    expect(stdout).toContain('3 functions in 1 templates: 0 non-compliant');
    expect(stderr).toContain('alias-bomb.yaml: not valid YAML or JSON: Excessive alias count');
    expect(stderr).toContain('broken.yaml: not valid YAML or JSON');
    expect(stderr).not.toContain('kubernetes.yaml');
  });

  it('judges a folder of many templates in several threads exactly as in one, in the same order', async () => {
    // Prepare: enough files for threads (64 and more), every kind of outcome among them
    const dir = join(work, 'many');
    const fixtures = readdirSync(FIXTURES).filter((f) => /\.(ya?ml|json)$/.test(f));
    for (let i = 0; i < 90; i++) cpSync(join(FIXTURES, fixtures[i % fixtures.length]!), join(dir, `t${String(i).padStart(3, '0')}-${fixtures[i % fixtures.length]}`));
    cpSync(join(FIXTURES, 'malformed'), join(dir, 'malformed'), { recursive: true });
    // Act
    const one = await cli(['scan', dir, '--format', 'json', '--now', '2026-11-23', '--jobs', '1']);
    const three = await cli(['scan', dir, '--format', 'json', '--now', '2026-11-23', '--jobs', '3']);
    // Assess
    expect(one.code).toBe(1);
    expect(JSON.parse(one.stdout).files.length).toBeGreaterThan(90);
    expect(three).toEqual(one);
  });

  it.each(['0', 'two', '1.5'])('refuses --jobs %s with exit code 2', async (jobs) => {
    const { code, stderr } = await cli(['scan', '--jobs', jobs]);
    expect(code).toBe(2);
    expect(stderr).toContain('--jobs must be a whole number of threads, at least 1');
  });

  it('reports each unreadable path and malformed template as an error, and still judges every other template (#10.1, #10.2)', async () => {
    // Prepare: a symbolic-link loop, a link back to an ancestor, a folder nobody may read, a
    // map-valued AllowedValues, and one template with a nodejs16.x function.
    const dir = join(work, 'hostile');
    mkdirSync(join(dir, 'locked'), { recursive: true });
    mkdirSync(join(dir, 'app'));
    writeFileSync(join(dir, 'locked', 'template.yaml'), 'Resources: {}\n');
    chmodSync(join(dir, 'locked'), 0o000);
    symlinkSync('loop.yaml', join(dir, 'loop.yaml'));
    symlinkSync('..', join(dir, 'app', 'up'));
    writeFileSync(join(dir, 'app', 'params.yaml'), 'Parameters:\n  Rt: { Type: String, AllowedValues: { a: nodejs16.x } }\nResources:\n  F: { Type: AWS::Lambda::Function, Properties: { Runtime: !Ref Rt } }\n');
    writeFileSync(join(dir, 'app', 'template.yaml'), 'Resources:\n  Legacy: { Type: AWS::Lambda::Function, Properties: { Runtime: nodejs16.x } }\n');
    chmodSync(work, 0o755);
    chmodSync(dir, 0o755);
    // Act: as a user without privileges, for whom the locked folder is unreadable (root reads anything).
    const asUser = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};
    let out: { code: number; stdout: string; stderr: string };
    try {
      const r = await exec(process.execPath, [BIN, 'scan', dir, '--format', 'json', '--now', '2026-11-23'], { env, ...asUser });
      out = { code: 0, ...r };
    } catch (err) {
      out = err as { code: number; stdout: string; stderr: string };
    } finally {
      chmodSync(join(dir, 'locked'), 0o755);
    }
    // Assess
    expect(out.code).toBe(1);
    const report = JSON.parse(out.stdout) as { files: { path: string; error?: string; functions: { logicalId: string; compliance: string }[] }[] };
    const byPath = Object.fromEntries(report.files.map((f) => [f.path.slice(dir.length + 1), f.error ?? f.functions.map((fn) => `${fn.logicalId} ${fn.compliance}`).join()]));
    expect(byPath).toEqual({
      'app/params.yaml': 'not a valid template: AllowedValues of parameter Rt must be a list',
      'app/template.yaml': 'Legacy NON_COMPLIANT',
      'app/up': `a symbolic link back to ${realpathSync(dir)}, a folder that contains it: not followed`,
      locked: 'cannot read (EACCES: permission denied)',
      'loop.yaml': 'cannot read (ELOOP: a loop of symbolic links)',
    });
    expect(out.stderr).toContain('loop.yaml: cannot read (ELOOP');
    expect(out.stderr).not.toContain('Usage');
  });

  it.each([
    [['scan', 'no/such/path'], 'runtime-warden: no/such/path: no such file or folder'],
    [['scan', 'template.yaml', '--policy', 'missing.yaml'], 'runtime-warden: cannot read policy file missing.yaml: ENOENT'],
    [['scan', 'template.yaml', '--policy', 'package.json'], 'runtime-warden: Invalid policy file package.json: version: '],
    [['scan', '--format', 'xml'], 'runtime-warden: --format must be one of text, json, sarif, junit'],
    [['scan', '--now', 'tomorrow'], 'runtime-warden: --now tomorrow is not a date (YYYY-MM-DD)'],
    [['scan', '--fail-on', 'info'], 'runtime-warden: --fail-on must be error or warning'],
    [['deploy'], 'runtime-warden: unknown command deploy'],
    [['scan', '--colour'], "runtime-warden: Unknown option '--colour'"],
  ])('exits 2 with the error on stderr for %j', async (args, message) => {
    const { code, stderr, stdout } = await cli(args);
    expect(code).toBe(2);
    expect(stderr).toContain(message);
    expect(stdout).toBe('');
  });
});
