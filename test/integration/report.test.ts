import { execFile } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ConfigServiceClient, SelectAggregateResourceConfigCommand } from '@aws-sdk/client-config-service';
import { DeleteFunctionCommand, LambdaClient, TagResourceCommand, UntagResourceCommand, UpdateFunctionConfigurationCommand } from '@aws-sdk/client-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readAggregator } from '../../shared/io/inventorySources.js';
import { AGGREGATOR_QUERY } from '../../shared/adapters/configItem.js';
import { sampleFleet, seedFleet, seedUsage, type FunctionSpec } from '../../scripts/emulator/fleet.js';
import { startMoto, type MotoServer } from '../../scripts/emulator/moto.js';
import { CATALOG_DATA_AS_OF, DEFAULT_CATALOG } from '../../shared/index.js';
import { reportDocumentSchema } from '../../shared/report/reportSchema.js';
import { modelErrors } from '../helpers/awsModels.js';
import { ROOT } from '../helpers/fixtures.js';

const exec = promisify(execFile);
const BIN = join(ROOT, 'dist', 'runtime-warden.mjs');
const CHROMIUM = '/usr/bin/chromium';
const REGIONS = ['eu-west-1', 'us-east-1', 'ap-southeast-2'];
const NOW = Date.parse('2026-11-23T00:00:00Z');

const WAIVER = 'runtime-warden:waiver';
const SEEDED_WAIVER = { source: 'tag', setBy: 'whoever tagged the function (CloudTrail: TagResource)', rules: ['RW004'], expires: '2026-12-31', daysLeft: 39, reason: 'upgrade planned in the next sprint' };
const ACCOUNT = '123456789012';
const CONTACT = 'platform-security@example.com';

/**
 * The policy the report judges by: the default one, a contact who grants policy waivers, one
 * policy waiver for a seeded function on a deprecated runtime without a waiver tag, and one that
 * names no function of the fleet.
 */
function policyWaiverTarget(all: readonly FunctionSpec[]): FunctionSpec {
  return all.find((f) => f.runtime === 'python3.9' && f.tags[WAIVER] === undefined)!;
}
const POLICY_WAIVER = (name: string) => ({ function: name, expires: '2027-01-31', reason: 'vendor SDK pinned to python3.9 until January', rules: ['RW004'] });
const UNUSED_WAIVER = { function: 'legacy-*', match: 'glob', account: ACCOUNT, expires: '2027-02-28', reason: 'legacy batch jobs, being retired' };

/**
 * The waivers the report must show for a seeded function: its waiver tag downgrades RW004 on a
 * deprecated runtime; on a runtime AWS blocks (RW005, RW006) or one with nothing to waive it
 * applies to nothing. The policy waiver applies to its one function.
 */
function expectedWaivers(f: FunctionSpec, phase: string, policyTarget: string): object[] {
  if (f.name === policyTarget) return [{ source: 'policy', waiver: f.name, setBy: `the runtime-warden policy (owner: ${CONTACT})`, rules: ['RW004'], expires: '2027-01-31', daysLeft: 70, reason: 'vendor SDK pinned to python3.9 until January' }];
  if (f.tags[WAIVER] === undefined || phase !== 'deprecated') return [];
  expect(f.tags[WAIVER]).toBe('2026-12-31 upgrade planned in the next sprint');
  return [SEEDED_WAIVER];
}

