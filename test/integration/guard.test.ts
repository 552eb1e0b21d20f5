import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { parsePolicyText } from '../../shared/policy/policyText.js';
import { guardRules } from '../../shared/guard/generate.js';
import { factsFromResourceProperties } from '../../shared/adapters/cloudFormation.js';
import { evaluate, verdict } from '../../shared/index.js';
import { scanTemplateText } from '../../shared/template/scan.js';
import { ROOT } from '../helpers/fixtures.js';

const exec = promisify(execFile);
const GUARD = join(ROOT, 'node_modules', '@cdklabs', 'cdk-validator-cfnguard', 'bin', 'ubuntu', process.arch === 'arm64' ? 'aarch64' : 'x86_64', 'cfn-guard');
const FIXTURES = join(ROOT, 'test', 'fixtures', 'templates');
const NOW = Date.parse('2026-11-23T00:00:00Z');
const policy = parsePolicyText(readFileSync(join(ROOT, 'test', 'fixtures', 'policies', 'fixture-policy.yaml'), 'utf8'));

/**
 * `cfn-guard validate` over a folder of data files: PASS or FAIL per file (exit 19 means some
 * failed). JSON output, because cfn-guard 3.1.1's CloudFormation text reporter panics on a failing
 * resource that has `ResourceType` instead of `Type`; each file's status line still precedes its
 * report, right after the previous report's closing brace. A file no rule applies to (SKIP) passes, as the Guard hook lets it through.
 */
async function guard(rules: string, data: string): Promise<Map<string, string>> {
  let stdout: string;
  try {
    ({ stdout } = await exec(GUARD, ['validate', '-r', rules, '-d', data, '--show-summary', 'all', '--output-format', 'json'], { maxBuffer: 64 * 1024 * 1024 }));
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    if (e.code !== 19) throw new Error(`cfn-guard failed (${e.code}): ${e.stderr}`);
    stdout = e.stdout;
  }
  return new Map([...stdout.matchAll(/(?:^|\})([^\s{}]+) Status = (PASS|FAIL|SKIP)$/gm)].map((m) => [m[1]!, m[2] === 'FAIL' ? 'FAIL' : 'PASS']));
}

function templates(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => (statSync(join(dir, n)).isDirectory() ? templates(join(dir, n)) : /\.(ya?ml|json)$/.test(n) ? [join(dir, n)] : []));
}

