import { execFile } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ConfigServiceClient, SelectAggregateResourceConfigCommand } from '@aws-sdk/client-config-service';
import { mockClient } from 'aws-sdk-client-mock';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readAggregator } from '../../shared/io/inventorySources.js';
import { AGGREGATOR_QUERY } from '../../shared/adapters/configItem.js';
import { sampleFleet, seedFleet, seedUsage, type FunctionSpec } from '../../scripts/emulator/fleet.js';
import { startMoto, type MotoServer } from '../../scripts/emulator/moto.js';
import { CATALOG_DATA_AS_OF } from '../../shared/index.js';
import { ROOT } from '../helpers/fixtures.js';

const exec = promisify(execFile);
const BIN = join(ROOT, 'dist', 'runtime-warden.mjs');
const CHROMIUM = '/usr/bin/chromium';
const REGIONS = ['eu-west-1', 'us-east-1', 'ap-southeast-2'];
const NOW = Date.parse('2026-11-23T00:00:00Z');

const WAIVER = 'runtime-warden:waiver';
const SEEDED_WAIVER = { source: 'tag', setBy: 'whoever tagged the function (CloudTrail: TagResource)', rules: ['RW004'], expires: '2026-12-31', daysLeft: 39, reason: 'upgrade planned in the next sprint' };

/**
 * The waivers the report must show for a seeded function: its waiver tag downgrades RW004 on a
 * deprecated runtime; on a runtime AWS blocks (RW005, RW006) or one with nothing to waive it
 * applies to nothing.
 */
function expectedWaivers(f: FunctionSpec, phase: string): object[] {
  if (f.tags[WAIVER] === undefined || phase !== 'deprecated') return [];
  expect(f.tags[WAIVER]).toBe('2026-12-31 upgrade planned in the next sprint');
  return [SEEDED_WAIVER];
}

/** What the seeded metrics say, computed from the fleet's own numbers: 14 days today included, idle = nothing in 90. */
function expectedUsage(f: FunctionSpec): { invocations14d: number; lastInvoked: string | null; deletionCandidate: boolean } {
  const calls = (f.invocations ?? []).filter((x) => x.daysAgo < 90);
  const last = Math.min(...calls.map((x) => x.daysAgo));
  return {
    invocations14d: calls.filter((x) => x.daysAgo < 14).reduce((n, x) => n + x.count, 0),
    lastInvoked: calls.length > 0 ? new Date(NOW - last * 86_400_000).toISOString().slice(0, 10) : null,
    deletionCandidate: calls.length === 0,
  };
}

