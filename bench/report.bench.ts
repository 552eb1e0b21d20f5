// The HTML report at organisation scale: seeds 1,000 / 20,000 / 100,000 synthetic functions (the
// sample fleet's runtimes, tiers, owners and waivers, over 100 accounts and 4 regions), builds each
// row with the real inventoryRow, renders the page and opens it in headless Chromium (Debian's, by
// playwright-core, as test/integration/report.test.ts does). Prints, per size: page size, time to
// first render (navigation to the first page of rows drawn), peak memory (the PSS of Chromium's
// whole process tree, sampled every 50 ms, and the page's JS heap from the DevTools protocol's
// Performance.getMetrics), and the time a sort and a filter take (the
// click's synchronous work: sort or filter, one page of rows drawn) and up to the next frame. Goals
// (issue #23): under 2 s and 500 MB at 100,000, a page under 15 MB, sort and filter under 300 ms.
// Figures only; asserts nothing. Usage: tsx bench/report.bench.ts [sizes...]
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { renderHtml } from '../cli/reportFormats/html.js';
import { sampleFleet } from '../scripts/emulator/fleet.js';
import { DEFAULT_POLICY, type FunctionFacts } from '../shared/index.js';
import { inventoryRow } from '../shared/report/inventory.js';

const CHROMIUM = '/usr/bin/chromium';
const NOW = Date.parse('2026-11-23T00:00:00Z');
const REGIONS = ['eu-west-1', 'us-east-1', 'ap-southeast-2', 'eu-central-1'];
const sizes = process.argv.slice(2).map(Number).filter((n) => n > 0);

function fleet(n: number): FunctionFacts[] {
  return sampleFleet(n).map((s, i) => ({
    name: s.name,
    accountId: String(100_000_000_000 + (i % 100) * 7_919),
    region: REGIONS[i % REGIONS.length]!,
    packageType: s.runtime === undefined ? 'Image' : 'Zip',
    ...(s.runtime !== undefined && { runtime: s.runtime }),
    tags: s.tags,
    layers: [],
  }));
}

/**
 * The proportional set size (bytes) of a process and all its descendants, from /proc: each shared
 * page counted once across the tree (a sum of RSS counts Chromium's shared libraries per process).
 */
function treeRss(root: number): number {
  const parent = new Map<number, number>();
  const rss = new Map<number, number>();
  for (const d of readdirSync('/proc').filter((x) => /^\d+$/.test(x))) {
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      parent.set(Number(d), Number(fields[1]));
      const pss = /^Pss:\s+(\d+) kB/m.exec(readFileSync(`/proc/${d}/smaps_rollup`, 'utf8'));
      rss.set(Number(d), Number(pss?.[1] ?? 0) * 1024);
    } catch {
      // The process ended while it was read.
    }
  }
  let total = 0;
  for (const [pid, bytes] of rss) {
    for (let p: number | undefined = pid; p !== undefined && p > 1; p = parent.get(p)) {
      if (p === root) {
        total += bytes;
        break;
      }
    }
  }
  return total;
}

function browserPid(marker: string): number {
  for (const d of readdirSync('/proc').filter((x) => /^\d+$/.test(x))) {
    try {
      const cmd = readFileSync(`/proc/${d}/cmdline`, 'utf8');
      if (cmd.includes(marker) && !cmd.includes('--type=')) return Number(d);
    } catch {
      // gone
    }
  }
  throw new Error('Chromium browser process not found');
}

const mb = (n: number): string => `${(n / 1024 / 1024).toFixed(1)} MB`;
const ms = (n: number): string => `${n.toFixed(0)} ms`;

const work = mkdtempSync(join(tmpdir(), 'rw-report-bench-'));
try {
  for (const n of sizes.length > 0 ? sizes : [1_000, 20_000, 100_000]) {
    const t0 = performance.now();
    const rows = fleet(n).map((f, i) => inventoryRow(f, DEFAULT_POLICY, NOW, i % 5 === 0 ? undefined : { invocations14d: (i * 37) % 5000, lastInvoked: i % 7 === 0 ? null : '2026-11-20' }));
    const t1 = performance.now();
    const html = renderHtml({ rows, now: new Date(NOW), policy: 'bundled default', catalog: DEFAULT_POLICY.base.origin, source: 'synthetic fleet', version: 'bench', leadTimes: 'critical 180 days, important 90 days, non-critical 30 days' });
    const t2 = performance.now();
    const file = join(work, `report-${n}.html`);
    writeFileSync(file, html);
    const marker = `--rw-bench-${process.pid}-${n}`;
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', marker] });
    try {
      const pid = browserPid(marker);
      const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
      const cdp = await page.context().newCDPSession(page);
      await cdp.send('Performance.enable');
      const idle = treeRss(pid);
      let peak = idle;
      const sampler = setInterval(() => (peak = Math.max(peak, treeRss(pid))), 50);
      // A warm browser: the first navigation of a fresh one costs a second whatever the page.
      await page.goto('about:blank');
      await page.goto(`file://${file}`, { timeout: 600_000 });
      await page.locator('body[data-ready="true"]').waitFor({ timeout: 600_000 });
      // From the navigation's start: the summary's first paint, and the end of the page's script (the first page of rows in the DOM).
      const { paint, ready } = (await page.evaluate(`({ paint: performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? NaN, ready: performance.getEntriesByType('navigation')[0].domContentLoadedEventStart })`)) as { paint: number; ready: number };
      // In the page: the click's synchronous work (sort, filter, one page drawn) and the frame after it.
      const timed = (action: string): Promise<string> =>
        page.evaluate(`new Promise((done) => { const t = performance.now(); ${action}; const work = performance.now() - t; requestAnimationFrame(() => setTimeout(() => done(work.toFixed(0) + ' ms (' + (performance.now() - t).toFixed(0) + ' to the next frame)'), 0)); })`) as Promise<string>;
      const sortName = await timed(`document.querySelector('#inventory th[data-key="name"]').click()`);
      const sortDays = await timed(`document.querySelector('#inventory th[data-key="daysToWall"]').click()`);
      const search = await timed(`(() => { const q = document.getElementById('q'); q.value = 'payments'; q.dispatchEvent(new Event('input')); })()`);
      const select = await timed(`(() => { const s = document.querySelectorAll('select[data-col]')[2]; s.value = s.options[2].value; s.dispatchEvent(new Event('change')); })()`);
      const shown = await page.locator('#shown').innerText();
      clearInterval(sampler);
      peak = Math.max(peak, treeRss(pid));
      const metrics = (await cdp.send('Performance.getMetrics')).metrics;
      const heap = metrics.find((m) => m.name === 'JSHeapUsedSize')?.value ?? 0;
      console.log(
        `${n.toLocaleString('en')} functions: page ${mb(Buffer.byteLength(html))}; rows ${ms(t1 - t0)}, render ${ms(t2 - t1)} (node); first paint ${ms(paint)}, rows drawn ${ms(ready)}; peak Chromium PSS ${mb(peak)} (${mb(idle)} before the page), JS heap ${mb(heap)}; sort by name ${sortName}, by days left ${sortDays}; search ${search}, filter ${select} (${shown})`,
      );
    } finally {
      await browser.close();
    }
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
