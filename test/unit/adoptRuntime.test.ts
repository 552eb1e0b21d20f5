import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_CATALOG, DEFAULT_POLICY, evaluate, parsePolicy } from '../../shared/index.js';
import { catalogDocument, catalogFromDocument } from '../../shared/catalog/catalogDocument.js';
import { RUNTIME_RELEASES } from '../../shared/catalog/runtimeData.js';
import { withCatalog } from '../../shared/policy/policy.js';
import { facts, NOW } from '../helpers/fixtures.js';

const withAdopt = (days: Record<string, number>, extra: Record<string, unknown> = {}) =>
  parsePolicy({
    version: 1,
    ...extra,
    tiers: {
      definitions: {
        critical: { allowedUpdateModes: ['Manual', 'FunctionUpdate'], preferredUpdateMode: 'FunctionUpdate', upgradeLeadDays: 180, adoptNewRuntimeWithinDays: days.critical },
        important: { allowedUpdateModes: ['FunctionUpdate', 'Auto'], preferredUpdateMode: 'Auto', upgradeLeadDays: 90, adoptNewRuntimeWithinDays: days.important },
        'non-critical': { allowedUpdateModes: ['Auto'], upgradeLeadDays: 30, adoptNewRuntimeWithinDays: days['non-critical'] },
      },
    },
  });
const articles = withAdopt({ 'non-critical': 30, important: 90, critical: 180 });
const rw021 = (runtime: string, tier: string, policy = articles, now = NOW) =>
  evaluate(facts({ runtime, updateMode: tier === 'critical' ? 'FunctionUpdate' : 'Auto', tags: { 'runtime-warden:tier': tier } }), policy, now).filter((f) => f.ruleId === 'RW021');

describe('RW021: a newer runtime available longer than the tier allows', () => {
  it('names the newer runtime, its release date and the tier window', () => {
    // nodejs24.x: 2025-11-26, 362 days before 2026-11-23.
    expect(rw021('nodejs22.x', 'critical')).toEqual([
      {
        ruleId: 'RW021',
        rule: 'new-runtime-not-adopted',
        severity: 'warning',
        message: "nodejs24.x has been available since 2025-11-26 (362 days), more than the critical tier's 180 days to adopt a new runtime: move from nodejs22.x to nodejs24.x.",
        remediation: { kind: 'upgrade-runtime', targetRuntime: 'nodejs24.x' },
      },
    ]);
  });

  it('is silent inside the window, and on the newest runtime with a release date', () => {
    // nodejs24.x: 2025-11-26, 362 days: inside a 400-day window.
    expect(rw021('nodejs22.x', 'critical', withAdopt({ critical: 400 }))).toEqual([]);
    expect(rw021('nodejs22.x', 'critical', withAdopt({ critical: 361 }))).toHaveLength(1);
    expect(rw021('nodejs22.x', 'critical', withAdopt({ critical: 362 }))).toEqual([]);
    // nodejs26.x has no release date: RW021 is silent about it, so nodejs24.x is current.
    expect(rw021('nodejs24.x', 'non-critical')).toEqual([]);
  });

  it('is off by default and in a tier without the field', () => {
    expect(rw021('python3.12', 'critical', DEFAULT_POLICY)).toEqual([]);
    expect(rw021('python3.12', 'important', withAdopt({ critical: 30 }))).toEqual([]);
  });

  it('ignores a newer runtime the policy does not approve, and an OS variant of the same version', () => {
    expect(rw021('java17', 'critical', withAdopt({ critical: 180 }, { approvedRuntimes: ['java17', 'java21'] }))[0]!.message).toMatch(/^java21 has been available since 2023-11-17/);
    expect(rw021('java17', 'non-critical', withAdopt({ 'non-critical': 30 }))[0]!.remediation).toEqual({ kind: 'upgrade-runtime', targetRuntime: 'java25' });
    const variantOnly = withAdopt({ 'non-critical': 30 }, { approvedRuntimes: ['java17', 'java17.al2023'], catalogOverrides: [{ id: 'java17.al2023', released: '2024-01-01' }] });
    expect(variantOnly.catalog.released('java17.al2023')).toBe('2024-01-01');
    expect(rw021('java17', 'non-critical', variantOnly)).toEqual([]);
  });

  it('takes a release date from catalogOverrides, for a runtime the built-in list has none for', () => {
    const p = withAdopt({ 'non-critical': 30 }, { catalogOverrides: [{ id: 'nodejs26.x', released: '2026-10-01' }] });
    expect(rw021('nodejs24.x', 'non-critical', p)[0]!.message).toMatch(/^nodejs26\.x has been available since 2026-10-01 \(53 days\)/);
  });

  it('leaves a runtime that is no longer active to the lifecycle rules', () => {
    expect(rw021('python3.9', 'non-critical')).toEqual([]);
  });

  it('never fires inside the window, whatever the runtime and tier (class property)', () => {
    const ids = DEFAULT_CATALOG.all().map((r) => r.id);
    fc.assert(
      fc.property(fc.constantFrom(...ids), fc.constantFrom('critical', 'important', 'non-critical'), fc.integer({ min: 0, max: 4000 }), (runtime, tier, days) => {
        const f = rw021(runtime, tier, withAdopt({ [tier]: days }));
        for (const x of f) {
          const target = x.remediation.kind === 'upgrade-runtime' ? x.remediation.targetRuntime! : '';
          const since = DEFAULT_CATALOG.released(target)!;
          expect((NOW - Date.parse(`${since}T00:00:00Z`)) / 86_400_000).toBeGreaterThan(days);
        }
      }),
    );
  });
});

