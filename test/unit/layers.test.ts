import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_POLICY, evaluate, parsePolicy, type Finding } from '../../shared/index.js';
import { evaluateLayerVersion } from '../../shared/evaluation/evaluate.js';
import type { LayerVersionFacts } from '../../shared/facts/functionFacts.js';
import { facts, NOW } from '../helpers/fixtures.js';

const arn = (name: string, version: number): string => `arn:aws:lambda:eu-west-1:123456789012:layer:${name}:${version}`;
const layerFindings = (fs: readonly Finding[]): Finding[] => fs.filter((f) => f.ruleId === 'RW018' || f.ruleId === 'RW022');

describe('RW018: a layer incompatible with the runtime or its target', () => {
  it('names the layer version and the target of a python3.9 function whose layer declares only python3.8/3.9', () => {
    const f = evaluate(facts({ runtime: 'python3.9', layerVersions: [{ arn: arn('shared-utils', 3), compatibleRuntimes: ['python3.8', 'python3.9'] }] }), DEFAULT_POLICY, NOW);
    const rw018 = f.find((x) => x.ruleId === 'RW018');
    expect(rw018).toMatchObject({ severity: 'warning', remediation: { kind: 'upgrade-runtime', targetRuntime: 'python3.11' } });
    expect(rw018!.message).toBe('Layer shared-utils:3 declares python3.8, python3.9, not python3.11: publish a version of `shared-utils` compatible with python3.11 first.');
    // The runtime verdict is unchanged: RW004 still decides it.
    expect(f.map((x) => x.ruleId)).toEqual(['RW004', 'RW018']);
  });

  it('says nothing when every layer declares the runtime and the function need not move', () => {
    const f = evaluate(facts({ runtime: 'python3.13', layerVersions: [{ arn: arn('utils', 1), compatibleRuntimes: ['python3.12', 'python3.13'] }] }), DEFAULT_POLICY, NOW);
    expect(f).toEqual([]);
  });

  it('flags a layer without the current runtime, one finding naming every such layer', () => {
    const f = evaluate(
      facts({ runtime: 'nodejs22.x', layerVersions: [{ arn: arn('a', 1), compatibleRuntimes: ['nodejs18.x'] }, { arn: arn('b', 2), compatibleRuntimes: ['nodejs20.x'] }, { arn: arn('c', 4), compatibleRuntimes: ['nodejs22.x'] }] }),
      DEFAULT_POLICY,
      NOW,
    );
    expect(f.map((x) => x.ruleId)).toEqual(['RW018']);
    expect(f[0]!.message).toBe('Layer a:1 declares nodejs18.x, not nodejs22.x: publish a version of `a` compatible with nodejs22.x first. Layer b:2 declares nodejs20.x, not nodejs22.x: publish a version of `b` compatible with nodejs22.x first.');
    expect(f[0]!.remediation).toEqual({ kind: 'none' });
  });

  it('flags an architecture the layer does not declare, only where both sides say', () => {
    const layer: LayerVersionFacts = { arn: arn('native', 7), compatibleRuntimes: ['nodejs22.x'], compatibleArchitectures: ['x86_64'] };
    expect(evaluate(facts({ layerVersions: [layer], architectures: ['arm64'] }), DEFAULT_POLICY, NOW)[0]!.message).toBe('Layer native:7 declares architectures x86_64, not arm64.');
    expect(evaluate(facts({ layerVersions: [layer] }), DEFAULT_POLICY, NOW)).toEqual([]);
    expect(evaluate(facts({ layerVersions: [{ ...layer, compatibleArchitectures: [] }], architectures: ['arm64'] }), DEFAULT_POLICY, NOW)).toEqual([]);
  });

  it('judges nothing where the layer versions were not read (absent facts keep every verdict)', () => {
    fc.assert(
      fc.property(fc.constantFrom(...DEFAULT_POLICY.catalog.all().map((r) => r.id)), fc.array(fc.string(), { maxLength: 3 }), (runtime, layers) => {
        expect(layerFindings(evaluate(facts({ runtime, layers }), DEFAULT_POLICY, NOW))).toEqual([]);
      }),
    );
  });

  it('never flags a layer that declares the runtime and its target, whatever else it declares (class property)', () => {
    const ids = DEFAULT_POLICY.catalog.all().map((r) => r.id);
    fc.assert(
      fc.property(fc.constantFrom(...ids), fc.subarray(ids), fc.constantFrom('critical', 'important', 'non-critical'), (runtime, extra, tier) => {
        const target = evaluate(facts({ runtime, tags: { 'runtime-warden:tier': tier } }), DEFAULT_POLICY, NOW).find((f) => f.remediation.kind === 'upgrade-runtime');
        const t = target?.remediation.kind === 'upgrade-runtime' ? target.remediation.targetRuntime : undefined;
        const declared = [...new Set([runtime, ...(t ? [t] : []), ...extra])];
        const f = evaluate(facts({ runtime, tags: { 'runtime-warden:tier': tier }, layerVersions: [{ arn: arn('x', 1), compatibleRuntimes: declared }] }), DEFAULT_POLICY, NOW);
        expect(f.some((x) => x.ruleId === 'RW018')).toBe(false);
      }),
    );
  });
});

