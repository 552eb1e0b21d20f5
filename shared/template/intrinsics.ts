// Resolving CloudFormation intrinsic functions from the template alone, as far as it decides
// them: a parameter's Default and AllowedValues, mappings, both branches of a condition, Sub,
// Join, Select and Split over those. What depends on the deployment (pseudo parameters, resource
// attributes, imports) stays unresolved and is named. Every function here takes time linear in
// the size of its input: templates come from anyone.

export interface Candidate {
  /** The value; undefined when it is `AWS::NoValue` (the property is absent). */
  readonly value: unknown;
  /** Where the value comes from, for messages: `Default of NodeRuntime`, `Runtimes.prod.node`. */
  readonly via: string;
  /** The condition values this candidate assumes (`!If` branches), so that one `IsProd` is never both. */
  readonly when?: ReadonlyMap<string, boolean>;
  /** Where in the template's source the value is written, when one value there gives it (a parameter's Default, a mapping entry, an `!If` branch). */
  readonly from?: SourcePath;
}

/** A place in a template's source: map keys and list indexes from its top (`Globals`, `Function`, `Runtime`). */
export type SourcePath = readonly (string | number)[];

/**
 * What an expression can be: its candidates, or why the template does not decide it. `partly`: the
 * candidates are what the template decides, and another value the deployment decides is possible
 * (an `!If` one of whose branches is an import): the candidates are still judged.
 */
export type Resolution = { readonly candidates: readonly Candidate[]; readonly partly?: string } | { readonly unresolved: string };

export interface TemplateParts {
  readonly Parameters?: Record<string, unknown>;
  readonly Mappings?: Record<string, unknown>;
}

/** Products of candidates grow fast: past this many, the expression counts as unresolved. */
export const MAX_CANDIDATES = 32;

export const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** An intrinsic function call: a map of one key, `Ref` or `Fn::*`. */
export function isIntrinsic(value: unknown): value is Record<string, unknown> {
  if (!isRecord(value)) return false;
  const keys = Object.keys(value);
  return keys.length === 1 && (keys[0] === 'Ref' || keys[0]!.startsWith('Fn::'));
}

export const isNoValue = (v: unknown): boolean => isRecord(v) && v.Ref === 'AWS::NoValue' && Object.keys(v).length === 1;

function shortForm(value: unknown, budget: { left: number }): string {
  if (budget.left <= 0) return '';
  let text: string;
  if (Array.isArray(value)) {
    const parts: string[] = [];
    for (const v of value) {
      if (budget.left <= 0) break;
      parts.push(shortForm(v, budget));
    }
    text = `[${parts.join(', ')}]`;
  } else if (!isRecord(value)) {
    text = typeof value === 'string' ? value : String(JSON.stringify(value));
  } else {
    const entries = Object.entries(value);
    // Only an intrinsic reads as a tag: `{DefaultValue: x}` is a map.
    if (entries.length !== 1 || !(entries[0]![0] === 'Ref' || entries[0]![0] === 'Condition' || entries[0]![0].startsWith('Fn::'))) {
      const parts: string[] = [];
      for (const [k, v] of entries) {
        if (budget.left <= 0) break;
        parts.push(`${k}: ${shortForm(v, budget)}`);
      }
      text = `{${parts.join(', ')}}`;
    } else {
      const [key, arg] = entries[0]!;
      text = `!${key === 'Ref' || key === 'Condition' ? key : key.replace(/^Fn::/, '')} ${shortForm(arg, budget)}`;
    }
  }
  budget.left -= text.length;
  return text;
}

/** `!Ref X`, `!If [IsProd, a, b]`: the YAML short form, for messages; stops early on huge values. */
export function describeExpression(value: unknown): string {
  const text = shortForm(value, { left: 240 });
  return text.length > 120 ? `${text.slice(0, 119)}…` : text;
}

