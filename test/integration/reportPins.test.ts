import { LambdaClient, PutRuntimeManagementConfigCommand } from '@aws-sdk/client-lambda';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { seedFleet } from '../../scripts/emulator/fleet.js';
import { ROLLBACK_FROM_TAG, ROLLBACK_TAG } from '../../shared/remediation/rollback.js';
import { reportDocumentSchema } from '../../shared/report/reportSchema.js';
import { modelErrors } from '../helpers/awsModels.js';
import { ROOT } from '../helpers/fixtures.js';
import { motoPerTest } from '../helpers/motoPerTest.js';
import { runCommand } from '../helpers/runCommand.js';
import { startRuntimeManagementProxy, type RuntimeManagementProxy } from '../helpers/runtimeManagementProxy.js';

// The report's pins (issue #24) from the built CLI: functions in moto's Lambda, their update modes
// set and read through the loopback proxy that adds Get/PutRuntimeManagementConfig (moto answers
// both with 404), the rollback tags as `rollback` writes them. Without the proxy, moto's 404 is an
// endpoint without the API: the pins are then those the rollback tag records.

const BIN = join(ROOT, 'dist', 'runtime-warden.mjs');
const CHROMIUM = '/usr/bin/chromium';
const A = 'arn:aws:lambda:eu-west-1::runtime:aaaa1111aaaa1111aaaa1111aaaa1111aaaa1111aaaa1111aaaa1111aaaa1111';
const B = 'arn:aws:lambda:eu-west-1::runtime:bbbb2222bbbb2222bbbb2222bbbb2222bbbb2222bbbb2222bbbb2222bbbb2222';
const DAY = 86_400_000;
/** A rollback tag `days` whole days before the start of today (UTC): the report runs on the real clock, as moto's LastModified does. */
const tagged = (days: number, by: string, reason: string): string => `${new Date(Date.parse(new Date().toISOString().slice(0, 10)) - days * DAY).toISOString().replace(/\.\d{3}Z$/, 'Z')} by ${by}: ${reason}`;