describe('runtime-warden report', () => {
  let moto: MotoServer;
  const work = mkdtempSync(join(tmpdir(), 'rw-report-'));
  const fleets = new Map<string, FunctionSpec[]>();

  beforeAll(async () => {
    moto = await startMoto();
    // 300 functions: 100 in each of 3 regions.
    const all = sampleFleet(300);
    for (const [i, region] of REGIONS.entries()) {
      const part = all.slice(i * 100, (i + 1) * 100);
      fleets.set(region, part);
      await seedFleet({ ...moto.clientConfig, region }, part);
      await seedUsage({ ...moto.clientConfig, region }, part, NOW);
    }
  }, 300_000);
  afterAll(async () => {
    await moto?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  async function report(format: string): Promise<{ file: string; stderr: string }> {
    const file = join(work, `report.${format}`);
    const env = { ...process.env, AWS_ENDPOINT_URL: moto.endpoint, AWS_ACCESS_KEY_ID: 'testing', AWS_SECRET_ACCESS_KEY: 'testing', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' };
    const { stderr } = await exec(process.execPath, [BIN, 'report', '--regions', REGIONS.join(','), '--format', format, '--output', file, '--now', '2026-11-23'], { env, cwd: ROOT });
    return { file, stderr };
  }

  it('writes JSON whose totals match the seeded fleet, with progress on stderr', async () => {
    const { file, stderr } = await report('json');
    const out = JSON.parse(readFileSync(file, 'utf8'));
    const all = [...fleets.values()].flat();
    expect(out.totals.functions).toBe(300);
    expect(out.totals.byPhase['container-image']).toBe(all.filter((f) => f.runtime === undefined).length);
    expect(out.totals.byRuntime['nodejs16.x']).toBe(all.filter((f) => f.runtime === 'nodejs16.x').length);
    expect(new Set(out.functions.map((f: { region: string }) => f.region))).toEqual(new Set(REGIONS));
    expect(out.calendar.every((r: { daysToMove: number }, i: number, xs: { daysToMove: number }[]) => i === 0 || xs[i - 1]!.daysToMove <= r.daysToMove)).toBe(true);
    expect(stderr).toContain('eu-west-1: 100 functions listed');
    expect(stderr).toContain('300 functions reported');
    // The report names the runtime catalog it judged by.
    expect(out.catalog).toEqual({ asOf: CATALOG_DATA_AS_OF, source: 'built in' });
    // Usage from the emulator's CloudWatch, function by function and in total.
    const specs = new Map(all.map((f) => [f.name, f]));
    for (const row of out.functions) {
      const { invocations14d, lastInvoked, deletionCandidate } = row as { name: string; invocations14d: number; lastInvoked: string | null; deletionCandidate: boolean };
      expect({ invocations14d, lastInvoked, deletionCandidate }, row.name).toEqual(expectedUsage(specs.get(row.name)!));
    }
    expect(out.totals).toMatchObject({
      invocations14d: all.reduce((n, f) => n + expectedUsage(f).invocations14d, 0),
      deletionCandidates: all.filter((f) => expectedUsage(f).deletionCandidate).length,
      usageUnknown: 0,
    });
    expect(out.totals.deletionCandidates).toBeGreaterThan(0);
    // Within one deadline, the most invoked first.
    type Row = { moveBy: string; invocations14d: number };
    expect(out.calendar.every((r: Row, i: number, xs: Row[]) => i === 0 || xs[i - 1]!.moveBy !== r.moveBy || xs[i - 1]!.invocations14d >= r.invocations14d)).toBe(true);
    expect(new Set(out.calendar.map((r: Row) => r.invocations14d)).size).toBeGreaterThan(3);
    expect(stderr).toContain('usage (CloudWatch Invocations) of 300 of 300 functions read');
    // Waivers: who, what, until, why, on each function and in a list of their own.
    type Waived = { name: string; phase: string; compliance: string; waivers: object[] };
    const rows = out.functions as Waived[];
    for (const row of rows) expect(row.waivers, row.name).toEqual(expectedWaivers(specs.get(row.name)!, row.phase));
    const tagged = rows.filter((r) => specs.get(r.name)!.tags[WAIVER] !== undefined);
    expect(tagged.filter((r) => r.waivers.length > 0).every((r) => r.compliance === 'COMPLIANT')).toBe(true);
    // A valid waiver tag on a runtime AWS blocks waives nothing: still NON_COMPLIANT.
    const blocked = tagged.filter((r) => r.phase === 'create-blocked' || r.phase === 'update-blocked');
    expect(blocked.length).toBeGreaterThan(0);
    expect(blocked.every((r) => r.compliance === 'NON_COMPLIANT' && r.waivers.length === 0)).toBe(true);
    const waived = rows.filter((r) => r.waivers.length > 0);
    expect(waived.length).toBeGreaterThan(0);
    expect(out.totals.waivers).toBe(waived.length);
    expect(out.waivers.map((w: { name: string }) => w.name).sort()).toEqual(waived.map((r) => r.name).sort());
    expect(out.waivers[0]).toMatchObject({ ...SEEDED_WAIVER, accountId: '123456789012' });
  });

  it('writes CSV with a header, one row per function and its waivers', async () => {
    const { file } = await report('csv');
    const lines = readFileSync(file, 'utf8').trimEnd().split('\r\n');
    expect(lines[0]).toBe('accountId,region,name,runtime,phase,tier,compliance,ruleIds,deprecation,blockCreate,blockUpdate,moveBy,daysToMove,target,owner,summary,invocations14d,lastInvoked,deletionCandidate,waivers');
    expect(lines).toHaveLength(301);
    const all = new Map([...fleets.values()].flat().map((f) => [f.name, f]));
    const described = 'tag waiver set by whoever tagged the function (CloudTrail: TagResource): RW004 until 2026-12-31 (39 days left): upgrade planned in the next sprint';
    let waived = 0;
    for (const line of lines.slice(1)) {
      // The waivers cell is the last; it holds no comma or quote, so it is not quoted.
      const cells = line.split(',');
      const expected = expectedWaivers(all.get(cells[2]!)!, cells[4]!).length > 0 ? described : '';
      expect(cells.at(-1), cells[2]).toBe(expected);
      if (expected) waived++;
    }
    expect(waived).toBeGreaterThan(0);
  });

  it.skipIf(!existsSync(CHROMIUM))('renders a self-contained HTML page whose totals, rows and chart match the fleet, in headless Chromium', async () => {
    // Prepare
    const { file } = await report('html');
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    try {
      const page = await browser.newPage();
      const requests: string[] = [];
      page.on('request', (r) => requests.push(r.url()));
      // Act
      await page.goto(`file://${file}`);
      await page.screenshot({ path: join(work, 'report.png'), fullPage: false });
      // Assess: what a person sees
      const all = [...fleets.values()].flat();
      expect(await page.locator('[data-total="functions"]').innerText()).toBe('300');
      expect(await page.locator('#inventory tbody tr').count()).toBe(300);
      expect(await page.locator('#phase-chart .bar').count()).toBeGreaterThanOrEqual(3);
      const bars = await page.locator('#phase-chart .bar').evaluateAll((gs) => gs.map((g) => Number(g.getAttribute('data-value'))));
      expect(bars.reduce((a, b) => a + b, 0)).toBe(300);
      expect(await page.locator('#phase-chart .bar[data-key="container-image"]').getAttribute('data-value')).toBe(String(all.filter((f) => f.runtime === undefined).length));
      expect(await page.locator('#accounts tbody tr').count()).toBe(1);
      expect(await page.locator('#calendar tbody tr').count()).toBeGreaterThan(0);
      // Usage: the cards add up the seeded metrics; each row shows its own invocations and last day.
      const usage = all.map(expectedUsage);
      expect(await page.locator('[data-total="invocations14d"]').innerText()).toBe(String(usage.reduce((n, u) => n + u.invocations14d, 0)));
      expect(await page.locator('[data-total="deletionCandidates"]').innerText()).toBe(String(usage.filter((u) => u.deletionCandidate).length));
      expect(await page.locator('#inventory tbody tr.deletion-candidate').count()).toBe(usage.filter((u) => u.deletionCandidate).length);
      const cells = await page.locator('#inventory tbody tr').evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent)));
      const header = await page.locator('#inventory thead th').allInnerTexts();
      const col = (label: string) => header.findIndex((h) => h.trim() === label);
      const byName = new Map(all.map((f) => [f.name, expectedUsage(f)]));
      for (const row of cells) {
        const u = byName.get(row[col('function')]!)!;
        expect([row[col('invocations (14 d)')], row[col('last invoked')], row[col('unused')]]).toEqual([String(u.invocations14d), u.lastInvoked ?? 'none in 90 days', u.deletionCandidate ? 'delete?' : '']);
      }
      // Waivers: a card, a table of their own (soonest first) and a column of the inventory.
      const waived = cells.filter((row) => row[col('waivers')] !== '');
      expect(waived.length).toBeGreaterThan(0);
      expect(await page.locator('[data-total="waivers"]').innerText()).toBe(String(waived.length));
      expect(await page.locator('#waivers tbody tr').count()).toBe(waived.length);
      const waiverHeader = await page.locator('#waivers thead th').allInnerTexts();
      const [firstWaiver] = await page.locator('#waivers tbody tr').evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent)));
      expect(Object.fromEntries(waiverHeader.map((h, i) => [h.trim(), firstWaiver![i]]))).toMatchObject({
        'days left': '39',
        until: '2026-12-31',
        source: 'tag',
        'set by': 'whoever tagged the function (CloudTrail: TagResource)',
        rules: 'RW004',
        reason: 'upgrade planned in the next sprint',
      });
      expect(new Set(waived.map((row) => row[col('waivers')]))).toEqual(new Set(['tag waiver set by whoever tagged the function (CloudTrail: TagResource): RW004 until 2026-12-31 (39 days left): upgrade planned in the next sprint']));
      // Sorting by runtime puts rows in order.
      await page.locator('#inventory th[data-key="runtime"]').click();
      const runtimes = await page.locator('#inventory tbody tr td:nth-child(4)').allInnerTexts();
      expect(runtimes).toEqual([...runtimes].sort((a, b) => a.localeCompare(b, undefined, { numeric: true })));
      expect(requests.filter((u) => !u.startsWith('file://'))).toEqual([]);
      expect(existsSync(join(work, 'report.png'))).toBe(true);
    } finally {
      await browser.close();
    }
  }, 120_000);
});

