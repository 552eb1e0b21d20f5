import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_CATALOG } from '../../shared/index.js';
import { NOW, ROOT } from '../helpers/fixtures.js';

const at = (date: string): number => Date.parse(`${date}T12:00:00Z`);
// The team's reference table lives beside the repository (as in CI), not inside it.
const REFERENCE = join(ROOT, '..', 'shared', 'reference', 'lambda-runtimes.csv');

describe('runtime catalog', () => {
  it.skipIf(!existsSync(REFERENCE))('holds every identifier of the reference table with its dates', () => {
    // Prepare
    const csv = readFileSync(REFERENCE, 'utf8');
    const rows = csv.trim().split('\n').slice(2).map((l) => l.split(','));
    const date = (v: string | undefined): string | null => (v === 'Not scheduled' || v === 'N/A' ? null : v!);
    // Act / Assess
    expect(DEFAULT_CATALOG.all()).toHaveLength(rows.length);
    for (const [id, family, os, dep, create, update] of rows) {
      expect(DEFAULT_CATALOG.get(id!), id).toMatchObject({ family, os, deprecation: date(dep), blockCreate: date(create), blockUpdate: date(update) });
    }
  });

  it.each([
    ['nodejs16.x', '2024-06-12'],
    ['nodejs18.x', '2025-09-01'],
    ['nodejs20.x', '2026-04-30'],
    ['nodejs22.x', '2027-04-30'],
    ['nodejs24.x', '2028-04-30'],
    ['python3.8', '2024-10-14'],
    ['python3.9', '2025-12-15'],
    ['python3.13', '2029-06-30'],
    ['python3.14', '2029-06-30'],
    ['java21', '2029-06-30'],
    ['java25', '2029-06-30'],
    ['ruby3.4', '2028-03-31'],
    ['dotnet10', '2028-11-14'],
  ])('knows the published deprecation date of %s', (id, date) => {
    expect(DEFAULT_CATALOG.get(id)?.deprecation).toBe(date);
  });

  it('covers the oldest and newest identifiers of every family', () => {
    for (const id of ['nodejs', 'nodejs4.3-edge', 'nodejs24.x', 'python2.7', 'python3.14', 'java8', 'java8.al2', 'java25', 'dotnetcore1.0', 'dotnet10', 'ruby2.5', 'ruby3.4', 'go1.x', 'provided', 'provided.al2', 'provided.al2023']) {
      expect(DEFAULT_CATALOG.has(id), id).toBe(true);
    }
  });

  it('derives language and version from the identifier', () => {
    expect(DEFAULT_CATALOG.get('python3.13')).toMatchObject({ language: 'Python', version: '3.13' });
    expect(DEFAULT_CATALOG.get('nodejs22.x')).toMatchObject({ language: 'Node.js', version: '22' });
    expect(DEFAULT_CATALOG.get('provided.al2023')).toMatchObject({ family: 'os-only', version: 'al2023' });
    expect(DEFAULT_CATALOG.get('dotnetcore3.1')).toMatchObject({ language: '.NET', version: '3.1' });
  });

  it('moves a runtime through its phases on its dates, at 00:00 UTC', () => {
    const phase = (date: string): string => DEFAULT_CATALOG.phase('nodejs16.x', at(date));
    expect(phase('2024-06-11')).toBe('active');
    expect(DEFAULT_CATALOG.phase('nodejs16.x', Date.parse('2024-06-12T00:00:00Z'))).toBe('deprecated');
    expect(DEFAULT_CATALOG.phase('nodejs16.x', Date.parse('2024-06-11T23:59:59Z'))).toBe('active');
    expect(phase('2027-01-31')).toBe('deprecated');
    expect(phase('2027-02-01')).toBe('create-blocked');
    expect(phase('2027-03-03')).toBe('update-blocked');
  });

  it('treats "Not scheduled" as never and unknown identifiers as unknown', () => {
    expect(DEFAULT_CATALOG.phase('nodejs26.x', at('2099-01-01'))).toBe('active');
    expect(DEFAULT_CATALOG.phase('nodejs99.x', NOW)).toBe('unknown');
  });

  it('recommends the smallest approved move that stays supported past the lead time, and names the newest', () => {
    const any = (): boolean => true;
    const targets = (id: string, leadDays: number, allowed: (r: string) => boolean = any): [string, string] | undefined => {
      const t = DEFAULT_CATALOG.upgradeTargets(id, NOW, allowed, leadDays);
      return t && [t.smallest.id, t.newest.id];
    };
    // nodejs22.x is deprecated 2027-04-30: past a 30-day window from 2026-11-23, not past 180 days.
    expect(targets('nodejs16.x', 30)).toEqual(['nodejs22.x', 'nodejs26.x']);
    expect(targets('nodejs16.x', 180)).toEqual(['nodejs24.x', 'nodejs26.x']);
    expect(targets('nodejs16.x', 30, (r) => r !== 'nodejs22.x')).toEqual(['nodejs24.x', 'nodejs26.x']);
    // Same version on a supported OS before a newer version; never a lower version.
    expect(targets('java11', 30)).toEqual(['java11.al2023', 'java25']);
    expect(targets('python3.11', 30)).toEqual(['python3.12', 'python3.15']);
    // AWS's named successors, across families where the family has none.
    expect(targets('java8', 30)).toEqual(['java8.al2023', 'java25']);
    expect(targets('go1.x', 30)).toEqual(['provided.al2023', 'provided.al2023']);
    expect(targets('provided', 30)).toEqual(['provided.al2023', 'provided.al2023']);
    expect(targets('provided.al2', 30)).toEqual(['provided.al2023', 'provided.al2023']);
    // A successor the policy refuses falls back to the family rule; none left, none recommended.
    expect(targets('java8', 30, (r) => r !== 'java8.al2023')).toEqual(['java8.al2', 'java25']);
    expect(targets('go1.x', 30, (r) => r !== 'provided.al2023')).toBeUndefined();
    expect(DEFAULT_CATALOG.recommendedTarget('nodejs16.x', NOW, any, 180)?.id).toBe('nodejs24.x');
  });

  it('applies overrides: a moved date and a new identifier, leaving the original untouched', () => {
    // Prepare
    const moved = DEFAULT_CATALOG.withOverrides([
      { id: 'nodejs22.x', deprecation: '2026-11-01' },
      { id: 'nodejs28.x', os: 'Amazon Linux 2023', deprecation: null },
    ]);
    // Act / Assess
    expect(moved.phase('nodejs22.x', NOW)).toBe('deprecated');
    expect(moved.get('nodejs22.x')?.blockCreate).toBe('2027-06-01');
    expect(moved.get('nodejs28.x')).toMatchObject({ family: 'nodejs', version: '28', deprecation: null });
    expect(DEFAULT_CATALOG.phase('nodejs22.x', NOW)).toBe('active');
    expect(DEFAULT_CATALOG.has('nodejs28.x')).toBe(false);
  });
});
