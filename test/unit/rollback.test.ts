import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_POLICY, evaluate } from '../../shared/index.js';
import { parseInitStart, planRollback, planUndo, RollbackRefused, tagValue, versionTimeline, ROLLBACK_FROM_TAG, ROLLBACK_TAG } from '../../shared/remediation/rollback.js';
import { facts, NOW } from '../helpers/fixtures.js';

const A = 'arn:aws:lambda:eu-west-1::runtime:aaaa1111aaaa1111aaaa1111aaaa1111aaaa1111aaaa1111aaaa1111aaaa1111';
const B = 'arn:aws:lambda:eu-west-1::runtime:bbbb2222bbbb2222bbbb2222bbbb2222bbbb2222bbbb2222bbbb2222bbbb2222';
const C = 'arn:aws:lambda:eu-west-1::runtime:cccc3333cccc3333cccc3333cccc3333cccc3333cccc3333cccc3333cccc3333';
const H = 3_600_000;
const base = { functionName: 'orders-api', reason: 'pdf rendering broke after the runtime update', by: 'alice', nowMs: NOW };
const tier = (name: string) => DEFAULT_POLICY.tiers.get(name)!;

describe('INIT_START lines', () => {
  it("read as Lambda writes them (the Developer Guide's example, tab-separated)", () => {
    expect(parseInitStart('INIT_START Runtime Version: python:3.13.v14\tRuntime Version ARN: arn:aws:lambda:eu-south-1::runtime:7b620fc2e66107a1046b140b9d320295811af3ad5d4c6a011fad1fa65127e9e6I')).toEqual({
      version: 'python:3.13.v14',
      arn: 'arn:aws:lambda:eu-south-1::runtime:7b620fc2e66107a1046b140b9d320295811af3ad5d4c6a011fad1fa65127e9e6I',
    });
    expect(parseInitStart(`INIT_START Runtime Version: nodejs:22.v41    Runtime Version ARN: ${A}\n`)).toEqual({ version: 'nodejs:22.v41', arn: A });
  });
  it('refuse what is not one', () => {
    // LogFormat JSON: the platform.initStart system log event.
    const json = { time: '2026-11-23T10:00:00.000Z', type: 'platform.initStart', record: { initializationType: 'on-demand', phase: 'init', runtimeVersion: 'nodejs:22.v41', runtimeVersionArn: A, functionName: 'pdf-render', functionVersion: '$LATEST' } };
    expect(parseInitStart(JSON.stringify(json))).toEqual({ version: 'nodejs:22.v41', arn: A });
    expect(parseInitStart(JSON.stringify({ ...json, type: 'platform.start' }))).toBeUndefined();
    expect(parseInitStart(JSON.stringify({ ...json, record: { ...json.record, runtimeVersionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:x' } }))).toBeUndefined();
    expect(parseInitStart('{"type": "platform.initStart", "record": null}')).toBeUndefined();
    expect(parseInitStart('{not json')).toBeUndefined();
    expect(parseInitStart('START RequestId: 1 Version: $LATEST')).toBeUndefined();
    expect(parseInitStart('INIT_START Runtime Version: nodejs:22.v41 Runtime Version ARN: arn:aws:lambda:eu-west-1:123456789012:function:x')).toBeUndefined();
    fc.assert(fc.property(fc.string(), (s) => void parseInitStart(s)));
  });
});

describe('the version timeline', () => {
  it('keeps each change once, oldest first, naming Config records from log lines', () => {
    const t = versionTimeline([{ arn: B, version: 'nodejs:22.v42', atMs: 3 * H }, { arn: A, atMs: 1 * H }, { arn: A, version: 'nodejs:22.v41', atMs: 2 * H }, { arn: B, atMs: 4 * H }]);
    expect(t).toEqual([{ arn: A, version: 'nodejs:22.v41', atMs: H }, { arn: B, version: 'nodejs:22.v42', atMs: 3 * H }]);
  });
});

describe('planRollback', () => {
  it('pins the version before the current one, tags when, who and why, and says so', () => {
    const plan = planRollback({ ...base, current: { updateMode: 'Auto' }, history: [{ arn: A, version: 'nodejs:22.v41', atMs: NOW - 48 * H }, { arn: B, version: 'nodejs:22.v42', atMs: NOW - 2 * H }] });
    expect(plan.put).toEqual({ UpdateRuntimeOn: 'Manual', RuntimeVersionArn: A });
    expect(plan.tags).toEqual({ [ROLLBACK_TAG]: '2026-11-23T12:00:00Z by alice: pdf rendering broke after the runtime update', [ROLLBACK_FROM_TAG]: B });
    expect(plan.description).toBe(
      `Pin orders-api to runtime version nodejs:22.v41 (…${A.slice(-12)}) (Manual), off nodejs:22.v42 (…${B.slice(-12)}), was Auto. Tag runtime-warden:rollback="2026-11-23T12:00:00Z by alice: pdf rendering broke after the runtime update". A pin misses security patches: fix the code, then run rollback --undo.`,
    );
  });

  it('goes back from the version Lambda reports in use, not merely the last seen', () => {
    const history = [{ arn: A, atMs: 1 }, { arn: B, atMs: 2 }, { arn: C, atMs: 3 }];
    expect(planRollback({ ...base, current: { updateMode: 'Auto', runtimeVersionArn: B }, history }).put.RuntimeVersionArn).toBe(A);
  });

  it('pins what --to names, without needing history', () => {
    expect(planRollback({ ...base, current: { updateMode: 'Auto' }, history: [], to: C }).put).toEqual({ UpdateRuntimeOn: 'Manual', RuntimeVersionArn: C });
  });

  it('refuses, saying what to do: no history, one version only, a bad --to, no reason, already pinned', () => {
    const refused = (r: Parameters<typeof planRollback>[0]): string => {
      try {
        planRollback(r);
      } catch (e) {
        expect(e).toBeInstanceOf(RollbackRefused);
        return (e as Error).message;
      }
      throw new Error('planned');
    };
    expect(refused({ ...base, current: { updateMode: 'Auto' }, history: [] })).toBe('No runtime version of orders-api is known (no INIT_START line, no Config record): pass --to ARN.');
    expect(refused({ ...base, current: { updateMode: 'Auto' }, history: [{ arn: A, version: 'nodejs:22.v41', atMs: 1 }] })).toMatch(/has run only on nodejs:22\.v41 .* pass --to ARN\.$/);
    expect(refused({ ...base, current: { updateMode: 'Auto' }, history: [], to: 'arn:aws:lambda:eu-west-1:123456789012:function:x' })).toMatch(/is not a runtime version ARN/);
    expect(refused({ ...base, reason: '  ', current: { updateMode: 'Auto' }, history: [], to: A })).toMatch(/^Say why \(--reason\)/);
    expect(refused({ ...base, current: { updateMode: 'Manual', runtimeVersionArn: A }, history: [], to: A })).toMatch(/already pinned/);
  });

  it('writes tag values AWS accepts, whatever the reason (class property)', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1 }).filter((s) => s.trim() !== ''), fc.string(), (reason, by) => {
        const v = planRollback({ ...base, reason, by, current: { updateMode: 'Auto' }, history: [], to: A }).tags[ROLLBACK_TAG]!;
        expect(v.length).toBeLessThanOrEqual(256);
        expect(v).toMatch(/^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u);
      }),
    );
    expect(tagValue('fix; see #123 (ops)')).toBe('fix see 123 ops');
  });
});

