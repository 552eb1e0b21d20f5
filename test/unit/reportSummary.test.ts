import { describe, expect, it } from 'vitest';
import { DEFAULT_POLICY } from '../../shared/index.js';
import { inventoryRow } from '../../shared/report/inventory.js';
import { byOwner, NO_OWNER, phasesByFamily, rollUp, timeline } from '../../shared/report/summary.js';
import { waiverAudit } from '../../shared/report/waiverAudit.js';
import { facts } from '../helpers/fixtures.js';

const NOW = Date.parse('2026-11-23T00:00:00Z');
const row = (name: string, runtime: string | undefined, tags: Record<string, string> = {}) =>
  inventoryRow(facts({ name, ...(runtime ? { runtime } : { runtime: undefined, packageType: 'Image' as const }), tags }), DEFAULT_POLICY, NOW);

describe('the report summary', () => {
  it('counts each AWS date of each function in its month, this month included, for 18 months', () => {
    // java8: updates blocked 2027-03-03; nodejs16.x and python3.8: creates blocked 2027-02-01, updates 2027-03-03.
    const rows = [row('a', 'java8'), row('b', 'nodejs16.x'), row('c', 'python3.8'), row('d', undefined), row('e', 'nodejs22.x')];
    const months = timeline(rows, NOW);
    expect(months).toHaveLength(18);
    expect([months[0]!.month, months.at(-1)!.month]).toEqual(['2026-11', '2028-04']);
    const by = Object.fromEntries(months.map((m) => [m.month, [m.deprecation, m.blockCreate, m.blockUpdate]]));
    expect(by['2027-02']).toEqual([0, 2, 0]);
    expect(by['2027-03']).toEqual([0, 0, 3]);
    // nodejs22.x: deprecated 2027-04-30, creates blocked 2027-06-01, updates 2027-07-01, all inside the window.
    expect([by['2027-04'], by['2027-06'], by['2027-07']]).toEqual([[1, 0, 0], [0, 1, 0], [0, 0, 1]]);
    // java8's deprecation (2024) and the image: nowhere.
    expect(months.reduce((n, m) => n + m.deprecation + m.blockCreate + m.blockUpdate, 0)).toBe(8);
  });

  it('rolls up per owner with totals that add up, the soonest AWS date still ahead, and no owner said so', () => {
    const rows = [row('a', 'java8', { owner: 'team-a' }), row('b', 'nodejs16.x', { owner: 'team-a' }), row('c', 'nodejs22.x', { team: 'team-b' }), row('d', 'nodejs22.x')];
    const groups = rollUp(rows, byOwner);
    expect(groups.map((g) => [g.key, g.functions, g.nonCompliant])).toEqual([
      ['team-a', 2, 2],
      [NO_OWNER, 1, 0],
      ['team-b', 1, 0],
    ]);
    expect(groups[0]!.nextWall).toEqual({ kind: 'block-create', date: '2027-02-01', daysLeft: 70, functions: 1 });
    expect(groups.reduce((n, g) => n + g.functions, 0)).toBe(rows.length);
  });

  it('stacks each runtime family by phase, riskiest family first', () => {
    const rows = [row('a', 'nodejs22.x'), row('b', 'nodejs22.x'), row('c', 'nodejs16.x'), row('d', 'java8'), row('e', undefined), row('f', 'python3.13')];
    const families = phasesByFamily(rows);
    expect(families.map((f) => f.family)).toEqual(['java', 'nodejs', 'container-image', 'python']);
    expect(families[1]).toMatchObject({ runtimes: ['nodejs16.x', 'nodejs22.x'], functions: 3, byPhase: { deprecated: 1, active: 2 } });
  });

  it('audits waivers: in force with who granted them, expiring soon, and policy waivers that apply to nothing', () => {
    const policy = { ...DEFAULT_POLICY };
    const rows = [
      inventoryRow(facts({ name: 'soon', runtime: 'nodejs16.x', tags: { 'runtime-warden:waiver': '2026-12-01 next sprint' } }), policy, NOW),
      inventoryRow(facts({ name: 'later', runtime: 'nodejs16.x', tags: { 'runtime-warden:waiver': '2027-01-15 after the freeze' } }), policy, NOW),
    ];
    const audit = waiverAudit(rows, [{ function: 'nobody', match: 'exact', expires: '2027-01-01', reason: 'gone', rules: ['RW004'] }, { function: 'old', match: 'exact', expires: '2026-11-01', reason: 'expired' }], NOW);
    expect(audit.inForce.map((w) => [w.name, w.daysLeft, w.expiringSoon])).toEqual([
      ['soon', 9, true],
      ['later', 54, false],
    ]);
    expect(audit.expiringSoon).toBe(1);
    expect(audit.unusedPolicyWaivers).toEqual([{ function: 'nobody', rules: ['RW004'], expires: '2027-01-01', daysLeft: 40, reason: 'gone' }]);
  });
});
