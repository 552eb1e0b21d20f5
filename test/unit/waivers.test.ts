import { describe, expect, it } from 'vitest';
import { csvSafe, renderCsv } from '../../cli/reportFormats/tabular.js';
import { DEFAULT_POLICY, evaluate, parsePolicy, verdict, type FunctionFacts, type Policy } from '../../shared/index.js';
import { inventoryRow } from '../../shared/report/inventory.js';
import { appliedWaivers } from '../../shared/waivers/applied.js';
import { decide, moreLenient, tierAnnouncement, unclaim, waiverAnnouncement, withWaiverTagSince, type LedgerRecord } from '../../shared/waivers/announce.js';
import { activeWaivers, formatDigest } from '../../shared/waivers/digest.js';
import { facts as baseFacts, NOW } from '../helpers/fixtures.js';

const DAY = 86_400_000;
const ARN = 'arn:aws:lambda:eu-west-1:123456789012:function:orders-api';
const WAIVER = 'runtime-warden:waiver';
const TIER = 'runtime-warden:tier';
const facts = (o: Partial<FunctionFacts> = {}): FunctionFacts => baseFacts({ arn: ARN, runtime: 'nodejs16.x', ...o });
const tier = (p: Policy, name: string) => p.tiers.get(name)!;

/** One judgement as the Config rule makes it: the ledger's day filled in, evaluated, decided. */
function judge(f: FunctionFacts, record: LedgerRecord | undefined, policy = DEFAULT_POLICY, now = NOW) {
  const filled = withWaiverTagSince(f, record, policy, now);
  const findings = evaluate(filled, policy, now);
  return { filled, findings, compliance: verdict(findings).compliance, decision: decide(filled, findings, record, policy, now) };
}

/** The record as the ledger stores it after a write. */
const stored = (r: LedgerRecord): LedgerRecord => ({ ...r, revision: r.revision + 1 });

describe('the waiver ledger: first sighting and renewal', () => {
  it('records today as the first sighting of a waiver tag, and keeps that day however the tag changes', () => {
    // Prepare
    const tagged = facts({ tags: { [WAIVER]: '2026-12-31 upgrade planned' } });
    // Act
    const first = judge(tagged, undefined);
    const later = judge(facts({ tags: { [WAIVER]: '2027-01-15 still planned' } }), stored(first.decision.record), DEFAULT_POLICY, NOW + 30 * DAY);
    const untagged = judge(facts(), stored(later.decision.record), DEFAULT_POLICY, NOW + 31 * DAY);
    // Assess
    expect(first.filled.waiverTagSince).toBe('2026-11-23');
    expect(first.decision.record.waiverTagSince).toBe('2026-11-23');
    expect(later.decision.record.waiverTagSince).toBe('2026-11-23');
    expect(untagged.decision.record.waiverTagSince).toBe('2026-11-23');
    // No waiver tag, no record of one: nothing to fill.
    expect(withWaiverTagSince(facts(), undefined, DEFAULT_POLICY, NOW).waiverTagSince).toBeUndefined();
  });

  it('refuses a re-tagged waiver that reaches past maxDays from the first sighting, which the tag alone would allow', () => {
    // Prepare: first seen 2026-09-01; on 2026-11-23 the tag is renewed to 2027-02-15 (84 days ahead, within 90 of today).
    const record: LedgerRecord = { functionArn: ARN, functionName: 'orders-api', waiverTagSince: '2026-09-01', tier: 'non-critical', waivers: [], revision: 3 };
    const renewed = facts({ tags: { [WAIVER]: '2027-02-15 one more quarter' } });
    // Act
    const withLedger = judge(renewed, record);
    const withoutLedger = evaluate(renewed, DEFAULT_POLICY, NOW);
    // Assess
    expect(verdict(withoutLedger).compliance).toBe('COMPLIANT');
    expect(withLedger.compliance).toBe('NON_COMPLIANT');
    expect(withLedger.findings.find((f) => f.ruleId === 'RW015')!.message).toContain('more than 90 days after a waiver tag was first seen on this function (2026-09-01)');
    expect(withLedger.decision.newWaivers).toEqual([]);
  });
});

