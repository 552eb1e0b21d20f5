import { describe, expect, it } from 'vitest';
import { DEFAULT_POLICY, parsePolicy } from '../../shared/index.js';
import { nextWall, urgency } from '../../shared/report/deadlines.js';
import { inventoryRow, upgradeCalendar } from '../../shared/report/inventory.js';
import { facts } from '../helpers/fixtures.js';

const at = (d: string) => Date.parse(`${d}T00:00:00Z`);
const JAVA8 = { deprecation: '2024-01-08', blockCreate: '2024-02-08', blockUpdate: '2027-03-03' };

describe("AWS's walls", () => {
  it('is the next date still ahead, with the real days left: java8 is 92 days from its update block, not -1,238 from a move-by', () => {
    expect(nextWall(JAVA8, at('2026-12-01'))).toEqual({ kind: 'block-update', date: '2027-03-03', daysLeft: 92 });
    const row = inventoryRow(facts({ runtime: 'java8', tags: { 'runtime-warden:tier': 'critical' } }), DEFAULT_POLICY, at('2026-12-01'));
    expect([row.wall, row.wallDate, row.daysToWall, row.late, row.critical]).toEqual(['block-update', '2027-03-03', 92, true, true]);
    // The tier's deadline stays beside it: the deprecation less 180 days, long past.
    expect(row.moveBy).toBe('2023-07-12');
    expect(row.daysToMove).toBe(-1238);
  });

  it('counts the wall\'s own day as 0 days left, and keeps the last wall, negative, once every date has passed', () => {
    expect(nextWall(JAVA8, at('2024-02-08'))).toEqual({ kind: 'block-create', date: '2024-02-08', daysLeft: 0 });
    expect(nextWall(JAVA8, at('2027-03-10'))).toEqual({ kind: 'block-update', date: '2027-03-03', daysLeft: -7 });
    expect(nextWall({ deprecation: '2028-04-30', blockCreate: null, blockUpdate: null }, at('2026-12-01'))).toEqual({ kind: 'deprecation', date: '2028-04-30', daysLeft: 516 });
    expect(nextWall({ deprecation: null, blockCreate: null, blockUpdate: null }, at('2026-12-01'))).toBeNull();
  });

  it('is critical when a block lands inside the tier\'s lead time, late when the move-by has passed', () => {
    const dates = { deprecation: '2027-01-01', blockCreate: '2027-02-01', blockUpdate: '2027-03-01' };
    // 2026-12-01: creates blocked in 62 days, updates in 90; the deprecation less 30 days is 2026-12-02.
    expect(urgency(dates, 30, at('2026-12-01'))).toEqual({ late: false, critical: false });
    expect(urgency(dates, 62, at('2026-12-01'))).toEqual({ late: true, critical: true });
    expect(urgency(dates, 61, at('2026-12-01'))).toEqual({ late: true, critical: false });
    expect(urgency(dates, 30, at('2026-12-03'))).toEqual({ late: true, critical: false });
    // Once updates are blocked there is no block ahead: its phase says it, not "critical".
    expect(urgency(dates, 400, at('2027-03-02'))).toEqual({ late: true, critical: false });
  });

  it('gives a container image no wall, and puts the calendar in order of AWS\'s dates, blocked first', () => {
    const now = at('2026-12-01');
    const image = inventoryRow(facts({ name: 'img', runtime: undefined, packageType: 'Image' }), DEFAULT_POLICY, now);
    expect([image.wall, image.daysToWall, image.late, image.critical]).toEqual([null, null, false, false]);
    const policy = parsePolicy({ version: 1 });
    const rows = ['nodejs22.x', 'java8', 'python3.9', 'nodejs20.x'].map((runtime) => inventoryRow(facts({ name: runtime, runtime }), policy, now));
    const calendar = upgradeCalendar([...rows, image]);
    // Creates blocked 2027-02-01 (one date: by name), updates blocked 2027-03-03, deprecated 2027-04-30.
    expect(calendar.map((r) => [r.name, r.wall, r.wallDate])).toEqual([
      ['nodejs20.x', 'block-create', '2027-02-01'],
      ['python3.9', 'block-create', '2027-02-01'],
      ['java8', 'block-update', '2027-03-03'],
      ['nodejs22.x', 'deprecation', '2027-04-30'],
    ]);
    expect(calendar.map((r) => r.name)).not.toContain('img');
  });
});
