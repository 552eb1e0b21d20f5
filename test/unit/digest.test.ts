import { describe, expect, it } from 'vitest';
import { DEFAULT_POLICY } from '../../shared/index.js';
import type { FunctionFacts } from '../../shared/facts/functionFacts.js';
import { accountDigest, changeSince, deadlineStage, digestLine, groupByOwner, NO_OWNER, NOT_LISTED_OWNERS, ownerDigest, readAccountDigest, REMIND_AFTER_DAYS, STAGES, urgentBlock, type DigestEvent } from '../../shared/remediation/digest.js';
import { NOW } from '../helpers/fixtures.js';

const fn = (runtime: string, tier?: string): FunctionFacts => ({ name: 'checkout', runtime, packageType: 'Zip', tags: tier ? { 'runtime-warden:tier': tier } : {}, layers: [], qualifier: '$LATEST' });
const where = { accountId: '123456789012', region: 'eu-west-1' };
const DAY = 86_400_000;
const event = (i: number, owner = 'team-a'): DigestEvent => ({ functionKey: `123456789012/eu-west-1/fn-${i}`, owner, line: `- fn-${String(i).padStart(5, '0')}: RW004 runtime-deprecated; nodejs16.x: deprecated (new)`, recordedAt: NOW });

describe('digest decisions', () => {
  it.each([
    ['python3.13', undefined, 0],
    // nodejs16.x on 2026-11-23: deprecated 2024-06-12; creation blocked 2027-02-01, updates 2027-03-03.
    ['nodejs16.x', undefined, 2],
  ])('places %s (tier %s) at deadline stage %d', (runtime, tier, stage) => {
    expect(STAGES[deadlineStage(fn(runtime, tier), DEFAULT_POLICY, NOW)]).toBe(STAGES[stage]);
  });

  it('moves a runtime along the stages as AWS reaches each date', () => {
    const f = fn('nodejs16.x');
    expect(deadlineStage(f, DEFAULT_POLICY, Date.parse('2027-02-01T00:00:00Z'))).toBe(3);
    expect(deadlineStage(f, DEFAULT_POLICY, Date.parse('2027-03-03T00:00:00Z'))).toBe(4);
  });

  it('is urgent when an AWS block date still ahead falls inside the tier window, and only then', () => {
    // Creation blocked in 70 days: inside the critical tier's 180 days, outside the default tier's 30.
    expect(urgentBlock(fn('nodejs16.x', 'critical'), DEFAULT_POLICY, NOW)).toEqual({ what: 'function creation blocked', date: '2027-02-01', daysLeft: 70 });
    expect(urgentBlock(fn('nodejs16.x'), DEFAULT_POLICY, NOW)).toBeUndefined();
    // Once creation is blocked, the next block (updates, 28 days ahead) is the deadline.
    expect(urgentBlock(fn('nodejs16.x'), DEFAULT_POLICY, Date.parse('2027-02-03T12:00:00Z'))).toEqual({ what: 'function update blocked', date: '2027-03-03', daysLeft: 28 });
    expect(urgentBlock(fn('nodejs16.x'), DEFAULT_POLICY, Date.parse('2027-03-04T00:00:00Z'))).toBeUndefined();
  });

  it('announces a function new to the log, one closer to a deadline, one with other findings, and a reminder a week after it was listed; nothing else', () => {
    const state = { fingerprint: 'f1', stage: 2, recordedAt: NOW };
    expect(changeSince(undefined, 'f1', 2, NOW)).toBe('new');
    expect(changeSince(state, 'f1', 3, NOW + DAY)).toBe('closer to a deadline');
    expect(changeSince(state, 'f2', 2, NOW + DAY)).toBe('changed findings');
    expect(changeSince(state, 'f1', 2, NOW + DAY)).toBeUndefined();
    expect(changeSince(state, 'f1', 1, NOW + DAY)).toBeUndefined();
    expect(changeSince(state, 'f1', 2, NOW + REMIND_AFTER_DAYS * DAY - 1)).toBeUndefined();
    expect(changeSince(state, 'f1', 2, NOW + REMIND_AFTER_DAYS * DAY)).toBe('reminder');
  });

  it('groups by owner, with the functions that have no owner tag as an owner of their own', () => {
    const groups = groupByOwner([event(1, 'team-a'), event(2, ''), event(3, 'team-a')]);
    expect([...groups].map(([o, e]) => [o, e.length])).toEqual([
      ['team-a', 2],
      [NO_OWNER, 1],
    ]);
  });
});