describe('the waiver ledger: what is announced', () => {
  it('reads tag and policy waivers, with the rules each downgrades, from the evaluation', () => {
    const policy = parsePolicy({ version: 1, waivers: [{ function: 'orders-api', expires: '2026-12-20', reason: 'billing migration', rules: ['RW008'] }] });
    const f = facts({ updateMode: 'Manual', runtimeVersionArn: 'arn:aws:lambda:eu-west-1::runtime:abc', tags: { [WAIVER]: '2026-12-31 upgrade planned: see TICKET-1' } });
    // Act
    const applied = appliedWaivers(evaluate(withWaiverTagSince(f, undefined, policy, NOW), policy, NOW));
    // Assess
    expect(applied).toEqual([
      { id: 'policy orders-api 2026-12-20', source: 'policy', waiver: 'orders-api', expires: '2026-12-20', reason: 'billing migration', rules: ['RW008'] },
      { id: 'tag 2026-12-31 upgrade planned: see TICKET-1', source: 'tag', expires: '2026-12-31', reason: 'upgrade planned: see TICKET-1', rules: ['RW004'] },
    ]);
  });

  it('announces a waiver once: not again when judged again, nor when its tag is removed and set again; a new expiry is a new waiver', () => {
    const tagged = facts({ tags: { [WAIVER]: '2026-12-31 upgrade planned' } });
    // Act
    const first = judge(tagged, undefined);
    const again = judge(tagged, stored(first.decision.record));
    const removed = judge(facts(), stored(again.decision.record), DEFAULT_POLICY, NOW + DAY);
    const back = judge(tagged, stored(removed.decision.record), DEFAULT_POLICY, NOW + 2 * DAY);
    const renewed = judge(facts({ tags: { [WAIVER]: '2027-01-20 upgrade planned' } }), stored(back.decision.record), DEFAULT_POLICY, NOW + 3 * DAY);
    // Assess
    expect(first.decision.newWaivers.map((w) => w.id)).toEqual(['tag 2026-12-31 upgrade planned']);
    expect(again.decision).toMatchObject({ changed: false, newWaivers: [] });
    expect(removed.decision.record.waivers).toMatchObject([{ id: 'tag 2026-12-31 upgrade planned', active: false }]);
    expect(back.decision.newWaivers).toEqual([]);
    expect(back.decision.record.waivers).toMatchObject([{ active: true, announcedOn: '2026-11-23' }]);
    expect(renewed.decision.newWaivers.map((w) => w.id)).toEqual(['tag 2027-01-20 upgrade planned']);
  });

  it('forgets a waiver once it has expired', () => {
    const first = judge(facts({ tags: { [WAIVER]: '2026-11-30 short' } }), undefined);
    const after = judge(facts({ tags: { [WAIVER]: '2026-11-30 short' } }), stored(first.decision.record), DEFAULT_POLICY, Date.parse('2026-12-01T00:00:00Z'));
    expect(first.decision.record.waivers).toHaveLength(1);
    expect(after.decision.record.waivers).toEqual([]);
    expect(after.findings.map((f) => f.ruleId)).toContain('RW014');
  });

  it('gives a claim back when its announcement failed, so the next judgement announces it again', () => {
    const previous: LedgerRecord = { functionArn: ARN, functionName: 'orders-api', tier: 'critical', tierTag: 'critical', waivers: [], revision: 1 };
    const lowered = judge(facts({ tags: { [TIER]: 'non-critical', [WAIVER]: '2026-12-31 upgrade planned' } }), previous);
    const written = stored({ ...lowered.decision.record, revision: previous.revision });
    // Act
    const back = unclaim(written, lowered.decision, new Set(['tag 2026-12-31 upgrade planned']), true, previous, NOW);
    const retry = judge(facts({ tags: { [TIER]: 'non-critical', [WAIVER]: '2026-12-31 upgrade planned' } }), back);
    // Assess
    expect(back).toMatchObject({ tier: 'critical', tierTag: 'critical', waivers: [] });
    expect(retry.decision.newWaivers).toHaveLength(1);
    expect(retry.decision.tierLowered).toBeDefined();
  });
});

