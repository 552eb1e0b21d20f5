import { GetResourceConfigHistoryCommand, type ConfigServiceClient } from '@aws-sdk/client-config-service';
import * as z from '../schema/zod.js';
import { INIT_START_FILTER_PATTERN, parseInitStart, RUNTIME_VERSION_ARN, type RuntimeVersionSighting } from '../remediation/rollback.js';
import { describeError } from './awsErrors.js';

// Which runtime versions a function ran on, and when: the two places AWS keeps it.
// - AWS Config's history of the function: a configuration item of AWS::Lambda::Function carries
//   `configuration.runtimeVersionConfig.runtimeVersionArn` (the FunctionConfiguration's
//   RuntimeVersionConfig, Lambda API Reference; as in test/events/config). Config records a new
//   item when the configuration changes, so a runtime patch under Auto may not show in it.
// - The function's INIT_START log lines (Lambda Developer Guide, "Identifying Lambda runtime
//   version changes"): one per new execution environment, with the version and its ARN. They
//   show every version that ran, while the log group keeps them.
// Both are read and merged; either alone is enough when it shows two versions.

/** GetResourceConfigHistory pages read at most (its `limit` is at most 100: AWS Config API Reference). */
const CONFIG_PAGES = 5;
/** FilterLogEvents pages read at most: INIT_START lines are few, one per cold start. */
const LOG_PAGES = 20;

const recordedConfiguration = z.looseObject({ runtimeVersionConfig: z.optional(z.looseObject({ runtimeVersionArn: z.optional(z.string()) })) });

export interface HistoryRead {
  readonly sightings: RuntimeVersionSighting[];
  /** What could not be read, for the operator: never silently an empty history. */
  readonly problems: string[];
}

/** The runtime version ARNs AWS Config recorded for the function, newest pages first. */
export async function historyFromConfig(config: Pick<ConfigServiceClient, 'send'>, functionName: string): Promise<HistoryRead> {
  const sightings: RuntimeVersionSighting[] = [];
  let nextToken: string | undefined;
  try {
    for (let page = 0; page < CONFIG_PAGES; page++) {
      const out = await config.send(new GetResourceConfigHistoryCommand({ resourceType: 'AWS::Lambda::Function', resourceId: functionName, chronologicalOrder: 'Reverse', limit: 100, nextToken }));
      for (const item of out.configurationItems ?? []) {
        const at = item.configurationItemCaptureTime instanceof Date ? item.configurationItemCaptureTime.getTime() : Date.parse(String(item.configurationItemCaptureTime));
        let configuration: unknown;
        try {
          configuration = typeof item.configuration === 'string' ? JSON.parse(item.configuration) : item.configuration;
        } catch {
          continue;
        }
        const arn = recordedConfiguration.safeParse(configuration).data?.runtimeVersionConfig?.runtimeVersionArn;
        if (arn !== undefined && RUNTIME_VERSION_ARN.test(arn) && !Number.isNaN(at)) sightings.push({ arn, atMs: at });
      }
      nextToken = out.nextToken;
      if (!nextToken) break;
    }
  } catch (err) {
    return { sightings, problems: [`AWS Config history of ${functionName}: ${describeError(err)}`] };
  }
  return { sightings, problems: [] };
}

/** FilterLogEvents as the CloudWatch Logs client takes and answers it (CloudWatch Logs API Reference, "FilterLogEvents"). */
export type FilterLogEvents = (input: { logGroupName: string; startTime: number; endTime: number; filterPattern: string; nextToken?: string }) => Promise<{
  events?: { timestamp?: number; message?: string }[];
  nextToken?: string;
}>;

/** The INIT_START lines (text or JSON: parseInitStart) of `logGroupName` between `startMs` and `endMs`. */
export async function historyFromLogs(filter: FilterLogEvents, logGroupName: string, startMs: number, endMs: number): Promise<HistoryRead> {
  const sightings: RuntimeVersionSighting[] = [];
  let nextToken: string | undefined;
  try {
    for (let page = 0; page < LOG_PAGES; page++) {
      const out = await filter({ logGroupName, startTime: startMs, endTime: endMs, filterPattern: INIT_START_FILTER_PATTERN, ...(nextToken && { nextToken }) });
      for (const e of out.events ?? []) {
        const line = e.message === undefined ? undefined : parseInitStart(e.message);
        if (line && e.timestamp !== undefined) sightings.push({ ...line, atMs: e.timestamp });
      }
      nextToken = out.nextToken;
      if (!nextToken) break;
    }
    const problems = nextToken ? [`${logGroupName}: more than ${LOG_PAGES} pages of INIT_START lines; read the first ${LOG_PAGES}, pass --to ARN if the version wanted is older`] : [];
    return { sightings, problems };
  } catch (err) {
    return { sightings, problems: [`INIT_START lines in ${logGroupName}: ${describeError(err)}`] };
  }
}

/** Lambda's default log group for a function (Lambda Developer Guide, "Sending Lambda function logs to CloudWatch Logs"), unless it names another. */
export const logGroupOf = (functionName: string, configured?: string): string => configured ?? `/aws/lambda/${functionName}`;
