import { InvalidEventError } from '../errors.js';
import type { FunctionFacts } from '../facts/functionFacts.js';
import type { ConfigurationItem } from './configEvent.js';
import { factsFromFunctionConfiguration, type LambdaExtras } from './lambdaApi.js';

type Json = Record<string, unknown>;
const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

const isJson = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * The item's `configuration`, an object in notifications and a JSON string in the history API.
 * What cannot be read is refused, never judged as a function without a runtime: a verdict on it
 * would be a guess (NON_COMPLIANT "no Runtime", or COMPLIANT behind a waiver tag).
 */
function configurationOf(item: ConfigurationItem): Json {
  const what = `Configuration item ${item.resourceId.slice(0, 100)}`;
  let c: unknown = item.configuration;
  if (typeof c === 'string') {
    try {
      c = JSON.parse(c) as unknown;
    } catch {
      throw new InvalidEventError(`${what} has a configuration that is not JSON`);
    }
  }
  if (!isJson(c)) throw new InvalidEventError(`${what} has no readable configuration (${c === null || c === undefined ? 'none' : Array.isArray(c) ? 'a list' : typeof c}): nothing to judge`);
  for (const field of ['functionName', 'functionArn', 'runtime', 'packageType', 'lastModified', 'version']) {
    const v = c[field];
    if (v !== undefined && v !== null && typeof v !== 'string') throw new InvalidEventError(`${what}: configuration.${field} must be a string, not ${JSON.stringify(v)?.slice(0, 40)}`);
  }
  if (c.layers !== undefined && c.layers !== null && !Array.isArray(c.layers)) throw new InvalidEventError(`${what}: configuration.layers must be a list`);
  if (c.architectures !== undefined && c.architectures !== null && !(Array.isArray(c.architectures) && c.architectures.every((a) => typeof a === 'string'))) throw new InvalidEventError(`${what}: configuration.architectures must be a list of strings`);
  return c;
}

/**
 * Facts from an AWS::Lambda::Function configuration item. Config records `$LATEST` only and does
 * not carry the runtime update mode: the caller adds it (GetRuntimeManagementConfig) when needed.
 */
export function factsFromConfigurationItem(item: ConfigurationItem, extras: LambdaExtras = {}): FunctionFacts {
  const c = configurationOf(item);
  const layers = Array.isArray(c.layers) ? (c.layers as unknown[]).map((l) => ({ Arn: isJson(l) ? str(l.arn) : undefined })) : [];
  const facts = factsFromFunctionConfiguration(
    {
      FunctionName: str(c.functionName) ?? str(item.resourceName) ?? item.resourceId,
      FunctionArn: str(c.functionArn) ?? str(item.ARN) ?? str(item.arn),
      Runtime: str(c.runtime),
      PackageType: str(c.packageType),
      LastModified: str(c.lastModified),
      Version: str(c.version),
      Layers: layers,
      ...(Array.isArray(c.architectures) && { Architectures: c.architectures as string[] }),
    },
    { ...extras, tags: extras.tags ?? item.tags ?? {} },
  );
  const accountId = facts.accountId ?? item.awsAccountId ?? item.accountId ?? undefined;
  const region = facts.region ?? item.awsRegion ?? undefined;
  return { ...facts, ...(accountId && { accountId }), ...(region && { region }) };
}

/** One row of SelectAggregateResourceConfig (a JSON string), selecting the fields in AGGREGATOR_QUERY. */
export function factsFromAggregatorResult(json: string): FunctionFacts {
  let r: Json;
  try {
    r = JSON.parse(json) as Json;
  } catch {
    throw new InvalidEventError(`Aggregator result is not JSON: ${json.slice(0, 80)}`);
  }
  const tags = Array.isArray(r.tags) ? Object.fromEntries((r.tags as Json[]).map((t) => [String(t.key), String(t.value)])) : {};
  return factsFromConfigurationItem({
    resourceType: 'AWS::Lambda::Function',
    resourceId: String(r.resourceId ?? r.resourceName ?? ''),
    resourceName: str(r.resourceName) ?? null,
    awsRegion: str(r.awsRegion) ?? null,
    awsAccountId: str(r.accountId) ?? null,
    configuration: (r.configuration as Json | undefined) ?? {},
    tags,
  });
}

/** The advanced query for every Lambda function an aggregator knows, with what the policy reads. */
export const AGGREGATOR_QUERY =
  "SELECT accountId, awsRegion, resourceId, resourceName, configuration.functionArn, configuration.runtime, configuration.packageType, configuration.lastModified, tags WHERE resourceType = 'AWS::Lambda::Function'";
