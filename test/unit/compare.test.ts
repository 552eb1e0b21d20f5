import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { history, readPreviousReport } from '../../cli/report.js';
import { renderJson } from '../../cli/reportFormats/tabular.js';
import { DEFAULT_POLICY } from '../../shared/index.js';
import { compareReports } from '../../shared/report/compare.js';
import { inventoryRow, type InventoryRow } from '../../shared/report/inventory.js';
import { reportDocumentSchema } from '../../shared/report/reportSchema.js';
import { facts } from '../helpers/fixtures.js';

const NOW = Date.parse('2026-11-23T00:00:00Z');
const row = (name: string, runtime: string, tags: Record<string, string> = {}, now = NOW) => inventoryRow(facts({ name, runtime, tags }), DEFAULT_POLICY, now);
const doc = (rows: InventoryRow[], now = NOW) =>
  JSON.parse(renderJson({ rows, now: new Date(now), policy: 'p', catalog: DEFAULT_POLICY.base.origin, source: 's', version: '0', leadTimes: '' }));
const ref = (name: string) => ({ accountId: '123456789012', region: 'eu-west-1', name });

describe('report --compare', () => {
  it('lists exactly what changed: fixed, newly non-compliant, waivers new and ended, tier and runtime moves, added and removed', () => {
    const before = [row('same', 'nodejs22.x'), row('upgraded', 'nodejs16.x'), row('waived', 'nodejs16.x', { 'runtime-warden:waiver': '2026-11-30 next week' }), row('retiered', 'nodejs22.x'), row('gone', 'java21')];
    const later = Date.parse('2026-12-02T00:00:00Z');
    const after = [row('same', 'nodejs22.x', {}, later), row('upgraded', 'nodejs22.x', {}, later), row('waived', 'nodejs16.x', { 'runtime-warden:waiver': '2026-11-30 next week' }, later), row('retiered', 'nodejs22.x', { 'runtime-warden:tier': 'critical' }, later), row('new', 'python3.9', { 'runtime-warden:waiver': '2026-12-20 soon' }, later)];
    const c = compareReports(doc(before), after, '2026-12-02');
    expect(c).toEqual({
      since: '2026-11-23T00:00:00.000Z',
      added: [{ ...ref('new'), compliance: 'COMPLIANT' }],
      removed: [ref('gone')],
      // Critical allows no Auto update mode; the waiver expired on 2026-11-30.
      newlyNonCompliant: [
        { ...ref('retiered'), from: 'COMPLIANT' },
        { ...ref('waived'), from: 'COMPLIANT' },
      ],
      fixed: [{ ...ref('upgraded'), to: 'COMPLIANT' }],
      newWaivers: [{ ...ref('new'), source: 'tag', rules: ['RW004'], expires: '2026-12-20', reason: 'soon' }],
      endedWaivers: [{ ...ref('waived'), source: 'tag', rules: ['RW004'], expires: '2026-11-30', reason: 'next week', expired: true }],
      tierMoved: [{ ...ref('retiered'), from: 'non-critical', to: 'critical' }],
      runtimeChanged: [{ ...ref('upgraded'), from: 'nodejs16.x', to: 'nodejs22.x' }],
    });
    expect(compareReports(doc(after, later), after, '2026-12-02')).toMatchObject({ added: [], removed: [], fixed: [], newlyNonCompliant: [], newWaivers: [], endedWaivers: [], tierMoved: [], runtimeChanged: [] });
  });

  it('compares with the latest of several reports and gives a trend, oldest first', () => {
    const d1 = doc([row('a', 'nodejs16.x')], Date.parse('2026-11-01T00:00:00Z'));
    const d2 = doc([row('a', 'nodejs16.x'), row('b', 'nodejs16.x')], Date.parse('2026-11-15T00:00:00Z'));
    const h = history([d2, d1].map((d) => reportDocumentSchema.parse(d)), [row('a', 'nodejs22.x')], new Date(NOW))!;
    expect(h.comparison.since).toBe('2026-11-15T00:00:00.000Z');
    expect(h.comparison.removed).toEqual([ref('b')]);
    expect(h.trend.map((t) => [t.now.slice(0, 10), t.functions, t.nonCompliant])).toEqual([
      ['2026-11-01', 1, 1],
      ['2026-11-15', 2, 2],
      ['2026-11-23', 1, 0],
    ]);
    expect(history([], [], new Date(NOW))).toBeUndefined();
  });

  it('reads only a JSON report of the schema version it knows, saying what is wrong', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rw-compare-'));
    try {
      const file = (name: string, text: string) => {
        writeFileSync(join(dir, name), text);
        return join(dir, name);
      };
      const good = doc([row('a', 'nodejs16.x')]);
      expect(readPreviousReport(file('good.json', JSON.stringify(good))).functions).toHaveLength(1);
      expect(() => readPreviousReport(file('v2.json', JSON.stringify({ ...good, schemaVersion: 2 })))).toThrow(/has schemaVersion 2; this runtime-warden reads 1/);
      expect(() => readPreviousReport(file('bad.json', JSON.stringify({ ...good, functions: [{ name: 'x' }] })))).toThrow(/is not a runtime-warden JSON report:\n {2}functions\.0\.accountId/);
      expect(() => readPreviousReport(file('text.json', 'not json'))).toThrow(/is not JSON/);
      expect(() => readPreviousReport(join(dir, 'missing.json'))).toThrow(/cannot read previous report .*ENOENT/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
