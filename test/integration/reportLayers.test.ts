import { PublishLayerVersionCommand, UpdateFunctionConfigurationCommand } from '@aws-sdk/client-lambda';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { chromium } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { reportDocumentSchema } from '../../shared/report/reportSchema.js';
import { seedFleet } from '../../scripts/emulator/fleet.js';
import { ROOT } from '../helpers/fixtures.js';
import { motoPerTest } from '../helpers/motoPerTest.js';

// The report's layers (issue #24) from the built CLI against moto's server: layer versions
// published with PublishLayerVersion, functions using them (UpdateFunctionConfiguration Layers),
// read back through ListFunctions and one GetLayerVersion per distinct version.

const exec = promisify(execFile);
const BIN = join(ROOT, 'dist', 'runtime-warden.mjs');
const CHROMIUM = '/usr/bin/chromium';

describe('report: layers', () => {
  const emu = motoPerTest();
  const work = mkdtempSync(join(tmpdir(), 'rw-report-layers-'));
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  const publish = async (LayerName: string, CompatibleRuntimes?: string[]): Promise<string> =>
    (await emu.lambda.send(new PublishLayerVersionCommand({ LayerName, Content: { ZipFile: new TextEncoder().encode('layer') }, ...(CompatibleRuntimes && { CompatibleRuntimes: CompatibleRuntimes as never }) }))).LayerVersionArn!;
  const report = async (format: string): Promise<{ text: string; stderr: string }> => {
    const file = join(work, `report.${format}`);
    const env = { ...process.env, AWS_ENDPOINT_URL: emu.moto.endpoint, AWS_ACCESS_KEY_ID: 'testing', AWS_SECRET_ACCESS_KEY: 'testing', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' };
    const { stderr } = await exec(process.execPath, [BIN, 'report', '--regions', 'eu-west-1', '--format', format, '--output', file, '--now', '2026-11-23', '--no-usage'], { env, cwd: ROOT });
    return { text: readFileSync(file, 'utf8'), stderr };
  };

  it('lists each layer version by its deprecated dependents, with whether it declares their target, and orders it before them', async () => {
    await seedFleet(emu.moto.clientConfig, [
      { name: 'billing', runtime: 'python3.9', tags: {} },
      { name: 'invoices', runtime: 'python3.9', tags: {} },
      { name: 'search', runtime: 'python3.13', tags: {} },
      { name: 'plain', runtime: 'python3.13', tags: {} },
    ]);
    const utils = await publish('shared-utils', ['python3.8', 'python3.9']);
    const modern = await publish('modern-utils', ['python3.12', 'python3.13']);
    const bare = await publish('bare');
    const use = (FunctionName: string, Layers: string[]) => emu.lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName, Layers }));
    await use('billing', [utils, bare]);
    await use('invoices', [utils]);
    await use('search', [modern]);

    const { text, stderr } = await report('json');
    const out = JSON.parse(text);
    expect(reportDocumentSchema.safeParse(out).success).toBe(true);
    // Three distinct versions, each read once, whatever number of functions share them.
    expect(stderr).toContain('eu-west-1: 3 layer versions read');
    expect(out.layers.map((l: { layer: string; functions: number; deprecatedFunctions: number; missingTargets: string[] | null }) => [l.layer, l.deprecatedFunctions, l.functions, l.missingTargets])).toEqual([
      ['shared-utils:1', 2, 2, ['python3.11']],
      ['bare:1', 1, 1, null],
      ['modern-utils:1', 0, 1, []],
    ]);
    // RW018 in the function rows: the layer version and the target runtime are named.
    const billing = out.functions.find((f: { name: string }) => f.name === 'billing');
    expect(billing.ruleIds.split(' ')).toEqual(expect.arrayContaining(['RW004', 'RW018', 'RW022']));
    expect(billing.layers).toEqual([utils, bare]);
    // The calendar order: shared-utils is published before the first function waiting for it.
    const order = out.upgradeOrder.map((e: { kind: string; layer?: string; name?: string }) => (e.kind === 'layer' ? `layer ${e.layer}` : e.name));
    const first = order.findIndex((x: string) => x === 'billing' || x === 'invoices');
    expect(order.indexOf('layer shared-utils:1')).toBe(first - 1);
    expect(order.filter((x: string) => x.startsWith('layer '))).toEqual(['layer shared-utils:1']);

    const csv = (await report('csv')).text.split('\r\n');
    const header = csv[0]!.split(',');
    const row = csv.find((l) => l.includes(',billing,'))!.split(',');
    expect(row[header.indexOf('layers')]).toBe(`${utils} ${bare}`);
  });

  it('shows a Layers section in the HTML report', async () => {
    await seedFleet(emu.moto.clientConfig, [{ name: 'billing', runtime: 'python3.9', tags: {} }]);
    const utils = await publish('shared-utils', ['python3.8', 'python3.9']);
    await emu.lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: 'billing', Layers: [utils] }));
    const html = (await report('html')).text;
    const section = html.slice(html.indexOf('<h2>Layers</h2>'), html.indexOf('<h2>Inventory</h2>'));
    expect(section).toContain('<td>shared-utils:1</td><td class="num">1</td><td class="num">1</td><td>python3.8, python3.9</td><td>python3.11</td><td>no: publish a version for python3.11</td>');
  });

  it.skipIf(!existsSync(CHROMIUM))('puts the blocking layer right before its functions in the page\'s upgrade order, and opens the inventory in that order, in headless Chromium', async () => {
    await seedFleet(emu.moto.clientConfig, [
      { name: 'billing', runtime: 'python3.9', tags: {} },
      { name: 'invoices', runtime: 'python3.9', tags: { 'runtime-warden:tier': 'critical' } },
      { name: 'legacy', runtime: 'nodejs16.x', tags: {} },
      { name: 'search', runtime: 'python3.13', tags: {} },
    ]);
    const utils = await publish('shared-utils', ['python3.8', 'python3.9']);
    await emu.lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: 'billing', Layers: [utils] }));
    await emu.lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: 'invoices', Layers: [utils] }));
    const json = JSON.parse((await report('json')).text);
    const expected = json.upgradeOrder.map((e: { kind: string; layer?: string; name?: string }) => (e.kind === 'layer' ? `layer ${e.layer}` : e.name));
    // The JSON's order is the one the page shows: the layer just before the first python3.9 function.
    const first = expected.findIndex((x: string) => x === 'billing' || x === 'invoices');
    expect(expected[first - 1]).toBe('layer shared-utils:1');
    await report('html');
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
    try {
      const page = await browser.newPage();
      const problems: string[] = [];
      page.on('pageerror', (e) => problems.push(e.message));
      await page.goto(`file://${join(work, 'report.html')}`);
      await page.locator('body[data-ready="true"]').waitFor();
      expect(problems).toEqual([]);
      const steps = await page.locator('#upgrade-steps tbody tr').evaluateAll((trs) => trs.map((tr) => [tr.getAttribute('data-kind'), tr.querySelectorAll('td')[1]!.textContent]));
      expect(steps.map(([, what]) => what)).toEqual(expected);
      expect(steps[first - 1]).toEqual(['layer', 'layer shared-utils:1']);
      // The inventory opens in the upgrade order, each function with its step and the layer it waits for.
      const header = (await page.locator('#inventory thead th').allInnerTexts()).map((h) => h.replace(/[▲▼]/g, '').trim());
      const rows = await page.locator('#inventory tbody tr').evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent)));
      const at = (label: string) => header.indexOf(label);
      const functions = expected.filter((x: string) => !x.startsWith('layer '));
      expect(rows.slice(0, functions.length).map((r) => r[at('function')])).toEqual(functions);
      expect(rows.slice(0, functions.length).map((r) => r[at('#')])).toEqual(functions.map((f: string) => String(expected.indexOf(f) + 1)));
      expect(Object.fromEntries(rows.map((r) => [r[at('function')], r[at('waits for layer')]]))).toEqual({ billing: 'shared-utils:1', invoices: 'shared-utils:1', legacy: '', search: '' });
    } finally {
      await browser.close();
    }
  }, 120_000);
});
