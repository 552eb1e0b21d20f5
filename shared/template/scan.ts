import { readResourceProperties } from '../adapters/cloudFormation.js';
import { evaluate, evaluateLayerVersion, finding } from '../evaluation/evaluate.js';
import { CHECKS, EXPRESSION_UNRESOLVED, NOT_APPLICABLE, PROPERTIES_INVALID, WAIVER_APPLIED, WAIVER_EXPIRED, WAIVER_TAG_INVALID } from '../evaluation/rules.js';
import type { DecidingFact, Finding, FindingLocation } from '../evaluation/types.js';
import { verdict, type Verdict } from '../evaluation/verdict.js';
import type { Policy } from '../policy/policy.js';
import { isDeepStrictEqual } from 'node:util';
import { LAYER_VERSION_TYPES, layerResourceFacts, templateFacts } from './deployment.js';
import { lambdaFunctionsOf, propertySource, type TemplateFunction } from './functions.js';
import { describeExpression, isIntrinsic, isRecord, joinAssumptions, product, resolve, type Candidate, type Resolution, type SourcePath, type TemplateParts } from './intrinsics.js';
import { expandForEach } from './languageExtensions.js';
import { parseTemplateWithPositions, pathText, type Locator } from './parse.js';

/** CloudFormation takes template bodies of 1 MB at most; anything far larger is not a template. */
export const MAX_TEMPLATE_BYTES = 5 * 1024 * 1024;
export const TOO_LARGE = `larger than ${MAX_TEMPLATE_BYTES / 1024 / 1024} MiB: not scanned`;