describe('the waiver ledger: tiers', () => {
  it('orders tiers by upgrade lead, then redeploy bound, then the laxest update mode allowed', () => {
    const p = parsePolicy({
      version: 1,
      tiers: {
        definitions: {
          critical: { allowedUpdateModes: ['Manual', 'FunctionUpdate'], upgradeLeadDays: 180, redeployWithinDays: 30 },
          important: { allowedUpdateModes: ['FunctionUpdate', 'Auto'], upgradeLeadDays: 90, redeployWithinDays: 90 },
          'non-critical': { allowedUpdateModes: ['Auto'], upgradeLeadDays: 30 },
          'auto-only': { allowedUpdateModes: ['Auto'], upgradeLeadDays: 90, redeployWithinDays: 90 },
          pinnable: { allowedUpdateModes: ['Auto', 'Manual'], upgradeLeadDays: 90, redeployWithinDays: 90 },
          'same-as-important': { allowedUpdateModes: ['Auto', 'FunctionUpdate'], upgradeLeadDays: 90, redeployWithinDays: 90 },
        },
      },
    });
    expect(moreLenient(tier(p, 'non-critical'), tier(p, 'critical'))).toBe(true);
    expect(moreLenient(tier(p, 'important'), tier(p, 'critical'))).toBe(true);
    expect(moreLenient(tier(p, 'non-critical'), tier(p, 'important'))).toBe(true);
    expect(moreLenient(tier(p, 'critical'), tier(p, 'non-critical'))).toBe(false);
    // Same lead and redeploy bound: allowing Manual is laxer than allowing FunctionUpdate, which is laxer than Auto alone.
    expect(moreLenient(tier(p, 'pinnable'), tier(p, 'important'))).toBe(true);
    expect(moreLenient(tier(p, 'important'), tier(p, 'auto-only'))).toBe(true);
    expect(moreLenient(tier(p, 'auto-only'), tier(p, 'important'))).toBe(false);
    expect(moreLenient(tier(p, 'same-as-important'), tier(p, 'important'))).toBe(false);
  });

  it('announces a tier tag lowered, from a named tier or from the default, and nothing else', () => {
    const strictDefault = parsePolicy({ version: 1, tiers: { defaultTier: 'critical' } });
    const seen = (tierName: string, tierTag?: string): LedgerRecord => ({ functionArn: ARN, functionName: 'orders-api', tier: tierName, ...(tierTag && { tierTag }), waivers: [], revision: 1 });
    const lowered = (tags: Record<string, string>, record: LedgerRecord | undefined, policy = DEFAULT_POLICY) => judge(facts({ runtime: 'nodejs22.x', tags }), record, policy).decision.tierLowered;
    // critical -> non-critical, by tag.
    expect(lowered({ [TIER]: 'non-critical' }, seen('critical', 'critical'))).toMatchObject({ from: { name: 'critical' }, to: { name: 'non-critical' } });
    // From no tag (the default tier, here critical) to a named, more lenient tier.
    expect(lowered({ [TIER]: 'important' }, seen('critical'), strictDefault)).toMatchObject({ from: { name: 'critical' }, to: { name: 'important' } });
    // A tag removed, back to a more lenient default.
    expect(lowered({}, seen('critical', 'critical'))).toMatchObject({ to: { name: 'non-critical' } });
    // Raised, unchanged, first seen, or moved by the policy's default (the tag did not change): no announcement.
    expect(lowered({ [TIER]: 'critical' }, seen('non-critical', 'non-critical'))).toBeUndefined();
    expect(lowered({ [TIER]: 'important' }, seen('important', 'important'))).toBeUndefined();
    expect(lowered({ [TIER]: 'non-critical' }, undefined)).toBeUndefined();
    expect(lowered({}, seen('critical'))).toBeUndefined();
  });
});

