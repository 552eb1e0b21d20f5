import { LAMBDA_FUNCTION_TYPES } from '../facts/functionFacts.js';
import type { SourcePath } from './intrinsics.js';

export interface TemplateFunction {
  readonly logicalId: string;
  readonly type: string;
  /** The resource's properties, with SAM's Globals.Function filled in where it does not override. */
  readonly properties: Record<string, unknown>;
  /** Top-level properties whose value is Globals.Function's, not the resource's own. */
  readonly fromGlobals: ReadonlySet<string>;
  /** The resource's own properties, and what it takes from Globals.Function: where each value is written. */
  readonly own: Record<string, unknown>;
  readonly inherited: Record<string, unknown>;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * The Lambda functions a parsed template declares. SAM functions inherit Globals.Function the way
 * the SAM transform does it: maps merge, anything else is replaced by the resource's own value.
 */
export function lambdaFunctionsOf(template: unknown): TemplateFunction[] {
  if (!isRecord(template) || !isRecord(template.Resources)) return [];
  const globals = isRecord(template.Globals) && isRecord(template.Globals.Function) ? template.Globals.Function : {};
  const out: TemplateFunction[] = [];
  for (const [logicalId, resource] of Object.entries(template.Resources)) {
    if (!isRecord(resource) || typeof resource.Type !== 'string' || !LAMBDA_FUNCTION_TYPES.includes(resource.Type)) continue;
    const own = isRecord(resource.Properties) ? resource.Properties : {};
    const inherited = resource.Type === 'AWS::Serverless::Function' ? withoutIgnored(globals, resource.IgnoreGlobals) : {};
    const properties = Object.keys(inherited).length > 0 ? mergeGlobals(inherited, own) : own;
    out.push({ logicalId, type: resource.Type, properties, fromGlobals: new Set(Object.keys(inherited).filter((k) => !Object.hasOwn(own, k))), own, inherited });
  }
  return out;
}

/**
 * Globals less what the resource's `IgnoreGlobals` attribute leaves out: `'*'` for all, or a list
 * of property names (SAM translator's globals plugin, aws/serverless-application-model#3386).
 */
function withoutIgnored(globals: Record<string, unknown>, ignore: unknown): Record<string, unknown> {
  if (ignore === '*') return {};
  if (!Array.isArray(ignore)) return globals;
  return Object.fromEntries(Object.entries(globals).filter(([k]) => !ignore.includes(k)));
}

function mergeGlobals(globals: Record<string, unknown>, own: Record<string, unknown>): Record<string, unknown> {
  const merged: Record<string, unknown> = { ...globals };
  for (const [k, v] of Object.entries(own)) {
    const g = merged[k];
    merged[k] = isRecord(g) && isRecord(v) ? mergeGlobals(g, v) : v;
  }
  return merged;
}

/**
 * Where the value at `path` of a function's properties is written, read as the merge above reads
 * it: under the resource's `Properties` (at `resource`, its place in the source), else SAM's
 * `Globals.Function`; undefined when neither holds it as written (an absent property, or one
 * inside an intrinsic function).
 */
export function propertySource(fn: TemplateFunction, path: readonly string[], resource: SourcePath): SourcePath | undefined {
  const holds = (root: unknown): boolean => {
    let v = root;
    for (const k of path) {
      if (!isRecord(v) || !Object.hasOwn(v, k)) return false;
      v = v[k];
    }
    return true;
  };
  if (holds(fn.own)) return [...resource, 'Properties', ...path];
  return holds(fn.inherited) ? ['Globals', 'Function', ...path] : undefined;
}
