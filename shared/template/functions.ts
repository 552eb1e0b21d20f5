import { LAMBDA_FUNCTION_TYPES } from '../facts/functionFacts.js';

export interface TemplateFunction {
  readonly logicalId: string;
  readonly type: string;
  /** The resource's properties, with SAM's Globals.Function filled in where it does not override. */
  readonly properties: Record<string, unknown>;
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
    const properties = resource.Type === 'AWS::Serverless::Function' ? mergeGlobals(globals, own) : own;
    out.push({ logicalId, type: resource.Type, properties });
  }
  return out;
}

function mergeGlobals(globals: Record<string, unknown>, own: Record<string, unknown>): Record<string, unknown> {
  const merged: Record<string, unknown> = { ...globals };
  for (const [k, v] of Object.entries(own)) {
    const g = merged[k];
    merged[k] = isRecord(g) && isRecord(v) ? mergeGlobals(g, v) : v;
  }
  return merged;
}