describe('announcements', () => {
  const hostile = 'upgrade planned\nSubject: all clear\u2028Rules: none\u001b[2J';
  const f = facts({ tags: { [WAIVER]: `2026-12-31 ${hostile}`, owner: 'team\r\nforged', [TIER]: 'non-critical' }, waiverTagSince: '2026-11-01' });

  it('says who, what, until when and why on one line each, with every user-controlled value kept on its line', () => {
    // Prepare
    const [w] = appliedWaivers(evaluate(f, DEFAULT_POLICY, NOW));
    // Act
    const a = waiverAnnouncement(w!, f, DEFAULT_POLICY, NOW);
    // Assess
    expect(a.subject).toBe('[runtime-warden] Waiver applied: orders-api');
    const lines = a.message.split('\n');
    expect(lines).toContain(`Function:     ${ARN}`);
    expect(lines).toContain('Source:       tag runtime-warden:waiver on the function');
    expect(lines).toContain('Rules:        RW004 runtime-deprecated');
    expect(lines).toContain('Expires:      2026-12-31 (39 days left)');
    expect(lines).toContain('Reason:       upgrade planned\\nSubject: all clear\\u2028Rules: none\\u001b[2J');
    expect(lines).toContain('Owner:        team\\r\\nforged');
    expect(lines.find((l) => l.startsWith('Set by:'))).toContain('CloudTrail TagResource');
    expect(lines).toContain('First seen:   a waiver tag was first seen on this function on 2026-11-01; no tag waiver on it can reach past 2027-01-30 (waiverTag.maxDays 90)');
    expect(a.message).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u2028\u2029]/);
    expect(a.attributes).toEqual({ kind: 'waiver-applied', account: '123456789012', function: 'orders-api' });
  });

  it('names the tiers before and after in a lowered tier announcement, in a subject SNS accepts', () => {
    const a = tierAnnouncement(tier(DEFAULT_POLICY, 'critical'), tier(DEFAULT_POLICY, 'non-critical'), 'critical', f, DEFAULT_POLICY);
    expect(a.subject).toBe('[runtime-warden] Tier lowered: orders-api critical -> non-critical');
    expect(a.message.split('\n')).toEqual(
      expect.arrayContaining([
        'Tier tag:     runtime-warden:tier is "non-critical", was "critical"',
        'Before:       critical: upgrade at least 180 days before deprecation; redeploy within 30 days; update modes Manual, FunctionUpdate',
        'Now:          non-critical: upgrade at least 30 days before deprecation; no redeploy bound; update modes Auto',
      ]),
    );
    // Long tier names: still under SNS's 100 characters, printable ASCII.
    const long = parsePolicy({ version: 1, tiers: { defaultTier: 'a', definitions: { ['x'.repeat(64)]: { allowedUpdateModes: ['Auto'], upgradeLeadDays: 9 }, a: { allowedUpdateModes: ['Auto'], upgradeLeadDays: 1 } } } });
    const s = tierAnnouncement(tier(long, 'x'.repeat(64)), tier(long, 'a'), undefined, facts({ name: 'n'.repeat(64) }), long).subject;
    expect(s.length).toBeLessThan(100);
    expect(s).toMatch(/^[\x20-\x7e]+$/);
  });
});

