import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isWatchEvent } from '../../remediation/notify/watch.js';
import { DEFAULT_POLICY, parsePolicy } from '../../shared/index.js';
import { PolicyValidationError } from '../../shared/errors.js';
import { tagValue, type RuntimeVersionSighting } from '../../shared/remediation/rollback.js';
import { judge, observe, rollbackParameters, rollbackReason, stillWatched, watchAlert, WATCH_ALERT_KIND, WATCH_HOURS, type Breach, type WatchRecord } from '../../shared/remediation/watch.js';

const A = 'arn:aws:lambda:eu-west-1::runtime:aaaa1111aaaa1111aaaa1111aaaa1111aaaa1111aaaa1111aaaa1111aaaa1111';
const B = 'arn:aws:lambda:eu-west-1::runtime:bbbb2222bbbb2222bbbb2222bbbb2222bbbb2222bbbb2222bbbb2222bbbb2222';
const C = 'arn:aws:lambda:eu-west-1::runtime:cccc3333cccc3333cccc3333cccc3333cccc3333cccc3333cccc3333cccc3333';
const H = 3_600_000;
const NOW = Date.parse('2026-11-23T12:00:00Z');
const settings = { errorRiseMarginPercent: 50, minInvocations: 100, act: 'propose' as const };
const seen = (arn: string, atMs: number, version?: string): RuntimeVersionSighting => ({ arn, atMs, ...(version && { version }) });
const recordOn = (arn: string, seenAtMs = NOW - 2 * H): WatchRecord => ({ arn, version: arn === A ? 'nodejs:22.v41' : 'nodejs:22.v42', seenAtMs });

describe('the watch in the policy', () => {
  it('is off in the default tiers, and takes its defaults when given empty', () => {
    expect([...DEFAULT_POLICY.tiers.values()].map((t) => t.watch)).toEqual([undefined, undefined, undefined]);
    const p = parsePolicy({ version: 1, tiers: { definitions: { important: { allowedUpdateModes: ['Auto'], upgradeLeadDays: 90, watch: {} } }, defaultTier: 'important' } });
    expect(p.tiers.get('important')!.watch).toEqual({ errorRiseMarginPercent: 50, minInvocations: 100, act: 'propose' });
  });
  it('refuses what it cannot judge by, naming the field', () => {
    const bad = (watch: unknown) => () => parsePolicy({ version: 1, tiers: { definitions: { t: { allowedUpdateModes: ['Auto'], upgradeLeadDays: 1, watch } }, defaultTier: 't' } });
    expect(bad({ errorRiseMarginPercent: -1 })).toThrow(PolicyValidationError);
    expect(bad({ minInvocations: 0 })).toThrow(/tiers\.definitions\.t\.watch\.minInvocations/);
    expect(bad({ minInvocations: 1.5 })).toThrow(PolicyValidationError);
    expect(bad({ act: 'delete' })).toThrow(/watch\.act/);
    expect(bad({ margin: 50 })).toThrow(/margin/);
  });
});

describe('the schedule', () => {
  it('starts the watch with its constant input {"action":"watch"} only, never with the digest\'s scheduled event', () => {
    expect(isWatchEvent({ action: 'watch' })).toBe(true);
    expect(isWatchEvent({ version: '0', source: 'aws.events', 'detail-type': 'Scheduled Event', detail: {} })).toBe(false);
    expect(isWatchEvent({ action: 'watch', functionName: 'x' })).toBe(false);
    expect(isWatchEvent({ functionName: 'watch' })).toBe(false);
  });
});