describe('planUndo', () => {
  it("returns to the tier's preferred mode and removes the rollback tags", () => {
    const tags = { [ROLLBACK_TAG]: '2026-11-20T09:00:00Z by alice: broke', [ROLLBACK_FROM_TAG]: B, owner: 'team' };
    const plan = planUndo('orders-api', { updateMode: 'Manual', runtimeVersionArn: A }, tags, tier('important'));
    expect(plan.put).toEqual({ UpdateRuntimeOn: 'Auto' });
    expect(plan.untag).toEqual([ROLLBACK_TAG, ROLLBACK_FROM_TAG]);
    expect(plan.description).toBe(`Return orders-api to Auto, the important tier's mode, from Manual on ${A} (pinned 2026-11-20T09:00:00Z by alice: broke). Lambda moves it to the latest runtime version.`);
    expect(planUndo('orders-api', { updateMode: 'Manual', runtimeVersionArn: A }, tags, tier('critical')).put).toEqual({ UpdateRuntimeOn: 'FunctionUpdate' });
  });
  it('refuses where there is nothing to undo', () => {
    expect(() => planUndo('orders-api', { updateMode: 'Auto' }, {}, tier('non-critical'))).toThrow(/nothing to undo/);
  });
});

describe('RW010 reads the rollback tag', () => {
  const pinned = (tags: Record<string, string>, lastModified?: string) =>
    evaluate(facts({ updateMode: 'Manual', runtimeVersionArn: A, tags: { 'runtime-warden:tier': 'critical', ...tags }, ...(lastModified && { lastModified }) }), DEFAULT_POLICY, NOW).map((f) => f.ruleId).filter((id) => id === 'RW010');
  it('dates a pin the last deploy does not (a template, a hook event)', () => {
    expect(pinned({ [ROLLBACK_TAG]: '2026-10-01T08:00:00Z by alice: broke' })).toEqual(['RW010']);
    expect(pinned({ [ROLLBACK_TAG]: '2026-11-20T08:00:00Z by alice: broke' })).toEqual([]);
  });
  it('can only make the rule stricter: a fresh tag hides no old deploy', () => {
    expect(pinned({ [ROLLBACK_TAG]: '2026-11-22T08:00:00Z by alice: broke' }, '2026-09-01T00:00:00Z')).toEqual(['RW010']);
    expect(pinned({ [ROLLBACK_TAG]: 'not a date' }, '2026-11-20T00:00:00Z')).toEqual([]);
    expect(pinned({ [ROLLBACK_TAG]: '2027-05-01T00:00:00Z by mallory: future' })).toEqual([]);
  });
});
