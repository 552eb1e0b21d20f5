import { readResourceProperties } from '../adapters/cloudFormation.js';
import { evaluate, finding } from '../evaluation/evaluate.js';
import { CHECKS, EXPRESSION_UNRESOLVED, PROPERTIES_INVALID } from '../evaluation/rules.js';
import type { DecidingFact, Finding } from '../evaluation/types.js';
import { verdict, type Verdict } from '../evaluation/verdict.js';
import type { Policy } from '../policy/policy.js';
import { lambdaFunctionsOf, type TemplateFunction } from './functions.js';
import { describeExpression, isIntrinsic, isRecord, joinAssumptions, product, resolve, type Candidate, type Resolution, type TemplateParts } from './intrinsics.js';
import { expandForEach } from './languageExtensions.js';
import { parseTemplateWithPositions } from './parse.js';

/** CloudFormation takes template bodies of 1 MB at most; anything far larger is not a template. */
export const MAX_TEMPLATE_BYTES = 5 * 1024 * 1024;
export const TOO_LARGE = `larger than ${MAX_TEMPLATE_BYTES / 1024 / 1024} MiB: not scanned`;

export interface ScannedFunction {
  readonly logicalId: string;
  readonly type: string;
  readonly line: number | undefined;
  readonly runtime: string | undefined;
  /** The Runtime's expression and the values it can take, when it is not a literal. */
  readonly runtimeExpression?: { readonly expression: string; readonly candidates: readonly Candidate[] };
  readonly findings: readonly Finding[];
  readonly verdict: Verdict;
  /** Properties as a CloudFormation hook would receive them, for the judged value. */
  readonly hookProperties: Record<string, unknown>;
}

export interface ScannedFile {
  readonly path: string;
  readonly functions: readonly ScannedFunction[];
  /** Why the file could not be scanned. */
  readonly error?: string;
  /** Why the file was passed over (found in a folder, not a template). */
  readonly skipped?: string;
}

/** A document is a template when it has Resources with typed entries. */
export function isTemplate(value: unknown): boolean {
  if (!isRecord(value) || !isRecord(value.Resources)) return false;
  return Object.values(value.Resources).some((r) => isRecord(r) && typeof r.Type === 'string' && r.Type.includes('::'));
}

/**
 * Whether text that does not parse is still recognisably a CloudFormation or SAM template, and so
 * an error rather than a file to pass over: a top-level `AWSTemplateFormatVersion`, a `Transform`
 * naming an `AWS::` macro, or a resource `Type: AWS::Service::Resource`, in YAML or JSON spelling.
 * A commented tsconfig.json, a multi-document Kubernetes manifest, a Helm template, Ansible's
 * `!vault` or mkdocs' `!!python/name:` name none of these.
 */