describe('RW022: a layer declaring nothing', () => {
  it('is said once, as info, naming every such layer, and never makes the function non-compliant', () => {
    const f = evaluate(facts({ layerVersions: [{ arn: arn('a', 1) }, { arn: arn('b', 2), compatibleRuntimes: [] }, { arn: arn('c', 3), compatibleRuntimes: ['nodejs22.x'] }] }), DEFAULT_POLICY, NOW);
    expect(f).toEqual([
      {
        ruleId: 'RW022',
        rule: 'layer-compatibility-unknown',
        severity: 'info',
        message: 'Layers a:1, b:2 declare no compatible runtimes: compatibility unknown, test the function with them before a runtime move.',
        remediation: { kind: 'none' },
      },
    ]);
  });

  it('is never an error, whatever the layers (class property)', () => {
    const layer = fc.record({ arn: fc.option(fc.string(), { nil: undefined }), name: fc.option(fc.string(), { nil: undefined }), compatibleRuntimes: fc.option(fc.array(fc.string(), { maxLength: 3 }), { nil: undefined }) });
    fc.assert(
      fc.property(fc.array(layer, { maxLength: 4 }), (layerVersions) => {
        const f = evaluate(facts({ layerVersions }), DEFAULT_POLICY, NOW);
        expect(f.filter((x) => x.ruleId === 'RW018' || x.ruleId === 'RW022').every((x) => x.severity !== 'error')).toBe(true);
      }),
    );
  });
});

describe('RW019: a layer version declaring only deprecated runtimes', () => {
  it('names the layer and the runtimes to publish it for', () => {
    expect(evaluateLayerVersion({ arn: arn('shared-utils', 3), compatibleRuntimes: ['python3.8', 'python3.9'] }, DEFAULT_POLICY, NOW)).toEqual([
      {
        ruleId: 'RW019',
        rule: 'layer-runtimes-deprecated',
        severity: 'warning',
        message: 'Layer shared-utils:3 declares only deprecated runtimes (python3.8, python3.9): publish a version of `shared-utils` compatible with python3.11, then move its functions.',
        remediation: { kind: 'upgrade-runtime', targetRuntime: 'python3.11' },
      },
    ]);
  });

  it('uses the template name of a layer without an ARN', () => {
    expect(evaluateLayerVersion({ name: 'SharedLayer', compatibleRuntimes: ['nodejs16.x'] }, DEFAULT_POLICY, NOW)[0]!.message).toMatch(/^Layer SharedLayer declares only deprecated runtimes \(nodejs16\.x\): publish a version of `SharedLayer` compatible with nodejs22\.x/);
  });

  it('says nothing of a layer with one active runtime, one declaring nothing, or one naming a runtime the catalog does not know', () => {
    expect(evaluateLayerVersion({ name: 'L', compatibleRuntimes: ['python3.9', 'python3.13'] }, DEFAULT_POLICY, NOW)).toEqual([]);
    expect(evaluateLayerVersion({ name: 'L' }, DEFAULT_POLICY, NOW)).toEqual([]);
    expect(evaluateLayerVersion({ name: 'L', compatibleRuntimes: ['python3.9', 'python4.0'] }, DEFAULT_POLICY, NOW)).toEqual([]);
  });

  it('follows the policy: a catalog override that deprecates the last active runtime makes the layer a finding', () => {
    const policy = parsePolicy({ version: 1, catalogOverrides: [{ id: 'python3.13', deprecation: '2026-01-01' }] });
    expect(evaluateLayerVersion({ name: 'L', compatibleRuntimes: ['python3.9', 'python3.13'] }, policy, NOW).map((f) => f.ruleId)).toEqual(['RW019']);
  });

  it('is a finding exactly when every declared runtime is known and not active (class property)', () => {
    const ids = DEFAULT_POLICY.catalog.all().map((r) => r.id);
    fc.assert(
      fc.property(fc.subarray(ids, { minLength: 1 }), (runtimes) => {
        const stuck = runtimes.every((r) => DEFAULT_POLICY.catalog.phase(r, NOW) !== 'active');
        expect(evaluateLayerVersion({ name: 'L', compatibleRuntimes: runtimes }, DEFAULT_POLICY, NOW).length).toBe(stuck ? 1 : 0);
      }),
    );
  });
});