describe('generated Guard rules', () => {
  const work = mkdtempSync(join(tmpdir(), 'rw-guard-'));
  afterAll(() => rmSync(work, { recursive: true, force: true }));
  const rules = join(work, 'runtime-warden.guard');
  writeFileSync(rules, guardRules(policy, NOW, 'the fixture policy'));

  it('agree with the scanner on every function of every fixture, as the Guard hook sees it', async () => {
    // Prepare: each function as a Guard hook receives it (resolved properties, SAM transformed).
    const data = join(work, 'hook-inputs');
    mkdirSync(data);
    const expected = new Map<string, string>();
    for (const file of templates(FIXTURES)) {
      const scanned = scanTemplateText(file, readFileSync(file, 'utf8'), policy, NOW);
      for (const fn of scanned.functions) {
        // What the template alone does not decide is judged at deploy time, with the value then.
        if (fn.findings.some((f) => f.ruleId === 'RW016')) continue;
        const name = `${relative(FIXTURES, file).replace(/\W/g, '_')}__${fn.logicalId}.json`;
        writeFileSync(join(data, name), JSON.stringify({ Resources: { [fn.logicalId]: { Type: 'AWS::Lambda::Function', Properties: fn.hookProperties } } }));
        expected.set(name, fn.verdict.compliance === 'NON_COMPLIANT' ? 'FAIL' : 'PASS');
      }
    }
    // Act
    const actual = await guard(rules, data);
    // Assess
    const verdicts = [...expected].map(([name, scanner]) => ({ name, scanner, guard: actual.get(join(data, name)) }));
    const disagreements = verdicts.filter((v) => v.scanner !== v.guard);
    expect(verdicts.length).toBe(28);
    expect(verdicts.filter((v) => v.scanner === 'FAIL').length).toBe(16);
    expect(disagreements, JSON.stringify(disagreements, null, 2)).toEqual([]);
  });

  it('pass a DELETE, whose properties are empty', async () => {
    const data = join(work, 'delete');
    mkdirSync(data);
    writeFileSync(join(data, 'delete.json'), JSON.stringify({ HookContext: { InvocationPoint: 'DELETE_PRE_PROVISION' }, Resources: { Fn: { Type: 'AWS::Lambda::Function', Properties: {} } } }));
    expect([...(await guard(rules, data)).values()]).toEqual(['PASS']);
  });

  it('judge plain templates in a pipeline', async () => {
    const data = join(work, 'plain');
    mkdirSync(data);
    for (const f of ['good-current.yaml', 'bad-lifecycle.yaml', 'tiers-modes.yaml']) writeFileSync(join(data, f), readFileSync(join(FIXTURES, f)));
    const statuses = await guard(rules, data);
    expect(Object.fromEntries([...statuses].map(([k, v]) => [relative(data, k), v]))).toEqual({ 'bad-lifecycle.yaml': 'FAIL', 'good-current.yaml': 'PASS', 'tiers-modes.yaml': 'FAIL' });
  });

  // The Hooks User Guide documents the resource input as ResourceType/ResourceProperties (syntax)
  // and as Type/Properties (example); a STACK target sees the template itself (Type/Properties).
  const SHAPES = { documented: ['ResourceType', 'ResourceProperties'], example: ['Type', 'Properties'] } as const;
  const input = (shape: keyof typeof SHAPES, target: 'RESOURCE' | 'STACK', runtime: string, previous?: string) => {
    const [type, props] = SHAPES[shape];
    const fn = (r: string) => ({ [type]: 'AWS::Lambda::Function', [props]: { Runtime: r, Handler: 'index.handler', Role: 'arn:aws:iam::123456789012:role/r' } });
    return {
      HookContext: { AWSAccountID: '123456789012', StackId: 'arn:aws:cloudformation:eu-west-1:123456789012:stack/s/1', InvocationPoint: previous ? 'UPDATE_PRE_PROVISION' : 'CREATE_PRE_PROVISION', TargetType: target, TargetLogicalId: 'Fn' },
      Resources: { Fn: fn(runtime) },
      ...(previous && { Previous: { Fn: fn(previous) } }),
    };
  };

  it.each([
    ['documented', 'RESOURCE'],
    ['example', 'RESOURCE'],
    ['documented', 'STACK'],
    ['example', 'STACK'],
  ] as const)('fail nodejs16.x and pass nodejs22.x in the %s input shape of a %s target, never judging Previous', async (shape, target) => {
    const data = join(work, `shape-${shape}-${target}`);
    mkdirSync(data);
    writeFileSync(join(data, 'old.json'), JSON.stringify(input(shape, target, 'nodejs16.x')));
    writeFileSync(join(data, 'current.json'), JSON.stringify(input(shape, target, 'nodejs22.x')));
    writeFileSync(join(data, 'upgrade.json'), JSON.stringify(input(shape, target, 'nodejs22.x', 'nodejs16.x')));
    writeFileSync(join(data, 'downgrade.json'), JSON.stringify(input(shape, target, 'nodejs16.x', 'nodejs22.x')));
    const statuses = await guard(rules, data);
    expect(Object.fromEntries([...statuses].map(([k, v]) => [relative(data, k), v]))).toEqual({ 'old.json': 'FAIL', 'current.json': 'PASS', 'upgrade.json': 'PASS', 'downgrade.json': 'FAIL' });
  });

  it('pass a DELETE in the documented input shape', async () => {
    const data = join(work, 'delete-documented');
    mkdirSync(data);
    writeFileSync(join(data, 'delete.json'), JSON.stringify({ HookContext: { InvocationPoint: 'DELETE_PRE_PROVISION' }, Resources: { Fn: { ResourceType: 'AWS::Lambda::Function', ResourceProperties: {} } } }));
    expect([...(await guard(rules, data)).values()]).toEqual(['PASS']);
  });

  it('carry the failing rule and its message', async () => {
    const data = join(work, 'one');
    mkdirSync(data);
    writeFileSync(join(data, 't.json'), JSON.stringify({ Resources: { Fn: { Type: 'AWS::Lambda::Function', Properties: { Runtime: 'nodejs16.x' } } } }));
    const out = await exec(GUARD, ['validate', '-r', rules, '-d', data]).catch((e: { code: number; stdout: string }) => e);
    expect((out as { code: number }).code).toBe(19);
    expect((out as { stdout: string }).stdout).toContain('runtime-warden RW004: this Lambda runtime is deprecated by AWS.');
  });
});

