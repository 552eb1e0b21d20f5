import { execFile } from 'node:child_process';
import { chmodSync, cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { promisify } from 'node:util';
import AjvDraft04 from 'ajv-draft-04';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_CATALOG } from '../../shared/index.js';
import { didYouMean, suggest } from '../../shared/text/suggest.js';
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

  it('npx runtime-warden scan reports exactly the functions inheriting a deprecated runtime from Globals, at the Globals line and column, and exits 1', async () => {
    // Prepare
    const dir = join(work, 'sam-app');
    cpSync(join(FIXTURES, 'sam-globals.yaml'), join(dir, 'template.yaml'), { recursive: true });
    // Act
    const { code, stdout } = await cli(['scan', dir, '--now', '2026-11-23'], ROOT, 'npx', ['runtime-warden']);
    // Assess
    expect(code).toBe(1);
    const template = join(dir, 'template.yaml');
    const flagged = stdout.split('\n').filter((l) => /NON_COMPLIANT$/.test(l));
    expect(flagged).toEqual([`${template}:10:3: InheritsOne (AWS::Serverless::Function) nodejs16.x NON_COMPLIANT`, `${template}:14:3: InheritsTwo (AWS::Serverless::Function) nodejs16.x NON_COMPLIANT`]);
    // Each finding at the value to edit, `path:line:col: severity RWnnn`, as problem matchers read it.
    const findings = stdout.split('\n').filter((l) => / (error|warning|info) RW\d{3} /.test(l));
    expect(findings.map((l) => l.split(' is deprecated')[0])).toEqual([`${template}:5:5: error RW004 InheritsOne: nodejs16.x`, `${template}:5:5: error RW004 InheritsTwo: nodejs16.x`, `${template}:26:7: info RW000 ImageFunction: Container image function: its runtime is inside the image, out of reach of the runtime policy. [Resources.ImageFunction.Properties.PackageType]`]);
    expect(stdout).toContain('4 functions in 1 template: 2 non-compliant, 0 with warnings, 1 not applicable');
  });

  it('passes the project template: exit 0', async () => {
    const { code, stdout } = await cli(['scan', 'template.yaml']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/\d+ functions in 1 template: 0 non-compliant/);
  });

  it('scans the current folder by default, skipping node_modules and non-templates', async () => {
    const dir = join(work, 'default');
    cpSync(join(FIXTURES, 'good-current.yaml'), join(dir, 'infra', 'stack.yaml'), { recursive: true });
    cpSync(join(FIXTURES, 'bad-lifecycle.yaml'), join(dir, 'node_modules', 'dep', 'template.yaml'), { recursive: true });
    cpSync(join(FIXTURES, 'malformed', 'kubernetes.yaml'), join(dir, 'k8s.yaml'));
    const { code, stdout } = await cli(['scan', '--now', '2026-11-23'], dir);
    expect(code).toBe(0);
    expect(stdout).toContain('3 functions in 1 template: 0 non-compliant');
    expect(stdout).not.toContain('node_modules');
  });

  it('writes JSON with every function and its findings', async () => {
    const { code, stdout } = await cli(['scan', FIXTURES, '--format', 'json', '--now', '2026-11-23', '--policy', POLICY]);
    const report = JSON.parse(stdout);
    expect(code).toBe(1);
    expect(report.summary).toEqual({ templates: 8, functions: 30, layerVersions: 0, nonCompliant: 16, withWarnings: 5, notApplicable: 1, fileErrors: 2, skipped: 2 });
    const worker = report.files.find((f: { path: string }) => f.path.endsWith('nested/child.yaml')).functions[0];
    expect(worker).toMatchObject({ logicalId: 'ChildWorker', line: 3, runtime: 'ruby3.2', compliance: 'NON_COMPLIANT', findings: [{ ruleId: 'RW003' }, { ruleId: 'RW004' }] });
  });

  it('writes SARIF 2.1.0 that validates against its schema, one result per finding at the value that decides it, the resource related', async () => {
    const { code, stdout } = await cli(['scan', FIXTURES, '--format', 'sarif', '--now', '2026-11-23'], ROOT);
    const sarif = JSON.parse(stdout);
    const schema = JSON.parse(readFileSync(join(ROOT, 'node_modules', '@microsoft', 'jest-sarif', 'lib', 'schemas', 'sarif-2.1.0-rtm.5.json'), 'utf8'));
    // SARIF's schema is JSON Schema draft 4, with a pattern that is not valid in Unicode mode.
    const validate = new AjvDraft04.default({ strict: false, allErrors: true, unicodeRegExp: false }).compile(schema);
    expect(validate(sarif), JSON.stringify(validate.errors?.slice(0, 3))).toBe(true);
    expect(validate({ ...sarif, version: '2.0.0' })).toBe(false);
    expect(code).toBe(1);
    const inherit = sarif.runs[0].results.filter((r: { message: { text: string } }) => r.message.text.startsWith('InheritsOne:'));
    const uri = { uri: 'test/fixtures/templates/sam-globals.yaml' };
    expect(inherit).toEqual([
      expect.objectContaining({
        ruleId: 'RW004',
        level: 'error',
        locations: [expect.objectContaining({ physicalLocation: { artifactLocation: uri, region: { startLine: 5, startColumn: 5, endLine: 5, endColumn: 24 } } })],
        relatedLocations: [{ id: 1, message: { text: 'resource InheritsOne' }, physicalLocation: { artifactLocation: uri, region: { startLine: 10, startColumn: 3 } } }],
        fixes: [expect.objectContaining({ artifactChanges: [{ artifactLocation: uri, replacements: [{ deletedRegion: { startLine: 5, startColumn: 14, endColumn: 24 }, insertedContent: { text: 'nodejs22.x' } }] }] })],
      }),
    ]);
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
    expect(stdout).toContain('3 functions in 1 template: 0 non-compliant');
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
    [['scan', '--format', 'xml'], "runtime-warden: option '--format <format>' argument 'xml' is invalid. Allowed choices are text, json, sarif, junit, github."],
    [['scan', '--now', 'tomorrow'], 'runtime-warden: --now tomorrow must be a date written YYYY-MM-DD'],
    [['scan', '--fail-on', 'info'], "runtime-warden: option '--fail-on <severity>' argument 'info' is invalid. Allowed choices are error, warning, never."],
    [['deploy'], "runtime-warden: unknown command 'deploy'"],
    [['scan', '--colour'], "runtime-warden: unknown option '--colour' (did you mean --color?)"],
  ])('exits 2 with the error on stderr for %j', async (args, message) => {
    const { code, stderr, stdout } = await cli(args);
    expect(code).toBe(2);
    expect(stderr).toContain(message);
    expect(stdout).toBe('');
  });
});

