import { factsFromResourceProperties } from '../adapters/cloudFormation.js';
import { evaluate } from '../evaluation/evaluate.js';
import { EXPRESSION_UNRESOLVED, PROPERTIES_INVALID } from '../evaluation/rules.js';
import type { Finding } from '../evaluation/types.js';
import { verdict, type Verdict } from '../evaluation/verdict.js';
import type { Policy } from '../policy/policy.js';
import { lambdaFunctionsOf } from './functions.js';
import { describeExpression, resolve, type Candidate } from './intrinsics.js';
import { parseTemplateWithPositions } from './parse.js';

/** CloudFormation takes template bodies of 1 MB at most; anything far larger is not a template. */
export const MAX_TEMPLATE_BYTES = 5 * 1024 * 1024;

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

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A document is a template when it has Resources with typed entries. */
export function isTemplate(value: unknown): boolean {
  if (!isRecord(value) || !isRecord(value.Resources)) return false;
  return Object.values(value.Resources).some((r) => isRecord(r) && typeof r.Type === 'string' && r.Type.includes('::'));
}

const RANK = { NOT_APPLICABLE: 0, COMPLIANT: 1, NON_COMPLIANT: 3 } as const;
const rank = (v: Verdict, findings: readonly Finding[]): number => RANK[v.compliance] + (v.compliance === 'COMPLIANT' && findings.some((f) => f.severity === 'warning') ? 1 : 0);

/** The first value a non-runtime property can take, or undefined (dropped) when unresolved. */
function first(value: unknown, t: Record<string, unknown>): unknown {
  const r = resolve(value, t);
  return 'candidates' in r ? r.candidates[0]?.value : undefined;
}

function tagsOf(tags: unknown, t: Record<string, unknown>): { Key: string; Value: string }[] {
  const list = Array.isArray(tags)
    ? tags.filter(isRecord).map((x) => [x.Key, x.Value] as const)
    : isRecord(tags)
      ? Object.entries(tags)
      : [];
  return list.flatMap(([k, v]) => {
    const value = first(v, t);
    return typeof k === 'string' && value !== undefined ? [{ Key: k, Value: String(value) }] : [];
  });
}

function hookProperties(props: Record<string, unknown>, runtime: unknown, t: Record<string, unknown>): Record<string, unknown> {
  const rmc = isRecord(props.RuntimeManagementConfig) ? props.RuntimeManagementConfig : undefined;
  // Everything else as the template has it; the properties the policy reads, resolved.
  const { Runtime: _r, FunctionName: _f, PackageType: _p, RuntimeManagementConfig: _m, Tags: _t, ...rest } = props;
  const out: Record<string, unknown> = { ...rest };
  const set = (k: string, v: unknown): void => {
    if (v !== undefined) out[k] = v;
  };
  set('FunctionName', first(props.FunctionName, t));
  set('Runtime', runtime);
  set('PackageType', first(props.PackageType, t) ?? (props.ImageUri !== undefined || (isRecord(props.Code) && props.Code.ImageUri !== undefined) ? 'Image' : undefined));
  if (rmc) {
    const mode = first(rmc.UpdateRuntimeOn, t);
    const arn = first(rmc.RuntimeVersionArn, t);
    set('RuntimeManagementConfig', { ...(mode !== undefined && { UpdateRuntimeOn: mode }), ...(arn !== undefined && { RuntimeVersionArn: arn }) });
  }
  if (Array.isArray(props.Layers)) out.Layers = props.Layers.map((l) => first(l, t)).filter((l) => typeof l === 'string');
  const tags = tagsOf(props.Tags, t);
  if (tags.length > 0) out.Tags = tags;
  return out;
}

function withSource(findings: readonly Finding[], note: string | undefined): Finding[] {
  return note ? findings.map((f) => (f.ruleId === 'RW000' ? f : { ...f, message: `${f.message} (${note})` })) : [...findings];
}

function scanFunction(logicalId: string, type: string, props: Record<string, unknown>, t: Record<string, unknown>, policy: Policy, now: number, line: number | undefined): ScannedFunction {
  const raw = props.Runtime;
  const base = { logicalId, type, line };
  const isExpression = raw !== undefined && typeof raw !== 'string';
  const res = isExpression ? resolve(raw, t) : { candidates: [{ value: raw, via: 'literal' }] };
  if ('unresolved' in res) {
    const f: Finding = { ruleId: EXPRESSION_UNRESOLVED.id, rule: EXPRESSION_UNRESOLVED.name, severity: 'warning', message: `Runtime is ${describeExpression(raw)}: ${res.unresolved}; it is judged when deployed (hook, Config rule).`, remediation: { kind: 'none' } };
    return { ...base, runtime: undefined, findings: [f], verdict: verdict([f]), hookProperties: hookProperties(props, undefined, t) };
  }
  let worst: ScannedFunction | undefined;
  for (const c of res.candidates) {
    const hook = hookProperties(props, c.value, t);
    let findings: Finding[];
    try {
      const facts = factsFromResourceProperties(hook, { logicalId });
      const note = isExpression ? `Runtime ${describeExpression(raw)} = ${String(c.value)} via ${c.via}${res.candidates.length > 1 ? `, the worst of ${res.candidates.length} values` : ''}` : undefined;
      findings = withSource(evaluate(facts, policy, now), note);
    } catch (err) {
      findings = [{ ruleId: PROPERTIES_INVALID.id, rule: PROPERTIES_INVALID.name, severity: 'error', message: (err as Error).message, remediation: { kind: 'none' } }];
    }
    const v = verdict(findings);
    const candidate: ScannedFunction = {
      ...base,
      runtime: typeof c.value === 'string' && hook.PackageType !== 'Image' ? c.value : undefined,
      ...(isExpression && { runtimeExpression: { expression: describeExpression(raw), candidates: res.candidates } }),
      findings,
      verdict: v,
      hookProperties: hook,
    };
    if (!worst || rank(v, findings) > rank(worst.verdict, worst.findings)) worst = candidate;
  }
  return worst!;
}

/**
 * Scans one template's text: every Lambda function (SAM ones with Globals filled in), its Runtime
 * resolved as far as the template decides it, judged by the policy at `now`. Pure: the caller
 * reads files. `explicit` says the user named this file, so that a non-template is an error.
 */
export function scanTemplateText(path: string, text: string, policy: Policy, now: number, explicit = true): ScannedFile {
  if (Buffer.byteLength(text) > MAX_TEMPLATE_BYTES) return { path, functions: [], error: `larger than ${MAX_TEMPLATE_BYTES / 1024 / 1024} MiB: not scanned` };
  let parsed;
  try {
    parsed = parseTemplateWithPositions(text);
  } catch (err) {
    return { path, functions: [], error: `not valid YAML or JSON: ${(err as Error).message.split('\n')[0]}` };
  }
  if (!isTemplate(parsed.value)) {
    const why = 'not a CloudFormation template (no Resources with a Type)';
    return explicit ? { path, functions: [], error: why } : { path, functions: [], skipped: why };
  }
  const t = parsed.value as Record<string, unknown>;
  const functions = lambdaFunctionsOf(t).map((fn) => scanFunction(fn.logicalId, fn.type, fn.properties, t, policy, now, parsed.lineOf(fn.logicalId)));
  return { path, functions };
}
