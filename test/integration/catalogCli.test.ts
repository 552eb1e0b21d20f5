import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingMessage, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeCatalog } from '../../shared/io/catalogSource.js';
import { currentPage, movedAndAddedPage, postponedDeprecatedPage, undeprecatedPage } from '../helpers/runtimesPages.js';
import { ROOT } from '../helpers/fixtures.js';
import { runCommand } from '../helpers/runCommand.js';

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

  it('names the catalog in every scan output', async () => {
    const fresh = ['scan', template, '--catalog', catalog, '--now', new Date().toISOString().slice(0, 10)];
    expect((await cli(['scan', template, '--now', '2026-11-23'])).stdout).toContain('runtime catalog as of 2026-08-22 (built in)');
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

describe("the catalog's age (#21.9)", () => {
  const work = mkdtempSync(join(tmpdir(), 'rw-catalog-age-'));
  afterAll(() => rmSync(work, { recursive: true, force: true }));
  const markdown = join(PAGES, 'lambda-runtimes.md');
  /** AWS's page as read on 2026-08-22: 93 days old on the day judged, 2026-11-23. */
  const aged = join(work, 'aged.json');
  const fn = (id: string, runtime: string, tier?: string) =>
    `  ${id}:\n    Type: AWS::Lambda::Function\n    Properties:\n      Runtime: ${runtime}\n      Handler: a.h\n${tier ? `      Tags: [{ Key: runtime-warden:tier, Value: ${tier} }]\n` : ''}`;
  const templateOf = (name: string, ...functions: string[]): string => {
    const file = join(work, name);
    writeFileSync(file, `Resources:\n${functions.join('')}`);
    return file;
  };
  const scan = (...args: string[]) => cli(['scan', ...args, '--catalog', aged, '--now', '2026-11-23']);
  const notice = (text: string) => `runtime-warden: warning: the runtime catalog as of 2026-08-22 (${markdown}) is 93 days old and ${text}: refresh it (\`runtime-warden catalog refresh --output catalog.json\`, then --catalog catalog.json).\n`;

  it('is said once, in one line, when a scanned runtime has a date the catalog may have missed', async () => {
    expect((await cli(['catalog', 'refresh', '--from', markdown, '--as-of', '2026-08-22', '--output', aged])).code).toBe(0);
    // python3.10 was deprecated on 2026-10-31, after the catalog was read: AWS may have moved that date.
    const deprecated = templateOf('deprecated.yaml', fn('Old', 'python3.10'), fn('Older', 'python3.10'));
    const other = templateOf('other.yaml', fn('Again', 'python3.10'));
    const r = await scan(deprecated, other);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(notice("python3.10's deprecation (2026-10-31) may have moved since"));
    // A runtime the catalog does not know may be one AWS has added since.
    expect((await scan(templateOf('new.yaml', fn('Next', 'nodejs28.x')))).stderr).toBe(notice('nodejs28.x is not in it'));
    expect((await scan(deprecated, '--max-catalog-age', '100')).stderr).toBe('');
    expect((await scan(deprecated, '--max-catalog-age', '0')).stderr).toBe('');
    expect((await scan(deprecated, '--max-catalog-age', 'soon')).stderr).toMatch(/^runtime-warden: --max-catalog-age must be a whole number of days \(0: never warn\)\n/);
  });

  it('is not said when no date of a scanned runtime falls between the catalog and the end of its tier\'s window', async () => {
    // python3.11 (2027-06-30) is past every window; nodejs22.x (2027-04-30) is inside a critical
    // function's 180 days but outside the default tier's 30.
    expect((await scan(templateOf('later.yaml', fn('Later', 'python3.11'), fn('Current', 'nodejs22.x')))).stderr).toBe('');
    expect((await scan(templateOf('critical.yaml', fn('Critical', 'nodejs22.x', 'critical')))).stderr).toBe(notice("nodejs22.x's deprecation (2027-04-30) may have moved since"));
    // Read today, the same page is not old.
    const today = join(work, 'today.json');
    expect((await cli(['catalog', 'refresh', '--from', markdown, '--as-of', new Date().toISOString().slice(0, 10), '--output', today])).code).toBe(0);
    expect((await cli(['scan', templateOf('today.yaml', fn('Old', 'python3.10')), '--catalog', today])).stderr).toBe('');
  });

  it("is as of the day the page was read: --as-of for a saved copy, else the file's modification day", async () => {
    const saved = join(work, 'saved.md');
    cpSync(markdown, saved);
    utimesSync(saved, new Date('2026-09-01T10:00:00Z'), new Date('2026-09-01T10:00:00Z'));
    const asOf = async (...args: string[]) => {
      const out = join(work, 'as-of.json');
      const r = await cli(['catalog', 'refresh', '--from', saved, ...args, '--output', out]);
      expect(r.code, r.stderr).toBe(0);
      return (JSON.parse(readFileSync(out, 'utf8')) as { asOf: string }).asOf;
    };
    expect(await asOf()).toBe('2026-09-01');
    expect(await asOf('--as-of', '2026-08-22')).toBe('2026-08-22');
    for (const [day, reason] of [
      ['2026-02-30', 'is not a calendar date'],
      ['2999-01-01', 'is after today'],
    ]) {
      const r = await cli(['catalog', 'refresh', '--from', saved, '--as-of', day!]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(new RegExp(`^runtime-warden: --as-of ${day} ${reason}\\n`));
    }
  });
});

describe('runtime-warden catalog refresh behind a proxy (#21.9)', () => {
  const work = mkdtempSync(join(tmpdir(), 'rw-proxy-'));
  const connects: string[] = [];
  let page: Server;
  let proxy: Server;
  let proxyUrl = '';
  // A name that resolves nowhere (RFC 2606): only the proxy can reach it.
  const url = 'https://runtimes.test/lambda/latest/dg/lambda-runtimes.html';
  const refresh = (extra: NodeJS.ProcessEnv) =>
    runCommand(process.execPath, [BIN, 'catalog', 'refresh', '--from', url], { cwd: work, env: { ...env, NODE_EXTRA_CA_CERTS: join(work, 'cert.pem'), HTTPS_PROXY: undefined, https_proxy: undefined, HTTP_PROXY: undefined, http_proxy: undefined, NO_PROXY: undefined, no_proxy: undefined, ...extra } });

  beforeAll(async () => {
    // The page over TLS, with a certificate for runtimes.test the CLI is told to trust.
    const tls = await runCommand('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'key.pem', '-out', 'cert.pem', '-days', '2', '-subj', '/CN=runtimes.test', '-addext', 'subjectAltName=DNS:runtimes.test'], { cwd: work, env });
    expect(tls.code, tls.stderr).toBe(0);
    page = createHttpsServer({ key: readFileSync(join(work, 'key.pem')), cert: readFileSync(join(work, 'cert.pem')) }, (_, res) => res.writeHead(200, { 'content-type': 'text/html' }).end(currentPage()));
    await new Promise<void>((resolve) => page.listen(0, '127.0.0.1', resolve));
    const pagePort = (page.address() as AddressInfo).port;
    // A proxy that answers CONNECT only, by tunnelling to the page server whatever host is asked.
    proxy = createHttpServer((_, res) => res.writeHead(405).end());
    proxy.on('connect', (req: IncomingMessage, client: Socket, head: Buffer) => {
      connects.push(req.url ?? '');
      const upstream = connect(pagePort, '127.0.0.1', () => {
        client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        upstream.write(head);
        upstream.pipe(client);
        client.pipe(upstream);
      });
      upstream.on('error', () => client.destroy());
      client.on('error', () => upstream.destroy());
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await Promise.all([page, proxy].map((s) => new Promise<void>((resolve) => (s ? s.close(() => resolve()) : resolve()))));
    rmSync(work, { recursive: true, force: true });
  });

  it('fetches the page through HTTPS_PROXY, and not when NO_PROXY names the host', async () => {
    const through = await refresh({ HTTPS_PROXY: proxyUrl });
    expect(through.code, through.stderr).toBe(0);
    expect(connects).toEqual(['runtimes.test:443']);
    expect(JSON.parse(through.stdout)).toMatchObject({ source: url, entries: expect.arrayContaining([expect.objectContaining({ id: 'nodejs22.x' })]) });
    expect((await refresh({ https_proxy: proxyUrl })).code).toBe(0);
    expect(connects).toHaveLength(2);
    // Past the proxy, the name resolves nowhere: one line, no usage, nothing written.
    const direct = await refresh({ HTTPS_PROXY: proxyUrl, NO_PROXY: 'runtimes.test' });
    expect(direct.code).toBe(2);
    expect(direct.stdout).toBe('');
    expect(direct.stderr).toMatch(/^runtime-warden: cannot fetch https:\/\/runtimes\.test\/lambda\/latest\/dg\/lambda-runtimes\.html: [^\n]+\n$/);
    expect(connects).toHaveLength(2);
  });
});
