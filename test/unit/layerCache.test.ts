import { GetLayerVersionCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import fc from 'fast-check';
import { beforeEach, describe, expect, it } from 'vitest';
import { evaluateFunction } from '../../shared/config/decision.js';
import { LAYER_NOTE_MAX, layerNote, withLayers, type KeptLayer } from '../../shared/config/layers.js';
import { DEFAULT_POLICY, evaluate } from '../../shared/index.js';
import { MemoryFunctionState } from '../../shared/io/functionState.js';
import { LayerCache, UNREADABLE_RETRY_MS } from '../../shared/io/layerCache.js';
import { buildNotification } from '../../shared/remediation/notification.js';
import { verdict } from '../../shared/evaluation/verdict.js';
import { facts, NOW } from '../helpers/fixtures.js';

const arn = (name: string, v: number, account = '123456789012') => `arn:aws:lambda:eu-west-1:${account}:layer:${name}:${v}`;
const UTILS = arn('shared-utils', 3);
const BARE = arn('bare', 1);
const OTHER = arn('vendor-sdk', 4, '210987654321');
const kept = (...ls: KeptLayer[]) => new Map(ls.map((l) => [l.arn, l]));
const judge = (f: ReturnType<typeof facts>, k: Map<string, KeptLayer>) => {
  const l = withLayers(f, k);
  return layerNote(l, evaluate(l.facts, DEFAULT_POLICY, NOW));
};

describe('layer note (pure)', () => {
  it('names the layer version that blocks a python3.9 function from its target, and what to publish', () => {
    const note = judge(facts({ runtime: 'python3.9', layers: [UTILS] }), kept({ arn: UTILS, runtimes: ['python3.8', 'python3.9'] }));
    expect(note).toBe('layer shared-utils:3 declares python3.8, python3.9 only: publish a version compatible with python3.11 first');
  });

  it('says "unknown" once for a layer declaring nothing, and names unreadable and unread ones, which no cut hides', () => {
    const f = facts({ runtime: 'python3.9', layers: [UTILS, BARE, OTHER, arn('late', 2)] });
    const note = judge(f, kept({ arn: UTILS, runtimes: ['python3.9', 'python3.11'] }, { arn: BARE, runtimes: [] }, { arn: OTHER, unreadable: 'AccessDeniedException: User is not authorized to perform: lambda:GetLayerVersion' }));
    expect(note).toBe('layer bare:1 unknown (declares no runtimes); layer vendor-sdk:4 could not be read (AccessDeniedException); layers not read yet');
    expect(note!.match(/unknown/g)).toHaveLength(1);
  });

  it('says nothing of a compliant function whose layers declare its runtime, and never calls unread layers compatible', () => {
    const f = facts({ runtime: 'nodejs22.x', layers: [arn('ok', 1)] });
    expect(judge(f, kept({ arn: arn('ok', 1), runtimes: ['nodejs22.x'] }))).toBeUndefined();
    expect(judge(f, kept())).toBe('layers not read yet');
    expect(judge(facts({ runtime: 'nodejs22.x' }), kept())).toBeUndefined();
  });

  it('judges the layers read and only those: RW018 for the read one, none for the unreadable one', () => {
    const l = withLayers(facts({ runtime: 'python3.9', layers: [UTILS, OTHER] }), kept({ arn: UTILS, runtimes: ['python3.8'] }, { arn: OTHER, unreadable: 'x' }));
    expect(l.facts.layerVersions).toEqual([{ arn: UTILS, compatibleRuntimes: ['python3.8'], compatibleArchitectures: [] }]);
    expect(l.unreadable).toEqual([{ arn: OTHER, reason: 'x' }]);
  });

  it('keeps the note within its room and the annotation within 256 characters, whatever the layers', () => {
    const layer = fc.record({
      name: fc.stringMatching(/^[a-zA-Z0-9_-]{1,64}$/),
      v: fc.integer({ min: 1, max: 99999 }),
      state: fc.oneof(fc.constant('unread'), fc.constant('unreadable'), fc.subarray(['python3.8', 'python3.9', 'python3.11', 'python3.13', 'nodejs22.x'])),
    });
    fc.assert(
      fc.property(fc.constantFrom('python3.9', 'python3.8', 'nodejs16.x', 'python3.13'), fc.array(layer, { maxLength: 5 }), (runtime, ls) => {
        const arns = ls.map((l) => arn(l.name, l.v));
        const k = kept(...ls.flatMap((l, i): KeptLayer[] => (l.state === 'unread' ? [] : l.state === 'unreadable' ? [{ arn: arns[i]!, unreadable: 'AccessDeniedException: no' }] : [{ arn: arns[i]!, runtimes: l.state }])));
        const f = facts({ runtime, layers: arns });
        const note = judge(f, k);
        if (note !== undefined) expect(note.length).toBeLessThanOrEqual(LAYER_NOTE_MAX);
        // Whatever is not read is said: never silently compatible.
        if (ls.some((l) => l.state === 'unread')) expect(note).toContain('not read yet');
        if (ls.some((l) => l.state === 'unreadable')) expect(note).toContain('could not be read');
        const e = evaluateFunction(withLayers(f, k).facts, [], DEFAULT_POLICY, NOW, new Date(NOW));
        expect(e.Annotation.length).toBeLessThanOrEqual(256);
      }),
    );
  });
});

describe('the alert names layers and pins', () => {
  const where = { accountId: '123456789012', region: 'eu-west-1' };
  const alert = (f: ReturnType<typeof facts>) => {
    const findings = evaluate(f, DEFAULT_POLICY, NOW);
    return buildNotification(f, findings, verdict(findings), DEFAULT_POLICY, NOW, where).message;
  };

  it('shows every layer once with what it means for the move, unreadable ones with why', () => {
    const l = withLayers(facts({ runtime: 'python3.9', layers: [UTILS, BARE, OTHER] }), kept({ arn: UTILS, runtimes: ['python3.8', 'python3.9'] }, { arn: BARE, runtimes: [] }, { arn: OTHER, unreadable: 'AccessDeniedException: denied' }));
    const message = alert({ ...l.facts, layerGaps: { notRead: l.notRead, unreadable: l.unreadable } } as never);
    expect(message).toContain(
      'Layers:       shared-utils:3 declares python3.8, python3.9: blocks python3.11 (RW018); bare:1 declares no runtimes: compatibility unknown (RW022); vendor-sdk:4 could not be read (AccessDeniedException: denied): compatibility unknown',
    );
    expect(message).toContain('publish a version of `shared-utils` compatible with python3.11 first');
    expect(message.match(/bare:1/g)).toHaveLength(2); // the Layers line and RW022's finding: one says what, one what to do
  });

  it('shows a Manual pin with the runtime version it holds and its age from the rollback tag, or says the age is unknown', () => {
    const pinned = 'arn:aws:lambda:eu-west-1::runtime:0b1c';
    const tagged = alert(facts({ updateMode: 'Manual', runtimeVersionArn: pinned, tags: { 'runtime-warden:rollback': '2026-11-11T12:00:00Z by alice: pdf rendering broke', 'runtime-warden:rollback-from': 'arn:aws:lambda:eu-west-1::runtime:9f9f' } }));
    expect(tagged).toContain(`Update mode:  Manual, pinned to ${pinned}; pinned 12 days ago (runtime-warden:rollback: 2026-11-11T12:00:00Z by alice: pdf rendering broke), off arn:aws:lambda:eu-west-1::runtime:9f9f`);
    expect(alert(facts({ updateMode: 'Manual', runtimeVersionArn: pinned }))).toContain(`Update mode:  Manual, pinned to ${pinned}; age unknown: no runtime-warden:rollback tag`);
    expect(alert(facts({ updateMode: 'Auto' }))).toContain('Update mode:  Auto\n');
  });
});

describe('layer cache', () => {
  const lambda = new LambdaClient({ region: 'eu-west-1' });
  const lambdaMock = mockClient(lambda);
  let now = NOW;
  let store: MemoryFunctionState;
  const cache = () => new LayerCache(lambda, store, { now: () => now });
  beforeEach(() => {
    lambdaMock.reset();
    store = new MemoryFunctionState();
    now = NOW;
  });

  it('reads each version once ever: a second cache over the same table makes no call', async () => {
    lambdaMock.on(GetLayerVersionCommand).resolves({ CompatibleRuntimes: ['python3.8', 'python3.9'], CompatibleArchitectures: ['x86_64'] });
    const first = cache();
    const got = await Promise.all([first.read([UTILS, UTILS]), first.read([UTILS])]);
    expect(got[0].get(UTILS)).toEqual({ arn: UTILS, at: new Date(NOW).toISOString(), runtimes: ['python3.8', 'python3.9'], architectures: ['x86_64'] });
    expect(first.calls).toBe(1);
    const second = cache();
    expect((await second.read([UTILS])).get(UTILS)?.runtimes).toEqual(['python3.8', 'python3.9']);
    expect(second.calls).toBe(0);
    expect(lambdaMock.commandCalls(GetLayerVersionCommand)).toHaveLength(1);
  });

  it('keeps a version another account does not share as unreadable, and asks again only after a day', async () => {
    lambdaMock.on(GetLayerVersionCommand).rejects(Object.assign(new Error('User is not authorized to perform: lambda:GetLayerVersion'), { name: 'AccessDeniedException' }));
    expect((await cache().read([OTHER])).get(OTHER)).toMatchObject({ unreadable: 'AccessDeniedException: User is not authorized to perform: lambda:GetLayerVersion' });
    now += UNREADABLE_RETRY_MS - 1;
    await cache().read([OTHER]);
    expect(lambdaMock.commandCalls(GetLayerVersionCommand)).toHaveLength(1);
    lambdaMock.on(GetLayerVersionCommand).resolves({ CompatibleRuntimes: ['python3.13'] });
    now += 1;
    expect((await cache().read([OTHER])).get(OTHER)).toMatchObject({ runtimes: ['python3.13'] });
    expect(lambdaMock.commandCalls(GetLayerVersionCommand)).toHaveLength(2);
  });

  it('keeps a deleted version as unreadable too, and a throttle not at all', async () => {
    lambdaMock.on(GetLayerVersionCommand, { VersionNumber: 3 }).rejects(Object.assign(new Error('not found'), { name: 'ResourceNotFoundException' }));
    lambdaMock.on(GetLayerVersionCommand, { VersionNumber: 1 }).rejects(Object.assign(new Error('Rate exceeded'), { name: 'TooManyRequestsException' }));
    const got = await cache().read([UTILS, BARE]);
    expect(got.get(UTILS)).toMatchObject({ unreadable: 'layer version not found (deleted, or not shared with this account)' });
    expect(got.has(BARE)).toBe(false);
    expect([...(await store.getLayers([UTILS, BARE])).keys()]).toEqual([UTILS]);
  });

  it('makes no Lambda call from `cached`, and none once `stop` says so', async () => {
    lambdaMock.on(GetLayerVersionCommand).resolves({ CompatibleRuntimes: ['python3.13'] });
    const c = cache();
    expect((await c.cached([UTILS])).size).toBe(0);
    expect((await c.read([UTILS], () => true)).size).toBe(0);
    expect(lambdaMock.commandCalls(GetLayerVersionCommand)).toHaveLength(0);
  });
});
