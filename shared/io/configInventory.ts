import { paginateSelectResourceConfig, type ConfigServiceClient } from '@aws-sdk/client-config-service';
import type { LambdaClient } from '@aws-sdk/client-lambda';
import { factsFromConfigurationItem } from '../adapters/configItem.js';
import { factsFromFunctionConfiguration } from '../adapters/lambdaApi.js';
import type { FunctionFacts } from '../facts/functionFacts.js';
import { awsError, describeError, isNotFound } from './awsErrors.js';
import { hasAnyFunction, listFunctionPages, readTags } from './lambdaInventory.js';

// Every Lambda function of the account and region as AWS Config recorded it, from its advanced
// query: 100 functions a call (Config API Reference, SelectResourceConfig: Limit 0-100), none of
// Lambda's control-plane quota. Properties: Config Developer Guide, "Query Components" (SELECT,
// WHERE with =, IN, BETWEEN), and the resource schema of AWS::Lambda::Function
// (awslabs/aws-config-resource-schema): resourceName, configuration.functionArn,
// configuration.runtime, configuration.packageType, configuration.lastModified, and `tags` as a
// list of {key, value}. What Config holds is as of its last configuration item: some time after
// each change with continuous recording, up to 24 hours late with daily recording (Config API
// Reference, RecordingMode); a change notification re-judges the function meanwhile.

/** SelectResourceConfig's largest page. */
export const SELECT_PAGE = 100;
export const FUNCTION_INVENTORY_QUERY =
  "SELECT resourceName, configuration.functionArn, configuration.runtime, configuration.packageType, configuration.lastModified, configuration.layers, configuration.architectures, tags WHERE resourceType = 'AWS::Lambda::Function'";

/** One function of the inventory: its facts (`$LATEST`, without update mode), or why its row cannot be read. */
export type InventoryEntry =
  /** `liveTags`: the tags were read from Lambda just now, not from Config's record, which may trail them. */
  | { readonly name: string; readonly facts: FunctionFacts; readonly liveTags?: boolean; readonly unreadable?: undefined; readonly deleted?: undefined }
  | { readonly name: string | undefined; readonly facts?: undefined; readonly unreadable: string; readonly deleted?: undefined }
  /** Listed, then gone before its tags could be read. */
  | { readonly name: string; readonly facts?: undefined; readonly unreadable?: undefined; readonly deleted: true };

/** One result row, as the query selects it. */
function entryOfRow(text: string): InventoryEntry {
  let row: unknown;
  try {
    row = JSON.parse(text);
  } catch {
    return { name: undefined, unreadable: `an AWS Config result row is not JSON: ${text.slice(0, 80)}` };
  }
  const { resourceName, configuration, tags } = (row ?? {}) as { resourceName?: unknown; configuration?: unknown; tags?: unknown };
  if (typeof resourceName !== 'string' || resourceName === '') return { name: undefined, unreadable: `an AWS Config result row has no resourceName: ${text.slice(0, 80)}` };
  const tagMap: Record<string, string> = {};
  for (const t of Array.isArray(tags) ? (tags as unknown[]) : []) {
    const { key, value } = (t ?? {}) as { key?: unknown; value?: unknown };
    if (typeof key !== 'string' || typeof value !== 'string') return { name: resourceName, unreadable: 'its AWS Config record cannot be read: its recorded tags are not strings' };
    tagMap[key] = value;
  }
  if (tags !== undefined && tags !== null && !Array.isArray(tags)) return { name: resourceName, unreadable: 'its AWS Config record cannot be read: its recorded tags are not a list' };
  try {
    return { name: resourceName, facts: factsFromConfigurationItem({ resourceType: 'AWS::Lambda::Function', resourceId: resourceName, resourceName, configuration: (configuration ?? {}) as Record<string, unknown>, tags: tagMap }) };
  } catch (err) {
    return { name: resourceName, unreadable: `its AWS Config record cannot be read: ${(err as Error).message}` };
  }
}

/** Pages of Config's recorded functions, as they come; the query's failure is thrown. */
export async function* recordedFunctionPages(config: Pick<ConfigServiceClient, 'send'>): AsyncGenerator<InventoryEntry[]> {
  for await (const page of paginateSelectResourceConfig({ client: config as ConfigServiceClient, pageSize: SELECT_PAGE }, { Expression: FUNCTION_INVENTORY_QUERY, Limit: SELECT_PAGE })) {
    yield (page.Results ?? []).map(entryOfRow);
  }
}

/**
 * Functions listed from Lambda (50 a ListFunctions call), each yielded as soon as its tags are
 * read (one ListTags each, the slow part), so that a pass watching its deadline stops in time.
 */
async function* listedFunctions(lambda: Pick<LambdaClient, 'send'>): AsyncGenerator<InventoryEntry[]> {
  for await (const page of listFunctionPages(lambda)) {
    for (const fn of page) {
      const name = fn.FunctionName!;
      try {
        yield [{ name, facts: factsFromFunctionConfiguration(fn, { tags: await readTags(lambda, fn.FunctionArn!) }), liveTags: true }];
      } catch (err) {
        yield [isNotFound(err) ? { name, deleted: true } : { name, unreadable: `ListTags failed: ${describeError(err)}` }];
      }
    }
  }
}

export interface InventorySource {
  readonly config: Pick<ConfigServiceClient, 'send'>;
  readonly lambda: Pick<LambdaClient, 'send'>;
  /**
   * Told once when Config's inventory cannot serve and the functions are listed from Lambda
   * instead: an error to log, since the listing spends the control-plane quota (1 ListFunctions
   * per 50 functions, 1 ListTags per function) and a large account may not finish in one run.
   */
  readonly onFallback: (reason: string) => void;
}

/**
 * Every function, page by page, from Config's inventory. When the query fails at its first page,
 * or answers no function at all while Lambda lists one (Config not recording Lambda functions, or
 * not yet), the functions come from Lambda's listing instead, with `onFallback` told why: an
 * empty or missing inventory never reads as an account without functions. A query that fails
 * after its first page is thrown: the pass reports what it judged and fails.
 */
export async function* functionInventory(source: InventorySource): AsyncGenerator<InventoryEntry[]> {
  let rows = 0;
  let failure: string | undefined;
  try {
    for await (const page of recordedFunctionPages(source.config)) {
      rows += page.length;
      if (page.length > 0) yield page;
    }
  } catch (err) {
    if (rows > 0) throw err;
    const e = awsError(err);
    failure = `the AWS Config advanced query failed (${e.name}: ${e.message.split('\n')[0]})`;
  }
  if (rows > 0) return;
  if (failure === undefined && !(await hasAnyFunction(source.lambda))) return;
  source.onFallback(failure ?? "AWS Config's inventory has no Lambda function while Lambda lists some (is the recorder recording AWS::Lambda::Function?)");
  yield* listedFunctions(source.lambda);
}