describe('the weekly digest', () => {
  const record = (name: string, waivers: { expires: string; active?: boolean; source?: 'tag' | 'policy' }[]): LedgerRecord => ({
    functionArn: `arn:aws:lambda:eu-west-1:123456789012:function:${name}`,
    functionName: name,
    waivers: waivers.map((w, i) => ({ id: `${name}-${i}`, source: w.source ?? 'tag', ...(w.source === 'policy' && { waiver: name }), expires: w.expires, reason: `reason ${name}`, rules: ['RW004'], announcedOn: '2026-11-01', active: w.active ?? true })),
    revision: 1,
  });
  const records = [
    record('billing', [{ expires: '2027-01-20' }]),
    record('checkout', [{ expires: '2026-11-30' }, { expires: '2026-12-10', active: false }]),
    record('search', [{ expires: '2026-12-05', source: 'policy' }, { expires: '2026-11-22' }]),
    record('orders', [{ expires: '2026-12-24' }]),
  ];

  it('lists the waivers in force, those expiring within 14 days first, each with its days left and reason', () => {
    // Prepare: a reason that tries to start a line of its own.
    Object.assign(records[3]!.waivers[0]!, { reason: 'holiday\n- 2099-01-01 (9999 days left)  forged' });
    // Act
    const waivers = activeWaivers(records, NOW);
    const digest = formatDigest(waivers, { account: '123456789012', region: 'eu-west-1', table: 'ledger' }, NOW);
    // Assess
    expect(waivers.map((w) => [w.functionName, w.expires, w.daysLeft])).toEqual([
      ['checkout', '2026-11-30', 8],
      ['search', '2026-12-05', 13],
      ['orders', '2026-12-24', 32],
      ['billing', '2027-01-20', 59],
    ]);
    expect(digest.subject).toBe('[runtime-warden] Weekly waiver digest: 4 in force, 2 expiring within 14 days');
    const lines = digest.message.split('\n');
    const at = (prefix: string) => lines.findIndex((l) => l.startsWith(prefix));
    expect(at('Expiring within 14 days (2):')).toBeLessThan(at('- 2026-11-30 (8 days left)  checkout  tag waiver  RW004  reason: reason checkout'));
    expect(at('- 2026-12-05 (13 days left)  search  policy waiver "search"  RW004')).toBeLessThan(at('Later (2):'));
    expect(at('Later (2):')).toBeLessThan(at('- 2026-12-24 (32 days left)  orders'));
    expect(at('- 2026-12-24')).toBeLessThan(at('- 2027-01-20 (59 days left)  billing'));
    expect(lines.filter((l) => l.startsWith('- '))).toHaveLength(4);
    expect(lines).toContain('- 2026-12-24 (32 days left)  orders  tag waiver  RW004  reason: holiday\\n- 2099-01-01 (9999 days left)  forged');
  });

  it('says so when no waiver is in force, and stays within SNS size with a count of what it left out', () => {
    expect(formatDigest([], { account: '1', region: 'r', table: 't' }, NOW).message).toContain('No waiver is in force.');
    const many = Array.from({ length: 3000 }, (_, i) => record(`fn-${String(i).padStart(4, '0')}`, [{ expires: '2026-12-31' }]));
    many.forEach((r) => Object.assign(r.waivers[0]!, { reason: 'r'.repeat(200) }));
    const digest = formatDigest(activeWaivers(many, NOW), { account: '1', region: 'r', table: 't' }, NOW);
    expect(Buffer.byteLength(digest.message)).toBeLessThanOrEqual(262_144);
    const listed = digest.message.split('\n').filter((l) => l.startsWith('- ')).length;
    expect(listed).toBeGreaterThan(100);
    expect(digest.message).toContain(`... and ${3000 - listed} more`);
  });
});

describe('CSV cells', () => {
  it('puts a quote before a cell a spreadsheet would read as a formula, and leaves numbers and other text alone', () => {
    expect(['=HYPERLINK("x")', '+1', '-2+3', '@SUM(A1)', '\tx', '\rx'].map(csvSafe)).toEqual(["'=HYPERLINK(\"x\")", "'+1", "'-2+3", "'@SUM(A1)", "'\tx", "'\rx"]);
    expect([-30, 12, 'team-payments', 'a=b', '', null].map(csvSafe)).toEqual(['-30', '12', 'team-payments', 'a=b', '', '']);
  });

  it('neutralises the owner tag and the waiver reason of a row, and keeps the waiver column', () => {
    const row = inventoryRow(facts({ tags: { owner: '=cmd|/c calc', [WAIVER]: '2026-12-31 -1+1 looks like a formula' } }), DEFAULT_POLICY, NOW);
    const csv = renderCsv({ rows: [row], now: new Date(NOW), policy: 'p', catalog: DEFAULT_POLICY.base.origin, source: 's', version: '0', leadTimes: '' });
    const [header, line] = csv.trimEnd().split('\r\n');
    const cells = line!.split(',');
    const col = (name: string) => cells[header!.split(',').indexOf(name)];
    expect(col('owner')).toBe("'=cmd|/c calc");
    expect(col('waivers')).toBe('tag waiver set by whoever tagged the function (CloudTrail: TagResource): RW004 until 2026-12-31 (39 days left): -1+1 looks like a formula');
    expect(row.waivers).toEqual([{ source: 'tag', setBy: 'whoever tagged the function (CloudTrail: TagResource)', rules: ['RW004'], expires: '2026-12-31', daysLeft: 39, reason: '-1+1 looks like a formula' }]);
  });
});
