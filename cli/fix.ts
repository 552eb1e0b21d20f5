// `runtime-warden fix`: rewrites each literal deprecated runtime the scanner flags to the target it
// names, editing only the characters of that value so that the rest of the file (comments, quotes,
// order, line endings) stays byte for byte. docs/fix.md is the user's page.
import { readFileSync, writeFileSync } from 'node:fs';
import { isDeepStrictEqual } from 'node:util';
import { layerLabel } from '../shared/facts/functionFacts.js';
import type { Policy } from '../shared/index.js';
import { templateFacts } from '../shared/template/deployment.js';
import { lambdaFunctionsOf } from '../shared/template/functions.js';
import { describeExpression, isRecord } from '../shared/template/intrinsics.js';
import { parseTemplate } from '../shared/template/parse.js';
import { scanTemplateText, type ScannedFile } from '../shared/template/scan.js';
import { write } from './common.js';
import { findTemplates, type Target } from './files.js';
import { LIFECYCLE } from './scanReport.js';
import { blockingLayers } from '../shared/config/layers.js';

export interface RuntimeEdit {
  /** Where the value is in the template: `Globals.Function.Runtime`, `Parameters.NodeRuntime.Default`. */
  readonly where: string;
  readonly line: number;
  readonly column: number;
  readonly from: string;
  readonly to: string;
  /** The functions that take the value. */
  readonly functions: readonly string[];
}

/** A layer of the template that does not declare the runtime an edit moves its functions to. */
export interface LayerWarning {
  /** `SharedLayer`: the LayerVersion's LayerName, else its logical id. */
  readonly layer: string;
  readonly declares: readonly string[];
  readonly to: string;
  /** The edit's line and column, where the warning is said. */
  readonly line: number;
  readonly column: number;
  /** The functions of the edit that use the layer. */
  readonly functions: readonly string[];
}

export interface FilePlan {
  readonly path: string;
  readonly text: string;
  /** The text with every edit made; `text` when there is none. */
  readonly fixed: string;
  readonly edits: readonly RuntimeEdit[];
  /** The flagged functions left alone, each with why. */
  readonly left: readonly string[];
  /** Edits made all the same whose functions use a layer that does not declare the new runtime. */
  readonly layerWarnings: readonly LayerWarning[];
  readonly error?: string;
}

interface Wanted {
  readonly keys: readonly string[];
  readonly from: string;
  to: string;
  readonly functions: string[];
}

/**
 * Which literal decides the function's runtime: its own `Runtime`, else SAM's
 * `Globals.Function.Runtime`; through a `Ref`, the parameter's `Default`. Its keys, or why not.
 */
function runtimeSource(raw: Record<string, unknown>, logicalId: string): readonly string[] | string {
  const resource = isRecord(raw.Resources) ? raw.Resources[logicalId] : undefined;
  if (!isRecord(resource)) return 'made by Fn::ForEach: edit the loop';
  const props = isRecord(resource.Properties) ? resource.Properties : {};
  const globals = isRecord(raw.Globals) && isRecord(raw.Globals.Function) ? raw.Globals.Function : {};
  const own = Object.hasOwn(props, 'Runtime');
  const keys = own ? ['Resources', logicalId, 'Properties', 'Runtime'] : ['Globals', 'Function', 'Runtime'];
  const value = own ? props.Runtime : globals.Runtime;
  if (typeof value === 'string') return keys;
  const name = isRecord(value) && Object.keys(value).length === 1 ? value.Ref : undefined;
  const parameter = typeof name === 'string' && isRecord(raw.Parameters) ? raw.Parameters[name] : undefined;
  if (!isRecord(parameter)) return `${keys.join('.')} is ${describeExpression(value)}: not a literal`;
  return typeof parameter.Default === 'string' ? ['Parameters', name as string, 'Default'] : `parameter ${name as string} has no Default`;
}