describe('the command line as its users expect (#21.8)', () => {
  const work = mkdtempSync(join(tmpdir(), 'rw-cli-ux-'));
  afterAll(() => rmSync(work, { recursive: true, force: true }));
  /** Two functions on nodejs16.x from Globals, one on nodejs22.x, one container image. */
  const legacy = join(FIXTURES, 'sam-globals.yaml');
  const withEnv = (args: string[], extra: NodeJS.ProcessEnv, cwd = ROOT): Promise<CommandResult> => runCommand(process.execPath, [BIN, ...args], { cwd, env: { ...env, FORCE_COLOR: undefined, NO_COLOR: undefined, ...extra } });

  it('gives each command its own help, with examples, and exits 0', async () => {
    const scan = await cli(['scan', '--help']);
    const report = await cli(['report', '--help']);
    expect([scan.code, report.code]).toEqual([0, 0]);
    expect(scan.stdout).not.toBe(report.stdout);
    expect(scan.stdout).toMatch(/^Usage: runtime-warden scan \[options\] \[paths\.\.\.\]\n/);
    expect(scan.stdout).toContain('--exclude <glob>');
    expect(scan.stdout).not.toContain('--aggregator');
    expect(report.stdout).toMatch(/^Usage: runtime-warden report \[options\]\n/);
    expect(report.stdout).toContain('--aggregator <name>');
    expect(report.stdout).not.toContain('--exclude');
    for (const help of [scan.stdout, report.stdout]) expect(help).toMatch(/\nExamples:\n {2}\$ runtime-warden /);
    expect((await cli(['help', 'scan'])).stdout).toBe(scan.stdout);
  });

  it.each([
    [['scna'], "unknown command 'scna' (did you mean scan?)", 'See `runtime-warden --help` for the commands.'],
    [['scan', '--aggregator', 'org'], "unknown option '--aggregator'", 'Usage: runtime-warden scan [options] [paths...]'],
    [['scan', '--exlude', 'x'], "unknown option '--exlude' (did you mean --exclude?)", 'Usage: runtime-warden scan [options] [paths...]'],
    [['scan', '--format', 'sarf'], "option '--format <format>' argument 'sarf' is invalid. Allowed choices are text, json, sarif, junit, github (did you mean sarif?).", 'Usage: runtime-warden scan [options] [paths...]'],
    [['report', '--exclude', 'x'], "unknown option '--exclude'", 'Usage: runtime-warden report [options]'],
    [['guard', 'infra'], "too many arguments for 'guard'. Expected 0 arguments but got 1.", 'Usage: runtime-warden guard [options]'],
    [['catalog', 'refresh', '--now', '2026-01-01'], "unknown option '--now'", 'Usage: runtime-warden catalog refresh [options]'],
  ])('refuses %j: exit 2, the reason, and the usage of that command', async (args, reason, usage) => {
    const { code, stdout, stderr } = await cli(args);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr.split('\n').slice(0, 2)).toEqual([`runtime-warden: ${reason}`, usage]);
  });

  it.each([[['scan', legacy]], [['guard']], [['catalog', 'show']]])('refuses a day that does not exist in %j --now 2026-02-30 (once judged as 2026-03-02)', async (args) => {
    const { code, stdout, stderr } = await cli([...args, '--now', '2026-02-30']);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toMatch(/^runtime-warden: --now 2026-02-30 is not a calendar date\n/);
  });

  it.each([
    [['scan', legacy, '--policy', 'missing.yaml'], 'runtime-warden: cannot read policy file missing.yaml: ENOENT'],
    [['scan', legacy, '--catalog', 'missing.json'], 'runtime-warden: cannot read catalog file missing.json: ENOENT'],
    [['catalog', 'refresh', '--from', 'missing.html'], 'runtime-warden: cannot read page missing.html: ENOENT'],
  ])('says an input error in %j in one line, without the usage', async (args, line) => {
    const { code, stderr } = await cli(args);
    expect(code).toBe(2);
    expect(stderr).toBe(`${line}\n`);
  });

  it('annotates GitHub and writes JUnit failures at the value that decides, with its line and column (#21.6)', async () => {
    const github = (await cli(['scan', legacy, '--now', '2026-11-23', '--format', 'github'])).stdout.split('\n');
    expect(github.filter((l) => l.startsWith('::error')).map((l) => l.split('::')[1])).toEqual([
      'error file=test/fixtures/templates/sam-globals.yaml,line=5,col=5,endLine=5,endColumn=24,title=RW004 InheritsOne',
      'error file=test/fixtures/templates/sam-globals.yaml,line=5,col=5,endLine=5,endColumn=24,title=RW004 InheritsTwo',
    ]);
    const junit = new XMLParser({ ignoreAttributes: false }).parse((await cli(['scan', legacy, '--now', '2026-11-23', '--format', 'junit'])).stdout);
    const cases = [junit.testsuites.testsuite].flat().flatMap((suite: { testcase?: unknown }) => [suite.testcase ?? []].flat()) as { '@_name': string; failure?: { '#text': string } }[];
    expect(cases.find((c) => c['@_name'] === 'InheritsOne (line 10)')!.failure!['#text']).toMatch(new RegExp(`^${legacy.replace(/[.]/g, '\\.')}:5:5: error RW004 InheritsOne: nodejs16\\.x is deprecated`));
  });

  it('reports with --fail-on never and exits 0; a file that cannot be scanned still exits 2', async () => {
    const never = await cli(['scan', legacy, '--now', '2026-11-23', '--fail-on', 'never']);
    expect(never.code).toBe(0);
    expect(never.stdout).toContain('InheritsOne (AWS::Serverless::Function) nodejs16.x NON_COMPLIANT');
    expect((await cli(['scan', join(FIXTURES, 'malformed', 'broken.yaml'), '--fail-on', 'never'])).code).toBe(2);
  });

  it('prints only the findings with --quiet: no compliant function, no summary line, no catalog warning; machine formats stay whole', async () => {
    // A catalog 141 days old on the day judged, when nodejs16.x's create block (2027-02-01) is 22 days away.
    const catalog = join(work, 'catalog.json');
    expect((await cli(['catalog', 'refresh', '--from', join(ROOT, 'test', 'fixtures', 'runtimes-page', 'lambda-runtimes.md'), '--as-of', '2026-08-22', '--output', catalog])).code).toBe(0);
    const args = ['scan', legacy, '--now', '2027-01-10', '--catalog', catalog];
    const loud = await cli(args);
    const quiet = await cli([...args, '--quiet']);
    expect(loud.stderr).toContain('warning: the runtime catalog as of 2026-08-22');
    expect(loud.stdout).toMatch(/Overrides .*COMPLIANT/);
    expect(loud.stdout).toMatch(/4 functions? in 1 templates?/);
    expect(quiet.code).toBe(1);
    expect(quiet.stderr).toBe('');
    expect(quiet.stdout).toContain('InheritsOne (AWS::Serverless::Function) nodejs16.x NON_COMPLIANT');
    expect(quiet.stdout).toContain('InheritsTwo');
    expect(quiet.stdout).not.toContain('Overrides');
    expect(quiet.stdout).not.toMatch(/functions? in \d+ templates?/);
    expect(JSON.parse((await cli([...args, '--quiet', '--format', 'json'])).stdout).summary.functions).toBe(4);
  });

  it('colours its messages on a terminal and when FORCE_COLOR asks; never in a pipe, with NO_COLOR, FORCE_COLOR=0 or --no-color', async () => {
    const red = '\u001b[31m';
    const failing = ['scan', 'no/such/path'];
    // A terminal: python's pty module runs the CLI on a pseudo-terminal and copies what it shows.
    const onTerminal = (extra: NodeJS.ProcessEnv) =>
      runCommand('python3', ['-c', 'import os, pty, sys; sys.exit(os.waitstatus_to_exitcode(pty.spawn(sys.argv[1:])))', process.execPath, BIN, ...failing], { cwd: ROOT, env: { ...env, FORCE_COLOR: undefined, NO_COLOR: undefined, TERM: 'xterm', ...extra } });
    const terminal = await onTerminal({});
    expect(terminal.code).toBe(2);
    expect(terminal.stdout).toContain(`${red}no/such/path: no such file or folder`);
    expect((await onTerminal({ NO_COLOR: '1' })).stdout).not.toContain('\u001b[');
    expect((await onTerminal({ TERM: 'dumb' })).stdout).not.toContain('\u001b[');
    expect((await withEnv(failing, {})).stderr).not.toContain('\u001b[');
    expect((await withEnv(failing, { FORCE_COLOR: '1' })).stderr).toContain(red);
    expect((await withEnv(failing, { FORCE_COLOR: 'true', NO_COLOR: '1' })).stderr).toContain(red);
    expect((await withEnv(failing, { FORCE_COLOR: '0' })).stderr).not.toContain('\u001b[');
    expect((await withEnv([...failing, '--no-color'], { FORCE_COLOR: '1' })).stderr).not.toContain('\u001b[');
    expect((await withEnv(failing, { NO_COLOR: '' })).stderr).not.toContain('\u001b['); // empty: not set (no-color.org)
  });

  it('writes several formats from one scan with --write, GitHub workflow-command annotations among them', async () => {
    const sarif = join(work, 'one-scan.sarif');
    const junit = join(work, 'one-scan.xml');
    const r = await cli(['scan', legacy, '--now', '2026-11-23', '--format', 'github', '--write', `sarif=${sarif}`, '--write', `junit=${junit}`]);
    expect(r.code).toBe(1);
    const lines = r.stdout.trimEnd().split('\n');
    // Each line is a workflow command: its name and properties, then `::` and the message.
    expect(lines.map((l) => l.slice(0, l.indexOf('::', 2)))).toEqual([
      '::error file=test/fixtures/templates/sam-globals.yaml,line=5,col=5,endLine=5,endColumn=24,title=RW004 InheritsOne',
      '::error file=test/fixtures/templates/sam-globals.yaml,line=5,col=5,endLine=5,endColumn=24,title=RW004 InheritsTwo',
      '::notice file=test/fixtures/templates/sam-globals.yaml,line=26,col=7,endLine=26,endColumn=25,title=RW000 ImageFunction',
    ]);
    expect(lines[0]).toMatch(/::InheritsOne: nodejs16\.x is deprecated since 2024-06-12/);
    expect(JSON.parse(readFileSync(sarif, 'utf8')).runs[0].results.map((x: { ruleId: string }) => x.ruleId)).toEqual(['RW004', 'RW004', 'RW000']);
    expect(XMLValidator.validate(readFileSync(junit, 'utf8'))).toBe(true);
    expect((await cli(['scan', legacy, '--write', 'sarf=x.sarif'])).stderr).toMatch(/^runtime-warden: --write sarf=x\.sarif: give FORMAT=FILE, FORMAT one of text, json, sarif, junit, github \(did you mean sarif\?\)\n/);
  });

  it('escapes in an annotation what a workflow command cannot hold, and says how many GitHub would not show past 10 of a kind', async () => {
    const dir = join(work, 'annotations');
    mkdirSync(dir, { recursive: true });
    const fn = (id: string) => `  ${id}:\n    Type: AWS::Lambda::Function\n    Properties: { Runtime: nodejs16.x, Handler: a.h }\n`;
    const image = (id: string) => `  ${id}:\n    Type: AWS::Lambda::Function\n    Properties: { PackageType: Image, Code: { ImageUri: x } }\n`;
    writeFileSync(join(dir, 'many.yaml'), `Resources:\n${Array.from({ length: 12 }, (_, i) => fn(`Legacy${i}`)).join('')}${Array.from({ length: 10 }, (_, i) => image(`Image${i}`)).join('')}`);
    const hostile = '100% sure\r\n::error file=x::pwned';
    writeFileSync(join(dir, 'odd,name:1%.json'), JSON.stringify({ Resources: { F: { Type: 'AWS::Lambda::Function', Properties: { Runtime: 'nodejs22.x', Tags: [{ Key: 'runtime-warden:waiver', Value: hostile }] } } } }));
    const r = await cli(['scan', '.', '--now', '2026-11-23', '--format', 'github'], dir);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines.every((l) => /^::(error|warning|notice) /.test(l))).toBe(true);
    expect(lines.filter((l) => l.startsWith('::error file=many.yaml,'))).toHaveLength(10);
    // Ten notices would fit, but the last place is the one saying what is left out.
    expect(lines.filter((l) => l.startsWith('::notice file=many.yaml,'))).toHaveLength(9);
    expect(lines.at(-1)).toBe('::notice title=runtime-warden%3A more findings::2 errors, 1 notice more than GitHub annotates in one step: the job log and the SARIF file hold every finding.');
    const odd = lines.find((l) => l.includes('file=odd'))!;
    // At the waiver tag's value, within the one line the JSON is.
    expect(odd).toMatch(/^::warning file=odd%2Cname%3A1%25\.json,line=1,col=(\d+),endLine=1,endColumn=\d+,title=RW015 F::/);
    expect(Number(/col=(\d+)/.exec(odd)![1]) - 1).toBe(readFileSync(join(dir, 'odd,name:1%.json'), 'utf8').indexOf('"Value"'));
    expect(odd).toContain('100%25 sure\\u000d\\n::error file=x::pwned'); // one line: CR and LF written out, % escaped
  });

  it('reads a --config file of scan options; a flag given wins, and an unknown key is named with the nearest', async () => {
    const config = join(work, 'warden.yaml');
    writeFileSync(config, `paths: [${legacy}]\nfail-on: never\nformat: json\nexclude: [node_modules/]\njobs: 1\nskip-non-templates: false\n`);
    const fromFile = await cli(['scan', '--config', config, '--now', '2026-11-23']);
    expect(fromFile.code).toBe(0);
    expect(JSON.parse(fromFile.stdout).summary).toMatchObject({ templates: 1, functions: 4, nonCompliant: 2 });
    expect((await cli(['scan', '--config', config, '--now', '2026-11-23', '--fail-on', 'error'])).code).toBe(1);
    expect((await cli(['scan', join(FIXTURES, 'good-current.yaml'), '--config', config])).stdout).toContain('"functions": 3'); // paths given win too
    writeFileSync(config, 'fail-onn: warning\n');
    expect(await cli(['scan', '--config', config])).toMatchObject({ code: 2, stderr: `runtime-warden: config file ${config}: unknown key fail-onn (did you mean fail-on?)\n` });
    writeFileSync(config, 'fail-on: [error, warning]\n');
    expect((await cli(['scan', '--config', config])).stderr).toBe(`runtime-warden: config file ${config}: fail-on takes one value, not a list\n`);
    writeFileSync(config, '- fail-on\n');
    expect((await cli(['scan', '--config', config])).stderr).toMatch(/ must be a map of scan options/);
    writeFileSync(config, 'fail-on: [error\n');
    expect((await cli(['scan', '--config', config])).stderr).toMatch(new RegExp(`^runtime-warden: config file ${config} is not valid YAML: [^\\n]+\\n$`));
  });
});

