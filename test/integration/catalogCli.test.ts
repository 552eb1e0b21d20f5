import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeCatalog } from '../../shared/io/catalogSource.js';
import { currentPage, movedAndAddedPage, postponedDeprecatedPage, undeprecatedPage } from '../helpers/runtimesPages.js';
import { ROOT } from '../helpers/fixtures.js';

const exec = promisify(execFile);
const BIN = join(ROOT, 'dist', 'runtime-warden.mjs');
const PAGES = join(ROOT, 'test', 'fixtures', 'runtimes-page');
const env = { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' };

async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await exec(process.execPath, [BIN, ...args], { cwd: ROOT, env });
    return { code: 0, stdout, stderr };
  } catch (err) {
    return err as { code: number; stdout: string; stderr: string };
  }
}

describe('runtime-warden catalog', () => {
  const work = mkdtempSync(join(tmpdir(), 'rw-catalog-'));
  afterAll(() => rmSync(work, { recursive: true, force: true }));
  const catalog = join(work, 'catalog.json');
  const moved = join(work, 'moved-and-added.html');
  writeFileSync(moved, movedAndAddedPage());
  const template = join(work, 'template.yaml');
  writeFileSync(template, 'Resources:\n  Ingest:\n    Type: AWS::Lambda::Function\n    Properties: { Runtime: python3.11, Handler: app.handler }\n');

  it('refresh prints exactly what AWS changed, and scan --catalog judges by the moved date', async () => {
    const refresh = await cli(['catalog', 'refresh', '--from', moved, '--output', catalog]);
    expect(refresh.code).toBe(0);
    expect(refresh.stdout.split('\n').filter((l) => l.startsWith('  '))).toEqual(['  nodejs28.x added (deprecation not scheduled)', '  python3.11 deprecation moved 2027-06-30 -> 2027-05-31']);
    expect(JSON.parse(readFileSync(catalog, 'utf8'))).toMatchObject({ schemaVersion: 1, source: moved, entries: expect.arrayContaining([expect.objectContaining({ id: 'nodejs28.x', name: 'Node.js 28' })]) });
    // On 2027-06-15, python3.11 is deprecated by the new date, still supported by the old one.
    const before = await cli(['scan', template, '--now', '2027-06-15', '--format', 'json']);
    const after = await cli(['scan', template, '--now', '2027-06-15', '--format', 'json', '--catalog', catalog]);
    const ruleIds = (out: string): string[] => (JSON.parse(out) as { files: { functions: { findings: { ruleId: string }[] }[] }[] }).files[0]!.functions[0]!.findings.map((f) => f.ruleId);
    expect(ruleIds(before.stdout)).toEqual(['RW007']);
    expect(ruleIds(after.stdout)).toEqual(['RW004']);
    expect(after.code).toBe(1);
    // A second refresh from the same page changes nothing.
    expect((await cli(['catalog', 'refresh', '--from', moved, '--output', catalog])).stdout).toContain(`no changes from the catalog in ${catalog}`);
  });

  it('refuses a truncated page: exit 2, the reason on stderr, nothing written', async () => {
    const truncated = join(work, 'truncated.html');
    const page = currentPage();
    writeFileSync(truncated, page.slice(0, Math.floor(page.length / 2)));
    const out = join(work, 'never.json');
    const r = await cli(['catalog', 'refresh', '--from', truncated, '--output', out]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/The runtimes page from .*truncated\.html is refused: no table of deprecated runtimes/);
    expect(r.stdout).toBe('');
    expect(existsSync(out)).toBe(false);
  });

  it.each([
    ['un-deprecates nodejs16.x', undeprecatedPage, /nodejs16\.x would move back from update-blocked to active|nodejs16\.x would move back from (deprecated|create-blocked) to active/],
    ['postpones a deprecation that has passed', postponedDeprecatedPage, /nodejs16\.x is in the deprecated runtimes table but its deprecation date \(2030-06-12\) is not in the past/],
  ])('refuses a page that %s: exit 2, the reason on stderr, nothing written', async (_, page, reason) => {
    const file = join(work, 'revived.html');
    writeFileSync(file, page());
    const out = join(work, 'revived.json');
    const r = await cli(['catalog', 'refresh', '--from', file, '--output', out]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(reason);
    expect(r.stderr).toMatch(/nodejs16\.x: deprecation 2024-06-12 has passed and cannot move to 2030-06-12/);
    expect(r.stdout).toBe('');
    expect(existsSync(out)).toBe(false);
  });

  it('reads the Markdown rendering of the page too', async () => {
    const r = await cli(['catalog', 'refresh', '--from', join(PAGES, 'lambda-runtimes.md')]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).entries).toHaveLength(54);
    expect(r.stderr).toContain('no changes from the built-in catalog (as of 2026-08-22)');
  });

  it('show prints each runtime with its phase on the day', async () => {
    const r = await cli(['catalog', 'show', '--now', '2026-11-23']);
    expect(r.stdout).toMatch(/^Runtime catalog as of 2026-08-22 \(built in\): 54 runtimes/);
    expect(r.stdout).toMatch(/^python3\.10 +Amazon Linux 2 +2026-10-31 +2027-02-01 +2027-03-03 +deprecated$/m);
    expect(r.stdout).toMatch(/^nodejs22\.x +Amazon Linux 2023 +2027-04-30 +2027-06-01 +2027-07-01 +supported$/m);
  });

  it('names the catalog in every scan output, and warns when it is stale', async () => {
    const stale = await cli(['scan', template, '--now', '2026-11-23']);
    expect(stale.stdout).toContain('runtime catalog as of 2026-08-22 (built in)');
    expect(stale.stderr).toMatch(/warning: the runtime catalog as of 2026-08-22 \(built in\) is 93 days old/);
    expect((await cli(['scan', template, '--now', '2026-11-23', '--max-catalog-age', '0'])).stderr).toBe('');
    expect((await cli(['scan', template, '--now', '2026-11-23', '--max-catalog-age', '100'])).stderr).toBe('');
    expect((await cli(['scan', template, '--max-catalog-age', 'soon'])).stderr).toContain('--max-catalog-age must be a whole number of days');
    const fresh = ['scan', template, '--catalog', catalog, '--now', new Date().toISOString().slice(0, 10)];
    expect((await cli(fresh)).stderr).toBe('');
    const sarif = JSON.parse((await cli([...fresh, '--format', 'sarif'])).stdout);
    expect(sarif.runs[0].properties).toMatchObject({ catalogSource: moved, catalogAsOf: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/) });
    expect(JSON.parse((await cli([...fresh, '--format', 'json'])).stdout).catalog).toMatchObject({ source: moved });
    expect((await cli([...fresh, '--format', 'junit'])).stdout).toContain(`<property name="catalog.source" value="${moved}"/>`);
    expect((await cli(['guard', '--catalog', catalog])).stdout).toContain(`runtime catalog as of`);
  });

  it('encode prints the value a hand-pushed parameter holds, which the functions read back', async () => {
    const r = await cli(['catalog', 'encode', '--catalog', catalog]);
    expect(r.code).toBe(0);
    const value = r.stdout.trim();
    expect(value.length).toBeLessThan(4096);
    expect(decodeCatalog(value, 'x').get('nodejs28.x')).toBeDefined();
  });

  it('refuses a catalog file that fails its checks', async () => {
    const bad = join(work, 'bad.json');
    writeFileSync(bad, JSON.stringify({ schemaVersion: 1, asOf: '2026-11-23', source: 'x', fetchedAt: '2026-11-23T00:00:00Z', entries: [{ id: 'nodejs22.x', family: 'nodejs', os: 'x', deprecation: null, blockCreate: null, blockUpdate: null }] }));
    const r = await cli(['scan', template, '--catalog', bad]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/catalog file .*bad\.json is refused: only 1 runtime identifiers/);
  });
});