describe('generated Guard rules and the Lambda hook', () => {
  const work = mkdtempSync(join(tmpdir(), 'rw-guard-paths-'));
  afterAll(() => rmSync(work, { recursive: true, force: true }));
  // Tier names with capitals, and two that one character class would map to the same rule name.
  const tiered = parsePolicyText(
    [
      'version: 1',
      'deniedRuntimes: [nodejs20.x]',
      'unwaivableRules: [RW008]',
      'tiers:',
      '  defaultTier: Gold',
      '  definitions:',
      '    Gold: { allowedUpdateModes: [Auto], upgradeLeadDays: 30 }',
      '    a-b: { allowedUpdateModes: [FunctionUpdate], upgradeLeadDays: 30 }',
      '    a_b: { allowedUpdateModes: [Manual], upgradeLeadDays: 30 }',
      'waivers:',
      '  - { function: legacy-exact, expires: 2026-12-31, reason: CHG-1, rules: [RW004] }',
      '  - { function: legacy-*, match: glob, account: "123456789012", expires: 2026-12-31, reason: CHG-2 }',
    ].join('\n'),
  );
  const tag = (Value: string) => ({ Key: 'runtime-warden:waiver', Value });
  const tier = (Value: string) => ({ Key: 'runtime-warden:tier', Value });
  const cases: Record<string, Record<string, unknown>> = {
    unknownWithTagWaiver: { Runtime: 'nodejs99.x', Tags: [tag('2026-12-15 blocked')] },
    deniedWithTagWaiver: { Runtime: 'nodejs20.x', Tags: [tag('2026-12-15 blocked')] },
    createBlockedWithTagWaiver: { Runtime: 'python3.7', Tags: [tag('2026-12-15 blocked')] },
    updateBlockedWithTagWaiver: { Runtime: 'nodejs12.x', Tags: [tag('2026-12-15 blocked')] },
    deprecatedWithTagWaiver: { Runtime: 'nodejs16.x', Tags: [tag('2026-12-15 migrating')] },
    deprecatedImpossibleDate: { Runtime: 'nodejs16.x', Tags: [tag('2026-11-31 no such day')] },
    deprecatedDuplicateOneBad: { Runtime: 'nodejs16.x', Tags: [tag('2026-12-15 a'), tag('someday')] },
    deprecatedDuplicateBothGood: { Runtime: 'nodejs16.x', Tags: [tag('2026-12-15 a'), tag('2026-12-01 b')] },
    deprecatedTooFar: { Runtime: 'nodejs16.x', Tags: [tag('2027-06-01 later')] },
    exactPolicyWaiver: { FunctionName: 'legacy-exact', Runtime: 'nodejs16.x' },
    exactPolicyWaiverOtherRule: { FunctionName: 'legacy-exact', Runtime: 'nodejs12.x' },
    globPolicyWaiverClaimedByName: { FunctionName: 'legacy-new', Runtime: 'nodejs16.x' },
    goldUpperCaseTagOnFunctionUpdate: { Runtime: 'nodejs22.x', Tags: [tier('GOLD')], RuntimeManagementConfig: { UpdateRuntimeOn: 'FunctionUpdate' } },
    dashTierOnFunctionUpdate: { Runtime: 'nodejs22.x', Tags: [tier('a-b')], RuntimeManagementConfig: { UpdateRuntimeOn: 'FunctionUpdate' } },
    underscoreTierOnFunctionUpdate: { Runtime: 'nodejs22.x', Tags: [tier('a_b')], RuntimeManagementConfig: { UpdateRuntimeOn: 'FunctionUpdate' } },
    unwaivableTierRuleWithTag: { Runtime: 'nodejs22.x', Tags: [tier('a-b'), tag('2026-12-15 x')] },
  };

  it('decide every waiver, tier and runtime path alike, on a policy whose tier names used to break Guard', async () => {
    const rules = join(work, 'rules.guard');
    writeFileSync(rules, guardRules(tiered, NOW, 'test'));
    const data = join(work, 'cases');
    mkdirSync(data);
    const hook: Record<string, string> = {};
    for (const [name, props] of Object.entries(cases)) {
      writeFileSync(join(data, `${name}.json`), JSON.stringify({ Resources: { Fn: { Type: 'AWS::Lambda::Function', Properties: props } } }));
      const findings = evaluate(factsFromResourceProperties(props, { logicalId: 'Fn' }), tiered, NOW);
      hook[name] = verdict(findings).compliance === 'NON_COMPLIANT' ? 'FAIL' : 'PASS';
    }
    const statuses = Object.fromEntries([...(await guard(rules, data))].map(([k, v]) => [relative(data, k).replace(/\.json$/, ''), v]));
    expect(statuses).toEqual(hook);
    // The cases are not all one outcome: each path is decided, not passed over.
    expect(hook).toEqual({
      unknownWithTagWaiver: 'FAIL',
      deniedWithTagWaiver: 'FAIL',
      createBlockedWithTagWaiver: 'FAIL',
      updateBlockedWithTagWaiver: 'FAIL',
      deprecatedWithTagWaiver: 'PASS',
      deprecatedImpossibleDate: 'FAIL',
      deprecatedDuplicateOneBad: 'FAIL',
      deprecatedDuplicateBothGood: 'PASS',
      deprecatedTooFar: 'FAIL',
      exactPolicyWaiver: 'PASS',
      exactPolicyWaiverOtherRule: 'FAIL',
      globPolicyWaiverClaimedByName: 'FAIL',
      goldUpperCaseTagOnFunctionUpdate: 'FAIL',
      dashTierOnFunctionUpdate: 'PASS',
      underscoreTierOnFunctionUpdate: 'FAIL',
      unwaivableTierRuleWithTag: 'FAIL',
    });
  });

  it('have a rule name of their own for every tier', () => {
    const names = [...guardRules(tiered, NOW).matchAll(/^rule (\S+)/gm)].map((m) => m[1]);
    expect(new Set(names).size).toBe(names.length);
  });
});