describe('report from a Config aggregator', () => {
  // moto lacks SelectAggregateResourceConfig: the query and paging are checked against a client mock.
  it('reads every page of the advanced query across accounts and regions', async () => {
    const config = new ConfigServiceClient({ region: 'eu-west-1' });
    const mock = mockClient(config);
    const row = (account: string, region: string, name: string, runtime: string) =>
      JSON.stringify({ accountId: account, awsRegion: region, resourceId: name, resourceName: name, configuration: { runtime, packageType: 'Zip' }, tags: [{ key: 'runtime-warden:tier', value: 'critical' }] });
    mock
      .on(SelectAggregateResourceConfigCommand)
      .resolvesOnce({ Results: [row('111111111111', 'eu-west-1', 'a', 'nodejs16.x'), row('222222222222', 'us-east-1', 'b', 'python3.13')], NextToken: 't1' })
      .resolves({ Results: [row('333333333333', 'ap-southeast-2', 'c', 'java21')] });
    const progress: string[] = [];
    const facts = await readAggregator(config, 'org-aggregator', (m) => progress.push(m));
    expect(facts.map((f) => [f.accountId, f.region, f.name, f.runtime, f.tags['runtime-warden:tier']])).toEqual([
      ['111111111111', 'eu-west-1', 'a', 'nodejs16.x', 'critical'],
      ['222222222222', 'us-east-1', 'b', 'python3.13', 'critical'],
      ['333333333333', 'ap-southeast-2', 'c', 'java21', 'critical'],
    ]);
    // The SDK paginator reuses one input object, so only the last NextToken can be seen.
    const calls = mock.commandCalls(SelectAggregateResourceConfigCommand).map((c) => c.args[0].input);
    expect(calls).toHaveLength(2);
    expect(calls[1]).toEqual({ ConfigurationAggregatorName: 'org-aggregator', Expression: AGGREGATOR_QUERY, Limit: 100, NextToken: 't1' });
    expect(progress).toEqual(['aggregator org-aggregator: 2 functions', 'aggregator org-aggregator: 3 functions']);
  });

  // The whole command against a loopback stand-in for AWS Config's JSON API (moto lacks both calls):
  // the rows an aggregator returns, and the rules it sees, in the API Reference's shapes.
  it('lists the accounts and regions holding functions that no runtime-warden rule judges', async () => {
    const row = (account: string, region: string, name: string) =>
      JSON.stringify({ accountId: account, awsRegion: region, resourceId: name, resourceName: name, configuration: { runtime: 'nodejs22.x', packageType: 'Zip' }, tags: [] });
    const answers: Record<string, unknown> = {
      SelectAggregateResourceConfig: { Results: [row('111111111111', 'eu-west-1', 'a'), row('111111111111', 'ap-south-1', 'b'), row('222222222222', 'eu-west-1', 'c'), row('222222222222', 'eu-west-1', 'd')] },
      DescribeAggregateComplianceByConfigRules: {
        AggregateComplianceByConfigRules: [
          { ConfigRuleName: 'StackSet-runtime-warden-1-RuntimeComplianceRule-X', AccountId: '111111111111', AwsRegion: 'eu-west-1', Compliance: { ComplianceType: 'COMPLIANT' } },
          { ConfigRuleName: 'unrelated', AccountId: '222222222222', AwsRegion: 'eu-west-1', Compliance: { ComplianceType: 'COMPLIANT' } },
        ],
      },
    };
    const targets: string[] = [];
    const server = createServer((req, res) => {
      const target = String(req.headers['x-amz-target'] ?? '').split('.').pop()!;
      targets.push(target);
      req.resume().on('end', () => res.writeHead(target in answers ? 200 : 400, { 'content-type': 'application/x-amz-json-1.1' }).end(JSON.stringify(answers[target] ?? { __type: 'UnknownOperation' })));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const env = { ...process.env, AWS_ENDPOINT_URL: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, AWS_REGION: 'eu-west-1', AWS_ACCESS_KEY_ID: 'x', AWS_SECRET_ACCESS_KEY: 'x', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' };
      const { stdout } = await exec(process.execPath, [BIN, 'report', '--aggregator', 'org', '--format', 'json', '--no-usage', '--now', '2026-11-23'], { env, maxBuffer: 64 * 1024 * 1024 });
      expect(JSON.parse(stdout).coverage).toEqual([
        { accountId: '222222222222', region: 'eu-west-1', functions: 2 },
        { accountId: '111111111111', region: 'ap-south-1', functions: 1 },
      ]);
      const html = (await exec(process.execPath, [BIN, 'report', '--aggregator', 'org', '--no-usage', '--now', '2026-11-23'], { env, maxBuffer: 64 * 1024 * 1024 })).stdout;
      expect(html).toContain('<h2>Coverage</h2>');
      expect(html).toMatch(/<tr><td>222222222222<\/td><td>eu-west-1<\/td><td>2<\/td><\/tr>/);
      expect(targets).toContain('DescribeAggregateComplianceByConfigRules');
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
