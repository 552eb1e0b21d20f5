import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { LayerRow } from '../../shared/report/layers.js';
import { blocks, functionKey, inUpgradeOrder, stepNumbers, upgradeOrder, upgradeOrderJson, waitsFor } from '../../shared/report/upgradeOrder.js';

// The upgrade order (issue #24): the calendar with each blocking layer just before the first
// function waiting for it. The JSON, the CSV and the page all come from this one function.

type Ref = { accountId: string; region: string; name: string; daysToWall: number | null };
const fn = (name: string, daysToWall: number | null = 10): Ref => ({ accountId: '123456789012', region: 'eu-west-1', name, daysToWall });
const layer = (label: string, waiting: readonly Ref[], missingTargets: string[] | null = ['python3.11'], publishBy: string | null = '2026-12-01'): LayerRow => ({
  arn: `arn:aws:lambda:eu-west-1:123456789012:layer:${label}`,
  layer: label,
  compatibleRuntimes: missingTargets === null ? [] : ['python3.9'],
  functions: waiting.length,
  deprecatedFunctions: waiting.length,
  targets: ['python3.11'],
  missingTargets,
  publishBy,
  waiting: waiting.map(functionKey).sort(),
});
const labels = (steps: ReturnType<typeof upgradeOrder<Ref>>): string[] => steps.map((s) => (s.kind === 'layer' ? `layer ${s.layer.layer}` : s.function.name));

describe('upgradeOrder', () => {
  it('puts a blocking layer right before the first function waiting for it, and leaves out layers that block nothing', () => {
    const [a, b, c] = [fn('a', 5), fn('b', 20), fn('c', 40)];
    const steps = upgradeOrder([a, b, c], [layer('utils:3', [b, c]), layer('fine:1', [a], []), layer('silent:2', [a], null)]);
    expect(labels(steps)).toEqual(['a', 'layer utils:3', 'b', 'c']);
  });

  it('orders several layers before one function by publish-by date, earliest first', () => {
    const a = fn('a');
    const steps = upgradeOrder([a], [layer('late:1', [a], ['python3.11'], '2027-03-01'), layer('none:1', [a], ['python3.11'], null), layer('soon:1', [a], ['python3.11'], '2026-12-15')]);
    expect(labels(steps)).toEqual(['layer soon:1', 'layer late:1', 'layer none:1', 'a']);
  });

  it('keeps a blocking layer whose functions are all beyond the calendar, at the end', () => {
    const steps = upgradeOrder([fn('a')], [layer('later:1', [fn('beyond-the-horizon')])]);
    expect(labels(steps)).toEqual(['a', 'layer later:1']);
  });

  it('writes the JSON steps with layer label, ARN and deadline, and functions by account, region and name', () => {
    const a = { ...fn('a'), wallDate: '2027-03-03', moveBy: '2026-09-04' };
    const l = layer('utils:3', [a]);
    expect(upgradeOrderJson(upgradeOrder([a as never], [l]))).toEqual([
      { kind: 'layer', layer: 'utils:3', arn: l.arn, publishBy: '2026-12-01', missingTargets: ['python3.11'] },
      { kind: 'function', accountId: '123456789012', region: 'eu-west-1', name: 'a', wallDate: '2027-03-03', moveBy: '2026-09-04' },
    ]);
  });

  // A calendar of distinct functions and layers waiting for any of them (or for functions beyond it).
  const scenario = fc
    .uniqueArray(fc.stringMatching(/^[a-z]{1,6}$/), { minLength: 0, maxLength: 12 })
    .chain((names) =>
      fc.record({
        calendar: fc.constant(names.map((n) => fn(n))),
        layers: fc.array(
          fc.record({
            waiting: fc.subarray([...names, 'beyond-1', 'beyond-2']),
            missing: fc.constantFrom<string[] | null>(['python3.11'], [], null),
            publishBy: fc.option(fc.constantFrom('2026-12-01', '2027-01-15', '2027-06-30'), { nil: null }),
          }),
          { maxLength: 6 },
        ),
      }),
    )
    .map(({ calendar, layers }) => ({ calendar, layers: layers.map((l, i) => layer(`l${i}:1`, l.waiting.map((n) => fn(n)), l.missing, l.publishBy)) }));

  it('holds every calendar function once, in calendar order, and every blocking layer once before all its waiting functions (class property)', () => {
    fc.assert(
      fc.property(scenario, ({ calendar, layers }) => {
        const steps = upgradeOrder(calendar, layers);
        expect(steps.flatMap((s) => (s.kind === 'function' ? [s.function] : []))).toEqual(calendar);
        const placed = steps.flatMap((s) => (s.kind === 'layer' ? [s.layer] : []));
        expect(new Set(placed)).toEqual(new Set(layers.filter(blocks)));
        expect(placed).toHaveLength(new Set(placed).size);
        const at = (key: string): number => steps.findIndex((s) => s.kind === 'function' && functionKey(s.function) === key);
        for (const l of placed) {
          const mine = steps.indexOf(steps.find((s) => s.kind === 'layer' && s.layer === l)!);
          const waiting = l.waiting.map(at).filter((i) => i >= 0);
          for (const i of waiting) expect(mine).toBeLessThan(i);
          // Right before the first of them: only other layers in between.
          if (waiting.length > 0) expect(steps.slice(mine, Math.min(...waiting)).every((s) => s.kind === 'layer')).toBe(true);
          else expect(steps.slice(mine).every((s) => s.kind === 'layer')).toBe(true);
        }
      }),
    );
  });
});

describe('stepNumbers, waitsFor and inUpgradeOrder', () => {
  it('numbers each calendar function by its step, layers counted, and orders the rest by AWS date then name', () => {
    const [a, b] = [fn('a', 5), fn('b', 30)];
    const rest = [fn('z', null), fn('y', 900), fn('x', 800)];
    const utils = layer('utils:3', [b]);
    const steps = stepNumbers(upgradeOrder([a, b], [utils]));
    expect([...steps]).toEqual([
      [functionKey(a), 1],
      [functionKey(b), 3],
    ]);
    expect(inUpgradeOrder([...rest, b, a], steps).map((r) => r.name)).toEqual(['a', 'b', 'x', 'y', 'z']);
    expect([...waitsFor([utils, layer('fine:1', [a], [])])]).toEqual([[functionKey(b), ['utils:3']]]);
  });

  it('puts every calendar function before every other row, in step order (class property)', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.stringMatching(/^[a-z]{1,5}$/), { maxLength: 15 }), fc.integer({ min: 0, max: 15 }), (names, cut) => {
        const rows = names.map((n, i) => fn(n, i % 3 === 0 ? null : (i * 37) % 50));
        const calendar = rows.slice(0, cut);
        const steps = stepNumbers(upgradeOrder(calendar, []));
        const ordered = inUpgradeOrder([...rows].reverse(), steps);
        expect(ordered.slice(0, calendar.length)).toEqual(calendar);
        expect(new Set(ordered)).toEqual(new Set(rows));
      }),
    );
  });
});
