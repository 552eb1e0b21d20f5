// Resolving CloudFormation intrinsic functions from the template alone, as far as it decides
// them: a parameter's Default and AllowedValues, mappings, both branches of a condition, Sub and
// Join over those. What depends on the deployment (pseudo parameters, resource attributes,
// imports) stays unresolved and is named.

export interface Candidate {
  readonly value: unknown;
  /** Where the value comes from, for messages: `Default of NodeRuntime`, `Runtimes.prod.node`. */
  readonly via: string;
}

export type Resolution = { readonly candidates: readonly Candidate[] } | { readonly unresolved: string };

interface TemplateParts {
  readonly Parameters?: Record<string, { Default?: unknown; AllowedValues?: unknown[] }>;
  readonly Mappings?: Record<string, Record<string, Record<string, unknown>>>;
}

/** Products of candidates grow fast: past this many, the expression counts as unresolved. */
const MAX_CANDIDATES = 32;

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function shortForm(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(shortForm).join(', ')}]`;
  if (!isRecord(value)) return typeof value === 'string' ? value : JSON.stringify(value);
  const entries = Object.entries(value);
  if (entries.length !== 1) return `{${entries.map(([k, v]) => `${k}: ${shortForm(v)}`).join(', ')}}`;
  const [key, arg] = entries[0]!;
  return `!${key === 'Ref' || key === 'Condition' ? key : key.replace(/^Fn::/, '')} ${shortForm(arg)}`;
}

/** `!Ref X`, `!If [IsProd, a, b]`: the YAML short form, for messages. */
export function describeExpression(value: unknown): string {
  const text = shortForm(value);
  return text.length > 120 ? `${text.slice(0, 119)}…` : text;
}

function unique(candidates: Candidate[]): Candidate[] {
  const seen = new Set<string>();
  return candidates.filter((c) => {
    const k = JSON.stringify(c.value);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

function product(parts: Resolution[], combine: (values: unknown[]) => unknown, via: (vias: string[]) => string): Resolution {
  let acc: { values: unknown[]; vias: string[] }[] = [{ values: [], vias: [] }];
  for (const p of parts) {
    if ('unresolved' in p) return p;
    acc = acc.flatMap((a) => p.candidates.map((c) => ({ values: [...a.values, c.value], vias: [...a.vias, c.via] })));
    if (acc.length > MAX_CANDIDATES) return { unresolved: `more than ${MAX_CANDIDATES} possible values` };
  }
  return { candidates: unique(acc.map((a) => ({ value: combine(a.values), via: via(a.vias.filter((v) => v !== 'literal')) || 'literal' }))) };
}

function ref(name: string, t: TemplateParts): Resolution {
  const p = t.Parameters?.[name];
  if (!p) return { unresolved: name.startsWith('AWS::') ? `!Ref ${name} depends on the deployment` : `!Ref ${name} is not a template parameter` };
  const candidates: Candidate[] = [];
  if (p.Default !== undefined) candidates.push({ value: String(p.Default), via: `Default of ${name}` });
  for (const v of p.AllowedValues ?? []) candidates.push({ value: String(v), via: `AllowedValues of ${name}` });
  return candidates.length > 0 ? { candidates: unique(candidates) } : { unresolved: `!Ref ${name} has no Default or AllowedValues` };
}

export function resolve(value: unknown, t: TemplateParts): Resolution {
  if (!isRecord(value)) {
    return Array.isArray(value) ? product(value.map((v) => resolve(v, t)), (vs) => vs, (vias) => vias.join(', ')) : { candidates: [{ value, via: 'literal' }] };
  }
  const entries = Object.entries(value);
  if (entries.length !== 1) return product(entries.map(([, v]) => resolve(v, t)), (vs) => Object.fromEntries(entries.map(([k], i) => [k, vs[i]])), (vias) => vias.join(', '));
  const [fn, arg] = entries[0]!;
  switch (fn) {
    case 'Ref':
      return typeof arg === 'string' ? ref(arg, t) : { unresolved: describeExpression(value) };
    case 'Fn::If': {
      if (!Array.isArray(arg) || arg.length !== 3) return { unresolved: describeExpression(value) };
      const branches = [arg[1], arg[2]].filter((b) => !(isRecord(b) && b.Ref === 'AWS::NoValue')).map((b) => resolve(b, t));
      const bad = branches.find((b) => 'unresolved' in b);
      if (bad) return bad;
      const branch = (c: Candidate): Candidate => ({ ...c, via: c.via === 'literal' ? `a branch of condition ${String(arg[0])}` : `${c.via} in a branch of condition ${String(arg[0])}` });
      return { candidates: unique(branches.flatMap((b) => ('candidates' in b ? b.candidates.map(branch) : []))) };
    }
    case 'Fn::FindInMap': {
      if (!Array.isArray(arg) || arg.length < 3 || typeof arg[0] !== 'string') return { unresolved: describeExpression(value) };
      const map = t.Mappings?.[arg[0]];
      if (!map) return { unresolved: `mapping ${arg[0]} is not in the template` };
      const keys = (k: unknown, within: Record<string, unknown>): Resolution => {
        if (isRecord(k) && k.Ref === 'AWS::Region') return { candidates: Object.keys(within).map((x) => ({ value: x, via: 'each region' })) };
        return resolve(k, t);
      };
      const first = keys(arg[1], map);
      if ('unresolved' in first) return first;
      const out: Candidate[] = [];
      for (const k1 of first.candidates) {
        const level = map[String(k1.value)];
        if (!isRecord(level)) continue;
        const second = keys(arg[2], level);
        if ('unresolved' in second) return second;
        for (const k2 of second.candidates) {
          if (level[String(k2.value)] !== undefined) out.push({ value: level[String(k2.value)], via: `${arg[0]}.${String(k1.value)}.${String(k2.value)}` });
        }
      }
      return out.length > 0 ? { candidates: unique(out) } : { unresolved: `${describeExpression(value)} finds no value in the mapping` };
    }
    case 'Fn::Sub': {
      const [text, vars] = typeof arg === 'string' ? [arg, {}] : Array.isArray(arg) && typeof arg[0] === 'string' ? [arg[0], isRecord(arg[1]) ? arg[1] : {}] : [undefined, {}];
      if (text === undefined) return { unresolved: describeExpression(value) };
      const names = [...text.matchAll(/\$\{([^}!][^}]*)\}/g)].map((m) => m[1]!);
      const parts = names.map((n) => (n in vars ? resolve(vars[n], t) : n.includes('.') ? { unresolved: `\${${n}} depends on the deployment` } : ref(n, t)));
      return product(parts, (vs) => names.reduce((s, n, i) => s.replace(`\${${n}}`, String(vs[i])), text), (vias) => vias.join(', '));
    }
    case 'Fn::Join': {
      if (!Array.isArray(arg) || typeof arg[0] !== 'string' || !Array.isArray(arg[1])) return { unresolved: describeExpression(value) };
      const sep = arg[0];
      return product(arg[1].map((v) => resolve(v, t)), (vs) => vs.map(String).join(sep), (vias) => vias.join(', '));
    }
    default:
      return fn.startsWith('Fn::') || fn === 'Condition' ? { unresolved: `${describeExpression(value)} cannot be resolved from the template alone` } : product([resolve(arg, t)], (vs) => ({ [fn]: vs[0] }), (vias) => vias.join(', '));
  }
}
