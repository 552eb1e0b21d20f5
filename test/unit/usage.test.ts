import { CloudWatchClient, GetMetricDataCommand, type GetMetricDataCommandInput } from '@aws-sdk/client-cloudwatch';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import { readUsage, usageKey } from '../../shared/io/usageMetrics.js';
import { inventoryRow, totals, upgradeCalendar } from '../../shared/report/inventory.js';
import { usageFromDailySums } from '../../shared/report/usage.js';
import { DEFAULT_POLICY } from '../../shared/index.js';
import { facts, NOW } from '../helpers/fixtures.js';

const day = (d: string) => new Date(`${d}T00:00:00Z`);

describe('usage from daily sums', () => {
  it('sums the 14 calendar days ending today and finds the last day with a call, within 90 days', () => {
    // NOW is 2026-11-23: 14 days reach back to 2026-11-10, 90 days to 2026-08-26.
    const usage = usageFromDailySums(
      [
        { timestamp: day('2026-11-09'), value: 1000 },
        { timestamp: day('2026-11-10'), value: 5 },
        { timestamp: day('2026-11-23'), value: 7 },
        { timestamp: day('2026-11-22'), value: 0 },
      ],
      NOW,
    );
    expect(usage).toEqual({ invocations14d: 12, lastInvoked: '2026-11-23' });
    expect(usageFromDailySums([{ timestamp: day('2026-08-26'), value: 1 }, { timestamp: day('2026-08-25'), value: 50 }], NOW)).toEqual({ invocations14d: 0, lastInvoked: '2026-08-26' });
    expect(usageFromDailySums([{ timestamp: day('2026-08-25'), value: 50 }], NOW)).toEqual({ invocations14d: 0, lastInvoked: null });
  });

  it('marks as deletion candidates only functions known to be idle, and orders a deadline by usage', () => {
    const row = (name: string, invocations14d: number | undefined, lastInvoked: string | null = '2026-11-20') =>
      inventoryRow(facts({ name, runtime: 'nodejs20.x' }), DEFAULT_POLICY, NOW, invocations14d === undefined ? undefined : { invocations14d, lastInvoked });
    const rows = [row('quiet', 3), row('unknown', undefined), row('busy', 9000), row('idle', 0, null)];
    expect(rows.map((r) => [r.name, r.invocations14d, r.lastInvoked, r.deletionCandidate])).toEqual([
      ['quiet', 3, '2026-11-20', false],
      ['unknown', null, null, false],
      ['busy', 9000, '2026-11-20', false],
      ['idle', 0, null, true],
    ]);
    expect(upgradeCalendar(rows).map((r) => r.name)).toEqual(['busy', 'quiet', 'idle', 'unknown']);
    expect(totals(rows)).toMatchObject({ invocations14d: 9003, deletionCandidates: 1, usageUnknown: 1 });
  });
});

describe('readUsage (GetMetricData)', () => {
  const target = (name: string, region = 'eu-west-1', accountId = '123456789012') => ({ accountId, region, name });

  it('follows NextToken, joining a function whose points span pages, one call per 500 functions of an account and region', async () => {
    const cloudWatch = new CloudWatchClient({ region: 'eu-west-1' });
    const inputs: GetMetricDataCommandInput[] = [];
    mockClient(cloudWatch)
      .on(GetMetricDataCommand)
      .callsFake((input: GetMetricDataCommandInput) => {
        inputs.push(structuredClone(input));
        const ids = input.MetricDataQueries!.map((q) => q.Id!);
        if (!input.NextToken) {
          return { MetricDataResults: [{ Id: 'f0', Timestamps: [day('2026-11-23')], Values: [4], StatusCode: 'PartialData' }], NextToken: 'page2' };
        }
        return { MetricDataResults: ids.map((Id) => ({ Id, Timestamps: Id === 'f0' ? [day('2026-11-01')] : [], Values: Id === 'f0' ? [6] : [], StatusCode: 'Complete' })) };
      });
    const targets = [...Array.from({ length: 501 }, (_, i) => target(`fn-${i}`)), target('other-account', 'eu-west-1', '999999999999'), target('us', 'us-east-1')];
    const usage = await readUsage(() => cloudWatch, targets, NOW, () => {});
    expect(usage.get(usageKey(targets[0]!))).toEqual({ invocations14d: 4, lastInvoked: '2026-11-23' });
    expect(usage.get(usageKey(targets[1]!))).toEqual({ invocations14d: 0, lastInvoked: null });
    expect(usage.size).toBe(503);
    // 500 + 1 in one account and region, 1 in another account, 1 in another region: 4 calls of 2 pages.
    expect(inputs.filter((i) => !i.NextToken).map((i) => i.MetricDataQueries!.length)).toEqual([500, 1, 1, 1]);
    expect(inputs[0]!.MetricDataQueries![0]).toEqual({
      Id: 'f0',
      ReturnData: true,
      MetricStat: { Metric: { Namespace: 'AWS/Lambda', MetricName: 'Invocations', Dimensions: [{ Name: 'FunctionName', Value: 'fn-0' }] }, Period: 86400, Stat: 'Sum' },
    });
  });

  it('leaves usage unknown, never zero, where a call fails or a query is incomplete or missing, and says so', async () => {
    const cloudWatch = new CloudWatchClient({ region: 'eu-west-1' });
    const denied = Object.assign(new Error('not authorized to perform: cloudwatch:GetMetricData'), { name: 'AccessDeniedException' });
    mockClient(cloudWatch)
      .on(GetMetricDataCommand)
      .callsFake((input: GetMetricDataCommandInput) => {
        if (input.MetricDataQueries![0]!.AccountId === '999999999999') throw denied;
        return { MetricDataResults: [{ Id: 'f0', Timestamps: [], Values: [], StatusCode: 'Complete' }, { Id: 'f1', Timestamps: [], Values: [], StatusCode: 'Forbidden' }] };
      });
    const progress: string[] = [];
    const targets = [target('a'), target('b'), target('c'), target('elsewhere', 'eu-west-1', '999999999999')];
    const usage = await readUsage(() => cloudWatch, targets, NOW, (m) => progress.push(m), true);
    expect([...usage.keys()]).toEqual([usageKey(targets[0]!)]);
    expect(progress).toEqual([
      'eu-west-1: usage of 2 functions unknown - CloudWatch did not complete their queries',
      'eu-west-1 (999999999999): usage of 1 functions unknown - GetMetricData failed: AccessDeniedException: not authorized to perform: cloudwatch:GetMetricData',
      'usage (CloudWatch Invocations) of 1 of 4 functions read',
    ]);
  });
});