describe('observing INIT_START lines', () => {
  it('the first lines ever only record the version in use', () => {
    const o = observe(undefined, [seen(A, NOW - 50 * 60_000, 'nodejs:22.v41'), seen(B, NOW - 10 * 60_000, 'nodejs:22.v42')], NOW);
    expect(o).toEqual({ kind: 'first-seen', record: { arn: B, version: 'nodejs:22.v42', seenAtMs: NOW }, write: true });
  });
  it('no line: nothing changes, nothing is written', () => {
    expect(observe(recordOn(A), [], NOW)).toEqual({ kind: 'no-lines', record: recordOn(A), write: false });
    expect(observe(undefined, [], NOW)).toEqual({ kind: 'no-lines', record: undefined, write: false });
  });
  it('a new version is a change from the recorded one, dated at its first line in the hour', () => {
    const o = observe(recordOn(A), [seen(B, NOW - 20 * 60_000, 'nodejs:22.v42'), seen(A, NOW - 40 * 60_000), seen(B, NOW - 30 * 60_000, 'nodejs:22.v42')], NOW);
    expect(o.kind).toBe('changed');
    expect(o.record!.change).toEqual({ from: A, fromVersion: 'nodejs:22.v41', to: B, toVersion: 'nodejs:22.v42', atMs: NOW - 30 * 60_000 });
  });
  it('the same version is written again only when the record is a week old (its TTL)', () => {
    expect(observe(recordOn(A), [seen(A, NOW - H)], NOW).write).toBe(false);
    expect(observe(recordOn(A, NOW - 8 * 24 * H), [seen(A, NOW - H)], NOW)).toMatchObject({ kind: 'unchanged', write: true, record: { seenAtMs: NOW } });
  });
  it('a change replaces the one before, from the version recorded last', () => {
    const first = observe(recordOn(A), [seen(B, NOW - H)], NOW).record!;
    const second = observe(first, [seen(C, NOW + 30 * 60_000)], NOW + H).record!;
    expect(second.change).toMatchObject({ from: B, to: C });
  });
  it('property: a change exactly when the last line names another version than the record; reading the same lines again changes nothing', () => {
    const arn = fc.constantFrom(A, B, C);
    fc.assert(
      fc.property(fc.option(arn, { nil: undefined }), fc.array(fc.record({ arn, atMs: fc.integer({ min: NOW - H, max: NOW }) }), { maxLength: 8 }), (stored, lines) => {
        const previous = stored && recordOn(stored);
        const o = observe(previous, lines, NOW);
        const last = [...lines].sort((a, b) => a.atMs - b.atMs).at(-1);
        expect(o.kind === 'changed').toBe(previous !== undefined && last !== undefined && last.arn !== previous.arn);
        if (o.kind === 'changed') {
          expect(o.record!.change!.from).toBe(stored);
          expect(lines.some((l) => l.arn === o.record!.change!.to && l.atMs === o.record!.change!.atMs)).toBe(true);
        }
        const again = observe(o.record, lines, NOW);
        expect(again.kind).not.toBe('changed');
        expect(again.record).toEqual(o.record);
      }),
    );
  });
  it('takes the version a change left, seen again while the change is watched, for a rollout running both, not for a change back', () => {
    const changed = observe(recordOn(A), [seen(B, NOW - 20 * 60_000, 'nodejs:22.v42')], NOW).record!;
    const flip = observe(changed, [seen(B, NOW + 10 * 60_000, 'nodejs:22.v42'), seen(A, NOW + 50 * 60_000, 'nodejs:22.v41')], NOW + H);
    expect(flip).toEqual({ kind: 'unchanged', record: changed, write: false });
    // Once the change is no longer watched, the old version coming back is a change again.
    const later = NOW + (WATCH_HOURS + 1) * H;
    expect(observe(changed, [seen(A, later - 10 * 60_000, 'nodejs:22.v41')], later)).toMatchObject({ kind: 'changed', record: { change: { from: B, to: A } } });
  });

  it('a change is judged for its watch hours, and no more after its alert', () => {
    const change = { from: A, to: B, atMs: NOW - H };
    expect(stillWatched(change, NOW)).toBe(true);
    expect(stillWatched(change, NOW - H + WATCH_HOURS * H + 1)).toBe(false);
    expect(stillWatched({ ...change, alertedAtMs: NOW }, NOW)).toBe(false);
    expect(stillWatched(undefined, NOW)).toBe(false);
  });
});

