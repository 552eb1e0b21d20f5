import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import type { Template } from './cfnRender.js';
import { ROOT } from './fixtures.js';
import { runCommand } from './runCommand.js';

const PACKAGE = join(ROOT, 'node_modules', '@cdklabs', 'cdk-validator-cfnguard');

/** The cfn-guard 3.x binary that @cdklabs/cdk-validator-cfnguard ships. */
export const GUARD = join(PACKAGE, 'bin', 'ubuntu', process.arch === 'arm64' ? 'aarch64' : 'x86_64', 'cfn-guard');

/** AWS Control Tower's proactive controls as Guard rules, one file each, with the control's metadata beside it. */
const RULES = join(PACKAGE, 'rules', 'control-tower', 'cfn-guard');
const METADATA = join(PACKAGE, 'rules', 'control-tower', 'metadata');

export interface Control {
  /** CT.<SERVICE>.PR.<n> */
  readonly id: string;
  readonly title: string;
  /** The Guard rule that reports the control (each file declares one, once for templates and once for hooks). */
  readonly rule: string;
}

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => (statSync(join(dir, n)).isDirectory() ? files(join(dir, n)) : n.endsWith('.guard') ? [join(dir, n)] : []));
}

export function controlTowerControls(): Control[] {
  return files(RULES).map((file) => {
    const rules = new Set([...readFileSync(file, 'utf8').matchAll(/^rule\s+(\w+)\s+when\b/gm)].map((m) => m[1]!));
    if (rules.size !== 1) throw new Error(`${file}: expected one reported rule, found ${[...rules].join(', ')}`);
    const meta = JSON.parse(readFileSync(join(METADATA, relative(RULES, file).replace(/\.guard$/, '.metadata.json')), 'utf8')) as { Id: string; DisplayName: string };
    return { id: meta.Id, title: meta.DisplayName, rule: [...rules][0]! };
  });
}

export type Outcome = 'PASS' | { readonly result: 'FAIL'; readonly resources: readonly string[] };

type GuardFileReport = { name: string; compliant: string[]; not_applicable: string[]; not_compliant: { Rule: { name: string } }[] };

/**
 * Every Control Tower proactive control over every resource of each rendered template, as the
 * controls run: "implemented as preCreate and preUpdate hook handlers" (AWS Control Tower Controls
 * Reference Guide, "Proactive controls"), so one hook input per resource, `{<Type>:
 * {resourceProperties}}`, the shape the rules' `is_cfn_hook` clause reads. A control FAILs a run if
 * it fails any resource, PASSes if it passes some, and is left out (SKIP) if no resource is of a
 * type it judges.
 */
export async function evaluateControls(runs: Record<string, Template>, work: string): Promise<Record<string, Record<string, Outcome>>> {
  const controls = controlTowerControls();
  const byRule = new Map(controls.map((c) => [c.rule, c.id]));
  const control = (rule: string): string => {
    const id = byRule.get(rule);
    if (!id) throw new Error(`cfn-guard reported a rule of no control: ${rule}`);
    return id;
  };
  const data = join(work, 'hook-inputs');
  mkdirSync(data, { recursive: true });
  const inputs = new Map<string, { run: string; logicalId: string }>();
  Object.entries(runs).forEach(([run, template], i) => {
    for (const [logicalId, resource] of Object.entries(template.Resources)) {
      const file = join(data, `run${i}.${logicalId}.json`);
      writeFileSync(file, JSON.stringify({ [resource.Type]: { resourceProperties: resource.Properties ?? {} } }));
      inputs.set(basename(file), { run, logicalId });
    }
  });
  // --structured: one valid JSON document, a report per data file. Exit 19 means some rule failed.
  const { code, stdout, stderr } = await runCommand(GUARD, ['validate', '--rules', RULES, '--data', data, '--output-format', 'json', '--show-summary', 'none', '--structured'], { cwd: work, env: process.env });
  if (code !== 0 && code !== 19) throw new Error(`cfn-guard failed (${code}): ${stderr}`);
  // Per run, per control: the resources it fails (none: it passed some).
  const results = new Map(Object.keys(runs).map((run) => [run, new Map<string, Set<string>>()]));
  for (const report of JSON.parse(stdout) as GuardFileReport[]) {
    const input = inputs.get(basename(report.name));
    if (!input) throw new Error(`cfn-guard reported on an unknown file ${report.name}`);
    const seen = new Set([...report.compliant, ...report.not_applicable, ...report.not_compliant.map((r) => r.Rule.name)]);
    const missing = controls.filter((c) => !seen.has(c.rule));
    if (missing.length > 0) throw new Error(`${report.name}: no result for ${missing.map((c) => c.id).join(', ')}`);
    const run = results.get(input.run)!;
    for (const rule of report.compliant) if (!run.has(control(rule))) run.set(control(rule), new Set());
    for (const { Rule } of report.not_compliant) {
      const id = control(Rule.name);
      (run.get(id) ?? run.set(id, new Set()).get(id)!).add(input.logicalId);
    }
  }
  return Object.fromEntries(
    [...results].map(([run, ids]) => [
      run,
      Object.fromEntries([...ids].sort(([a], [b]) => a.localeCompare(b)).map(([id, failing]) => [id, failing.size === 0 ? 'PASS' : { result: 'FAIL', resources: [...failing].sort() }])),
    ]),
  );
}
