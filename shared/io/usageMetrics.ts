import { paginateGetMetricData, type CloudWatchClient, type Dimension, type MetricDataQuery } from '@aws-sdk/client-cloudwatch';
import { usageFromDailySums, usageWindow, type FunctionUsage } from '../report/usage.js';
import type { Progress } from './inventorySources.js';

type CloudWatch = Pick<CloudWatchClient, 'send'>;

export interface UsageTarget {
  readonly accountId?: string | undefined;
  readonly region?: string | undefined;
  readonly name: string;
}

// CloudWatch API Reference, GetMetricData: at most 500 queries and 100,800 data points per call.
// A query is IDLE_DAYS daily sums (90 points): 500 of them are 45,000 points.
export const QUERIES_PER_CALL = 500;

export const usageKey = (t: UsageTarget): string => `${t.accountId ?? ''}|${t.region ?? ''}|${t.name}`;

type Points = { timestamp: Date; value: number }[];

function dailyInvocations(id: string, dimensions: Dimension[], accountId?: string): MetricDataQuery {
  return {
    Id: id,
    ReturnData: true,
    MetricStat: { Metric: { Namespace: 'AWS/Lambda', MetricName: 'Invocations', Dimensions: dimensions }, Period: 86_400, Stat: 'Sum' },
    // Another account's metrics are readable from a CloudWatch cross-account observability monitoring account.
    ...(accountId && { AccountId: accountId }),
  };
}

/**
 * One GetMetricData call of at most QUERIES_PER_CALL queries over the usage window, every page:
 * the points of each query CloudWatch completed, by query id. Only a complete answer says
 * anything - a missing or failed query is no evidence of idleness - so the others are absent.
 * A call that fails (permission, throttling past the SDK's retries) throws.
 */
async function completedDailySums(cloudWatch: CloudWatch, queries: MetricDataQuery[], now: number): Promise<Map<string, Points>> {
  const { start, end } = usageWindow(now);
  const points = new Map<string, Points>();
  const status = new Map<string, string | undefined>();
  const pages = paginateGetMetricData({ client: cloudWatch as CloudWatchClient }, { StartTime: start, EndTime: end, ScanBy: 'TimestampDescending', MetricDataQueries: queries });
  for await (const page of pages) {
    for (const r of page.MetricDataResults ?? []) {
      const list = points.get(r.Id!) ?? [];
      (r.Timestamps ?? []).forEach((timestamp, j) => list.push({ timestamp, value: r.Values?.[j] ?? 0 }));
      points.set(r.Id!, list);
      // PartialData: the rest comes on the next page, whose status then stands.
      status.set(r.Id!, r.StatusCode);
    }
  }
  return new Map([...points].filter(([id]) => status.get(id) === 'Complete'));
}

/**
 * Daily invocations of many functions: one GetMetricData call per 500 functions of an account and
 * region, every page of it. A call that fails or a query CloudWatch does not complete leaves
 * those functions without usage - absent from the map, said on `progress` - and never stops the
 * report.
 */
export async function readUsage(
  cloudWatchFor: (region: string) => CloudWatch,
  targets: readonly UsageTarget[],
  now: number,
  progress: Progress,
  crossAccount = false,
): Promise<Map<string, FunctionUsage>> {
  const out = new Map<string, FunctionUsage>();
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
      // The FunctionName dimension alone sums every version and alias (Lambda Developer Guide, "Viewing metrics for Lambda functions").
      const queries = batch.map((t, i) => dailyInvocations(`f${i}`, [{ Name: 'FunctionName', Value: t.name }], crossAccount ? t.accountId : undefined));
      let sums: Map<string, Points>;
      try {
        sums = await completedDailySums(cloudWatchFor(region), queries, now);
      } catch (err) {
        progress(`${region}${group[0]!.accountId ? ` (${group[0]!.accountId})` : ''}: usage of ${batch.length} functions unknown - GetMetricData failed: ${(err as Error).name}: ${(err as Error).message}`);
        continue;
      }
      let unknown = 0;
      batch.forEach((t, i) => {
        const points = sums.get(`f${i}`);
        if (points) out.set(usageKey(t), usageFromDailySums(points, now));
        else unknown++;
      });
      if (unknown > 0) progress(`${region}: usage of ${unknown} functions unknown - CloudWatch did not complete their queries`);
    }
  }
  progress(`usage (CloudWatch Invocations) of ${out.size} of ${targets.length} functions read`);
  return out;
}

/** A published version of a function, by its number and its ARN. */
export interface VersionTarget {
  readonly version: string;
  readonly arn?: string | undefined;
}

/** Per day, the larger of two series of daily sums. */
function dailyMax(a: Points, b: Points): Points {
  const byDay = new Map<number, Points[number]>();
  for (const p of [...a, ...b]) {
    const day = Math.floor(p.timestamp.getTime() / 86_400_000);
    const seen = byDay.get(day);
    if (!seen || p.value > seen.value) byDay.set(day, p);
  }
  return [...byDay.values()];
}

/**
 * Invocations of published versions by their qualified ARN (an event source mapping, SNS,
 * EventBridge, API Gateway or a direct Invoke of `fn:1`): the `Resource` dimension, which Lambda
 * sets to the version or alias invoked ("By Resource - view metrics for a version or alias of a
 * function", Lambda Developer Guide, "Viewing metrics for Lambda functions"). `ExecutedVersion`
 * "only applies to alias invocations" (same guide, "AWS Lambda CloudWatch dimensions"): a version
 * an alias routes to is judged through the alias. The guide does not spell the `Resource` value;
 * the AWS CDK writes it `name:qualifier` for aliases and the qualified ARN for versions, so both
 * are asked and the larger count of a day stands. One call per 250 versions (two queries each,
 * QUERIES_PER_CALL a call). Versions whose queries CloudWatch did not complete are absent; a
 * failed call throws.
 */
export async function readVersionUsage(cloudWatch: CloudWatch, functionName: string, versions: readonly VersionTarget[], now: number): Promise<Map<string, FunctionUsage>> {
  const out = new Map<string, FunctionUsage>();
  const perCall = QUERIES_PER_CALL / 2;
  for (let offset = 0; offset < versions.length; offset += perCall) {
    const batch = versions.slice(offset, offset + perCall);
    const resource = (value: string): Dimension[] => [
      { Name: 'FunctionName', Value: functionName },
      { Name: 'Resource', Value: value },
    ];
    const queries = batch.flatMap((v, i) => [dailyInvocations(`n${i}`, resource(`${functionName}:${v.version}`)), ...(v.arn ? [dailyInvocations(`a${i}`, resource(v.arn))] : [])]);
    const sums = await completedDailySums(cloudWatch, queries, now);
    batch.forEach((v, i) => {
      const byName = sums.get(`n${i}`);
      const byArn = v.arn ? sums.get(`a${i}`) : [];
      if (byName && byArn) out.set(v.version, usageFromDailySums(dailyMax(byName, byArn), now));
    });
  }
  return out;
}
