import { gunzipSync, gzipSync } from 'node:zlib';
import { DEFAULT_CATALOG, type RuntimeCatalog } from '../catalog/catalog.js';
import { catalogDocument, lifecycleRegressions, parseCatalogText } from '../catalog/catalogDocument.js';
import { withCatalog, type Policy } from '../policy/policy.js';
import { awsError } from './awsErrors.js';
import { cachedPolicyLoader, type PolicyLoader } from './policySource.js';
import type { Ssm, SsmSource } from './ssmClient.js';

// The refreshed runtime catalog lives in an SSM parameter, written by the catalog refresher (or
// pushed by hand) and read by every function that judges. The catalog document is about 9 KB of
// JSON, past a Standard parameter's 4 KB (SSM User Guide, "Managing parameter tiers"): it is
// stored gzipped and base64-encoded (about 2 KB), which fits the free tier. Plain JSON is read too,
// for a hand-pushed Advanced parameter.

export const CATALOG_PARAMETER_MAX = 4096;

/** The parameter value for a catalog: its document, gzipped and base64-encoded. */
export function encodeCatalog(catalog: RuntimeCatalog, names?: ReadonlyMap<string, string>): string {
  return gzipSync(JSON.stringify(catalogDocument(catalog, names)), { level: 9 }).toString('base64');
}

export function decodeCatalog(value: string, what: string): RuntimeCatalog {
  const text = value.trimStart().startsWith('{') ? value : gunzipSync(Buffer.from(value, 'base64')).toString('utf8');
  return parseCatalogText(text, what);
}

/** The catalog in the parameter, or undefined when the parameter does not exist (yet). */
export async function readCatalogParameter(ssm: Ssm, name: string): Promise<RuntimeCatalog | undefined> {
  const { GetParameterCommand } = await import('@aws-sdk/client-ssm');
  let value: string | undefined;
  try {
    value = (await ssm.send(new GetParameterCommand({ Name: name }))).Parameter?.Value;
  } catch (err) {
    if (awsError(err).name === 'ParameterNotFound') return undefined;
    throw err;
  }
  if (value === undefined) return undefined;
  return decodeCatalog(value, `runtime catalog in SSM parameter ${name}`);
}

export type CatalogTier = 'Standard' | 'Advanced';

/** Writes the catalog. Advanced is the tier AWS RAM can share with other accounts (SSM User Guide, "Working with shared parameters"). */
export async function writeCatalogParameter(ssm: Ssm, name: string, catalog: RuntimeCatalog, names?: ReadonlyMap<string, string>, tier: CatalogTier = 'Standard'): Promise<void> {
  const value = encodeCatalog(catalog, names);
  if (value.length > CATALOG_PARAMETER_MAX) throw new Error(`The encoded catalog is ${value.length} characters, more than a Standard parameter holds (${CATALOG_PARAMETER_MAX})`);
  const { PutParameterCommand } = await import('@aws-sdk/client-ssm');
  await ssm.send(
    new PutParameterCommand({
      Name: name,
      Value: value,
      Type: 'String',
      Tier: tier,
      Overwrite: true,
      Description: `runtime-warden runtime catalog as of ${catalog.origin.asOf} (gzip, base64)`,
    }),
  );
}

export type CatalogLoader = () => Promise<RuntimeCatalog>;

export interface CatalogLoaderOptions {
  /** How long a catalog read is kept: AWS moves dates rarely, a refresh happens daily. */
  readonly ttlMs?: number;
  readonly now?: () => number;
  /** Told when the parameter cannot be read or fails its checks; the last good catalog is used. */
  readonly onProblem: (message: string) => void;
}

/**
 * The catalog the judging functions use: the parameter's, read at most once per `ttlMs` per
 * container; the built-in catalog when no parameter is configured. A parameter that cannot be
 * read, fails its checks, would move a runtime back in its lifecycle against the built-in
 * catalog, or has disappeared keeps the last good catalog (or the built-in one) and is reported:
 * a refresh gone wrong must not stop every deployment, and a tampered one must not pass it all.
 */
export function cachedCatalogLoader(name: string | undefined, ssm: SsmSource, options: CatalogLoaderOptions): CatalogLoader {
  if (!name || name.trim() === '') return () => Promise.resolve(DEFAULT_CATALOG);
  const ttlMs = options.ttlMs ?? 300_000;
  const now = options.now ?? Date.now;
  let good: RuntimeCatalog = DEFAULT_CATALOG;
  let readAt = Number.NEGATIVE_INFINITY;
  let pending: Promise<RuntimeCatalog> | undefined;
  const keep = (why: string): RuntimeCatalog => {
    options.onProblem(`runtime catalog parameter ${name} not used (${why}); judging by the catalog as of ${good.origin.asOf} (${good.origin.source})`);
    return good;
  };
  return () => {
    if (now() - readAt < ttlMs) return Promise.resolve(good);
    pending ??= Promise.resolve(ssm())
      .then((client) => readCatalogParameter(client, name))
      .then(
        (catalog) => {
          // Configured but absent: deleted, or not yet written by the first refresh. Either way
          // someone must look; the built-in catalog still judges.
          if (catalog === undefined) return keep('ParameterNotFound: the parameter does not exist');
          const regressions = lifecycleRegressions(DEFAULT_CATALOG, catalog, now());
          if (regressions.length > 0) return keep(`CatalogRegressionError: ${regressions.join('; ')}`);
          return (good = catalog);
        },
        (err: unknown) => {
          const e = awsError(err);
          return keep(`${e.name}: ${e.message.split('\n')[0]}`);
        },
      )
      .finally(() => {
        readAt = now();
        pending = undefined;
      });
    return pending;
  };
}

/** The policy judged by the loaded catalog; each policy-catalog pair is compiled once. */
export function policyWithCatalog(loadPolicy: PolicyLoader, loadCatalog: CatalogLoader): PolicyLoader {
  const compiled = new WeakMap<Policy, WeakMap<RuntimeCatalog, Policy>>();
  return async () => {
    const [policy, catalog] = await Promise.all([loadPolicy(), loadCatalog()]);
    const byCatalog = compiled.get(policy) ?? new WeakMap<RuntimeCatalog, Policy>();
    compiled.set(policy, byCatalog);
    let out = byCatalog.get(catalog);
    if (!out) byCatalog.set(catalog, (out = withCatalog(policy, catalog)));
    return out;
  };
}

/** The catalog loader of a deployed function: the parameter named by CATALOG_PARAMETER, if any. */
export function catalogLoaderFromEnvironment(ssm: SsmSource, logger: { error: (message: string) => void }): CatalogLoader {
  return cachedCatalogLoader(process.env.CATALOG_PARAMETER, ssm, { onProblem: (message) => logger.error(message) });
}

/** The policy a deployed function judges by: POLICY_SOURCE's, over CATALOG_PARAMETER's catalog. */
export function policyLoaderFromEnvironment(ssm: SsmSource, logger: { error: (message: string) => void }): PolicyLoader {
  return policyWithCatalog(cachedPolicyLoader(process.env.POLICY_SOURCE || 'default', ssm, { onProblem: (message) => logger.error(message) }), catalogLoaderFromEnvironment(ssm, logger));
}