export interface ScannedFunction {
  readonly logicalId: string;
  readonly type: string;
  readonly line: number | undefined;
  /** The column of the resource's logical id on that line (1-based). */
  readonly column?: number;
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
  /** Its Lambda functions, then the LayerVersion resources RW019 flags (their `type` tells them apart). */
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

/** A value as the template has it: resolved where it is an intrinsic call, else taken as it is. `at`: where it is written. */
function shallow(value: unknown, t: TemplateParts, at?: SourcePath): Resolution {
  if (value === undefined) return ABSENT;
  return isIntrinsic(value) ? resolve(value, t, at) : { candidates: [{ value, via: 'literal', ...(at && { from: at }) }] };
}

/** `inner` reached through `outer`: both sets of condition assumptions, or undefined when they contradict. */
function withAssumptions(outer: Candidate, inner: Candidate): Candidate | undefined {
  const when = joinAssumptions(outer.when, inner.when);
  if (when === false) return undefined;
  return { value: inner.value, via: inner.via !== 'literal' ? inner.via : outer.via, ...(inner.from && { from: inner.from }), ...(when && when.size > 0 && { when }) };
}

/** Where the value at a path of a function's properties is written, as far as literal steps lead. */
type Origin = (path: readonly string[]) => SourcePath | undefined;

/**
 * The values of the property at `path`, each step resolved only where it is an expression. A
 * candidate reached by literal steps alone has no `from`: it is written where `origin` says.
 */
function at(root: Record<string, unknown>, path: readonly string[], t: TemplateParts, origin?: Origin): Resolution {
  const direct = literalAt(root, path);
  if (typeof direct !== 'object' || direct === null) return direct === undefined ? ABSENT : { candidates: [{ value: direct, via: 'literal' }] };
  let current: readonly Candidate[] = [{ value: root, via: 'literal' }];
  let partly: string | undefined;
  for (let d = 0; d < path.length; d++) {
    const key = path[d]!;
    const next: Candidate[] = [];
    for (const c of current) {
      const child = isRecord(c.value) ? c.value[key] : undefined;
      const here = c.from ? [...c.from, key] : isIntrinsic(child) ? origin?.(path.slice(0, d + 1)) : undefined;
      const r = shallow(child, t, here);
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
function tagAt(props: Record<string, unknown>, key: string, t: TemplateParts, origin?: Origin): Resolution {
  const containers = at(props, ['Tags'], t, origin);
  if ('unresolved' in containers) return containers;
  const out: Candidate[] = [];
  for (const c of containers.candidates) {
    const tagsAt = (): SourcePath | undefined => c.from ?? origin?.(['Tags']);
    if (isRecord(c.value)) {
      const where = tagsAt();
      const r = shallow(c.value[key], t, where && [...where, key]);
      if ('unresolved' in r) return r;
      out.push(...r.candidates.flatMap((x) => withAssumptions(c, x) ?? []));
      continue;
    }
    let surelySet = false;
    for (const [i, entry] of (Array.isArray(c.value) ? c.value : []).entries()) {
      const entries = shallow(entry, t);
      if ('unresolved' in entries) return { unresolved: `a tag entry ${entries.unresolved}` };
      for (const e of entries.candidates) {
        if (!isRecord(e.value)) continue;
        const keys = shallow(e.value.Key, t);
        if ('unresolved' in keys) return { unresolved: `a tag key ${keys.unresolved}` };
        if (!keys.candidates.some((k) => k.value === key)) continue;
        surelySet ||= e.via === 'literal' && keys.candidates.every((k) => k.value === key);
        const where = e.from ?? tagsAt();
        const values = shallow(e.value.Value, t, where && (e.from ? [...where, 'Value'] : [...where, i, 'Value']));
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
  /** The property's path in the function's properties. */
  readonly path: readonly string[];
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

/** The properties each rule's outcome turns on, the first the template holds being where to edit. */
const FACT_SLOT: Record<DecidingFact, SlotName> = { runtime: 'runtime', updateMode: 'mode', runtimeVersionArn: 'arn', tier: 'tier' };
const DECIDED_BY = new Map<string, readonly SlotName[]>([
  ...CHECKS.map((c) => [c.id, c.reads.map((f) => FACT_SLOT[f])] as const),
  [NOT_APPLICABLE.id, ['packageType']],
  ...[WAIVER_APPLIED, WAIVER_EXPIRED, WAIVER_TAG_INVALID].map((r) => [r.id, ['waiver']] as const),
]);
/** RW017 names the property it cannot read first (`... properties: Runtime: ...`, cloudFormation.ts's readResourceProperties). */
const INVALID_PROPERTY = /properties: ([A-Za-z]+)[:.]/;
/** Rules about what a template adds to the hook's properties: the property to edit, else the resource. */
const RULE_PROPERTY: Readonly<Record<string, string>> = { RW018: 'Layers', RW022: 'Layers', RW020: 'DeploymentPreference' };
const PROPERTY_SLOT: Readonly<Record<string, SlotName>> = { Runtime: 'runtime', PackageType: 'packageType', FunctionName: 'name', RuntimeManagementConfig: 'mode' };

interface Judged {
  readonly fn: ScannedFunction;
  /** Where the value deciding each finding is written; the resource's own place when no property decides it. */
  readonly sources: ReadonlyMap<Finding, SourcePath>;
}

function scanFunction(fn: TemplateFunction, t: TemplateParts, policy: Policy, now: number, base: Pick<ScannedFunction, 'logicalId' | 'type' | 'line' | 'column'>, resource: SourcePath): Judged {
  const props = fn.properties;
  const { logicalId } = fn;
  const origin: Origin = (path) => propertySource(fn, path, resource);
  const tierKey = policy.document.tiers.tagKey;
  const waiverKey = policy.document.waiverTag.enabled ? policy.document.waiverTag.key : undefined;
  const rmc = ['RuntimeManagementConfig'];
  // Where a value is inherited from SAM's Globals, that is where to edit it: say so.
  const where = (path: string): string => (fn.fromGlobals.has(path.split('.')[0]!) ? `Globals.Function.${path}` : path);
  const property = (label: string, path: readonly string[], fact?: DecidingFact): Slot => ({ label, expression: literalAt(props, path), resolution: at(props, path, t, origin), path, ...(fact && { fact }) });
  const slots: Record<SlotName, Slot> = {
    runtime: property(where('Runtime'), ['Runtime'], 'runtime'),
    packageType: property(where('PackageType'), ['PackageType']),
    mode: property(where('RuntimeManagementConfig.UpdateRuntimeOn'), [...rmc, 'UpdateRuntimeOn'], 'updateMode'),
    arn: property(where('RuntimeManagementConfig.RuntimeVersionArn'), [...rmc, 'RuntimeVersionArn'], 'runtimeVersionArn'),
    name: { label: 'FunctionName', expression: props.FunctionName, resolution: at(props, ['FunctionName'], t, origin), path: ['FunctionName'] },
    tier: { label: `Tag ${tierKey}`, expression: props.Tags, resolution: tagAt(props, tierKey, t, origin), fact: 'tier', path: ['Tags'] },
    waiver: { label: `Tag ${waiverKey}`, expression: props.Tags, resolution: waiverKey ? tagAt(props, waiverKey, t, origin) : ABSENT, path: ['Tags'] },
  };
  const undecided = new Set<DecidingFact>();
  const notes: Finding[] = [];
  const noteOf = new Map<Finding, SlotName>();
  const note = (k: SlotName, message: string): void => {
    const f = unresolvedFinding(message);
    notes.push(f);
    noteOf.set(f, k);
  };
  const keys = Object.keys(slots) as SlotName[];
  const parts = keys.map((k): Resolution => {
    const slot = slots[k];
    if ('candidates' in slot.resolution) {
      // The values the template decides are judged; the rest is said to be left to deploy time.
      if (slot.resolution.partly) note(k, `${slot.label} is ${describeExpression(slot.expression)}: ${slot.resolution.partly}; the values the template decides are judged, that one when deployed (hook, Config rule).`);
      return slot.resolution;
    }
    const open = `${slot.label} is ${describeExpression(slot.expression)}: ${slot.resolution.unresolved}`;
    if (slot.fact) {
      undecided.add(slot.fact);
      note(k, k === 'runtime' ? `${open}; it is judged when deployed (hook, Config rule).` : `${open}; ${rulesReading(slot.fact)} are judged when deployed (hook, Config rule).`);
      return ABSENT;
    }
    if (k === 'packageType') {
      note(k, `${open}; judged as Zip when a Runtime is given, as an image otherwise.`);
      const hasRuntime = undecided.has('runtime') || ('candidates' in slots.runtime.resolution && slots.runtime.resolution.candidates.some((c) => c.value !== undefined));
      return { candidates: [{ value: hasRuntime ? 'Zip' : 'Image', via: 'literal' }] };
    }
    if (k === 'waiver') note(k, `${open}; judged without the waiver.`);
    return ABSENT;
  });
  const combos = product(parts, (vs) => vs, MAX_COMBINATIONS);
  if ('unresolved' in combos) {
    const f = unresolvedFinding(`The properties the policy reads take ${combos.unresolved} together: judged when deployed (hook, Config rule).`);
    return { fn: { ...base, runtime: undefined, findings: [f], verdict: verdict([f]), hookProperties: props }, sources: new Map([[f, resource]]) };
  }
  // The judged values that came from expressions, named in every finding's message.
  const expressions = (['runtime', 'packageType', 'mode', 'arn'] as const).filter((k) => isIntrinsic(slots[k].expression) && 'candidates' in slots[k].resolution);
  const runtimeCandidates = 'candidates' in slots.runtime.resolution ? slots.runtime.resolution.candidates : [];
  const { Runtime: _r, FunctionName: _f, PackageType: _p, RuntimeManagementConfig: _m, Tags: _t, Layers: layers, ...rest } = props;
  const others = otherTags(props, new Set([tierKey, ...(waiverKey ? [waiverKey] : [])]), t);
  // How it deploys and what its template-declared layers support: the same in every combination.
  const declared = templateFacts(fn, t);
  let worst: ScannedFunction | undefined;
  let worstCombo: Candidate | undefined;
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
      findings = [...invalid.map((i) => finding(PROPERTIES_INVALID, i.message)), ...withSource(evaluate({ ...facts, ...declared }, policy, now, open), note && `${note}${suffix}`), ...notes];
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
    if (!worst || rank(verdictOf, findings) > rank(worst.verdict, worst.findings)) {
      worst = candidate;
      worstCombo = combo;
    }
  }
  return { fn: worst!, sources: sourcesOf(worst!.findings, slots, decidedAt(slots, keys, worstCombo!, origin), noteOf, origin, resource) };
}

/** Where each slot's judged value is written: the candidate of the worst combination that gave it. */
function decidedAt(slots: Record<SlotName, Slot>, keys: readonly SlotName[], combo: Candidate, origin: Origin): Map<SlotName, SourcePath> {
  const values = combo.value as unknown[];
  const out = new Map<SlotName, SourcePath>();
  keys.forEach((k, i) => {
    const r = slots[k].resolution;
    if (values[i] === undefined || !('candidates' in r)) return;
    const c = r.candidates.find((x) => (x.value === values[i] || isDeepStrictEqual(x.value, values[i])) && joinAssumptions(x.when, combo.when) !== false);
    const from = c && (c.from ?? origin(slots[k].path));
    if (from) out.set(k, from);
  });
  return out;
}

function sourcesOf(findings: readonly Finding[], slots: Record<SlotName, Slot>, decided: ReadonlyMap<SlotName, SourcePath>, noteOf: ReadonlyMap<Finding, SlotName>, origin: Origin, resource: SourcePath): Map<Finding, SourcePath> {
  const out = new Map<Finding, SourcePath>();
  for (const f of findings) {
    let where: SourcePath | undefined;
    const noted = noteOf.get(f);
    if (noted) where = decided.get(noted) ?? origin(slots[noted].path);
    else if (f.ruleId === PROPERTIES_INVALID.id) {
      const key = INVALID_PROPERTY.exec(f.message)?.[1];
      const slot = key === undefined ? undefined : PROPERTY_SLOT[key];
      where = (slot && decided.get(slot)) ?? (key === undefined ? undefined : origin([key]));
    } else if (RULE_PROPERTY[f.ruleId]) where = origin([RULE_PROPERTY[f.ruleId]!]);
    else where = (DECIDED_BY.get(f.ruleId) ?? []).map((k) => decided.get(k)).find((x) => x !== undefined);
    out.set(f, where ?? resource);
  }
  return out;
}

function withSource(findings: readonly Finding[], note: string | undefined): Finding[] {
  return note ? findings.map((f) => (f.ruleId === 'RW000' ? f : { ...f, message: `${f.message} (${note})` })) : [...findings];
}

/**
 * Each finding with the location of the value that decides it. A path the text cannot be followed
 * along to its end is located as far as it can be, and one not found at all (past the top level)
 * leaves the finding without a location, never with a wrong one.
 */
function located(locator: () => Locator | undefined, judged: readonly Judged[]): ScannedFunction[] {
  if (judged.every((j) => j.fn.findings.length === 0)) return judged.map((j) => j.fn);
  const locate = locator();
  if (!locate) return judged.map((j) => j.fn);
  return judged.map(({ fn, sources }) => {
    const findings = fn.findings.map((f) => {
      const where = sources.get(f);
      const found = where && locate(where);
      if (!found || found.path.length < 2) return f;
      const location: FindingLocation = { path: pathText(found.path), ...found.span };
      return { ...f, location };
    });
    return { ...fn, findings };
  });
}

/**
 * The template's LayerVersion resources that RW019 flags (only deprecated runtimes declared),
 * listed with the functions so that every format names them at their line; a layer it does not
 * flag is not listed.
 */
function layerResources(t: Record<string, unknown>, policy: Policy, now: number, position: (id: string) => { line: number; column: number } | undefined, sourceOf: ReadonlyMap<string, SourcePath>): Judged[] {
  const resources = isRecord(t.Resources) ? t.Resources : {};
  return Object.entries(resources).flatMap(([logicalId, r]): Judged[] => {
    if (!isRecord(r) || !LAYER_VERSION_TYPES.includes(r.Type as string)) return [];
    const findings = evaluateLayerVersion(layerResourceFacts(logicalId, r, t), policy, now);
    if (findings.length === 0) return [];
    const at = position(logicalId);
    const resource = sourceOf.get(logicalId) ?? ['Resources', logicalId];
    const props = isRecord(r.Properties) ? r.Properties : {};
    const where: SourcePath = Object.hasOwn(props, 'CompatibleRuntimes') ? [...resource, 'Properties', 'CompatibleRuntimes'] : resource;
    const fn: ScannedFunction = { logicalId, type: r.Type as string, line: at?.line, ...(at && { column: at.column }), runtime: undefined, findings, verdict: verdict(findings), hookProperties: props };
    return [{ fn, sources: new Map(findings.map((f) => [f, where])) }];
  });
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

export interface ScanOptions {
  /** Give each finding the location of the value that decides it (a second parse, of files with findings only); default true. */
  readonly locate?: boolean;
}

/**
 * Scans one template's text: every Lambda function (SAM ones with Globals filled in), its Runtime
 * resolved as far as the template decides it, judged by the policy at `now`. Pure: the caller
 * reads files. `explicit` says the user named this file, so that a non-template is an error.
 */
export function scanTemplateText(path: string, text: string, policy: Policy, now: number, explicit = true, { locate = true }: ScanOptions = {}): ScannedFile {
  if (Buffer.byteLength(text) > MAX_TEMPLATE_BYTES) return { path, functions: [], error: TOO_LARGE };
  let parsed;
  try {
    parsed = parseTemplateWithPositions(text, locate);
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
    const { template: t, loopOf, sourceOf } = expandForEach(parsed.value as Record<string, unknown>, text);
    const judged = lambdaFunctionsOf(t).map((fn): Judged => {
      const at = parsed.positionOf(loopOf.get(fn.logicalId) ?? fn.logicalId);
      const base = { logicalId: fn.logicalId, type: fn.type, line: at?.line, ...(at && { column: at.column }) };
      const resource = sourceOf.get(fn.logicalId) ?? ['Resources', fn.logicalId];
      try {
        return scanFunction(fn, t, policy, now, base, resource);
      } catch (err) {
        const f = finding(PROPERTIES_INVALID, `cannot be read: ${(err as Error).message}`);
        return { fn: { ...base, runtime: undefined, findings: [f], verdict: verdict([f]), hookProperties: fn.properties }, sources: new Map([[f, resource]]) };
      }
    });
    const all = [...judged, ...layerResources(t, policy, now, (id) => parsed.positionOf(loopOf.get(id) ?? id), sourceOf)];
    return { path, functions: locate ? located(parsed.locator, all) : all.map((j) => j.fn) };
  } catch (err) {
    // Whatever a template holds, one file never stops a scan.
    return { path, functions: [], error: `cannot be scanned: ${(err as Error).message}` };
  }
}
