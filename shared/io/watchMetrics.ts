import { paginateGetMetricData, type CloudWatchClient, type MetricDataQuery } from '@aws-sdk/client-cloudwatch';
import { BASELINE_HOURS, type ErrorCounts, type WatchEvidence } from '../remediation/watch.js';

// The watch's evidence: AWS/Lambda Errors and Invocations of a function (dimension FunctionName:
// every version and alias; Lambda Developer Guide, "Viewing metrics for Lambda functions"), Sum
// per minute from BASELINE_HOURS before the change to now, in one GetMetricData call: two
// queries of at most (24 + 6) x 60 = 1,800 points, far below the call's 100,800 (CloudWatch API
// Reference, GetMetricData). Minutes are the finest period Lambda's metrics keep for 15 days
// (CloudWatch User Guide, "Metrics concepts", retention). The minute the change falls in counts
// as after it: its calls before the change can only dilute the rise, never invent one.

type CloudWatch = Pick<CloudWatchClient, 'send'>;

const MINUTE_MS = 60_000;
const floorMinute = (ms: number): number => Math.floor(ms / MINUTE_MS) * MINUTE_MS;

/** A GetMetricData answer CloudWatch did not complete: no evidence yet, try the next run. */
export class IncompleteMetricsError extends Error {
  public constructor(functionName: string, statuses: string) {
    super(`CloudWatch did not complete the error and invocation counts of ${functionName} (${statuses})`);
    this.name = 'IncompleteMetricsError';
  }
}

const query = (id: string, metricName: 'Errors' | 'Invocations', functionName: string): MetricDataQuery => ({
  Id: id,
  ReturnData: true,
  MetricStat: { Metric: { Namespace: 'AWS/Lambda', MetricName: metricName, Dimensions: [{ Name: 'FunctionName', Value: functionName }] }, Period: 60, Stat: 'Sum' },
});

/** Errors and invocations before and after `changeAtMs`, up to `untilMs`. Throws when the call fails or is incomplete. */
export async function readEvidence(cloudWatch: CloudWatch, functionName: string, changeAtMs: number, untilMs: number): Promise<WatchEvidence> {
  const split = floorMinute(changeAtMs);
  const start = split - BASELINE_HOURS * 3_600_000;
  const counts = { baseline: { inv: 0, err: 0 }, after: { inv: 0, err: 0 } };
  const status = new Map<string, string | undefined>();
  const pages = paginateGetMetricData(
    { client: cloudWatch as CloudWatchClient },
    { StartTime: new Date(start), EndTime: new Date(floorMinute(untilMs) + MINUTE_MS), MetricDataQueries: [query('inv', 'Invocations', functionName), query('err', 'Errors', functionName)] },
  );
  for await (const page of pages) {
    for (const r of page.MetricDataResults ?? []) {
      if (r.Id !== 'inv' && r.Id !== 'err') continue;
      (r.Timestamps ?? []).forEach((t, i) => {
        const v = r.Values?.[i];
        // A point that is not a count (CloudWatch's Sum of a count never is) adds nothing.
        if (v === undefined || !Number.isFinite(v) || v < 0) return;
        counts[t.getTime() < split ? 'baseline' : 'after'][r.Id as 'inv' | 'err'] += v;
      });
      status.set(r.Id, r.StatusCode);
    }
  }
  if (status.get('inv') !== 'Complete' || status.get('err') !== 'Complete') {
    throw new IncompleteMetricsError(functionName, [...status].map(([id, s]) => `${id}: ${s ?? 'no answer'}`).join(', ') || 'no results');
  }
  const of = (c: { inv: number; err: number }): ErrorCounts => ({ invocations: c.inv, errors: c.err });
  return { baseline: of(counts.baseline), after: of(counts.after) };
}