describe('"did you mean" (shared/text/suggest.ts)', () => {
  it('names the runtime identifier, command or option closest to a mistyped one, several when as close, none when nothing is close', () => {
    const ids = DEFAULT_CATALOG.all().map((r) => r.id);
    expect(suggest('nodejs22', ids)).toEqual(['nodejs22.x']);
    expect(suggest('python39', ids)).toEqual(['python3.9']);
    expect(suggest('JAVA21', ids)).toEqual(['java21']);
    expect(suggest('scna', ['scan', 'guard', 'report', 'catalog'])).toEqual(['scan']);
    expect(suggest('deploy', ['scan', 'guard', 'report', 'catalog'])).toEqual([]);
    expect(didYouMean('nodejs2.x', ['nodejs20.x', 'nodejs22.x', 'python3.12'])).toBe(' (did you mean nodejs20.x or nodejs22.x?)');
    expect(didYouMean('ruby', ['nodejs22.x'])).toBe('');
  });
});

describe('a config file found on its own, and init (#21.3)', () => {
  const work = mkdtempSync(join(tmpdir(), 'rw-cli-config-'));
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  /** A checkout (`.git` bounds the search) with a SAM template of two nodejs16.x functions in `infra/app/`. */
  const checkout = (name: string): string => {
    const dir = join(work, name);
    mkdirSync(join(dir, '.git'), { recursive: true });
    cpSync(join(FIXTURES, 'sam-globals.yaml'), join(dir, 'infra', 'app', 'template.yaml'), { recursive: true });
    return dir;
  };

  it('finds .runtime-warden.yaml from a subfolder, reads its files from its own folder; flags win, --no-config reads none', async () => {
    const dir = checkout('found');
    writeFileSync(join(dir, 'policy.yaml'), 'version: 1\ncontact: platform@example.com\n');
    writeFileSync(join(dir, '.runtime-warden.yaml'), 'paths: [infra]\npolicy: policy.yaml\nformat: json\n');
    const sub = join(dir, 'infra', 'app');
    // Act
    const found = await cli(['scan', '--now', '2026-11-23'], sub);
    // Assess
    expect(found.code).toBe(1);
    const report = JSON.parse(found.stdout);
    expect(report).toMatchObject({ policy: '../../policy.yaml', summary: { templates: 1, nonCompliant: 2 } });
    expect((await cli(['scan', '--now', '2026-11-23', '--format', 'text'], sub)).stdout.split('\n')[0]).toBe('../app/template.yaml:10:3: InheritsOne (AWS::Serverless::Function) nodejs16.x NON_COMPLIANT');
    const bare = await cli(['scan', '--now', '2026-11-23', '--no-config'], sub);
    expect(bare.stdout).toContain('(policy bundled default,');
    // Named with --config from elsewhere, the same file means the same files.
    expect(JSON.parse((await cli(['scan', '--now', '2026-11-23', '--config', join(dir, '.runtime-warden.yaml')], work)).stdout).summary).toMatchObject({ templates: 1, nonCompliant: 2 });
  });

  it("reads a config file's excludes from its own folder, as a .gitignore's: the same files from a subfolder; --exclude is the current folder's (#21.3)", async () => {
    const dir = checkout('exclude');
    cpSync(join(FIXTURES, 'bad-lifecycle.yaml'), join(dir, 'infra', 'legacy', 'template.yaml'), { recursive: true });
    // Anchored (`/infra/legacy/`): from the config file's folder it is one folder, from a subfolder's it would be none.
    writeFileSync(join(dir, '.runtime-warden.yaml'), 'paths: [infra]\nexclude: [/infra/legacy/]\nformat: json\n');
    const scanned = async (cwd: string, ...args: string[]): Promise<string[]> => JSON.parse((await cli(['scan', '--now', '2026-11-23', ...args], cwd)).stdout).files.map((f: { path: string }) => relative(dir, join(cwd, f.path)));
    expect(await scanned(dir)).toEqual(['infra/app/template.yaml']);
    expect(await scanned(join(dir, 'infra', 'app'))).toEqual(['infra/app/template.yaml']);
    // A flag wins, and is read from the current folder.
    expect(await scanned(join(dir, 'infra'), '--exclude', '/app/')).toEqual(['infra/legacy/template.yaml']);
  });

  it('reads the runtime-warden key of package.json; stops at the checkout top', async () => {
    const dir = checkout('package');
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'x', 'runtime-warden': { 'fail-on': 'never' } }));
    expect((await cli(['scan', '--now', '2026-11-23'], join(dir, 'infra'))).code).toBe(0);
    // Above the checkout's top, a config file is not this repository's.
    const inner = join(dir, 'vendor', 'lib');
    mkdirSync(join(inner, '.git'), { recursive: true });
    cpSync(join(FIXTURES, 'sam-globals.yaml'), join(inner, 'template.yaml'));
    expect((await cli(['scan', '--now', '2026-11-23'], inner)).code).toBe(1);
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ 'runtime-warden': { 'fail-onn': 'never' } }));
    expect((await cli(['scan'], dir)).stderr).toBe(`runtime-warden: ${join(dir, 'package.json')} key runtime-warden: unknown key fail-onn (did you mean fail-on?)\n`);
  });

  it('init writes a commented config file that scan then reads, and never overwrites one (exit 2)', async () => {
    const dir = checkout('init');
    const first = await cli(['init'], dir);
    expect(first).toMatchObject({ code: 0, stdout: `wrote ${join(dir, '.runtime-warden.yaml')}\n` });
    const text = readFileSync(join(dir, '.runtime-warden.yaml'), 'utf8');
    expect(text).toMatch(/^# /);
    expect(text).toContain('# policy: ');
    writeFileSync(join(dir, '.runtime-warden.yaml'), `${text}format: json\n`);
    expect(JSON.parse((await cli(['scan', '--now', '2026-11-23'], dir)).stdout).summary).toMatchObject({ nonCompliant: 2 });
    const again = await cli(['init'], dir);
    expect(again.code).toBe(2);
    expect(again.stderr).toBe(`runtime-warden: ${join(dir, '.runtime-warden.yaml')} exists already: not overwritten (edit it, or remove it first)\n`);
    expect(readFileSync(join(dir, '.runtime-warden.yaml'), 'utf8')).toBe(`${text}format: json\n`);
  });
});