function unique(candidates: Candidate[]): Candidate[] {
  const seen = new Set<string>();
  return candidates.filter((c) => {
    const k = `${JSON.stringify(c.value) ?? 'undefined'}|${c.when ? [...c.when].sort().join() : ''}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/** The union of two sets of condition assumptions, or false when they contradict. */
export function joinAssumptions(a: ReadonlyMap<string, boolean> | undefined, b: ReadonlyMap<string, boolean> | undefined): ReadonlyMap<string, boolean> | undefined | false {
  if (!a || a.size === 0) return b;
  if (!b || b.size === 0) return a;
  const out = new Map(a);
  for (const [k, v] of b) {
    if (out.has(k) && out.get(k) !== v) return false;
    out.set(k, v);
  }
  return out;
}

/**
 * Every consistent combination of the parts' candidates, combined. Built index by index rather
 * than by copying partial products, so that many single-candidate parts cost linear time.
 */
export function product(parts: readonly Resolution[], combine: (values: unknown[]) => unknown, limit = MAX_CANDIDATES): Resolution {
  let count = 1;
  for (const p of parts) {
    if ('unresolved' in p) return p;
    count *= p.candidates.length;
    if (count > limit) return { unresolved: `more than ${limit} possible values` };
  }
  const lists = parts.map((p) => (p as { candidates: readonly Candidate[] }).candidates);
  const out: Candidate[] = [];
  for (let k = 0; k < count; k++) {
    const values: unknown[] = new Array(lists.length);
    const vias = new Set<string>();
    let when: ReadonlyMap<string, boolean> | undefined;
    let rest = k;
    let consistent = true;
    for (let i = 0; i < lists.length && consistent; i++) {
      const list = lists[i]!;
      const c = list[rest % list.length]!;
      rest = Math.floor(rest / list.length);
      values[i] = c.value;
      if (c.via !== 'literal') vias.add(c.via);
      const joined = joinAssumptions(when, c.when);
      if (joined === false) consistent = false;
      else when = joined;
    }
    if (consistent) out.push({ value: combine(values), via: [...vias].join(', ') || 'literal', ...(when && when.size > 0 && { when }) });
  }
  return { candidates: unique(out) };
}

const isListType = (type: unknown): boolean => typeof type === 'string' && (type === 'CommaDelimitedList' || type.startsWith('List<'));

/** CommaDelimitedList: "each member string is space trimmed" (CloudFormation User Guide, Parameters). */
const splitList = (v: unknown): string[] => String(v).split(',').map((s) => s.trim());

function ref(name: string, t: TemplateParts): Resolution {
  const p = t.Parameters?.[name];
  if (!isRecord(p)) return { unresolved: name.startsWith('AWS::') ? `!Ref ${name} depends on the deployment` : `!Ref ${name} is not a template parameter` };
  const list = isListType(p.Type);
  const candidates: Candidate[] = [];
  if (p.Default !== undefined) candidates.push({ value: list ? splitList(p.Default) : String(p.Default), via: `Default of ${name}`, from: ['Parameters', name, 'Default'] });
  // A list parameter's AllowedValues constrain each member, not the list.
  if (!list && Array.isArray(p.AllowedValues)) p.AllowedValues.forEach((v: unknown, i) => candidates.push({ value: String(v), via: `AllowedValues of ${name}`, from: ['Parameters', name, 'AllowedValues', i] }));
  return candidates.length > 0 ? { candidates: unique(candidates) } : { unresolved: `!Ref ${name} has no Default${list ? '' : ' or AllowedValues'}` };
}

/** `${Name}` references of a Sub string in order of first appearance; `${!Literal}` is not one. */
function subNames(text: string): string[] {
  const names = new Set<string>();
  for (let i = text.indexOf('${'); i >= 0; i = text.indexOf('${', i + 2)) {
    const end = text.indexOf('}', i + 2);
    if (end < 0) break;
    const name = text.slice(i + 2, end);
    if (!name.startsWith('!')) names.add(name);
    i = end - 1;
  }
  return [...names];
}

function substitute(text: string, values: ReadonlyMap<string, unknown>): string {
  let out = '';
  let from = 0;
  for (let i = text.indexOf('${'); i >= 0; i = text.indexOf('${', from)) {
    const end = text.indexOf('}', i + 2);
    if (end < 0) break;
    const name = text.slice(i + 2, end);
    out += text.slice(from, i) + (name.startsWith('!') ? `\${${name.slice(1)}}` : String(values.get(name)));
    from = end + 1;
  }
  return out + text.slice(from);
}

function mapCandidates(expression: unknown, r: Resolution, f: (c: Candidate) => Candidate | undefined): Resolution {
  if ('unresolved' in r) return r;
  const candidates = unique(r.candidates.flatMap((c) => f(c) ?? []));
  return candidates.length > 0 ? { candidates } : { unresolved: `${describeExpression(expression)} has no value of the right type` };
}

/**
 * `Fn::FindInMap [Map, TopKey, SecondKey]`, and with AWS::LanguageExtensions a fourth argument
 * `{DefaultValue: x}` that stands for every lookup the map does not answer (Template Reference,
 * "Fn::FindInMap enhancements").
 */
function findInMap(value: Record<string, unknown>, arg: unknown, t: TemplateParts, at: SourcePath | undefined): Resolution {
  if (!Array.isArray(arg) || arg.length < 3 || typeof arg[0] !== 'string') return { unresolved: describeExpression(value) };
  const options = arg[3];
  const fallback: Resolution | undefined = isRecord(options) && Object.hasOwn(options, 'DefaultValue') ? resolve(options.DefaultValue, t, at && [...at, 'Fn::FindInMap', 3, 'DefaultValue']) : undefined;
  const defaults = (): Candidate[] => (fallback && 'candidates' in fallback ? fallback.candidates.map((c) => ({ ...c, via: c.via === 'literal' ? `DefaultValue of ${arg[0]}` : c.via })) : []);
  if (fallback && 'unresolved' in fallback) return fallback;
  const map = t.Mappings?.[arg[0]];
  if (!isRecord(map)) return fallback ? { candidates: unique(defaults()) } : { unresolved: `mapping ${arg[0]} is not in the template` };
  const isRegion = (k: unknown): boolean => isRecord(k) && k.Ref === 'AWS::Region';
  const keys = (k: unknown, within: Record<string, unknown>): Resolution => (isRegion(k) ? { candidates: Object.keys(within).map((x) => ({ value: x, via: 'each region' })) } : resolve(k, t));
  const first = keys(arg[1], map);
  if ('unresolved' in first) return first;
  const out: Candidate[] = [];
  let missed = false;
  for (const k1 of first.candidates) {
    const level = map[String(k1.value)];
    if (!isRecord(level)) {
      missed = true;
      continue;
    }
    const second = keys(arg[2], level);
    if ('unresolved' in second) return second;
    for (const k2 of second.candidates) {
      const found = level[String(k2.value)];
      if (found === undefined) {
        missed = true;
        continue;
      }
      const when = joinAssumptions(k1.when, k2.when);
      if (when !== false) out.push({ value: found, via: `${arg[0]}.${String(k1.value)}.${String(k2.value)}`, from: ['Mappings', arg[0], String(k1.value), String(k2.value)], ...(when && { when }) });
    }
  }
  // A region the map leaves out takes the default too.
  if (fallback && (missed || isRegion(arg[1]) || isRegion(arg[2]))) out.push(...defaults());
  return out.length > 0 ? { candidates: unique(out) } : { unresolved: `${describeExpression(value)} finds no value in the mapping` };
}

function select(value: Record<string, unknown>, arg: unknown, t: TemplateParts, at: SourcePath | undefined): Resolution {
  if (!Array.isArray(arg) || arg.length !== 2) return { unresolved: describeExpression(value) };
  const index = resolve(arg[0], t);
  if ('unresolved' in index) return index;
  // A literal list: only the selected elements are resolved, not the product of all of them.
  const list: Resolution = Array.isArray(arg[1]) ? { candidates: [{ value: arg[1], via: 'literal' }] } : resolve(arg[1], t);
  if ('unresolved' in list) return list;
  const out: Candidate[] = [];
  for (const i of index.candidates) {
    const n = typeof i.value === 'number' ? i.value : typeof i.value === 'string' && /^\d+$/.test(i.value) ? Number(i.value) : Number.NaN;
    for (const l of list.candidates) {
      if (!Array.isArray(l.value) || !Number.isInteger(n) || n < 0 || n >= l.value.length) {
        return { unresolved: `${describeExpression(value)} selects no element (index ${String(i.value)})` };
      }
      const element: Resolution = Array.isArray(arg[1]) ? resolve(l.value[n], t, at && [...at, 'Fn::Select', 1, n]) : { candidates: [{ value: l.value[n], via: l.via, ...(l.from && { from: l.from }) }] };
      if ('unresolved' in element) return element;
      for (const e of element.candidates) {
        const outer = joinAssumptions(i.when, l.when);
        const when = outer === false ? false : joinAssumptions(outer, e.when);
        if (when !== false) out.push({ value: e.value, via: [i.via, e.via].filter((v) => v !== 'literal').join(', ') || 'literal', ...(e.from && { from: e.from }), ...(when && { when }) });
      }
    }
  }
  return { candidates: unique(out) };
}

/**
 * What `value` can be. `at`, where the caller knows it, is where `value` is written in the source:
 * each candidate then says where its own value is (`from`), for a finding to point at.
 */
export function resolve(value: unknown, t: TemplateParts, at?: SourcePath): Resolution {
  if (isNoValue(value)) return { candidates: [{ value: undefined, via: 'AWS::NoValue', ...(at && { from: at }) }] };
  if (Array.isArray(value)) return writtenAt(product(value.map((v) => resolve(v, t)), (vs) => vs.filter((v) => v !== undefined)), at);
  if (!isRecord(value)) return { candidates: [{ value, via: 'literal', ...(at && { from: at }) }] };
  const entries = Object.entries(value);
  if (entries.length !== 1) {
    return writtenAt(
      product(
        entries.map(([, v]) => resolve(v, t)),
        (vs) => Object.fromEntries(entries.flatMap(([k], i) => (vs[i] === undefined ? [] : [[k, vs[i]]]))),
      ),
      at,
    );
  }
  const [fn, arg] = entries[0]!;
  switch (fn) {
    case 'Ref':
      return typeof arg === 'string' ? ref(arg, t) : { unresolved: describeExpression(value) };
    case 'Fn::If': {
      if (!Array.isArray(arg) || arg.length !== 3 || typeof arg[0] !== 'string') return { unresolved: describeExpression(value) };
      const cond = arg[0];
      const out: Candidate[] = [];
      const open: string[] = [];
      for (const [branch, holds] of [[arg[1], true], [arg[2], false]] as const) {
        const r = resolve(branch, t, at && [...at, 'Fn::If', holds ? 1 : 2]);
        // A branch the template does not decide leaves the other judged, never dropped.
        if ('unresolved' in r) {
          open.push(r.unresolved);
          continue;
        }
        if (r.partly) open.push(r.partly);
        for (const c of r.candidates) {
          const when = joinAssumptions(c.when, new Map([[cond, holds]]));
          const via = c.via === 'literal' ? `a branch of condition ${cond}` : `${c.via} in a branch of condition ${cond}`;
          if (when !== false) out.push({ value: c.value, via, ...(c.from && { from: c.from }), ...(when && { when }) });
        }
      }
      if (out.length === 0) return { unresolved: open[0] ?? describeExpression(value) };
      return open.length > 0 ? { candidates: unique(out), partly: `a branch of condition ${cond}: ${open.join('; ')}` } : { candidates: unique(out) };
    }
    case 'Fn::FindInMap':
      return findInMap(value, arg, t, at);
    case 'Fn::Sub': {
      const [text, vars] = typeof arg === 'string' ? [arg, {}] : Array.isArray(arg) && typeof arg[0] === 'string' ? [arg[0], isRecord(arg[1]) ? arg[1] : {}] : [undefined, {}];
      if (text === undefined) return { unresolved: describeExpression(value) };
      const names = subNames(text);
      const parts = names.map((n): Resolution => (Object.hasOwn(vars, n) ? resolve(vars[n], t) : n.includes('.') ? { unresolved: `\${${n}} depends on the deployment` } : ref(n, t)));
      return writtenAt(product(parts, (vs) => substitute(text, new Map(names.map((n, i) => [n, vs[i]])))), at);
    }
    case 'Fn::Join': {
      if (!Array.isArray(arg) || arg.length !== 2 || typeof arg[0] !== 'string') return { unresolved: describeExpression(value) };
      const sep = arg[0];
      const join = (vs: unknown[]): string => vs.filter((v) => v !== undefined).map(String).join(sep);
      if (Array.isArray(arg[1])) return writtenAt(product(arg[1].map((v) => resolve(v, t)), join), at);
      return mapCandidates(value, resolve(arg[1], t), (c) => (Array.isArray(c.value) ? { ...c, value: join(c.value) } : undefined));
    }
    case 'Fn::Select':
      return select(value, arg, t, at);
    case 'Fn::Split': {
      if (!Array.isArray(arg) || arg.length !== 2 || typeof arg[0] !== 'string' || arg[0] === '') return { unresolved: describeExpression(value) };
      const sep = arg[0];
      return mapCandidates(value, resolve(arg[1], t), (c) => (typeof c.value === 'string' ? { ...c, value: c.value.split(sep) } : undefined));
    }
    case 'Fn::Length':
      return mapCandidates(value, resolve(arg, t), (c) => (Array.isArray(c.value) ? { ...c, value: c.value.length } : undefined));
    case 'Fn::ToJsonString':
      return mapCandidates(value, resolve(arg, t), (c) => ({ ...c, value: JSON.stringify(c.value) }));
    default:
      return fn.startsWith('Fn::') || fn === 'Condition'
        ? { unresolved: `${describeExpression(value)} cannot be resolved from the template alone` }
        : writtenAt(product([resolve(arg, t)], (vs) => ({ [fn]: vs[0] })), at);
  }
}

/** A value made of several (`!Sub`, `!Join`, a list): it is written where the expression is. */
function writtenAt(r: Resolution, at: SourcePath | undefined): Resolution {
  if (!at || 'unresolved' in r) return r;
  return { ...r, candidates: r.candidates.map((c) => ({ ...c, from: at })) };
}
