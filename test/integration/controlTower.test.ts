import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadTemplate, renderTemplate, type Template } from '../helpers/cfnRender.js';
import { controlTowerControls, evaluateControls, type Outcome } from '../helpers/controlTower.js';
import { ROOT } from '../helpers/fixtures.js';
import { transformTemplate } from '../helpers/samTransform.js';

// Which Control Tower proactive controls our templates pass, as data: a control that starts or
// stops failing changes this test. `defaults` is every parameter at its default (with the
// optional resources switched on, so that every resource is judged); `control-tower` adds the
// values an organisation enforcing the controls sets. Controls not listed in a run SKIP: no
// resource is of a type they judge.
type Decision = { action: 'parameter' | 'template' | 'accepted'; reason: string };
type Run = { parameters: Record<string, string>; results: Record<string, Outcome> };
type Expected = { templates: Record<string, { transform: boolean; runs: Record<string, Run>; decisions: Record<string, Decision> }> };

const expected = JSON.parse(readFileSync(join(ROOT, 'test', 'fixtures', 'control-tower-expected.json'), 'utf8')) as Expected;
const runs = Object.entries(expected.templates).flatMap(([path, t]) => Object.entries(t.runs).map(([name, run]) => ({ path, name, key: `${path} ${name}`, run, decisions: t.decisions })));
const failing = (results: Record<string, Outcome>): string[] => Object.entries(results).flatMap(([id, o]) => (o === 'PASS' ? [] : [id]));

describe('AWS Control Tower proactive controls', () => {
  const work = mkdtempSync(join(tmpdir(), 'rw-control-tower-'));
  let actual: Record<string, Record<string, Outcome>>;
  beforeAll(async () => {
    // Hooks see the template after the SAM transform, with parameters resolved.
    const rendered: Record<string, Template> = {};
    for (const [path, t] of Object.entries(expected.templates)) {
      const template = t.transform ? await transformTemplate(loadTemplate(path), work) : loadTemplate(path);
      for (const [name, run] of Object.entries(t.runs)) rendered[`${path} ${name}`] = renderTemplate(template, run.parameters, { resolve: true });
    }
    actual = await evaluateControls(rendered, work);
  }, 300_000);
  afterAll(() => rmSync(work, { recursive: true, force: true }), 120_000);

  it('names only controls that ship with the rules, and gives each failing one a decision', () => {
    const ids = new Set(controlTowerControls().map((c) => c.id));
    for (const { key, run, decisions } of runs) {
      expect(Object.keys(run.results).filter((id) => !ids.has(id)), key).toEqual([]);
      expect(failing(run.results).filter((id) => !decisions[id]), key).toEqual([]);
    }
  });

  it.each(runs.map((r) => [r.key, r]))('%s: every control passes, fails or skips as the table says', (key, { run }) => {
    expect(actual[key]).toEqual(run.results);
  });

  it('leaves only accepted failures once an organisation sets the Control Tower parameters', () => {
    for (const { key, decisions } of runs.filter((r) => r.name === 'control-tower')) {
      expect(failing(actual[key]!).filter((id) => decisions[id]?.action !== 'accepted'), key).toEqual([]);
    }
  });

  it('fixes in the template what fails under no parameters, and by parameter what fails only with the defaults', () => {
    for (const [path, t] of Object.entries(expected.templates)) {
      for (const [id, { action }] of Object.entries(t.decisions)) {
        const outcomes = Object.fromEntries(Object.keys(t.runs).map((name) => [name, actual[`${path} ${name}`]![id] ?? 'SKIP']));
        const failed = Object.keys(outcomes).filter((name) => outcomes[name] !== 'PASS' && outcomes[name] !== 'SKIP');
        if (action === 'template') expect(failed, `${path} ${id}`).toEqual([]);
        if (action === 'parameter') expect({ failed, withControlTowerValues: outcomes['control-tower'] }, `${path} ${id}`).toEqual({ failed: ['defaults'], withControlTowerValues: 'PASS' });
      }
    }
  });
});