describe('judging the error rate', () => {
  const ev = (bInv: number, bErr: number, aInv: number, aErr: number) => ({ baseline: { invocations: bInv, errors: bErr }, after: { invocations: aInv, errors: aErr } });

  it('the seed example: 50% over the baseline breaks it, 40% does not', () => {
    expect(judge(ev(10_000, 100, 1000, 16), settings)).toMatchObject({ verdict: 'breach', baselineRate: 0.01, afterRate: 0.016 });
    expect(judge(ev(10_000, 100, 1000, 14), settings).verdict).toBe('no-rise');
    expect(judge(ev(10_000, 100, 1000, 15), settings).verdict).toBe('no-rise');
  });
  it('waits for minInvocations, whatever the errors', () => {
    expect(judge(ev(10_000, 0, 99, 99), settings)).toMatchObject({ verdict: 'waiting', reason: expect.stringContaining('99 invocations since the change, fewer than the 100') });
  });
  it('a baseline without errors counts as one: a single stray error is no breach of a small baseline, a real rise is', () => {
    expect(judge(ev(10, 0, 100, 1), settings).verdict).toBe('no-rise');
    expect(judge(ev(10, 0, 100, 20), settings).verdict).toBe('breach');
    expect(judge(ev(100_000, 0, 100, 1), settings).verdict).toBe('breach');
  });
  it('no invocation before the change: nothing to compare with, never a breach', () => {
    expect(judge(ev(0, 0, 500, 500), settings).verdict).toBe('no-baseline');
  });
  it('counts that are not counts are not judged', () => {
    expect(judge(ev(Number.NaN, 0, 500, 500), settings).verdict).toBe('waiting');
    expect(judge(ev(100, -1, 500, 500), settings).verdict).toBe('waiting');
  });

  const counts = fc.record({ bInv: fc.integer({ min: 0, max: 1e6 }), bErr: fc.integer({ min: 0, max: 1e6 }), aInv: fc.integer({ min: 0, max: 1e6 }), aErr: fc.integer({ min: 0, max: 1e6 }) });
  const margin = fc.integer({ min: 0, max: 1000 });
  const minInvocations = fc.integer({ min: 1, max: 1000 });

  it('property: a breach has enough invocations, an error, and a rate above the baseline by more than the margin', () => {
    fc.assert(
      fc.property(counts, margin, minInvocations, ({ bInv, bErr, aInv, aErr }, m, min) => {
        const j = judge(ev(bInv, bErr, aInv, aErr), { ...settings, errorRiseMarginPercent: m, minInvocations: min });
        if (j.verdict !== 'breach') return;
        expect(aInv).toBeGreaterThanOrEqual(min);
        expect(aErr).toBeGreaterThan(0);
        expect(bInv).toBeGreaterThan(0);
        expect(aErr / aInv).toBeGreaterThan((bErr / bInv) * (1 + m / 100));
      }),
    );
  });
  it('property: more errors after the change never undo a breach; a wider margin never makes one', () => {
    fc.assert(
      fc.property(counts, margin, fc.integer({ min: 0, max: 1000 }), fc.integer({ min: 0, max: 500 }), ({ bInv, bErr, aInv, aErr }, m, extraErrors, wider) => {
        const s = { ...settings, errorRiseMarginPercent: m };
        const before = judge(ev(bInv, bErr, aInv, aErr), s).verdict;
        if (before === 'breach') expect(judge(ev(bInv, bErr, aInv, aErr + extraErrors), s).verdict).toBe('breach');
        if (judge(ev(bInv, bErr, aInv, aErr), { ...s, errorRiseMarginPercent: m + wider }).verdict === 'breach') expect(before).toBe('breach');
      }),
    );
  });
  it('property: the same rates at any scale (a baseline with errors) judge the same', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1000 }), fc.integer({ min: 1, max: 1000 }), fc.integer({ min: 100, max: 1000 }), fc.integer({ min: 0, max: 1000 }), fc.integer({ min: 1, max: 20 }), (bInv, bErr, aInv, aErr, k) => {
        fc.pre(bErr <= bInv && aErr <= aInv);
        expect(judge(ev(bInv * k, bErr * k, aInv * k, aErr * k), settings).verdict).toBe(judge(ev(bInv, bErr, aInv, aErr), settings).verdict);
      }),
    );
  });
});

