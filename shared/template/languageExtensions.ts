// The part of the AWS::LanguageExtensions transform that decides which functions a template
// makes: Fn::ForEach. As the CloudFormation Template Reference ("Fn::ForEach") describes it:
// `Fn::ForEach::LoopName: [Identifier, Collection, {OutputKey: OutputValue}]`, where Collection is
// a list or a `Ref` to a CommaDelimitedList parameter, and every `${Identifier}` or `&{Identifier}`
// (the value without its non-alphanumeric characters) in OutputKey and OutputValue is replaced by
// each value; loops nest.

import { isRecord, resolve, type SourcePath, type TemplateParts } from './intrinsics.js';

const LOOP = 'Fn::ForEach::';

/** Far more than the 500 resources CloudFormation allows; stops a loop of loops from exploding. */
const MAX_EXPANDED = 10_000;
/**
 * Characters of text the expansion may produce. CloudFormation applies its quotas to the
 * resultant template, at most 1 MB ("Fn::ForEach", Template Reference; "Understand CloudFormation
 * quotas"): five times that is no real template, and what is counted is what would be allocated -
 * 2,000 copies of a 2.5 MB string are 5 GB - so the file is refused before it is.
 */
const MAX_EXPANDED_CHARS = 5 * 1024 * 1024;

export class ForEachError extends Error {
  public constructor(message: string) {
    super(message);
    this.name = 'ForEachError';
  }
}

type Scope = ReadonlyMap<string, string>;

function replaceIn(text: string, scope: Scope): string {
  if (scope.size === 0 || (!text.includes('${') && !text.includes('&{'))) return text;
  return text.replace(/([$&])\{([^{}]*)\}/g, (whole, sigil: string, name: string) => {
    const v = scope.get(name);
    if (v === undefined) return whole;
    return sigil === '&' ? v.replace(/[^A-Za-z0-9]/g, '') : v;
  });
}

function collection(loop: string, value: unknown, t: TemplateParts): string[] {
  const r = resolve(value, t);
  if ('unresolved' in r) throw new ForEachError(`${loop}: its collection is not decided by the template (${r.unresolved})`);
  const items = new Set<string>();
  // Each value the collection can take contributes its functions: the worst of them is judged.
  for (const c of r.candidates) {
    if (!Array.isArray(c.value) || c.value.some((x) => typeof x !== 'string' && typeof x !== 'number')) {
      throw new ForEachError(`${loop}: its collection must be a list of strings`);
    }
    for (const x of c.value) items.add(String(x));
  }
  return [...items];
}

interface Budget {
  left: number;
  chars: number;
}

/** A string the expansion emits, counted whether it is new or shared: whoever reads the result copies it. */
function emit(text: string, budget: Budget): string {
  budget.chars -= text.length;
  if (budget.chars < 0) throw new ForEachError(`Fn::ForEach makes more than ${MAX_EXPANDED_CHARS} characters of template, past what CloudFormation accepts`);
  return text;
}

function expandValue(value: unknown, scope: Scope, t: TemplateParts, budget: Budget): unknown {
  if (typeof value === 'string') {
    // The source is at most one file's size: checked before a copy of it is made, so the copy
    // that would pass the budget is never allocated.
    if (value.length > budget.chars) emit(value, budget);
    return emit(replaceIn(value, scope), budget);
  }
  if (Array.isArray(value)) return value.map((v) => expandValue(v, scope, t, budget));
  if (!isRecord(value)) return value;
  if (typeof value.Ref === 'string' && Object.keys(value).length === 1 && scope.has(value.Ref)) return scope.get(value.Ref);
  return expandMap(value, scope, t, budget);
}

/** `sources`, when given, is told where in `map` each key of the result is written (inside the loops that make it). */
function expandMap(map: Record<string, unknown>, scope: Scope, t: TemplateParts, budget: Budget, sources?: Map<string, SourcePath>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const put = (key: string, value: unknown, loop?: string): void => {
    if (Object.hasOwn(out, key)) throw new ForEachError(`${loop ?? key}: makes the key ${key} twice`);
    if (--budget.left < 0) throw new ForEachError(`Fn::ForEach makes more than ${MAX_EXPANDED} entries`);
    out[emit(key, budget)] = value;
  };
  for (const [key, value] of Object.entries(map)) {
    if (!key.startsWith(LOOP)) {
      const made = replaceIn(key, scope);
      put(made, expandValue(value, scope, t, budget));
      sources?.set(made, [key]);
      continue;
    }
    if (!Array.isArray(value) || value.length !== 3 || typeof value[0] !== 'string' || !isRecord(value[2])) {
      throw new ForEachError(`${key}: must be [Identifier, Collection, {OutputKey: OutputValue}]`);
    }
    const [identifier, items, fragment] = value as [string, unknown, Record<string, unknown>];
    for (const item of collection(key, expandValue(items, scope, t, budget), t)) {
      const inner = new Map(scope).set(identifier, item);
      const within = sources && new Map<string, SourcePath>();
      for (const [k, v] of Object.entries(expandMap(fragment, inner, t, budget, within))) {
        put(k, v, key);
        sources?.set(k, [key, 2, ...within!.get(k)!]);
      }
    }
  }
  return out;
}

export interface Expanded {
  readonly template: Record<string, unknown>;
  /** For each resource a top-level loop made, the loop's own key (where the source has a line). */
  readonly loopOf: ReadonlyMap<string, string>;
  /** For each resource a loop made, where its body is written (`Resources`, the loop, `2`, the output key). */
  readonly sourceOf: ReadonlyMap<string, SourcePath>;
}

/**
 * The template with every Fn::ForEach of its Resources expanded; the same object when it has none.
 * `text` is the template's source, where a loop's name is looked for before the whole is walked.
 */
export function expandForEach(template: Record<string, unknown>, text: string): Expanded {
  const resources = template.Resources;
  if (!isRecord(resources) || !text.includes(LOOP)) return { template, loopOf: new Map(), sourceOf: new Map() };
  const budget = { left: MAX_EXPANDED, chars: MAX_EXPANDED_CHARS };
  const expanded: Record<string, unknown> = {};
  const loopOf = new Map<string, string>();
  const sourceOf = new Map<string, SourcePath>();
  for (const [key, value] of Object.entries(resources)) {
    const within = key.startsWith(LOOP) ? new Map<string, SourcePath>() : undefined;
    for (const [id, resource] of Object.entries(expandMap({ [key]: value }, new Map(), template as TemplateParts, budget, within))) {
      if (Object.hasOwn(expanded, id)) throw new ForEachError(`${key}: makes the resource ${id}, which already exists`);
      expanded[id] = resource;
      if (within) {
        loopOf.set(id, key);
        sourceOf.set(id, ['Resources', ...within.get(id)!]);
      }
    }
  }
  return { template: { ...template, Resources: expanded }, loopOf, sourceOf };
}