/** What the catalog and the fleet imply for the timeline: each runtime date of each function, by month. */
function expectedTimeline(all: readonly FunctionSpec[], months: readonly string[]): Record<string, [number, number, number]> {
  const out = Object.fromEntries(months.map((m) => [m, [0, 0, 0] as [number, number, number]]));
  for (const f of all) {
    const info = f.runtime === undefined ? undefined : DEFAULT_CATALOG.get(f.runtime);
    [info?.deprecation, info?.blockCreate, info?.blockUpdate].forEach((d, i) => {
      if (d && out[d.slice(0, 7)]) out[d.slice(0, 7)]![i]!++;
    });
  }
  return out;
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
  const policyFile = join(work, 'policy.json');
  let policyTarget = '';

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
    policyTarget = policyWaiverTarget(all).name;
    writeFileSync(policyFile, JSON.stringify({ version: 1, contact: CONTACT, waivers: [POLICY_WAIVER(policyTarget), UNUSED_WAIVER] }));
  }, 300_000);
  afterAll(async () => {
    await moto?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  const env = () => ({ ...process.env, AWS_ENDPOINT_URL: moto.endpoint, AWS_ACCESS_KEY_ID: 'testing', AWS_SECRET_ACCESS_KEY: 'testing', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' });
  async function report(format: string, extra: string[] = [], name = `report.${format}`): Promise<{ file: string; stderr: string }> {
    const file = join(work, name);
    // moto has no quota to share: the report may take all of Lambda's 15/s.
    const { stderr } = await exec(process.execPath, [BIN, 'report', '--regions', REGIONS.join(','), '--format', format, '--output', file, '--now', '2026-11-23', '--policy', policyFile, '--lambda-calls-per-second', '15', ...extra], { env: env(), cwd: ROOT });
    return { file, stderr };
  }

  it("refuses a Lambda rate above the control-plane quota, before reading anything", async () => {
    const r = await exec(process.execPath, [BIN, 'report', '--regions', 'eu-west-1', '--lambda-calls-per-second', '20'], { env: env(), cwd: ROOT }).catch((e: { code: number; stderr: string }) => e);
    expect(r).toMatchObject({ code: 2, stderr: expect.stringContaining("--lambda-calls-per-second <n>' argument '20' is invalid. must be a number above 0 and at most 15") });
  });

  it('writes JSON whose totals match the seeded fleet, with progress on stderr', async () => {
    const { file, stderr } = await report('json');
    const out = JSON.parse(readFileSync(file, 'utf8'));
    const all = [...fleets.values()].flat();
    // The stable input of --compare: versioned, and parsed by its schema.
    expect(out.schemaVersion).toBe(1);
    const parsed = reportDocumentSchema.safeParse(out);
    expect(parsed.success, JSON.stringify(parsed.error?.issues.slice(0, 3))).toBe(true);
    expect(out.totals.functions).toBe(300);
    expect(out.totals.byPhase['container-image']).toBe(all.filter((f) => f.runtime === undefined).length);
    expect(out.totals.byRuntime['nodejs16.x']).toBe(all.filter((f) => f.runtime === 'nodejs16.x').length);
    expect(new Set(out.functions.map((f: { region: string }) => f.region))).toEqual(new Set(REGIONS));
    expect(out.calendar.every((r: { daysToWall: number }, i: number, xs: { daysToWall: number }[]) => i === 0 || xs[i - 1]!.daysToWall <= r.daysToWall)).toBe(true);
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
    // Within one AWS date, the most invoked first.
    type Row = { wallDate: string; invocations14d: number };
    expect(out.calendar.every((r: Row, i: number, xs: Row[]) => i === 0 || xs[i - 1]!.wallDate !== r.wallDate || xs[i - 1]!.invocations14d >= r.invocations14d)).toBe(true);
    expect(new Set(out.calendar.map((r: Row) => r.invocations14d)).size).toBeGreaterThan(3);
    expect(stderr).toContain('usage (CloudWatch Invocations) of 300 of 300 functions read');
    // AWS's walls: java8's next date is its update block (2027-03-03, 100 days after 2026-11-23),
    // not the tier's move-by, which passed long ago (late).
    type Walled = { name: string; runtime: string; tier: string; wall: string; wallDate: string; daysToWall: number; daysToMove: number; late: boolean; critical: boolean };
    const java8 = (out.functions as Walled[]).filter((r) => r.runtime === 'java8');
    expect(java8.length).toBeGreaterThan(0);
    for (const r of java8) {
      expect([r.wall, r.wallDate, r.daysToWall, r.late], r.name).toEqual(['block-update', '2027-03-03', 100, true]);
      expect(r.daysToMove).toBeLessThan(-1000);
      // Critical: a block inside the tier's lead time (critical 180 days, important 90, non-critical 30).
      expect(r.critical, r.name).toBe(r.tier === 'critical');
    }
    // The timeline: each month's counts are what the catalog and the fleet imply.
    const months = out.summary.timeline.map((m: { month: string }) => m.month);
    expect(months).toHaveLength(18);
    expect(months[0]).toBe('2026-11');
    const expected = expectedTimeline(all, months);
    expect(Object.fromEntries(out.summary.timeline.map((m: { month: string; deprecation: number; blockCreate: number; blockUpdate: number }) => [m.month, [m.deprecation, m.blockCreate, m.blockUpdate]]))).toEqual(expected);
    expect(Object.values(expected).flat().reduce((a, b) => a + b, 0)).toBeGreaterThan(20);
    // The team roll-up adds up to the inventory, owner by owner.
    type Group = { key: string; functions: number; nonCompliant: number };
    const owners = out.summary.owners as Group[];
    expect(owners.reduce((n, g) => n + g.functions, 0)).toBe(300);
    expect(owners.reduce((n, g) => n + g.nonCompliant, 0)).toBe(out.totals.byCompliance.NON_COMPLIANT);
    for (const g of owners) {
      expect(g.functions, g.key).toBe(all.filter((f) => f.tags.owner === g.key).length);
      expect(g.nonCompliant, g.key).toBe(out.functions.filter((r: { owner: string; compliance: string }) => r.owner === g.key && r.compliance === 'NON_COMPLIANT').length);
    }
    expect(out.summary.accounts).toEqual([expect.objectContaining({ key: ACCOUNT, functions: 300, nonCompliant: out.totals.byCompliance.NON_COMPLIANT })]);
    // Waivers: every waiver of the fleet is audited, on its function and in a list of its own.
    type Waived = { name: string; phase: string; compliance: string; waivers: object[] };
    const rows = out.functions as Waived[];
    for (const row of rows) expect(row.waivers, row.name).toEqual(expectedWaivers(specs.get(row.name)!, row.phase, policyTarget));
    const tagged = rows.filter((r) => specs.get(r.name)!.tags[WAIVER] !== undefined);
    expect(tagged.filter((r) => r.waivers.length > 0).every((r) => r.compliance === 'COMPLIANT')).toBe(true);
    // A valid waiver tag on a runtime AWS blocks waives nothing: still NON_COMPLIANT.
    const blocked = tagged.filter((r) => r.phase === 'create-blocked' || r.phase === 'update-blocked');
    expect(blocked.length).toBeGreaterThan(0);
    expect(blocked.every((r) => r.compliance === 'NON_COMPLIANT' && r.waivers.length === 0)).toBe(true);
    const waived = rows.filter((r) => r.waivers.length > 0);
    expect(waived.some((r) => r.name === policyTarget)).toBe(true);
    expect(out.totals.waivers).toBe(waived.length);
    expect(out.waivers.map((w: { name: string }) => w.name).sort()).toEqual(waived.map((r) => r.name).sort());
    expect(out.waivers[0]).toMatchObject({ ...SEEDED_WAIVER, accountId: ACCOUNT, expiringSoon: false });
    expect(out.waivers.at(-1)).toMatchObject({ name: policyTarget, source: 'policy', setBy: `the runtime-warden policy (owner: ${CONTACT})` });
    expect(out.waiverAudit).toEqual({ expiringSoon: 0, unusedPolicyWaivers: [{ function: 'legacy-*', account: ACCOUNT, rules: 'all', expires: '2027-02-28', daysLeft: 98, reason: 'legacy batch jobs, being retired' }] });
  });

  it('writes CSV with a header, one row per function and its waivers', async () => {
    const { file } = await report('csv');
    const lines = readFileSync(file, 'utf8').trimEnd().split('\r\n');
    expect(lines[0]).toBe('accountId,region,name,runtime,phase,tier,compliance,ruleIds,deprecation,blockCreate,blockUpdate,wall,wallDate,daysToWall,moveBy,daysToMove,late,critical,target,owner,summary,invocations14d,lastInvoked,deletionCandidate,waivers,layers,upgradeStep,waitsForLayers,pinnedVersion,pinAgeDays,pinDaysToLimit,pinnedBy,pinReason');
    expect(lines).toHaveLength(301);
    // Rows in the upgrade order: the calendar's functions by step (no layers in this fleet, so 1, 2, 3...), then the rest.
    const calendar = JSON.parse(readFileSync((await report('json', [], 'for-csv.json')).file, 'utf8')).calendar as { name: string }[];
    // From the end: the summary before them may hold quoted commas. upgradeStep is the 7th cell from the end.
    const steps = lines.slice(1).map((l) => l.split(','));
    expect(lines[0]!.split(',').at(-7)).toBe('upgradeStep');
    expect(steps.slice(0, calendar.length).map((c) => [c[2], c.at(-7)])).toEqual(calendar.map((c, i) => [c.name, String(i + 1)]));
    expect(calendar.length).toBeGreaterThan(10);
    expect(steps.slice(calendar.length).every((c) => c.at(-7) === '')).toBe(true);
    const all = new Map([...fleets.values()].flat().map((f) => [f.name, f]));
    const described = 'tag waiver set by whoever tagged the function (CloudTrail: TagResource): RW004 until 2026-12-31 (39 days left): upgrade planned in the next sprint';
    const byPolicy = `policy waiver "${policyTarget}" set by the runtime-warden policy (owner: ${CONTACT}): RW004 until 2027-01-31 (70 days left): vendor SDK pinned to python3.9 until January`;
    let waived = 0;
    for (const line of lines.slice(1)) {
      // The waivers cell comes before the layers (none in this fleet) and the order and pin cells (no pin: moto has no update modes); it holds no comma or quote, so it is not quoted.
      const cells = line.split(',').slice(0, -7);
      expect(cells.at(-1), cells[2]).toBe('');
      // Its quotes make the policy waiver's cell a quoted field (RFC 4180).
      const expected = cells[2] === policyTarget ? `"${byPolicy.replace(/"/g, '""')}"` : expectedWaivers(all.get(cells[2]!)!, cells[4]!, policyTarget).length > 0 ? described : '';
      expect(cells.at(-2), cells[2]).toBe(expected);
      if (expected) waived++;
    }
    expect(waived).toBeGreaterThan(1);
  });

  it('writes Security Hub findings that botocore accepts, 100 a request, that moto imports twice without a duplicate', async () => {
    const { file } = await report('asff');
    const requests = readFileSync(file, 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l) as { Findings: { Id: string; AwsAccountId: string; Region: string; Compliance: { Status: string }; Severity: { Label: string }; Resources: { Id: string }[]; CreatedAt: string; UpdatedAt: string }[] });
    // 100 functions in each of 3 regions: one request per region, each of at most 100 findings of one account and region.
    expect(requests.map((r) => r.Findings.length)).toEqual([100, 100, 100]);
    for (const r of requests) expect(new Set(r.Findings.map((f) => `${f.AwsAccountId} ${f.Region}`)).size).toBe(1);
    expect(modelErrors(requests.map((params, i) => ({ id: `batch ${i}`, api: 'securityhub.BatchImportFindings', params })))).toEqual([]);
    const findings = requests.flatMap((r) => r.Findings);
    expect(new Set(findings.map((f) => f.Id)).size).toBe(300);
    for (const f of findings) expect(Date.parse(f.CreatedAt), f.Id).toBeLessThanOrEqual(Date.parse(f.UpdatedAt));
    const java8 = findings.find((f) => f.Resources[0]!.Id.includes('java8'))!;
    // java8: creates blocked since 2024-02-08, updates blocked on 2027-03-03.
    expect([java8.Compliance.Status, java8.Severity.Label]).toEqual(['FAILED', 'HIGH']);
    // Imported twice into the emulator's Security Hub (boto3, the AWS SDK for Python): the same Ids update.
    const script = `
import json, sys, boto3
sh = boto3.client("securityhub", endpoint_url=sys.argv[1], region_name="eu-west-1", aws_access_key_id="testing", aws_secret_access_key="testing")
lines = [json.loads(l) for l in open(sys.argv[2])]
failed = 0
for _ in range(2):
    for req in lines:
        failed += sh.batch_import_findings(**req)["FailedCount"]
ids, token = [], None
while True:
    page = sh.get_findings(MaxResults=100, **({"NextToken": token} if token else {}))
    ids += [f["Id"] for f in page["Findings"]]
    token = page.get("NextToken")
    if not token: break
print(json.dumps({"failed": failed, "ids": ids}))
`;
    const imported = JSON.parse(execFileSync(join(ROOT, '.venv', 'bin', 'python'), ['-c', script, moto.endpoint, file], { encoding: 'utf8' })) as { failed: number; ids: string[] };
    expect(imported.failed).toBe(0);
    expect(imported.ids.sort()).toEqual(findings.map((f) => f.Id).sort());
  }, 120_000);

  it.skipIf(!existsSync(CHROMIUM))('renders an offline page whose summary and inventory match the fleet, in headless Chromium', async () => {
    // Prepare
    const { file } = await report('html');
    const json = JSON.parse(readFileSync((await report('json', [], 'for-html.json')).file, 'utf8'));
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    try {
      const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
      const requests: string[] = [];
      const problems: string[] = [];
      page.on('request', (r) => requests.push(r.url()));
      page.on('console', (m) => m.type() === 'error' && problems.push(m.text()));
      page.on('pageerror', (e) => problems.push(e.message));
      // Act
      await page.goto(`file://${file}`);
      await page.locator('body[data-ready="true"]').waitFor();
      // Assess: the page's own script ran under its CSP, and nothing was fetched.
      expect(problems).toEqual([]);
      expect(requests.filter((u) => !u.startsWith('file://'))).toEqual([]);
      const all = [...fleets.values()].flat();
      expect(await page.locator('h1').innerText()).toBe(`Lambda runtimes in account ${ACCOUNT}`);
      expect(await page.locator('[data-total="functions"]').innerText()).toBe('300');
      expect(await page.locator('[data-total="NON_COMPLIANT"]').innerText()).toBe(String(json.totals.byCompliance.NON_COMPLIANT));
      expect(await page.locator('[data-total="critical"]').innerText()).toBe(String(json.functions.filter((r: { critical: boolean }) => r.critical).length));
      // The timeline: month by month, what the catalog and the fleet imply.
      const months = await page.locator('#timeline .month').evaluateAll((gs) => gs.map((g) => [g.getAttribute('data-month'), [Number(g.getAttribute('data-deprecation')), Number(g.getAttribute('data-block-create')), Number(g.getAttribute('data-block-update'))]]));
      expect(Object.fromEntries(months)).toEqual(expectedTimeline(all, months.map((m) => m[0] as string)));
      // Phases by family: stacked segments that add up to the fleet, riskiest family first.
      const segs = await page.locator('#phase-chart .seg').evaluateAll((rs) => rs.map((r) => [r.getAttribute('data-phase'), Number(r.getAttribute('data-value'))] as const));
      expect(segs.reduce((n, [, v]) => n + v, 0)).toBe(300);
      expect(segs.filter(([p]) => p === 'container-image').reduce((n, [, v]) => n + v, 0)).toBe(all.filter((f) => f.runtime === undefined).length);
      const riskiest = ['update-blocked', 'create-blocked', 'deprecated'].find((p) => (json.totals.byPhase[p] ?? 0) > 0);
      expect(await page.locator('#phase-chart .bar').first().locator('.seg').first().getAttribute('data-phase')).toBe(riskiest);
      // Roll-ups: one account; per owner, the inventory's counts.
      expect(await page.locator('#accounts tbody tr').count()).toBe(1);
      const owners = await page.locator('#owners tbody tr').evaluateAll((trs) => trs.map((tr) => [tr.querySelector('th')!.textContent, Number(tr.querySelectorAll('td')[0]!.textContent)]));
      expect(owners.reduce((n, [, c]) => n + (c as number), 0)).toBe(300);
      for (const [owner, n] of owners) expect(n, owner as string).toBe(all.filter((f) => f.tags.owner === owner).length);
      // Waivers: a table of their own, with who granted the policy's.
      expect(await page.locator('#waivers tbody tr').count()).toBe(json.waivers.length);
      expect(await page.locator('#waivers tbody tr').last().innerText()).toContain(CONTACT);
      expect(await page.locator('#unused-waivers tbody tr').count()).toBe(1);
      // The upgrade order: the calendar's functions, step by step (no layer in this fleet).
      const calendarNames = json.calendar.map((c: { name: string }) => c.name);
      expect(await page.locator('#upgrade-steps tbody tr td:nth-child(2)').allInnerTexts()).toEqual(calendarNames.slice(0, 200));
      // No pins: moto has no update modes (said on stderr), and no function carries the rollback tag.
      expect(await page.locator('#no-pins').count()).toBe(1);
      expect(await page.locator('[data-total="pins"]').innerText()).toBe('0');
      // The inventory: 50 rows a page, in the upgrade order; search, filter and sort over all 300.
      const inv = page.locator('#inventory tbody tr');
      expect(await inv.count()).toBe(50);
      expect(await page.locator('#shown').innerText()).toBe('1-50 of 300');
      const header = await page.locator('#inventory thead th').allInnerTexts();
      const col = (label: string) => header.findIndex((h) => h.replace(/[▲▼]/g, '').trim() === label);
      const cells = () => inv.evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent ?? '')));
      const firstSteps = Math.min(50, calendarNames.length);
      expect((await cells()).slice(0, firstSteps).map((r) => [r[col('#')], r[col('function')]])).toEqual(calendarNames.slice(0, firstSteps).map((n: string, i: number) => [String(i + 1), n]));
      const daysLeft = (await cells()).map((r) => r[col('days left')]!).filter((d) => d !== '').map((d) => Number(d.replace(/,/g, '')));
      expect(daysLeft).toEqual([...daysLeft].sort((a, b) => a - b));
      await page.locator('#q').fill('payments');
      const payments = json.functions.filter((r: { name: string; owner: string }) => r.name.includes('payments') || r.owner.includes('payments')).length;
      expect(await page.locator('#shown').innerText()).toBe(`1-50 of ${payments} (of 300)`);
      await page.locator('#q').fill('');
      await page.locator('select[data-col]').nth(2).selectOption({ label: 'NON_COMPLIANT' });
      expect(await page.locator('#shown').innerText()).toBe(`1-50 of ${json.totals.byCompliance.NON_COMPLIANT} (of 300)`);
      expect(new Set((await cells()).map((r) => r[col('compliance')]))).toEqual(new Set(['NON_COMPLIANT']));
      await page.locator('select[data-col]').nth(2).selectOption({ label: 'all' });
      await page.locator('#inventory th[data-key="runtime"]').click();
      const runtimes = (await cells()).map((r) => r[col('runtime')]!);
      expect(runtimes).toEqual([...runtimes].sort((a, b) => a.localeCompare(b, 'en', { numeric: true })));
      await page.locator('#next').click();
      expect(await page.locator('#shown').innerText()).toBe('51-100 of 300');
      // Layout: the page never scrolls sideways (the table scrolls in its box), and no row wraps.
      expect(await page.evaluate('document.documentElement.scrollWidth <= window.innerWidth')).toBe(true);
      const heights = await inv.evaluateAll((trs) => trs.map((tr) => tr.getBoundingClientRect().height));
      expect(Math.max(...heights)).toBeLessThan(40);
      // Screenshots of the real page: into docs/img/ with UPDATE_SCREENSHOTS=1, else beside the test's files.
      await page.goto('about:blank');
      await page.goto(`file://${file}`);
      await page.locator('body[data-ready="true"]').waitFor();
      await page.evaluate('window.scrollTo(0, 0)');
      const shots = process.env.UPDATE_SCREENSHOTS === '1' ? join(ROOT, 'docs', 'img') : work;
      mkdirSync(shots, { recursive: true });
      await page.screenshot({ path: join(shots, 'report-summary.png') });
      await page.evaluate("document.getElementById('inventory').closest('section').scrollIntoView()");
      await page.screenshot({ path: join(shots, 'report-inventory.png') });
      expect(existsSync(join(shots, 'report-summary.png')) && existsSync(join(shots, 'report-inventory.png'))).toBe(true);
    } finally {
      await browser.close();
    }
  }, 180_000);

  // Last: it changes the fleet.
  it('compares with earlier reports: exactly the functions that changed, and a trend over several', async () => {
    const before = (await report('json', [], 'before.json')).file;
    const all = [...fleets.values()].flat();
    const region = 'eu-west-1';
    const part = fleets.get(region)!;
    const lambda = new LambdaClient({ ...moto.clientConfig, region });
    const arn = (name: string) => `arn:aws:lambda:${region}:${ACCOUNT}:function:${name}`;
    const json = JSON.parse(readFileSync(before, 'utf8'));
    const row = (name: string) => json.functions.find((r: { name: string }) => r.name === name);
    // Fixed: a non-compliant nodejs16.x function moves to nodejs22.x.
    const fixed = part.find((f) => f.runtime === 'nodejs16.x' && row(f.name).compliance === 'NON_COMPLIANT' && f.aliasOn === undefined)!;
    // Newly non-compliant: a waived function loses its waiver tag (its waiver ends, removed).
    const unwaived = part.find((f) => f.tags[WAIVER] !== undefined && row(f.name).waivers.length > 0)!;
    // A new waiver: a deprecated, non-compliant function without one is tagged.
    const newlyWaived = part.find((f) => f.runtime === 'python3.9' && f.tags[WAIVER] === undefined && f.name !== policyTarget && row(f.name).compliance === 'NON_COMPLIANT')!;
    // Moved tier: a compliant function tagged critical.
    const retiered = part.find((f) => f.runtime === 'nodejs22.x' && row(f.name).tier !== 'critical' && f.aliasOn === undefined)!;
    const removed = part.find((f) => ![fixed, unwaived, newlyWaived, retiered].includes(f) && f.runtime === 'java21')!;
    await lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: fixed.name, Runtime: 'nodejs22.x' }));
    await lambda.send(new UntagResourceCommand({ Resource: arn(unwaived.name), TagKeys: [WAIVER] }));
    await lambda.send(new TagResourceCommand({ Resource: arn(newlyWaived.name), Tags: { [WAIVER]: '2026-12-15 migrating in December' } }));
    await lambda.send(new TagResourceCommand({ Resource: arn(retiered.name), Tags: { 'runtime-warden:tier': 'critical' } }));
    await lambda.send(new DeleteFunctionCommand({ FunctionName: removed.name }));
    await seedFleet({ ...moto.clientConfig, region }, [{ name: 'orders-nodejs16x-new', runtime: 'nodejs16.x', tags: { owner: 'team-orders' } }]);
    lambda.destroy();

    const { file } = await report('json', ['--compare', before], 'after.json');
    const after = JSON.parse(readFileSync(file, 'utf8'));
    const c = after.history.comparison;
    const ref = (f: { name: string }) => ({ accountId: ACCOUNT, region, name: f.name });
    expect(c.since).toBe('2026-11-23T00:00:00.000Z');
    // Compliant again: by its new runtime, and under its new waiver.
    expect(c.fixed).toEqual([fixed, newlyWaived].sort((a, b) => (a.name < b.name ? -1 : 1)).map((f) => ({ ...ref(f), to: 'COMPLIANT' })));
    expect(c.runtimeChanged).toEqual([{ ...ref(fixed), from: 'nodejs16.x', to: 'nodejs22.x' }]);
    expect(c.newlyNonCompliant).toEqual([{ ...ref(unwaived), from: 'COMPLIANT' }]);
    expect(c.endedWaivers).toEqual([{ ...ref(unwaived), source: 'tag', rules: ['RW004'], expires: '2026-12-31', reason: 'upgrade planned in the next sprint', expired: false }]);
    expect(c.newWaivers).toEqual([{ ...ref(newlyWaived), source: 'tag', rules: ['RW004'], expires: '2026-12-15', reason: 'migrating in December' }]);
    expect(c.tierMoved).toEqual([{ ...ref(retiered), from: row(retiered.name).tier, to: 'critical' }]);
    expect(c.removed).toEqual([ref(removed)]);
    expect(c.added).toEqual([{ ...ref({ name: 'orders-nodejs16x-new' }), compliance: 'NON_COMPLIANT' }]);
    expect(all.length).toBe(300);

    // Several reports: a trend, oldest first, and the page draws it.
    const { file: html } = await report('html', ['--compare', file, '--compare', before], 'trend.html');
    const page = readFileSync(html, 'utf8');
    const points = [...page.matchAll(/<g class="point" data-now="([^"]+)" data-non-compliant="(\d+)"/g)].map((m) => [m[1], Number(m[2])]);
    // Reports of one day keep the order given; this run's comes last.
    expect(points).toEqual([after, json, after].map((d) => ['2026-11-23T00:00:00.000Z', d.totals.byCompliance.NON_COMPLIANT]));
    // A file that is not a report is refused, naming it, before the fleet is read.
    writeFileSync(join(work, 'not-a-report.json'), JSON.stringify({ functions: [] }));
    await expect(report('json', ['--compare', join(work, 'not-a-report.json')], 'x.json')).rejects.toMatchObject({ code: 2, stderr: expect.stringContaining('has schemaVersion null; this runtime-warden reads 1') });
  }, 180_000);
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
      expect(html).toMatch(/<tr><td>222222222222<\/td><td>eu-west-1<\/td><td class="num">2<\/td><\/tr>/);
      expect(targets).toContain('DescribeAggregateComplianceByConfigRules');
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