describe('the alert', () => {
  const change = { from: A, fromVersion: 'nodejs:22.v41', to: B, toVersion: 'nodejs:22.v42', atMs: NOW - 2 * H };
  const evidence = { baseline: { invocations: 10_000, errors: 100 }, after: { invocations: 1000, errors: 200 } };
  const j = judge(evidence, settings) as Breach;
  const input = { functionName: 'pdf-render', account: '123456789012', region: 'eu-west-1', tier: 'important', settings, change, evidence, judgement: j, nowMs: NOW, rollbackDocument: 'rw-RollbackDocument-1', automationRoleArn: 'arn:aws:iam::123456789012:role/rw-switch-mode' };

  it('proposes: the evidence, the CLI command and the SSM document to start', () => {
    const a = watchAlert({ ...input, action: { kind: 'proposed' } });
    expect(a.subject).toBe('[runtime-warden] rollback proposed: pdf-render errors up after runtime update');
    expect(a.attributes).toEqual({ kind: WATCH_ALERT_KIND, severity: 'error', action: 'proposed', tier: 'important', account: '123456789012', function: 'pdf-render' });
    expect(a.message).toContain(`Version from: nodejs:22.v41 (${A})`);
    expect(a.message).toContain(`Version to:   nodejs:22.v42 (${B})`);
    expect(a.message).toContain('Changed at:   2026-11-23T10:00:00Z');
    expect(a.message).toContain('Before:       1.0% errors: 100 of 10000 invocations, 2026-11-22T10:00:00Z to 2026-11-23T10:00:00Z');
    expect(a.message).toContain('After:        20.0% errors: 200 of 1000 invocations, 2026-11-23T10:00:00Z to 2026-11-23T12:00:00Z');
    expect(a.message).toContain(`  runtime-warden rollback pdf-render --to ${A} --reason "error rate 20.0 percent after runtime version nodejs:22.v42 from 2026-11-23T10:00:00Z was 1.0 percent before"`);
    expect(a.message).toContain(`--document-name rw-RollbackDocument-1 --parameters '{"FunctionName":["pdf-render"],"ToRuntimeVersionArn":["${A}"]`);
  });
  it('says the rollback started, with the execution id, or that it failed and how to do it by hand', () => {
    expect(watchAlert({ ...input, action: { kind: 'rollback-started', executionId: 'exec-1' } })).toMatchObject({ subject: expect.stringMatching(/^\[runtime-warden\] rolled back: /), message: expect.stringContaining('automation execution exec-1') });
    const failed = watchAlert({ ...input, action: { kind: 'rollback-failed', error: 'AccessDeniedException: no' } });
    expect(failed.subject).toMatch(/rollback FAILED/);
    expect(failed.message).toContain('FAILED:       the rollback could not be started: AccessDeniedException: no');
    expect(failed.message).toContain('runtime-warden rollback pdf-render --to');
  });
  it('the reason survives as a tag value and inside double quotes; the parameters name the old version and the watch', () => {
    const reason = rollbackReason(change, j);
    expect(tagValue(reason)).toBe(reason);
    expect(reason).not.toMatch(/["`$\\]/);
    expect(rollbackParameters('pdf-render', change, j, 'arn:aws:iam::1:role/r')).toEqual({ FunctionName: ['pdf-render'], ToRuntimeVersionArn: [A], Reason: [reason], RequestedBy: ['runtime-warden watch'], AutomationAssumeRole: ['arn:aws:iam::1:role/r'] });
  });
  it('each entry stays one line whatever a name holds', () => {
    const a = watchAlert({ ...input, change: { ...change, toVersion: 'x\nForged: line' }, action: { kind: 'proposed' } });
    expect(a.message.split('\n').some((l) => l.startsWith('Forged'))).toBe(false);
  });
});