const indentOf = (line: string): number => line.length - line.trimStart().length;
/** Lines that hold no key: blank, comments, YAML's document markers and directives, JSON's lone brackets. */
const NO_KEY = /^\s*(?:#.*|---\s*|\.\.\.\s*|%.*|[{}[\],\s]*)$/;
const keyPattern = (key: string): RegExp => {
  const k = key.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`^(\\s*(?:"${k}"|'${k}'|${k})\\s*:)(?:\\s|$)`);
};
/** The value after the key: a runtime id, plain or quoted, then at most a JSON comma and a comment. */
const VALUE = /^(\s*)(["']?)([A-Za-z0-9._-]+)\2\s*,?\s*(?:#.*)?$/;

/**
 * Where the scalar at `keys` is in the text, reading block YAML or pretty-printed JSON by indent:
 * each key at the start of its own line, the value on the key's line. Anything else (flow maps, a
 * value on the next line, an anchor or alias) is not found - and never guessed.
 */
function locate(lines: readonly string[], keys: readonly string[], value: string): { line: number; column: number } | undefined {
  let from = 0;
  let parentIndent = -1;
  let found = -1;
  for (const key of keys) {
    const pattern = keyPattern(key);
    let childIndent = -1;
    found = -1;
    for (let i = from; i < lines.length; i++) {
      const line = lines[i]!;
      if (NO_KEY.test(line)) continue;
      const indent = indentOf(line);
      if (indent <= parentIndent) break;
      if (childIndent < 0) childIndent = indent;
      if (indent === childIndent && pattern.test(line)) {
        found = i;
        break;
      }
    }
    if (found < 0) return undefined;
    parentIndent = indentOf(lines[found]!);
    from = found + 1;
  }
  const line = lines[found]!;
  const colon = keyPattern(keys.at(-1)!).exec(line)![1]!.length;
  // A CRLF file's lines end in \r, which a comment's `.` does not match.
  const m = VALUE.exec(line.slice(colon).replace(/\r$/, ''));
  if (!m || m[3] !== value) return undefined;
  return { line: found, column: colon + m[1]!.length + m[2]!.length };
}

function setAt(root: unknown, keys: readonly string[], value: string): void {
  let v = root as Record<string, unknown>;
  for (const k of keys.slice(0, -1)) v = v[k] as Record<string, unknown>;
  v[keys.at(-1)!] = value;
}

/** The target supported longest, when functions sharing one value are told different ones. */
function later(policy: Policy, a: string, b: string): string {
  const day = (id: string): string => policy.catalog.get(id)?.deprecation ?? '9999-12-31';
  return day(b) > day(a) ? b : a;
}

/** What `fix` would do to one template's text: pure, the caller reads and writes. */
export function planFix(path: string, text: string, policy: Policy, now: number, explicit = true): FilePlan {
  return planFromScan(scanTemplateText(path, text, policy, now, explicit, { locate: false }), text, policy);
}

/**
 * What `fix` would do to a template already scanned from `text`: the one plan both `fix` and the
 * SARIF output's `fixes` come from.
 */
export function planFromScan(scanned: ScannedFile, text: string, policy: Policy): FilePlan {
  const { path } = scanned;
  const none = { path, text, fixed: text, edits: [], left: [], layerWarnings: [] };
  if (scanned.error) return { ...none, error: scanned.error };
  if (scanned.skipped) return none;
  const raw = parseTemplate(text) as Record<string, unknown>;
  const wanted = new Map<string, Wanted>();
  const left: string[] = [];
  for (const fn of scanned.functions) {
    const flagged = fn.findings.find((f) => LIFECYCLE.has(f.ruleId));
    if (!flagged || fn.runtime === undefined) continue;
    const to = flagged.remediation.kind === 'upgrade-runtime' ? flagged.remediation.targetRuntime : undefined;
    if (!to) {
      left.push(`${fn.logicalId}: ${fn.runtime} has no approved, supported successor in its family`);
      continue;
    }
    const keys = runtimeSource(raw, fn.logicalId);
    if (typeof keys === 'string') {
      left.push(`${fn.logicalId}: ${keys}`);
      continue;
    }
    const current = keys.reduce<unknown>((v, k) => (isRecord(v) ? v[k] : undefined), raw);
    // The judged value is another one the expression can take (an AllowedValues entry): not ours to pick.
    if (current !== fn.runtime) {
      left.push(`${fn.logicalId}: ${fn.runtime} is one of the values ${keys.join('.')} allows, not its literal`);
      continue;
    }
    const parameter = keys[0] === 'Parameters' ? (raw.Parameters as Record<string, Record<string, unknown>>)[keys[1]!]! : undefined;
    if (Array.isArray(parameter?.AllowedValues) && !parameter.AllowedValues.includes(to)) {
      left.push(`${fn.logicalId}: ${to} is not in the AllowedValues of parameter ${keys[1]!}: change both`);
      continue;
    }
    const id = keys.join('\u0000');
    const w = wanted.get(id);
    if (w) {
      w.to = later(policy, w.to, to);
      w.functions.push(fn.logicalId);
    } else wanted.set(id, { keys, from: current, to, functions: [fn.logicalId] });
  }
  const lines = text.split('\n');
  const expected = structuredClone(raw);
  const edits: RuntimeEdit[] = [];
  for (const w of wanted.values()) {
    const where = w.keys.join('.');
    const at = locate(lines, w.keys, w.from);
    const line = at ? lines[at.line]! : '';
    const edited = at ? `${line.slice(0, at.column)}${w.to}${line.slice(at.column + w.from.length)}` : line;
    setAt(expected, w.keys, w.to);
    // The edit counts only when the template then reads as before with this one value changed.
    if (!at || !isDeepStrictEqual(safeParse(lines.with(at.line, edited).join('\n')), expected)) {
      setAt(expected, w.keys, w.from);
      left.push(`${w.functions.join(', ')}: ${where} is not written as one plain or quoted value on its key's line`);
      continue;
    }
    lines[at.line] = edited!;
    edits.push({ where, line: at.line + 1, column: at.column + 1, from: w.from, to: w.to, functions: w.functions });
  }
  edits.sort((a, b) => a.line - b.line);
  return { path, text, fixed: lines.join('\n'), edits, left, layerWarnings: layerWarnings(raw, edits) };
}

/**
 * The template's LayerVersions that an edit's functions use and that declare runtimes, but not
 * the edit's target: the edit is made all the same. CompatibleRuntimes is metadata Lambda filters
 * layer listings by ("Used for filtering with ListLayers and ListLayerVersions", Lambda API
 * Reference, PublishLayerVersion), so the deploy goes through; what is at stake is whether the
 * layer's code runs on the new runtime (native modules, bundled dependencies). A layer declaring
 * nothing is RW022's (compatibility unknown), and a literal layer ARN's declaration is read by
 * the report, not here.
 */
function layerWarnings(raw: Record<string, unknown>, edits: readonly RuntimeEdit[]): LayerWarning[] {
  const layersOf = new Map(lambdaFunctionsOf(raw).map((fn) => [fn.logicalId, templateFacts(fn, raw).layerVersions ?? []]));
  const out: LayerWarning[] = [];
  for (const e of edits) {
    const by = new Map<string, { declares: readonly string[]; functions: string[] }>();
    for (const fn of e.functions) {
      for (const l of blockingLayers(layersOf.get(fn) ?? [], e.to)) {
        const label = layerLabel(l);
        (by.get(label) ?? by.set(label, { declares: l.compatibleRuntimes!, functions: [] }).get(label)!).functions.push(fn);
      }
    }
    for (const [layer, w] of by) out.push({ layer, declares: w.declares, to: e.to, line: e.line, column: e.column, functions: w.functions });
  }
  return out;
}

/** The warning as `fix` says it, with what to do. */
export function describeLayerWarning(w: LayerWarning): string {
  return `layer ${w.layer} declares ${w.declares.join(', ')}, not ${w.to}, which ${w.functions.join(', ')} ${w.functions.length === 1 ? 'moves' : 'move'} to: rebuild the layer for ${w.to} and add ${w.to} to its CompatibleRuntimes, then test ${w.functions.length === 1 ? 'the function' : 'the functions'} with it before deploying (the runtime was changed all the same)`;
}

/**
 * The edits `fix` would make in each scanned file with a lifecycle finding, read again from disk:
 * what SARIF's `fixes` carry. A file that cannot be read again gets none.
 */
export function scannedFixes(files: readonly ScannedFile[], policy: Policy, read = (path: string): string => readFileSync(path, 'utf8')): Map<string, readonly RuntimeEdit[]> {
  const out = new Map<string, readonly RuntimeEdit[]>();
  for (const f of files) {
    if (!f.functions.some((fn) => fn.findings.some((x) => LIFECYCLE.has(x.ruleId)))) continue;
    let text: string;
    try {
      text = read(f.path);
    } catch {
      continue;
    }
    const { edits } = planFromScan(f, text, policy);
    if (edits.length > 0) out.set(f.path, edits);
  }
  return out;
}

function safeParse(text: string): unknown {
  try {
    return parseTemplate(text);
  } catch {
    return undefined;
  }
}

/** Lines of context around each change, as `diff -u` and git print them. */
const CONTEXT = 3;

/**
 * A unified diff of two texts with the same number of lines (a fix never adds or removes one):
 * hunks of the changed lines with their context, merged where the context meets.
 */
export function unifiedDiff(path: string, before: string, after: string): string {
  const a = before.split('\n');
  const b = after.split('\n');
  const changed = a.flatMap((line, i) => (line === b[i] ? [] : [i]));
  if (changed.length === 0) return '';
  const hunks: [number, number][] = [];
  for (const i of changed) {
    const start = Math.max(0, i - CONTEXT);
    const end = Math.min(a.length, i + CONTEXT + 1);
    const last = hunks.at(-1);
    if (last && start <= last[1]) last[1] = end;
    else hunks.push([start, end]);
  }
  // The path as named on both sides, as `diff -u` prints it: `patch -p0` applies it.
  const out = [`--- ${path}`, `+++ ${path}`];
  for (const [start, end] of hunks) {
    out.push(`@@ -${start + 1},${end - start} +${start + 1},${end - start} @@`);
    for (let i = start; i < end; i++) {
      if (a[i] === b[i]) out.push(` ${a[i]}`);
      else out.push(`-${a[i]}`, `+${b[i]}`);
    }
  }
  return `${out.join('\n')}\n`;
}

export interface FixOptions {
  readonly dryRun?: boolean;
  readonly exclude?: string[];
  readonly gitignore: boolean;
  readonly output?: string;
}

/**
 * Plans every template under `paths`, writes the fixed ones (or, with --dry-run, prints their
 * diff and writes nothing). Exit 1 when something was or would be changed, or a flagged runtime
 * is left, so that a pre-commit hook or CI step stops for review; 0 when nothing needs fixing; 2
 * when a file cannot be read or scanned.
 */
export function fix(paths: readonly string[], o: FixOptions, policy: Policy, now: number, note: (message: string) => void): number {
  const targets: Target[] = findTemplates(paths.length > 0 ? [...paths] : ['.'], undefined, { exclude: o.exclude ?? [], gitignore: o.gitignore });
  let code = 0;
  const out: string[] = [];
  for (const t of targets) {
    let text: string;
    try {
      if (t.error) throw new Error(t.error);
      text = readFileSync(t.path, 'utf8');
    } catch (err) {
      note(`${t.path}: ${(err as Error).message}`);
      code = 2;
      continue;
    }
    const plan = planFix(t.path, text, policy, now, t.explicit);
    if (plan.error) {
      note(`${t.path}: ${plan.error}`);
      code = 2;
      continue;
    }
    for (const why of plan.left) note(`${t.path}: not fixed: ${why}`);
    for (const w of plan.layerWarnings) note(`${t.path}:${w.line}:${w.column}: ${describeLayerWarning(w)}`);
    if (plan.edits.length > 0 || plan.left.length > 0) code = Math.max(code, 1);
    if (plan.edits.length === 0) continue;
    if (o.dryRun) out.push(unifiedDiff(t.path, plan.text, plan.fixed));
    else {
      writeFileSync(t.path, plan.fixed);
      for (const e of plan.edits) {
        const layers = plan.layerWarnings.filter((w) => w.line === e.line).map((w) => w.layer);
        out.push(`${t.path}:${e.line}:${e.column}: ${e.where} ${e.from} -> ${e.to} (${e.functions.join(', ')})${layers.length > 0 ? `; layer ${layers.join(', ')} does not declare ${e.to}: see the warning` : ''}\n`);
      }
    }
  }
  write(out.join(''), o.output);
  return code;
}