describe('report: runtime version pins', () => {
  const emu = motoPerTest();
  const work = mkdtempSync(join(tmpdir(), 'rw-report-pins-'));
  let proxy: RuntimeManagementProxy;
  afterAll(() => rmSync(work, { recursive: true, force: true }));
  beforeEach(async () => {
    proxy = await startRuntimeManagementProxy(emu.moto.endpoint);
    await seedFleet(emu.moto.clientConfig, [
      { name: 'pdf-render', runtime: 'python3.13', tags: { owner: 'team-docs', [ROLLBACK_TAG]: tagged(12, 'alice', 'pdf rendering broke'), [ROLLBACK_FROM_TAG]: B } },
      { name: 'old-pin', runtime: 'nodejs22.x', tags: { owner: 'team-orders', [ROLLBACK_TAG]: tagged(45, 'bob', 'tls handshake fails') } },
      { name: 'by-hand', runtime: 'nodejs22.x', tags: { owner: 'team-orders' } },
      { name: 'undone', runtime: 'nodejs22.x', tags: { owner: 'team-orders', [ROLLBACK_TAG]: tagged(3, 'carol', 'left behind') } },
      { name: 'plain', runtime: 'nodejs22.x', tags: {} },
    ]);
    // Through the proxy, as `rollback` does: Manual with the version pinned.
    const lambda = new LambdaClient({ ...emu.moto.clientConfig, endpoint: proxy.endpoint });
    const pins = ['pdf-render', 'old-pin', 'by-hand'].map((FunctionName) => ({ FunctionName, UpdateRuntimeOn: 'Manual' as const, RuntimeVersionArn: A }));
    expect(modelErrors(pins.map((params, i) => ({ id: `pin ${i}`, api: 'lambda.PutRuntimeManagementConfig', params })))).toEqual([]);
    for (const p of pins) await lambda.send(new PutRuntimeManagementConfigCommand(p));
    lambda.destroy();
  });
  afterEach(async () => proxy.close());

  const report = async (format: string, endpoint: string): Promise<{ text: string; stderr: string; file: string }> => {
    const file = join(work, `report-${Date.now()}.${format}`);
    const env = { ...process.env, AWS_ENDPOINT_URL: endpoint, AWS_ACCESS_KEY_ID: 'testing', AWS_SECRET_ACCESS_KEY: 'testing', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' };
    const r = await runCommand(process.execPath, [BIN, 'report', '--regions', 'eu-west-1', '--format', format, '--output', file, '--no-usage'], { env, cwd: ROOT });
    expect(r.code, r.stderr).toBe(0);
    return { text: readFileSync(file, 'utf8'), stderr: r.stderr, file };
  };

  it('lists every Manual pin with the version it holds, its age, who and why, and the days to RW010\'s limit, in JSON and CSV', async () => {
    const { text, stderr } = await report('json', proxy.endpoint);
    const out = JSON.parse(text);
    expect(reportDocumentSchema.safeParse(out).success).toBe(true);
    expect(stderr).not.toContain('update modes not read');
    expect(out.pinSource).toBe('Update modes read from the Lambda API (GetRuntimeManagementConfig).');
    type Pin = { name: string; known: string; runtimeVersionArn: string; rolledBackFrom: string | null; ageDays: number | null; pinnedBy: string | null; reason: string | null; daysToLimit: number | null };
    // Closest to the 30-day limit first; `undone` carries a rollback tag but its mode is Auto: no pin.
    expect((out.pins as Pin[]).map((p) => [p.name, p.known, p.runtimeVersionArn, p.rolledBackFrom, p.ageDays, p.pinnedBy, p.reason, p.daysToLimit])).toEqual([
      ['old-pin', 'mode', A, null, 45, 'bob', 'tls handshake fails', -15],
      ['pdf-render', 'mode', A, B, 12, 'alice', 'pdf rendering broke', 18],
      // No rollback tag: RW010 counts from the last deploy (today).
      ['by-hand', 'mode', A, null, null, null, null, 30],
    ]);
    // The modes now reach the policy: RW010 judges the old pin, as the Config rule does.
    const row = (name: string) => out.functions.find((f: { name: string }) => f.name === name);
    expect(row('old-pin').ruleIds.split(' ')).toContain('RW010');
    expect(row('pdf-render').ruleIds.split(' ')).not.toContain('RW010');

    const csv = (await report('csv', proxy.endpoint)).text.trimEnd().split('\r\n');
    const header = csv[0]!.split(',');
    const cells = (name: string) => Object.fromEntries(csv.find((l) => l.split(',')[2] === name)!.split(',').slice(-7).map((v, i) => [header.at(i - 7)!, v]));
    expect(cells('pdf-render')).toMatchObject({ pinnedVersion: A, pinAgeDays: '12', pinDaysToLimit: '18', pinnedBy: 'alice', pinReason: 'pdf rendering broke' });
    expect(cells('by-hand')).toMatchObject({ pinnedVersion: A, pinAgeDays: '', pinDaysToLimit: '30', pinnedBy: '' });
    expect(cells('undone')).toMatchObject({ pinnedVersion: '', pinAgeDays: '', pinDaysToLimit: '' });
  });

  it('where the endpoint lacks the runtime management API, says so once and lists the functions the rollback tag records', async () => {
    const { text, stderr } = await report('json', emu.moto.endpoint);
    const out = JSON.parse(text);
    expect(stderr.match(/eu-west-1: update modes not read, pins known from the rollback tag only/g)).toHaveLength(1);
    expect(out.pinSource).toMatch(/^Update modes read from the Lambda API \(GetRuntimeManagementConfig\), except in eu-west-1, where they could not be read/);
    expect(out.pins.map((p: { name: string; known: string; runtimeVersionArn: string | null }) => [p.name, p.known, p.runtimeVersionArn])).toEqual([
      ['old-pin', 'tag', null],
      ['pdf-render', 'tag', null],
      ['undone', 'tag', null],
    ]);
  });

  it.skipIf(!existsSync(CHROMIUM))('shows a pins section in the page, with the cards, in headless Chromium', async () => {
    const { file } = await report('html', proxy.endpoint);
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
    try {
      const page = await browser.newPage();
      const problems: string[] = [];
      page.on('pageerror', (e) => problems.push(e.message));
      await page.goto(`file://${file}`);
      await page.locator('body[data-ready="true"]').waitFor();
      expect(problems).toEqual([]);
      expect(await page.locator('[data-total="pins"]').innerText()).toBe('3');
      expect(await page.locator('[data-total="pinsOverLimit"]').innerText()).toBe('1');
      const rows = await page.locator('#pin-list tbody tr').evaluateAll((trs) => trs.map((tr) => [tr.className, ...[...tr.querySelectorAll('td')].map((td) => td.textContent)]));
      expect(rows.map((r) => [r[0], r[1], r[5], r[6], r[8], r[9], r[10], r[11]])).toEqual([
        ['over-limit', 'old-pin', A, '45 days', 'bob', 'tls handshake fails', '15 days over the 30 allowed (RW010)', ''],
        ['', 'pdf-render', A, '12 days', 'alice', 'pdf rendering broke', '18 days left of 30', B],
        ['', 'by-hand', A, 'unknown: no rollback tag', '', '', '30 days left of 30', ''],
      ]);
    } finally {
      await browser.close();
    }
  }, 120_000);
});
