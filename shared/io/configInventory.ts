import { paginateSelectResourceConfig, type ConfigServiceClient } from '@aws-sdk/client-config-service';
import { awsError } from './awsErrors.js';

// AWS Config records every Lambda function's tags; its advanced query returns them for up to 100
// functions a call (Config API Reference, SelectResourceConfig: Limit 0-100), where the Lambda API
// has no bulk tag read (ListTags is one call per function). Query properties: Config Developer
// Guide, "Query Components", and the resource schema (awslabs/aws-config-resource-schema):
// `tags` is a list of {key, value}. They are the tags as of Config's last configuration item:
// with continuous recording, some time after each change; with daily recording, up to 24 hours
// late (Config API Reference, RecordingMode). The Config rule reads tags live where a tier or
// waiver tag decides the verdict (config-rules/runtime-compliance/tagsDecide.ts).

/** SelectResourceConfig's largest page. */
export const SELECT_PAGE = 100;
export const FUNCTION_TAGS_QUERY = "SELECT resourceName, tags WHERE resourceType = 'AWS::Lambda::Function'";

export interface RecordedTags {
  /** Tags by function name, for every function Config has recorded and returned readably. */
  readonly byName: ReadonlyMap<string, Record<string, string>>;
  /** Why Config's tags are not used at all (the query failed): every function falls back to ListTags. */
  readonly unavailable?: string;
}

/** One result row: `{"resourceName": "...", "tags": [{"key": "...", "value": "..."}]}`; undefined when not that. */
function rowOf(text: string): [string, Record<string, string>] | undefined {
  let row: unknown;
  try {
    row = JSON.parse(text);
  } catch {
    return undefined;
  }
  const { resourceName, tags = [] } = (row ?? {}) as { resourceName?: unknown; tags?: unknown };
  if (typeof resourceName !== 'string' || resourceName === '' || !Array.isArray(tags)) return undefined;
  const out: Record<string, string> = {};
  for (const t of tags as unknown[]) {
    const { key, value } = (t ?? {}) as { key?: unknown; value?: unknown };
    if (typeof key !== 'string' || typeof value !== 'string') return undefined;
    out[key] = value;
  }
  return [resourceName, out];
}

/**
 * Every recorded function's tags in ceil(functions / 100) calls. A row that cannot be read is
 * left out (that function's tags are read from Lambda instead); a query that fails - no recorder
 * data, a missing permission, throttling past the SDK's retries - is reported, not thrown: the
 * periodic pass then reads every function's tags from Lambda, as it would without Config.
 */
export async function recordedFunctionTags(config: Pick<ConfigServiceClient, 'send'>): Promise<RecordedTags> {
  const byName = new Map<string, Record<string, string>>();
  try {
    for await (const page of paginateSelectResourceConfig({ client: config as ConfigServiceClient, pageSize: SELECT_PAGE }, { Expression: FUNCTION_TAGS_QUERY })) {
      for (const text of page.Results ?? []) {
        const row = rowOf(text);
        if (row) byName.set(row[0], row[1]);
      }
    }
  } catch (err) {
    const e = awsError(err);
    return { byName: new Map(), unavailable: `${e.name}: ${e.message.split('\n')[0]}` };
  }
  return { byName };
}
