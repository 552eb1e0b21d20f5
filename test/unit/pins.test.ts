import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_POLICY, evaluate, parsePolicy, type FunctionFacts } from '../../shared/index.js';
import { parseRollbackTag, ROLLBACK_FROM_TAG, ROLLBACK_TAG, planRollback } from '../../shared/remediation/rollback.js';
import { inventoryRow } from '../../shared/report/inventory.js';
import { describeAge, describeLimit, pinRows } from '../../shared/report/pins.js';
import { facts, NOW } from '../helpers/fixtures.js';

// The report's pins (issue #24): every Manual pin with the version it holds, its age from the
// rollback tag, who and why, and the days before RW010's limit - which must agree with RW010.

const A = 'arn:aws:lambda:eu-west-1::runtime:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa';
const B = 'arn:aws:lambda:eu-west-1::runtime:bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb';
const DAY = 86_400_000;
const iso = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
const rowsOf = (fs: readonly FunctionFacts[]) => pinRows(fs, fs.map((f) => inventoryRow(f, DEFAULT_POLICY, NOW)), DEFAULT_POLICY.document.manualPinMaxAgeDays, NOW);

describe('parseRollbackTag', () => {
  it('reads back what rollback writes: when, who and why, a colon in the reason kept', () => {
    const plan = planRollback({ functionName: 'pdf', current: { updateMode: 'Auto', runtimeVersionArn: B }, history: [{ arn: A, atMs: NOW - 9 * DAY }, { arn: B, atMs: NOW - DAY }], reason: 'pdf: rendering broke', by: 'alice', nowMs: NOW });
    expect(parseRollbackTag(plan.tags[ROLLBACK_TAG]!)).toEqual({ at: '2026-11-23T12:00:00Z', by: 'alice', reason: 'pdf: rendering broke' });
  });

  it('keeps a tag of another form whole, as the reason, with no instant', () => {
    expect(parseRollbackTag('pinned by hand last week')).toEqual({ reason: 'pinned by hand last week' });
    expect(parseRollbackTag('2026-13-45T99:00:00Z by bob: x')).toEqual({ reason: '2026-13-45T99:00:00Z by bob: x' });
    expect(parseRollbackTag('2026-11-01T00:00:00Z no author')).toEqual({ at: '2026-11-01T00:00:00Z', reason: 'no author' });
  });
});

describe('pinRows', () => {
  it('lists a Manual function with its version, its age from the tag, who and why, and the days to the limit', () => {
    const pinned = facts({ name: 'pdf', updateMode: 'Manual', runtimeVersionArn: A, lastModified: iso(NOW - 2 * DAY), tags: { [ROLLBACK_TAG]: `${iso(NOW - 12 * DAY)} by alice: pdf rendering broke`, [ROLLBACK_FROM_TAG]: B, owner: 'team-docs' } });
    const [p, ...rest] = rowsOf([pinned, facts({ name: 'auto' })]);
    expect(rest).toEqual([]);
    expect(p).toMatchObject({ name: 'pdf', known: 'mode', runtimeVersionArn: A, rolledBackFrom: B, pinnedAt: iso(NOW - 12 * DAY), pinnedBy: 'alice', reason: 'pdf rendering broke', ageDays: 12, ruleAgeDays: 12, maxAgeDays: 30, daysToLimit: 18 });
    expect([describeAge(p!), describeLimit(p!)]).toEqual(['12 days', '18 days left of 30']);
  });

  it('says the age is unknown without a rollback tag, and counts the limit from the last deploy as RW010 does', () => {
    const [p] = rowsOf([facts({ name: 'by-hand', updateMode: 'Manual', runtimeVersionArn: A, lastModified: iso(NOW - 40 * DAY) })]);
    expect(p).toMatchObject({ ageDays: null, pinnedAt: null, ruleAgeDays: 40, daysToLimit: -10 });
    expect([describeAge(p!), describeLimit(p!)]).toEqual(['unknown: no rollback tag', '10 days over the 30 allowed (RW010)']);
    const [q] = rowsOf([facts({ name: 'no-dates', updateMode: 'Manual', runtimeVersionArn: A })]);
    expect(describeLimit(q!)).toBe('unknown (limit 30 days; no rollback tag, last deploy not known)');
  });

  it('where the mode was not read, lists a function the rollback tag says is pinned, without a version; a mode read as Auto is no pin', () => {
    const tag = { [ROLLBACK_TAG]: `${iso(NOW - 3 * DAY)} by bob: broke` };
    const { updateMode: _, ...unread } = facts({ name: 'from-config', tags: tag });
    const out = rowsOf([unread, facts({ name: 'undone-by-hand', updateMode: 'Auto', tags: tag }), { ...unread, name: 'image', packageType: 'Image' }]);
    expect(out.map((p) => [p.name, p.known, p.runtimeVersionArn, p.ageDays])).toEqual([['from-config', 'tag', null, 3]]);
  });

  it('puts the pin closest to its limit first, unknown ages last', () => {
    const pin = (name: string, days?: number): FunctionFacts => facts({ name, updateMode: 'Manual', runtimeVersionArn: A, tags: days === undefined ? {} : { [ROLLBACK_TAG]: `${iso(NOW - days * DAY)} by x: y` } });
    expect(rowsOf([pin('young', 1), pin('unknown'), pin('old', 50), pin('middle', 20)]).map((p) => p.name)).toEqual(['old', 'middle', 'young', 'unknown']);
  });

  it('is past its limit exactly when RW010 fires, whatever the tag, the last deploy and the limit (class property)', () => {
    const instant = fc.option(fc.integer({ min: -5, max: 400 }).map((d) => iso(NOW - d * DAY - 3_600_000)), { nil: undefined });
    fc.assert(
      fc.property(instant, instant, fc.integer({ min: 1, max: 365 }), (tagAt, deployedAt, max) => {
        const policy = parsePolicy({ version: 1, manualPinMaxAgeDays: max });
        const f = facts({ updateMode: 'Manual', runtimeVersionArn: A, ...(deployedAt && { lastModified: deployedAt }), tags: tagAt ? { [ROLLBACK_TAG]: `${tagAt} by x: y` } : {} });
        const [p] = pinRows([f], [inventoryRow(f, policy, NOW)], max, NOW);
        const fires = evaluate(f, policy, NOW).some((x) => x.ruleId === 'RW010');
        expect(p!.daysToLimit !== null && p!.daysToLimit < 0).toBe(fires);
      }),
    );
  });
});