describe('digest messages', () => {
  it("names every function of the owner, sorted, in one message with the owner's count", () => {
    const d = ownerDigest('team-a', [event(2), event(1)], where, '2026-11-24');
    expect(d.subject).toBe('[runtime-warden] digest 2026-11-24 team-a: 2 functions to upgrade');
    expect(d.message.split('\n').filter((l) => l.startsWith('- '))).toEqual([event(1).line, event(2).line]);
    expect(d).toMatchObject({ listed: 2, total: 2, attributes: { kind: 'digest', owner: 'team-a', functions: '2' } });
  });

  it("fits SNS's 256 KB: past it, as many lines as fit and how many more", () => {
    const events = Array.from({ length: 5000 }, (_, i) => event(i));
    const d = ownerDigest('team-a', events, where, '2026-11-24');
    const attributeBytes = Object.entries(d.attributes).reduce((s, [k, v]) => s + Buffer.byteLength(k + 'String' + v), 0);
    expect(Buffer.byteLength(d.message) + Buffer.byteLength(d.subject) + attributeBytes).toBeLessThanOrEqual(262_144);
    expect(d.listed).toBeGreaterThan(3000);
    expect(d.listed).toBeLessThan(5000);
    expect(d.message.split('\n').at(-1)).toBe(`... and ${5000 - d.listed} more (5000 in all; every one is in AWS Config's compliance results of the rule)`);
  });

  it('counts multi-byte characters as the bytes SNS counts', () => {
    const wide = Array.from({ length: 400 }, (_, i) => ({ ...event(i), line: `- fn-${i}: ${'é'.repeat(300)}` }));
    const d = ownerDigest('équipe', wide, where, '2026-11-24', 65_536);
    expect(Buffer.byteLength(d.message)).toBeLessThanOrEqual(65_536);
    expect(d.message.length).toBeLessThan(65_536 / 1.9);
    expect(d.subject).toBe('[runtime-warden] digest 2026-11-24 ?quipe: 400 functions to upgrade');
  });

  it("gives the central topic one message for the account: every owner with their count, then the functions", () => {
    const d = accountDigest(groupByOwner([event(1, 'team-b'), event(2, 'team-a'), event(3, 'team-b')]), where, '2026-11-24');
    expect(d.subject).toBe('[runtime-warden] digest 2026-11-24 account 123456789012 eu-west-1: 3 functions, 2 owners');
    expect(d.message).toContain('- team-a: 1 function\n- team-b: 2 functions');
    expect(d.message.split('\n').filter((l) => l.startsWith('- fn-'))).toEqual([`${event(2).line} owner team-a`, `${event(1).line} owner team-b`, `${event(3).line} owner team-b`]);
  });

  it('is read back as it was written: the counts per owner and every function, its stage and days left', () => {
    // Prepare: real digest lines (digestLine), owners with the characters that could confuse a reader
    const policyFn = fn('nodejs16.x', 'critical');
    const n = { subject: '[runtime-warden] NON_COMPLIANT checkout: RW004 runtime-deprecated', message: '', attributes: { severity: 'error', tier: 'critical', runtime: 'nodejs16.x', account: where.accountId, function: 'checkout' }, fingerprint: 'f' };
    const urgent = digestLine(n, policyFn, 2, 'new', urgentBlock(policyFn, DEFAULT_POLICY, NOW));
    const plain = digestLine({ ...n, subject: '[runtime-warden] NON_COMPLIANT other: RW004 x' }, fn('nodejs16.x'), 2, 'reminder', undefined);
    const owners = ['team-a', 'x: 2 functions', 'a owner team-a'];
    const events = [
      { ...event(1, owners[0]), line: urgent },
      { ...event(2, owners[1]), line: plain },
      { ...event(3, owners[2]), line: plain },
    ];
    const d = accountDigest(groupByOwner(events), where, '2026-11-24');
    // Act
    const back = readAccountDigest(d.attributes, d.message);
    // Assess
    expect(back).toEqual({
      account: where.accountId,
      region: where.region,
      day: '2026-11-24',
      total: 3,
      owners: new Map(owners.map((o) => [o, 1])),
      functions: expect.arrayContaining([
        { text: urgent.slice(2), owner: 'team-a', stage: 2, daysLeft: 70 },
        { text: plain.slice(2), owner: 'x: 2 functions', stage: 2 },
        { text: plain.slice(2), owner: 'a owner team-a', stage: 2 },
      ]),
    });
  });

  it('cuts a long owner list at half the room, and counts the owners cut as one, so the totals still add up', () => {
    const events = Array.from({ length: 3000 }, (_, i) => event(i, `team-${String(i).padStart(4, '0')}-${'x'.repeat(40)}`));
    const d = accountDigest(groupByOwner(events), where, '2026-11-24', 65_536);
    expect(Buffer.byteLength(d.message)).toBeLessThanOrEqual(65_536);
    const back = readAccountDigest(d.attributes, d.message);
    if (typeof back === 'string') throw new Error(back);
    const notListed = back.owners.get(NOT_LISTED_OWNERS)!;
    expect(notListed).toBeGreaterThan(0);
    expect(back.owners.size - 1 + notListed).toBe(3000);
    expect([...back.owners.values()].reduce((a, b) => a + b, 0)).toBe(3000);
    expect(back.functions.length).toBe(d.listed);
  });

  it.each([
    ['another kind', { kind: 'digest' }, /kind is "digest"/],
    ['no day', { day: undefined }, /day \(YYYY-MM-DD\)/],
    ['counts that do not add up', { functions: '4' }, /add up to 3, the functions attribute says 4/],
  ])('refuses %s', (_, change, reason) => {
    const d = accountDigest(groupByOwner([event(1), event(2), event(3, 'team-b')]), where, '2026-11-24');
    expect(readAccountDigest({ ...d.attributes, ...change }, d.message)).toMatch(reason);
  });

  it('refuses a body it did not write', () => {
    const d = accountDigest(groupByOwner([event(1)]), where, '2026-11-24');
    expect(readAccountDigest(d.attributes, 'hello')).toMatch(/no "By owner:" and "Functions:" sections/);
    expect(readAccountDigest(d.attributes, d.message.replace(/ owner team-a$/m, ' owner team-z'))).toMatch(/unreadable function line/);
  });
});
