import type { FunctionFacts } from '../facts/functionFacts.js';
import type { UpdateMode } from '../policy/schema.js';

/** The fields of a Lambda FunctionConfiguration (ListFunctions, GetFunctionConfiguration) we use. */
export interface LambdaFunctionConfiguration {
  readonly FunctionName?: string | undefined;
  readonly FunctionArn?: string | undefined;
  readonly Runtime?: string | undefined;
  readonly PackageType?: string | undefined;
  readonly LastModified?: string | undefined;
  readonly Version?: string | undefined;
  readonly Layers?: readonly { readonly Arn?: string | undefined }[] | undefined;
  /** x86_64 or arm64 (Lambda API Reference, FunctionConfiguration): what RW018 holds a layer's CompatibleArchitectures to. */
  readonly Architectures?: readonly string[] | undefined;
}

/** What other calls add: tags (ListTags) and the runtime management configuration. */
export interface LambdaExtras {
  readonly tags?: Readonly<Record<string, string>> | undefined;
  readonly updateMode?: UpdateMode | undefined;
  readonly pinnedRuntimeVersionArn?: string | undefined;
}

/**
 * The facts with the runtime management configuration read apart (GetRuntimeManagementConfig, or
 * the state that kept it): the one place the mode and the pinned version join the facts.
 */
export function withRuntimeManagement<F extends FunctionFacts>(facts: F, m: { readonly updateMode?: UpdateMode | undefined; readonly pinnedRuntimeVersionArn?: string | undefined } | undefined): F {
  return { ...facts, ...(m?.updateMode && { updateMode: m.updateMode }), ...(m?.pinnedRuntimeVersionArn && { runtimeVersionArn: m.pinnedRuntimeVersionArn }) };
}

/** arn:aws:lambda:REGION:ACCOUNT:function:NAME[:QUALIFIER] */
export function parseFunctionArn(arn: string | undefined): { region?: string; accountId?: string; name?: string; qualifier?: string } {
  const parts = arn?.split(':') ?? [];
  if (parts.length < 7 || parts[2] !== 'lambda' || parts[5] !== 'function') return {};
  return { region: parts[3], accountId: parts[4], name: parts[6], ...(parts[7] !== undefined && { qualifier: parts[7] }) };
}

/** Lambda writes LastModified as 2024-03-01T10:00:00.000+0000, which Date.parse does not read. */
export function isoInstant(value: string | undefined): string | undefined {
  if (!value) return undefined;
  const fixed = value.replace(/([+-]\d{2})(\d{2})$/, '$1:$2');
  const ms = Date.parse(fixed);
  return Number.isNaN(ms) ? undefined : new Date(ms).toISOString();
}

export function factsFromFunctionConfiguration(cfg: LambdaFunctionConfiguration, extras: LambdaExtras = {}): FunctionFacts {
  const arn = parseFunctionArn(cfg.FunctionArn);
  const isImage = cfg.PackageType === 'Image';
  const lastModified = isoInstant(cfg.LastModified);
  return {
    name: cfg.FunctionName ?? arn.name ?? '(unnamed)',
    ...(cfg.FunctionArn !== undefined && { arn: cfg.FunctionArn }),
    ...(arn.accountId !== undefined && { accountId: arn.accountId }),
    ...(arn.region !== undefined && { region: arn.region }),
    ...(cfg.Runtime && !isImage && { runtime: cfg.Runtime }),
    packageType: isImage ? 'Image' : 'Zip',
    ...(extras.updateMode !== undefined && { updateMode: extras.updateMode }),
    ...(extras.pinnedRuntimeVersionArn !== undefined && { runtimeVersionArn: extras.pinnedRuntimeVersionArn }),
    tags: extras.tags ?? {},
    layers: (cfg.Layers ?? []).flatMap((l) => (l.Arn ? [l.Arn] : [])),
    ...(cfg.Architectures && cfg.Architectures.length > 0 && { architectures: [...cfg.Architectures] }),
    ...(lastModified !== undefined && { lastModified }),
    qualifier: cfg.Version ?? '$LATEST',
  };
}

/**
 * A published version's facts: its own configuration, and what belongs to the function rather
 * than to a version - its tags, and the day a waiver tag was first seen on it (so a renewed tag
 * waiver is refused for a version as for `$LATEST`).
 */
export function versionFacts(version: LambdaFunctionConfiguration, latest: FunctionFacts): FunctionFacts {
  const facts = factsFromFunctionConfiguration(version, { tags: latest.tags });
  return latest.waiverTagSince === undefined ? facts : { ...facts, waiverTagSince: latest.waiverTagSince };
}

/** The ARN of version or alias `qualifier` of the function an ARN (qualified or not) names. */
export function withQualifier(functionArn: string, qualifier: string): string {
  return [...functionArn.split(':').slice(0, 7), qualifier].join(':');
}
