import { LambdaClient, ListFunctionsCommand, GetFunctionCommand, GetPolicyCommand, InvokeCommand } from '@aws-sdk/client-lambda';
import { describe, expect, it } from 'vitest';
import { bucketFor, lambdaRateBudget, limitLambdaClient, TokenBucket, type Clock } from '../../shared/io/rateLimit.js';

/** A discrete-event clock: time moves only to the next instant someone waits for, one waiter at a time. */
class ManualClock implements Clock {
  public t = 0;
  private readonly waits: { until: number; resolve: () => void }[] = [];

  public now(): number {
    return this.t;
  }

  public sleep(ms: number): Promise<void> {
    return new Promise((resolve) => this.waits.push({ until: this.t + ms, resolve }));
  }

  /** Wakes the waiters in time order until `work` settles. */
  public async drive<T>(work: Promise<T>): Promise<T> {
    let done = false;
    const settled = work.finally(() => (done = true));
    while (!done) {
      await new Promise((r) => setImmediate(r));
      if (this.waits.length === 0) continue;
      this.waits.sort((x, y) => x.until - y.until);
      const next = this.waits.shift()!;
      this.t = Math.max(this.t, next.until);
      next.resolve();
    }
    return settled;
  }
}

/** The most calls within any window of `windowMs` (closed at its start, open at its end). */
function maxInWindow(times: readonly number[], windowMs: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  let best = 0;
  for (let i = 0, j = 0; i < sorted.length; i++) {
    while (sorted[i]! - sorted[j]! >= windowMs) j++;
    best = Math.max(best, i - j + 1);
  }
  return best;
}

describe('the Lambda rate budget', () => {
  it('never lets concurrent callers exceed the rate in any one-second window', async () => {
    const clock = new ManualClock();
    const bucket = new TokenBucket(5, 1, clock);
    const times: number[] = [];
    // 40 callers at once, each making 5 calls in a row.
    await clock.drive(
      Promise.all(
        Array.from({ length: 40 }, async () => {
          for (let k = 0; k < 5; k++) {
            await bucket.take();
            times.push(clock.now());
          }
        }),
      ),
    );
    expect(times).toHaveLength(200);
    expect(maxInWindow(times, 1000)).toBe(5);
    // ... and spends it: 200 calls at 5/s take 39.8 s, not more.
    expect(Math.max(...times)).toBe(39_800);
  });

  it('allows a burst only up to its size after a quiet period', async () => {
    const clock = new ManualClock();
    const bucket = new TokenBucket(2, 3, clock);
    clock.t = 10_000;
    const times: number[] = [];
    await clock.drive(
      (async () => {
        for (let k = 0; k < 5; k++) {
          await bucket.take();
          times.push(clock.now());
        }
      })(),
    );
    expect(times).toEqual([10_000, 10_000, 10_000, 10_500, 11_000]);
  });

  it("splits the account's budget among the containers that may run at once, for each of Lambda's quotas", () => {
    const b = lambdaRateBudget(5, 3);
    expect(b.controlPlane.ratePerSecond).toBeCloseTo(5 / 3);
    expect(b.getFunction.ratePerSecond).toBeCloseTo((100 * (5 / 15)) / 3);
    expect(b.getPolicy.ratePerSecond).toBeCloseTo((15 * (5 / 15)) / 3);
    expect(bucketFor(b, 'ListFunctionsCommand')).toBe(b.controlPlane);
    expect(bucketFor(b, 'GetFunctionCommand')).toBe(b.getFunction);
    expect(bucketFor(b, 'GetPolicyCommand')).toBe(b.getPolicy);
    expect(bucketFor(b, 'InvokeCommand')).toBeUndefined();
  });

  it('refuses a budget above the quota or a container count that is not a positive integer, saying which', () => {
    expect(() => lambdaRateBudget(16, 1)).toThrow(/at most Lambda's 15\/s quota, not 16/);
    expect(() => lambdaRateBudget(0, 1)).toThrow(/above 0/);
    expect(() => lambdaRateBudget(5, 0)).toThrow(/positive integer, not 0/);
  });

  it('makes every request of a Lambda client wait for the bucket of its quota, and Invoke for none', async () => {
    const clock = new ManualClock();
    const budget = lambdaRateBudget(3, 1, clock);
    const client = limitLambdaClient(new LambdaClient({ region: 'eu-west-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' }, maxAttempts: 1 }), budget);
    // Stop each request where it would leave the machine, once it has passed the limiter.
    client.middlewareStack.add((() => async () => ({ response: { statusCode: 200, headers: {}, body: undefined }, output: {} })) as never, { step: 'finalizeRequest', priority: 'low', name: 'stop', override: true });
    client.middlewareStack.add((() => async () => ({ output: { $metadata: {} } })) as never, { step: 'deserialize', name: 'stopDeserialize', override: true });
    const commands = [new ListFunctionsCommand({}), new ListFunctionsCommand({}), new GetFunctionCommand({ FunctionName: 'f' }), new GetPolicyCommand({ FunctionName: 'f' }), new InvokeCommand({ FunctionName: 'f' })];
    await clock.drive((async () => { for (const c of commands) await client.send(c as never).catch(() => undefined); })());
    expect([budget.controlPlane.taken, budget.getFunction.taken, budget.getPolicy.taken]).toEqual([2, 1, 1]);
    client.destroy();
  });
});
