import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_POLICY, parsePolicy, PolicyValidationError } from '../../shared/index.js';
import { parsePolicyText } from '../../shared/policy/policyText.js';
import { ROOT } from '../helpers/fixtures.js';

function issuesOf(fn: () => unknown): readonly string[] {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(PolicyValidationError);
    return (err as PolicyValidationError).issues;
  }
  throw new Error('expected a PolicyValidationError');
}

describe('policy document', () => {
  it('ships a default policy after the seed guidance', () => {
    const { document, tiers, defaultTier } = DEFAULT_POLICY;
    expect(document.approvedRuntimes).toBeUndefined();
    expect(document.tiers.tagKey).toBe('runtime-warden:tier');
    expect(defaultTier.name).toBe('non-critical');
    expect(tiers.get('critical')).toMatchObject({ allowedUpdateModes: ['Manual', 'FunctionUpdate'], upgradeLeadDays: 180 });
    expect(tiers.get('important')).toMatchObject({ allowedUpdateModes: ['FunctionUpdate', 'Auto'], upgradeLeadDays: 90 });
    expect(tiers.get('non-critical')).toMatchObject({ allowedUpdateModes: ['Auto'], upgradeLeadDays: 30, preferredUpdateMode: 'Auto' });
    expect(document.waiverTag.key).toBe('runtime-warden:waiver');
  });

  it('parses the example policy of the README', () => {
    const policy = parsePolicyText(readFileSync(join(ROOT, 'examples', 'policy.yaml'), 'utf8'));
    expect(policy.document.approvedRuntimes).toContain('python3.13');
    expect(policy.waivers[0]).toMatchObject({ function: 'legacy-billing-*', match: 'glob', account: '123456789012', rules: ['RW004', 'RW003'] });
    expect(policy.waivers[0]!.matches({ name: 'legacy-billing-export' })).toBe(true);
  });

  it('reads JSON as well as YAML', () => {
    expect(parsePolicyText('{"version": 1, "deniedRuntimes": ["nodejs20.x"]}').isDenied('nodejs20.x')).toBe(true);
  });

  it('names the bad field of an invalid document', () => {
    expect(issuesOf(() => parsePolicy({ version: 1, tiers: { definitions: { critical: { allowedUpdateModes: ['Sometimes'], upgradeLeadDays: -1 } } } }))).toEqual([
      expect.stringMatching(/^tiers\.definitions\.critical\.allowedUpdateModes\.0: /),
      expect.stringMatching(/^tiers\.definitions\.critical\.upgradeLeadDays: /),
    ]);
  });

  it('requires the default tier to be defined', () => {
    const critical = { allowedUpdateModes: ['Manual'], upgradeLeadDays: 180 };
    expect(issuesOf(() => parsePolicy({ version: 1, tiers: { definitions: { critical } } }))).toEqual([
      'tiers.defaultTier: defaultTier must name one of the tier definitions',
    ]);
  });

  it.each([
    [{}, /^version: /],
    [{ version: 2 }, /^version: /],
    [{ version: 1, approvedRuntimes: ['Node 22'] }, /^approvedRuntimes\.0: must be a Lambda runtime identifier/],
    [{ version: 1, waivers: [{ function: 'x', expires: '2026-02-30', reason: 'r' }] }, /^waivers\.0\.expires: is not a calendar date/],
    [{ version: 1, waivers: [{ function: 'x', expires: '2026-12-01' }] }, /^waivers\.0\.reason: /],
    [{ version: 1, waivers: [{ function: 'x', expires: '2026-12-01', reason: 'r', account: '12' }] }, /^waivers\.0\.account: must be a 12-digit/],
    [{ version: 1, approvedRuntimes: ['nodejs22.x'], deniedRuntimes: ['nodejs22.x'] }, /^deniedRuntimes: runtimes both approved and denied: nodejs22\.x/],
    [{ version: 1, manualPinMaxAgeDays: 'thirty' }, /^manualPinMaxAgeDays: /],
    [{ version: 1, approvedRuntime: ['nodejs22.x'] }, /^\(document\): .*approvedRuntime/],
    [{ version: 1, tiers: { definitions: { gold: { allowedUpdateModes: ['Auto'], preferredUpdateMode: 'Manual', upgradeLeadDays: 1 } }, defaultTier: 'gold' } }, /^tiers\.definitions\.gold\.preferredUpdateMode: /],
  ])('rejects %j', (doc, issue) => {
    expect(issuesOf(() => parsePolicy(doc))).toContainEqual(expect.stringMatching(issue));
  });

  it('stores tier names in lower case, so a tag of any case finds them', () => {
    const policy = parsePolicy({ version: 1, tiers: { defaultTier: 'Gold', definitions: { Gold: { allowedUpdateModes: ['Auto'], upgradeLeadDays: 1 } } } });
    expect([...policy.tiers.keys()]).toEqual(['gold']);
    expect(policy.defaultTier.name).toBe('gold');
  });

  it.each([
    [{ defaultTier: 'constructor', definitions: { gold: { allowedUpdateModes: ['Auto'], upgradeLeadDays: 1 } } }, /^tiers\.defaultTier: is a reserved word/],
    [{ defaultTier: '__proto__', definitions: { gold: { allowedUpdateModes: ['Auto'], upgradeLeadDays: 1 } } }, /^tiers\.defaultTier: must be 1-64 letters/],
    [{ defaultTier: 'toString', definitions: { gold: { allowedUpdateModes: ['Auto'], upgradeLeadDays: 1 } } }, /^tiers\.defaultTier: is a reserved word/],
    [{ defaultTier: 'gold', definitions: { gold: { allowedUpdateModes: ['Auto'], upgradeLeadDays: 1 }, 'team/payments': { allowedUpdateModes: ['Auto'], upgradeLeadDays: 1 } } }, /^tiers\.definitions\.team\/payments: must be 1-64 letters/],
    [{ defaultTier: 'gold', definitions: { gold: { allowedUpdateModes: ['Auto'], upgradeLeadDays: 1 }, 'a>>b': { allowedUpdateModes: ['Auto'], upgradeLeadDays: 1 } } }, /^tiers\.definitions\.a>>b: must be 1-64 letters/],
    [{ defaultTier: 'gold', definitions: { gold: { allowedUpdateModes: ['Auto'], upgradeLeadDays: 1 }, GOLD: { allowedUpdateModes: ['Auto'], upgradeLeadDays: 1 } } }, /^tiers\.definitions: tier names differ only in case: gold/],
    [{ defaultTier: 'silver', definitions: { gold: { allowedUpdateModes: ['Auto'], upgradeLeadDays: 1 } } }, /^tiers\.defaultTier: defaultTier must name one of the tier definitions/],
  ])('refuses the tiers %j', (tiers, issue) => {
    expect(issuesOf(() => parsePolicy({ version: 1, tiers }))).toContainEqual(expect.stringMatching(issue));
  });

  it('reports text that is neither JSON nor YAML, naming its source', () => {
    expect(() => parsePolicyText('version: [1', 'policy in SSM parameter /rw/policy')).toThrow(/Invalid policy in SSM parameter \/rw\/policy: not valid JSON or YAML/);
  });

  it('refuses YAML alias bombs instead of expanding them', () => {
    const bomb = ['version: 1', 'a: &a ["x","x","x","x","x","x","x","x","x","x"]', ...'bcdefghij'.split('').map((c, i) => `${c}: &${c} [${Array(10).fill(`*${'abcdefghij'[i]}`).join(',')}]`)].join('\n');
    expect(() => parsePolicyText(bomb)).toThrow(/not valid JSON or YAML: .*[Aa]lias/);
  });

  it('applies catalog overrides to the compiled policy only', () => {
    const policy = parsePolicy({ version: 1, catalogOverrides: [{ id: 'nodejs28.x', deprecation: null }] });
    expect(policy.catalog.has('nodejs28.x')).toBe(true);
    expect(DEFAULT_POLICY.catalog.has('nodejs28.x')).toBe(false);
  });
});