describe('release dates in the catalog', () => {
  it('are known for every built-in runtime the release list names, and only those', () => {
    for (const r of DEFAULT_CATALOG.all()) expect(DEFAULT_CATALOG.released(r.id)).toBe(RUNTIME_RELEASES[r.id]);
    expect(Object.keys(RUNTIME_RELEASES).every((id) => DEFAULT_CATALOG.has(id))).toBe(true);
  });

  it('come before the runtime\'s own deprecation', () => {
    for (const [id, day] of Object.entries(RUNTIME_RELEASES)) {
      const dep = DEFAULT_CATALOG.get(id)!.deprecation;
      if (dep) expect(day < dep, id).toBe(true);
    }
  });

  it('survive a catalog refresh for the runtimes it knows; a runtime new to the built-in list has none', () => {
    const doc = catalogDocument(DEFAULT_CATALOG);
    const refreshed = catalogFromDocument({ ...doc, source: 'https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtimes.html', entries: [...doc.entries, { id: 'python3.16', family: 'python', os: 'Amazon Linux 2023', deprecation: null, blockCreate: null, blockUpdate: null }] }, 'test catalog');
    expect(refreshed.released('nodejs24.x')).toBe('2025-11-26');
    expect(refreshed.released('python3.16')).toBeUndefined();
    expect(rw021('nodejs22.x', 'critical', withCatalog(articles, refreshed))).toHaveLength(1);
  });
});

describe('adoptNewRuntimeWithinDays in the policy document', () => {
  it('must be whole days, 0 or more', () => {
    expect(() => withAdopt({ critical: -1 })).toThrow(/tiers\.definitions\.critical\.adoptNewRuntimeWithinDays: Too small/);
    expect(() => withAdopt({ critical: 2.5 })).toThrow(/tiers\.definitions\.critical\.adoptNewRuntimeWithinDays/);
  });
  it('a release date in catalogOverrides must be a calendar day', () => {
    expect(() => parsePolicy({ version: 1, catalogOverrides: [{ id: 'nodejs26.x', released: '2026-02-30' }] })).toThrow(/catalogOverrides\.0\.released: is not a calendar date/);
  });
});
