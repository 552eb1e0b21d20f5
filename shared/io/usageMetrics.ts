import { paginateGetMetricData, type CloudWatchClient, type MetricDataQuery } from '@aws-sdk/client-cloudwatch';
import { usageFromDailySums, usageWindow, type FunctionUsage } from '../report/usage.js';
import type { Progress } from './inventorySources.js';

export interface UsageTarget {
  readonly accountId?: string | undefined;
  readonly region?: string | undefined;
  readonly name: string;
}

// CloudWatch API Reference, GetMetricData: at most 500 queries and 100,800 data points per call.
// A function is one query of IDLE_DAYS daily sums (90 points): 500 of them are 45,000 points.
export const QUERIES_PER_CALL = 500;

export const usageKey = (t: UsageTarget): string => `${t.accountId ?? ''}|${t.region ?? ''}|${t.name}`;

function query(t: UsageTarget, i: number, crossAccount: boolean): MetricDataQuery {
  return {
    Id: `f${i}`,
    ReturnData: true,
    // The FunctionName dimension alone sums every version and alias (Lambda Developer Guide, "Types of metrics for Lambda functions").
    MetricStat: { Metric: { Namespace: 'AWS/Lambda', MetricName: 'Invocations', Dimensions: [{ Name: 'FunctionName', Value: t.name }] }, Period: 86_400, Stat: 'Sum' },
    // Another account's metrics are readable from a CloudWatch cross-account observability monitoring account.
    ...(crossAccount && t.accountId && { AccountId: t.accountId }),
  };
}

/**
 * Daily invocations of many functions: one GetMetricData call per 500 functions of an account and
 * region, every page of it. A call that fails (permission, throttling past the SDK's retries) or a
 * query CloudWatch does not complete leaves those functions without usage - absent from the map,
 * said on `progress` - and never stops the report.
 */
export async function readUsage(
  cloudWatchFor: (region: string) => Pick<CloudWatchClient, 'send'>,
  targets: readonly UsageTarget[],
  now: number,
  progress: Progress,
  crossAccount = false,
): Promise<Map<string, FunctionUsage>> {
  const out = new Map<string, FunctionUsage>();
  const { start, end } = usageWindow(now);
  const groups = new Map<string, UsageTarget[]>();
  for (const t of targets) {
    if (!t.region) continue;
    const k = `${t.accountId ?? ''}|${t.region}`;
    const group = groups.get(k);
    if (group) group.push(t);
    else groups.set(k, [t]);
  }
  for (const group of groups.values()) {
    const region = group[0]!.region!;
    for (let offset = 0; offset < group.length; offset += QUERIES_PER_CALL) {
      const batch = group.slice(offset, offset + QUERIES_PER_CALL);
      const points = new Map<string, { timestamp: Date; value: number }[]>();
      const status = new Map<string, string | undefined>();
      try {
        const pages = paginateGetMetricData(
          { client: cloudWatchFor(region) as CloudWatchClient },
          { StartTime: start, EndTime: end, ScanBy: 'TimestampDescending', MetricDataQueries: batch.map((t, i) => query(t, i, crossAccount)) },
        );
        for await (const page of pages) {
          for (const r of page.MetricDataResults ?? []) {
            const list = points.get(r.Id!) ?? [];
            (r.Timestamps ?? []).forEach((timestamp, j) => list.push({ timestamp, value: r.Values?.[j] ?? 0 }));
            points.set(r.Id!, list);
            // PartialData: the rest comes on the next page, whose status then stands.
            status.set(r.Id!, r.StatusCode);
          }
        }
      } catch (err) {
        progress(`${region}${group[0]!.accountId ? ` (${group[0]!.accountId})` : ''}: usage of ${batch.length} functions unknown - GetMetricData failed: ${(err as Error).name}: ${(err as Error).message}`);
        continue;
      }
      // Only a complete answer says anything: a missing or failed query is no evidence of idleness.
      let unknown = 0;
      batch.forEach((t, i) => {
        if (status.get(`f${i}`) === 'Complete') out.set(usageKey(t), usageFromDailySums(points.get(`f${i}`)!, now));
        else unknown++;
      });
      if (unknown > 0) progress(`${region}: usage of ${unknown} functions unknown - CloudWatch did not complete their queries`);
    }
  }
  progress(`usage (CloudWatch Invocations) of ${out.size} of ${targets.length} functions read`);
  return out;
}