describe('a baseline for adopting the scanner (#21.4)', () => {
  const work = mkdtempSync(join(tmpdir(), 'rw-cli-baseline-'));
  afterAll(() => rmSync(work, { recursive: true, force: true }));
  const NEW_FUNCTION = '  Added:\n    Type: AWS::Lambda::Function\n    Properties:\n      Runtime: python3.8\n      Handler: i.h\n      Role: arn:aws:iam::123456789012:role/r\n      Code: { ZipFile: x }\n';

  it('passes the findings it holds, even moved, shows them marked in text, JSON and SARIF, and fails on a new one', async () => {
    const dir = join(work, 'adopt');
    mkdirSync(join(dir, '.git'), { recursive: true });
    const template = join(dir, 'template.yaml');
    cpSync(join(FIXTURES, 'sam-globals.yaml'), template);
    expect((await cli(['scan', '--now', '2026-11-23', '--write-baseline', 'baseline.json'], dir)).code).toBe(1);
    const baseline = JSON.parse(readFileSync(join(dir, 'baseline.json'), 'utf8'));
    expect(baseline.findings.filter((e: { ruleId: string }) => e.ruleId === 'RW004')).toEqual([
      { file: 'template.yaml', logicalId: 'InheritsOne', ruleId: 'RW004', fingerprint: expect.stringMatching(/^[0-9a-f]{32}$/) },
      { file: 'template.yaml', logicalId: 'InheritsTwo', ruleId: 'RW004', fingerprint: expect.stringMatching(/^[0-9a-f]{32}$/) },
    ]);
    // Lines moved: the same findings.
    writeFileSync(template, `# moved\n\n${readFileSync(template, 'utf8')}`);
    const old = await cli(['scan', '--now', '2026-11-23', '--baseline', 'baseline.json'], dir);
    expect(old.code).toBe(0);
    expect(old.stdout).toContain('template.yaml:12:3: InheritsOne (AWS::Serverless::Function) nodejs16.x NON_COMPLIANT\ntemplate.yaml:7:5: error RW004 (baseline) InheritsOne: nodejs16.x is deprecated');
    expect(old.stdout).not.toContain('Exception:');
    const sarif = JSON.parse((await cli(['scan', '--now', '2026-11-23', '--baseline', 'baseline.json', '--format', 'sarif'], dir)).stdout);
    expect(sarif.runs[0].results.map((x: { ruleId: string; baselineState: string }) => `${x.ruleId} ${x.baselineState}`)).toEqual(['RW004 unchanged', 'RW004 unchanged', 'RW000 unchanged']);
    // JUnit skips what the baseline holds (as pytest reports an expected failure); GitHub annotates none of it, and says so once.
    const junit = new XMLParser({ ignoreAttributes: false }).parse((await cli(['scan', '--now', '2026-11-23', '--baseline', 'baseline.json', '--format', 'junit'], dir)).stdout);
    expect(junit.testsuites).toMatchObject({ '@_failures': '0', '@_skipped': '2' });
    const cases = [junit.testsuites.testsuite].flat().flatMap((x: { testcase?: unknown }) => [x.testcase ?? []].flat()) as { '@_name': string; skipped?: unknown }[];
    expect(cases.filter((c) => c.skipped !== undefined).map((c) => c['@_name'])).toEqual(['InheritsOne (line 12)', 'InheritsTwo (line 16)']);
    const github = await cli(['scan', '--now', '2026-11-23', '--baseline', 'baseline.json', '--format', 'github'], dir);
    expect(github.stdout).toBe('::notice title=runtime-warden%3A more findings::3 findings the baseline holds, not annotated: the job log and the SARIF file hold every finding.\n');
    // Act: a function the baseline does not hold.
    writeFileSync(template, `${readFileSync(template, 'utf8')}${NEW_FUNCTION}`);
    const added = await cli(['scan', '--now', '2026-11-23', '--baseline', 'baseline.json', '--format', 'json'], dir);
    // Assess
    expect(added.code).toBe(1);
    const states = JSON.parse(added.stdout).files[0].functions.flatMap((fn: { logicalId: string; findings: { ruleId: string; baselineState: string }[] }) => fn.findings.map((x) => `${fn.logicalId} ${x.ruleId} ${x.baselineState}`));
    expect(states).toEqual(expect.arrayContaining(['InheritsOne RW004 unchanged', 'Added RW004 new']));
    const annotated = (await cli(['scan', '--now', '2026-11-23', '--baseline', 'baseline.json', '--format', 'github'], dir)).stdout.split('\n').filter((l) => l.startsWith('::error'));
    expect(annotated.map((l) => l.split('::')[1])).toEqual([expect.stringMatching(/^error file=template\.yaml,line=\d+,col=7,endLine=\d+,endColumn=25,title=RW004 Added$/)]);
    const failed = new XMLParser({ ignoreAttributes: false }).parse((await cli(['scan', '--now', '2026-11-23', '--baseline', 'baseline.json', '--format', 'junit'], dir)).stdout);
    expect(failed.testsuites).toMatchObject({ '@_failures': '1', '@_skipped': '2' });
    // Also from the config file, read from its folder.
    writeFileSync(join(dir, '.runtime-warden.yaml'), 'baseline: baseline.json\n');
    mkdirSync(join(dir, 'sub'));
    expect((await cli(['scan', '--now', '2026-11-23', '..'], join(dir, 'sub'))).code).toBe(1);
    expect((await cli(['scan', '--now', '2026-11-23', '..', '--write-baseline', join(dir, 'baseline.json')], join(dir, 'sub'))).code).toBe(1);
    expect((await cli(['scan', '--now', '2026-11-23', '..'], join(dir, 'sub'))).code).toBe(0);
  });

  it('never hides an AWS block (RW005): it counts though the baseline holds it', async () => {
    const dir = join(work, 'blocked');
    mkdirSync(dir);
    cpSync(join(FIXTURES, 'sam-globals.yaml'), join(dir, 'template.yaml'));
    await cli(['scan', '--no-config', '--now', '2027-02-15', '--write-baseline', 'baseline.json', 'template.yaml'], dir);
    expect(JSON.parse(readFileSync(join(dir, 'baseline.json'), 'utf8')).findings.map((e: { ruleId: string }) => e.ruleId)).toContain('RW005');
    const res = await cli(['scan', '--no-config', '--now', '2027-02-15', '--baseline', 'baseline.json', 'template.yaml', '--format', 'sarif'], dir);
    expect(res.code).toBe(1);
    expect(JSON.parse(res.stdout).runs[0].results.filter((x: { ruleId: string }) => x.ruleId === 'RW005').map((x: { baselineState: string }) => x.baselineState)).toEqual(['new', 'new']);
  });

  it.each([
    ['{', / is not JSON: /],
    ['{"tool": "runtime-warden", "version": 1, "findings": [{}]}', /: findings\[0\] has no fingerprint/],
    ['[]', / is not a runtime-warden baseline \(write one with scan --write-baseline /],
  ])('refuses a malformed baseline %s: exit 2, one line', async (text, message) => {
    const file = join(work, `bad-${Buffer.from(text).toString('hex').slice(0, 12)}.json`);
    writeFileSync(file, text);
    const res = await cli(['scan', '--no-config', '--baseline', file, join(FIXTURES, 'good-current.yaml')]);
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(new RegExp(`^runtime-warden: baseline file ${file}${message.source}[^\\n]*\\n$`));
  });
});

describe('how to get an exception (#21.5)', () => {
  const work = mkdtempSync(join(tmpdir(), 'rw-cli-exception-'));
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it("says once, after the findings, the waiver tag and its bound and the policy's contact and page", async () => {
    const policy = join(work, 'policy.yaml');
    writeFileSync(policy, 'version: 1\ncontact: platform-team@example.com\nexceptionsUrl: https://wiki.example.com/runtime-exceptions\nwaiverTag: { maxDays: 30 }\n');
    const res = await cli(['scan', '--no-config', '--now', '2026-11-23', '--policy', policy, join(FIXTURES, 'sam-globals.yaml')]);
    expect(res.code).toBe(1);
    const lines = res.stdout.trimEnd().split('\n');
    expect(lines.filter((l) => l.startsWith('Exception:'))).toEqual([
      "Exception: tag runtime-warden:waiver = 'YYYY-MM-DD reason' (at most 30 days) or ask platform-team@example.com (https://wiki.example.com/runtime-exceptions) for a policy waiver.",
    ]);
    expect(lines.at(-3)).toMatch(/^Exception:/);
    expect((await cli(['scan', '--no-config', '--now', '2026-11-23', '--policy', policy, join(FIXTURES, 'good-current.yaml')])).stdout).not.toContain('Exception:');
    writeFileSync(policy, 'version: 1\nexceptionsUrl: "javascript:alert(1)"\n');
    expect((await cli(['scan', '--no-config', '--policy', policy, join(FIXTURES, 'good-current.yaml')])).code).toBe(2);
  });
});
