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