const TEMPLATE_MARKS = [
  /^[ \t]*["']?AWSTemplateFormatVersion["']?[ \t]*:/m,
  /^[ \t]*["']?Transform["']?[ \t]*:[ \t]*\[?[ \t]*["']?AWS::/m,
  /^[ \t]*["']?Type["']?[ \t]*:[ \t]*["']?AWS::[A-Za-z0-9]+::[A-Za-z0-9]+/m,
];
export const looksLikeTemplate = (text: string): boolean => TEMPLATE_MARKS.some((re) => re.test(text));

/** Resources made only by Fn::ForEach loops are resources too. */
const hasLoops = (value: unknown): boolean => isRecord(value) && isRecord(value.Resources) && Object.keys(value.Resources).some((k) => k.startsWith('Fn::ForEach::'));

const RANK = { NOT_APPLICABLE: 0, COMPLIANT: 1, NON_COMPLIANT: 3 } as const;
const rank = (v: Verdict, findings: readonly Finding[]): number => RANK[v.compliance] + (v.compliance === 'COMPLIANT' && findings.some((f) => f.severity === 'warning') ? 1 : 0);

const ABSENT: Resolution = { candidates: [{ value: undefined, via: 'literal' }] };

/** A value as the template has it: resolved where it is an intrinsic call, else taken as it is. */
function shallow(value: unknown, t: TemplateParts): Resolution {
  if (value === undefined) return ABSENT;
  return isIntrinsic(value) ? resolve(value, t) : { candidates: [{ value, via: 'literal' }] };
}

/** `inner` reached through `outer`: both sets of condition assumptions, or undefined when they contradict. */
function withAssumptions(outer: Candidate, inner: Candidate): Candidate | undefined {
  const when = joinAssumptions(outer.when, inner.when);
  if (when === false) return undefined;
  return { value: inner.value, via: inner.via !== 'literal' ? inner.via : outer.via, ...(when && when.size > 0 && { when }) };
}

/** The values of the property at `path`, each step resolved only where it is an expression. */
function at(root: Record<string, unknown>, path: readonly string[], t: TemplateParts): Resolution {
  const direct = literalAt(root, path);
  if (typeof direct !== 'object' || direct === null) return direct === undefined ? ABSENT : { candidates: [{ value: direct, via: 'literal' }] };
  let current: readonly Candidate[] = [{ value: root, via: 'literal' }];
  let partly: string | undefined;
  for (const key of path) {
    const next: Candidate[] = [];
    for (const c of current) {
      const r = shallow(isRecord(c.value) ? c.value[key] : undefined, t);
      if ('unresolved' in r) return r;
      partly ??= r.partly;
      for (const x of r.candidates) {
        const joined = withAssumptions(c, x);
        if (joined) next.push(joined);
      }
    }
    current = next;
  }
  return partly ? { candidates: current, partly } : { candidates: current };
}

/** The values of one tag, from a Key/Value list (Lambda) or a map (SAM); absent is a value too. */
function tagAt(props: Record<string, unknown>, key: string, t: TemplateParts): Resolution {
  const containers = at(props, ['Tags'], t);
  if ('unresolved' in containers) return containers;
  const out: Candidate[] = [];
  for (const c of containers.candidates) {
    if (isRecord(c.value)) {
      const r = shallow(c.value[key], t);
      if ('unresolved' in r) return r;
      out.push(...r.candidates.flatMap((x) => withAssumptions(c, x) ?? []));
      continue;
    }
    let surelySet = false;
    for (const entry of Array.isArray(c.value) ? c.value : []) {
      const entries = shallow(entry, t);
      if ('unresolved' in entries) return { unresolved: `a tag entry ${entries.unresolved}` };
      for (const e of entries.candidates) {
        if (!isRecord(e.value)) continue;
        const keys = shallow(e.value.Key, t);
        if ('unresolved' in keys) return { unresolved: `a tag key ${keys.unresolved}` };
        if (!keys.candidates.some((k) => k.value === key)) continue;
        surelySet ||= e.via === 'literal' && keys.candidates.every((k) => k.value === key);
        const values = shallow(e.value.Value, t);
        if ('unresolved' in values) return values;
        out.push(...values.candidates.flatMap((x) => withAssumptions(c, x) ?? []));
      }
    }
    if (!surelySet) out.push(c.value === undefined ? c : { value: undefined, via: 'literal', ...(c.when && { when: c.when }) });
  }
  return { candidates: out };
}

/** The template's other tags, as far as they resolve; the policy reads only its two tag keys. */
function otherTags(props: Record<string, unknown>, skip: ReadonlySet<string>, t: TemplateParts): { Key: string; Value: string }[] {
  const first = (v: unknown): unknown => {
    const r = shallow(v, t);
    return 'candidates' in r ? r.candidates[0]?.value : undefined;
  };
  const tags = first(props.Tags);
  const pairs = Array.isArray(tags) ? tags.map(first).filter(isRecord).map((x) => [first(x.Key), x.Value] as const) : isRecord(tags) ? Object.entries(tags) : [];
  return pairs.flatMap(([k, v]) => {
    const value = typeof k === 'string' && !skip.has(k) ? first(v) : undefined;
    return value !== undefined && !isRecord(value) && !Array.isArray(value) ? [{ Key: k as string, Value: String(value) }] : [];
  });
}

/** One property the policy reads, what it can be, and what the template leaves open. */
interface Slot {
  readonly label: string;
  readonly expression: unknown;
  readonly resolution: Resolution;
  /** The fact left open when the template does not decide it; undefined: judged as absent. */
  readonly fact?: DecidingFact;
}

type SlotName = 'runtime' | 'packageType' | 'mode' | 'arn' | 'name' | 'tier' | 'waiver';

/** Judging every combination of values: beyond this many, the function is said to be undecided. */
const MAX_COMBINATIONS = 256;

const unresolvedFinding = (message: string): Finding => finding(EXPRESSION_UNRESOLVED, message);

function rulesReading(fact: DecidingFact): string {
  return CHECKS.filter((c) => c.reads.includes(fact)).map((c) => c.id).join(', ');
}

function literalAt(root: unknown, path: readonly string[]): unknown {
  let v = root;
  for (const k of path) {
    if (!isRecord(v) || isIntrinsic(v)) return v;
    v = v[k];
  }
  return v;
}

function scanFunction(fn: TemplateFunction, t: TemplateParts, policy: Policy, now: number, line: number | undefined): ScannedFunction {
  const { logicalId, type, properties: props } = fn;
  const base = { logicalId, type, line };
  const tierKey = policy.document.tiers.tagKey;
  const waiverKey = policy.document.waiverTag.enabled ? policy.document.waiverTag.key : undefined;
  const rmc = ['RuntimeManagementConfig'];
  // Where a value is inherited from SAM's Globals, that is where to edit it: say so.
  const where = (path: string): string => (fn.fromGlobals.has(path.split('.')[0]!) ? `Globals.Function.${path}` : path);
  const slots: Record<SlotName, Slot> = {
    runtime: { label: where('Runtime'), expression: literalAt(props, ['Runtime']), resolution: at(props, ['Runtime'], t), fact: 'runtime' },
    packageType: { label: where('PackageType'), expression: literalAt(props, ['PackageType']), resolution: at(props, ['PackageType'], t) },
    mode: { label: where('RuntimeManagementConfig.UpdateRuntimeOn'), expression: literalAt(props, [...rmc, 'UpdateRuntimeOn']), resolution: at(props, [...rmc, 'UpdateRuntimeOn'], t), fact: 'updateMode' },
    arn: { label: where('RuntimeManagementConfig.RuntimeVersionArn'), expression: literalAt(props, [...rmc, 'RuntimeVersionArn']), resolution: at(props, [...rmc, 'RuntimeVersionArn'], t), fact: 'runtimeVersionArn' },
    name: { label: 'FunctionName', expression: props.FunctionName, resolution: at(props, ['FunctionName'], t) },
    tier: { label: `Tag ${tierKey}`, expression: props.Tags, resolution: tagAt(props, tierKey, t), fact: 'tier' },
    waiver: { label: `Tag ${waiverKey}`, expression: props.Tags, resolution: waiverKey ? tagAt(props, waiverKey, t) : ABSENT },
  };
  const undecided = new Set<DecidingFact>();
  const notes: Finding[] = [];
  const keys = Object.keys(slots) as SlotName[];
  const parts = keys.map((k): Resolution => {
    const slot = slots[k];
    if ('candidates' in slot.resolution) {
      // The values the template decides are judged; the rest is said to be left to deploy time.
      if (slot.resolution.partly) notes.push(unresolvedFinding(`${slot.label} is ${describeExpression(slot.expression)}: ${slot.resolution.partly}; the values the template decides are judged, that one when deployed (hook, Config rule).`));
      return slot.resolution;
    }
    const open = `${slot.label} is ${describeExpression(slot.expression)}: ${slot.resolution.unresolved}`;
    if (slot.fact) {
      undecided.add(slot.fact);
      notes.push(unresolvedFinding(k === 'runtime' ? `${open}; it is judged when deployed (hook, Config rule).` : `${open}; ${rulesReading(slot.fact)} are judged when deployed (hook, Config rule).`));
      return ABSENT;
    }
    if (k === 'packageType') {
      notes.push(unresolvedFinding(`${open}; judged as Zip when a Runtime is given, as an image otherwise.`));
      const hasRuntime = undecided.has('runtime') || ('candidates' in slots.runtime.resolution && slots.runtime.resolution.candidates.some((c) => c.value !== undefined));
      return { candidates: [{ value: hasRuntime ? 'Zip' : 'Image', via: 'literal' }] };
    }
    if (k === 'waiver') notes.push(unresolvedFinding(`${open}; judged without the waiver.`));
    return ABSENT;
  });
  const combos = product(parts, (vs) => vs, MAX_COMBINATIONS);
  if ('unresolved' in combos) {
    const f = unresolvedFinding(`The properties the policy reads take ${combos.unresolved} together: judged when deployed (hook, Config rule).`);
    return { ...base, runtime: undefined, findings: [f], verdict: verdict([f]), hookProperties: props };
  }
  // The judged values that came from expressions, named in every finding's message.
  const expressions = (['runtime', 'packageType', 'mode', 'arn'] as const).filter((k) => isIntrinsic(slots[k].expression) && 'candidates' in slots[k].resolution);
  const runtimeCandidates = 'candidates' in slots.runtime.resolution ? slots.runtime.resolution.candidates : [];
  const { Runtime: _r, FunctionName: _f, PackageType: _p, RuntimeManagementConfig: _m, Tags: _t, Layers: layers, ...rest } = props;
  const others = otherTags(props, new Set([tierKey, ...(waiverKey ? [waiverKey] : [])]), t);
  let worst: ScannedFunction | undefined;
  for (const combo of combos.candidates) {
    const values = combo.value as unknown[];
    const v = {} as Record<SlotName, unknown>;
    keys.forEach((k, i) => (v[k] = values[i]));
    const set = <T>(k: string, value: T): Record<string, T> => (value === undefined ? {} : { [k]: value });
    const tags = [...others, ...(v.tier !== undefined ? [{ Key: tierKey, Value: v.tier }] : []), ...(v.waiver !== undefined && waiverKey ? [{ Key: waiverKey, Value: v.waiver }] : [])];
    const hook: Record<string, unknown> = {
      ...rest,
      ...set('FunctionName', v.name),
      ...set('Runtime', v.runtime),
      ...set('PackageType', v.packageType),
      // An undecided mode leaves the whole configuration to deploy time (its ARN alone is no configuration).
      ...(!undecided.has('updateMode') && (v.mode !== undefined || v.arn !== undefined) && { RuntimeManagementConfig: { ...set('UpdateRuntimeOn', v.mode), ...set('RuntimeVersionArn', v.arn) } }),
      ...(Array.isArray(layers) && { Layers: layers.map((l) => (typeof l === 'string' ? l : undefined)).filter(Boolean) }),
      ...(tags.length > 0 && { Tags: tags }),
    };
    let findings: Finding[];
    try {
      // A property it cannot read is RW017, and leaves only the checks reading it undone.
      const { facts, invalid } = readResourceProperties(hook, { logicalId });
      const open = invalid.length === 0 ? undecided : new Set([...undecided, ...invalid.flatMap((i) => i.facts)]);
      const inherited = (['runtime', 'mode'] as const).filter((k) => !expressions.includes(k) && v[k] !== undefined && slots[k].label.startsWith('Globals.'));
      const note = [
        ...expressions.map((k) => `${slots[k].label} ${describeExpression(slots[k].expression)} = ${String(v[k])} via ${combo.via}`),
        ...inherited.map((k) => `${String(v[k])} from ${slots[k].label}`),
      ].join('; ');
      const suffix = combos.candidates.length > 1 ? `, the worst of ${combos.candidates.length} values` : '';
      findings = [...invalid.map((i) => finding(PROPERTIES_INVALID, i.message)), ...withSource(evaluate(facts, policy, now, open), note && `${note}${suffix}`), ...notes];
    } catch (err) {
      findings = [finding(PROPERTIES_INVALID, (err as Error).message), ...notes];
    }
    const verdictOf = verdict(findings);
    const candidate: ScannedFunction = {
      ...base,
      runtime: typeof v.runtime === 'string' && v.packageType !== 'Image' ? v.runtime : undefined,
      ...(expressions.includes('runtime') && { runtimeExpression: { expression: describeExpression(slots.runtime.expression), candidates: runtimeCandidates } }),
      findings,
      verdict: verdictOf,
      hookProperties: hook,
    };
    if (!worst || rank(verdictOf, findings) > rank(worst.verdict, worst.findings)) worst = candidate;
  }
  return worst!;
}

function withSource(findings: readonly Finding[], note: string | undefined): Finding[] {
  return note ? findings.map((f) => (f.ruleId === 'RW000' ? f : { ...f, message: `${f.message} (${note})` })) : [...findings];
}

/** CloudFormation refuses these shapes outright; a scan says so rather than guessing. */
function parametersProblem(t: Record<string, unknown>): string | undefined {
  // An empty section (`Parameters:` with nothing under it) is common and harmless.
  if (t.Parameters === undefined || t.Parameters === null) return undefined;
  if (!isRecord(t.Parameters)) return 'Parameters must be a map';
  for (const [name, p] of Object.entries(t.Parameters)) {
    if (!isRecord(p)) return `parameter ${name} must be a map`;
    if (p.AllowedValues !== undefined && !Array.isArray(p.AllowedValues)) return `AllowedValues of parameter ${name} must be a list`;
    if (Array.isArray(p.AllowedValues) && p.AllowedValues.some((v) => isRecord(v) || Array.isArray(v))) return `AllowedValues of parameter ${name} must hold strings`;
    if (isRecord(p.Default) || Array.isArray(p.Default)) return `Default of parameter ${name} must be a string`;
  }
  return undefined;
}

/**
 * Scans one template's text: every Lambda function (SAM ones with Globals filled in), its Runtime
 * resolved as far as the template decides it, judged by the policy at `now`. Pure: the caller
 * reads files. `explicit` says the user named this file, so that a non-template is an error.
 */
export function scanTemplateText(path: string, text: string, policy: Policy, now: number, explicit = true): ScannedFile {
  if (Buffer.byteLength(text) > MAX_TEMPLATE_BYTES) return { path, functions: [], error: TOO_LARGE };
  let parsed;
  try {
    parsed = parseTemplateWithPositions(text);
  } catch (err) {
    const why = `not valid YAML or JSON: ${(err as Error).message.split('\n')[0]}`;
    // Found in a folder, text that neither parses nor names anything of a template is not one.
    if (!explicit && !looksLikeTemplate(text)) return { path, functions: [], skipped: `not a CloudFormation template (${why})` };
    return { path, functions: [], error: why };
  }
  if (!isTemplate(parsed.value) && !hasLoops(parsed.value)) {
    const why = 'not a CloudFormation template (no Resources with a Type)';
    return explicit ? { path, functions: [], error: why } : { path, functions: [], skipped: why };
  }
  try {
    const problem = parametersProblem(parsed.value as Record<string, unknown>);
    if (problem) return { path, functions: [], error: `not a valid template: ${problem}` };
    const { template: t, loopOf } = expandForEach(parsed.value as Record<string, unknown>, text);
    const functions = lambdaFunctionsOf(t).map((fn) => {
      const line = parsed.lineOf(loopOf.get(fn.logicalId) ?? fn.logicalId);
      try {
        return scanFunction(fn, t, policy, now, line);
      } catch (err) {
        const f = finding(PROPERTIES_INVALID, `cannot be read: ${(err as Error).message}`);
        return { logicalId: fn.logicalId, type: fn.type, line, runtime: undefined, findings: [f], verdict: verdict([f]), hookProperties: fn.properties };
      }
    });
    return { path, functions };
  } catch (err) {
    // Whatever a template holds, one file never stops a scan.
    return { path, functions: [], error: `cannot be scanned: ${(err as Error).message}` };
  }
}
