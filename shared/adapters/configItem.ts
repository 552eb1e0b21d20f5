import { InvalidEventError } from '../errors.js';
import type { FunctionFacts } from '../facts/functionFacts.js';
import type { ConfigurationItem } from './configEvent.js';
import { factsFromFunctionConfiguration, type LambdaExtras } from './lambdaApi.js';

type Json = Record<string, unknown>;
const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/** The item's `configuration`, an object in notifications and a JSON string in the history API. */
function configurationOf(item: ConfigurationItem): Json {
  const c = item.configuration;
  if (c === null || c === undefined) return {};
  if (typeof c !== 'string') return c;
  try {
    const parsed = JSON.parse(c) as unknown;
    return typeof parsed === 'object' && parsed !== null ? (parsed as Json) : {};
  } catch {
    throw new InvalidEventError(`Configuration item ${item.resourceId} has a configuration that is not JSON`);
  }
}

/**
 * Facts from an AWS::Lambda::Function configuration item. Config records `$LATEST` only and does
 * not carry the runtime update mode: the caller adds it (GetRuntimeManagementConfig) when needed.
 */
export function factsFromConfigurationItem(item: ConfigurationItem, extras: LambdaExtras = {}): FunctionFacts {
  const c = configurationOf(item);
  const layers = Array.isArray(c.layers) ? (c.layers as Json[]).map((l) => ({ Arn: str(l?.arn) })) : [];
  const facts = factsFromFunctionConfiguration(
    {
      FunctionName: str(c.functionName) ?? item.resourceName ?? item.resourceId,
      FunctionArn: str(c.functionArn) ?? item.ARN ?? item.arn ?? undefined,
      Runtime: str(c.runtime),
      PackageType: str(c.packageType),
      LastModified: str(c.lastModified),
      Version: str(c.version),
      Layers: layers,
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
