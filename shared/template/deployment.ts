import type { DeploymentFacts, FunctionFacts, LayerVersionFacts } from '../facts/functionFacts.js';
import type { TemplateFunction } from './functions.js';
import { isDeepStrictEqual } from 'node:util';
import { isIntrinsic, isRecord, resolve, type TemplateParts } from './intrinsics.js';

// What a template says beyond the properties a hook reads: how a function deploys (SAM's
// AutoPublishAlias and DeploymentPreference, or an AWS::Lambda::Version of it), its architectures,
// and what the LayerVersion resources it references declare. Pure.

export const LAYER_VERSION_TYPES: readonly string[] = ['AWS::Lambda::LayerVersion', 'AWS::Serverless::LayerVersion'];

/** Sentinel: the template leaves the value to deploy time (a parameter without default, an import). */
const UNDECIDED = Symbol('undecided');

/** The one value the template gives `value`; UNDECIDED where it can take more than one, or none it knows. */
function decided(value: unknown, t: TemplateParts): unknown {
  if (!isIntrinsic(value) && !Array.isArray(value)) return value;
  const r = resolve(value, t);
  if ('unresolved' in r || r.partly) return UNDECIDED;
  const [first, ...rest] = r.candidates;
  return first && rest.every((c) => isDeepStrictEqual(c.value, first.value)) ? first.value : UNDECIDED;
}

const strings = (v: unknown): string[] | undefined => (Array.isArray(v) && v.every((x) => typeof x === 'string') ? v : undefined);

/** A resource's properties, or an empty map. */
const propertiesOf = (resource: unknown): Record<string, unknown> => (isRecord(resource) && isRecord(resource.Properties) ? resource.Properties : {});

/** What a LayerVersion resource declares: LayerName, else its logical id; runtimes and architectures as far as the template decides them. */
export function layerResourceFacts(logicalId: string, resource: unknown, t: TemplateParts): LayerVersionFacts {
  const p = propertiesOf(resource);
  const name = decided(p.LayerName, t);
  const runtimes = strings(decided(p.CompatibleRuntimes, t));
  const archs = strings(decided(p.CompatibleArchitectures, t));
  return { name: typeof name === 'string' ? name : logicalId, ...(runtimes && { compatibleRuntimes: runtimes }), ...(archs && { compatibleArchitectures: archs }) };
}

/** Whether `ref` names the resource `logicalId`: `!Ref X`, `!GetAtt X.Arn`, `Fn::GetAtt: [X, Arn]`. */
function refersTo(ref: unknown, logicalId: string): boolean {
  if (!isRecord(ref)) return false;
  if (ref.Ref === logicalId) return true;
  const att = ref['Fn::GetAtt'];
  return (typeof att === 'string' && att.split('.')[0] === logicalId) || (Array.isArray(att) && att[0] === logicalId);
}

/**
 * How the function deploys, or undefined where the template leaves it open (RW020 then waits for
 * what deploys: a guess would either warn wrongly or hide a missing preference).
 */
function deploymentOf(fn: TemplateFunction, t: TemplateParts, resources: Record<string, unknown>): DeploymentFacts | undefined {
  const alias = decided(fn.properties.AutoPublishAlias, t);
  const preference = decided(fn.properties.DeploymentPreference, t);
  if (alias === UNDECIDED || preference === UNDECIDED) return undefined;
  const pref = isRecord(preference) ? preference : {};
  // `Enabled: false` turns the preference off (AWS SAM Developer Guide,
  // AWS::Serverless::Function DeploymentPreference, Enabled: "Default: true"): no shifting, no alarms.
  const enabled = decided(pref.Enabled, t);
  if (enabled === UNDECIDED) return undefined;
  const off = enabled === false || enabled === 'false';
  const type = off ? undefined : decided(pref.Type, t);
  // Alarms name CloudWatch alarms, often `!Ref` to resources: counted, not resolved.
  const alarms = off ? [] : Array.isArray(pref.Alarms) ? pref.Alarms : decided(pref.Alarms, t);
  if (type === UNDECIDED || alarms === UNDECIDED) return undefined;
  const name = fn.properties.FunctionName;
  const versioned = Object.values(resources).some(
    (r) => isRecord(r) && r.Type === 'AWS::Lambda::Version' && (refersTo(propertiesOf(r).FunctionName, fn.logicalId) || (typeof name === 'string' && propertiesOf(r).FunctionName === name)),
  );
  const hasAlias = typeof alias === 'string' && alias !== '';
  return {
    ...(hasAlias && { autoPublishAlias: alias }),
    ...(typeof type === 'string' && { deploymentPreferenceType: type }),
    alarms: Array.isArray(alarms) ? alarms.length : 0,
    publishesVersions: hasAlias || versioned,
  };
}

/**
 * The facts a template adds to what the hook's properties give: `deployment` for SAM functions
 * (a plain AWS::Lambda::Function has no DeploymentPreference), `architectures`, and the
 * `layerVersions` of `Layers` entries that reference a LayerVersion of the same template (a
 * literal ARN's layer is read by the report, not here).
 */
export function templateFacts(fn: TemplateFunction, t: TemplateParts & { readonly Resources?: unknown }): Pick<FunctionFacts, 'deployment' | 'architectures' | 'layerVersions'> {
  const resources = isRecord(t.Resources) ? t.Resources : {};
  const deployment = fn.type === 'AWS::Serverless::Function' ? deploymentOf(fn, t, resources) : undefined;
  const architectures = strings(decided(fn.properties.Architectures, t));
  const layers = Array.isArray(fn.properties.Layers) ? fn.properties.Layers : [];
  const layerVersions = layers.flatMap((l) => {
    const id = isRecord(l) && typeof l.Ref === 'string' ? l.Ref : undefined;
    const r = id === undefined ? undefined : resources[id];
    return id !== undefined && isRecord(r) && LAYER_VERSION_TYPES.includes(r.Type as string) ? [layerResourceFacts(id, r, t)] : [];
  });
  return { ...(deployment && { deployment }), ...(architectures && { architectures }), ...(layerVersions.length > 0 && { layerVersions }) };
}
