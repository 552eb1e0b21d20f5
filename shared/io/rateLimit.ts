import type { LambdaClient } from '@aws-sdk/client-lambda';

// Lambda's control-plane quota is one bucket per account and region: "Control plane API requests
// (excludes invocation, GetFunction, and GetPolicy requests): 15 requests per second", GetFunction
// 100/s and GetPolicy 15/s, none of which can be increased (Lambda Developer Guide, "Lambda
// quotas", Lambda API requests). The account's own deploys and CI share it, so runtime-warden
// spends a fixed share of it, client-side, before Lambda would throttle.

export const LAMBDA_CONTROL_PLANE_QUOTA = 15;
export const GET_FUNCTION_QUOTA = 100;
export const GET_POLICY_QUOTA = 15;

export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const realClock: Clock = { now: () => Date.now(), sleep: (ms) => new Promise((r) => setTimeout(r, ms)) };

/**
 * A token bucket in its GCRA form: each call reserves the next free slot at once, in the order
 * calls arrive, then waits for it, so concurrent callers can never together exceed `ratePerSecond`
 * (plus `burst` at the start of a quiet period) in any window.
 */
export class TokenBucket {
  private readonly interval: number;
  private readonly tolerance: number;
  private tat = Number.NEGATIVE_INFINITY;
  public taken = 0;

  public constructor(
    public readonly ratePerSecond: number,
    burst: number,
    private readonly clock: Clock = realClock,
  ) {
    if (!(ratePerSecond > 0) || !Number.isFinite(ratePerSecond)) throw new RangeError(`A rate limit must be a positive number of calls per second, not ${ratePerSecond}`);
    if (!(burst >= 1)) throw new RangeError(`A rate limit's burst must be at least 1, not ${burst}`);
    this.interval = 1000 / ratePerSecond;
    this.tolerance = (Math.floor(burst) - 1) * this.interval;
  }

  /** Resolves when the caller may make one call. */
  public async take(): Promise<void> {
    const t = this.clock.now();
    const tat = Math.max(this.tat, t);
    const allowedAt = tat - this.tolerance;
    this.tat = tat + this.interval;
    this.taken++;
    if (allowedAt > t) await this.clock.sleep(allowedAt - t);
  }
}

/** The buckets a Lambda client spends: one per Lambda quota, each the same share of its quota. */
export interface LambdaRateBudget {
  readonly controlPlane: TokenBucket;
  readonly getFunction: TokenBucket;
  readonly getPolicy: TokenBucket;
}

/**
 * The share of Lambda's quotas one container may spend: the account-wide budget (`callsPerSecond`
 * of the 15/s control-plane quota) divided among the `containers` that can run at once (the rule
 * function's reserved concurrency), so that all of them together stay within it. GetFunction and
 * GetPolicy, with quotas of their own, get the same fraction of theirs. Bursts are one call: a
 * container never front-loads.
 */
export function lambdaRateBudget(callsPerSecond: number, containers: number, clock: Clock = realClock): LambdaRateBudget {
  if (!(callsPerSecond > 0) || callsPerSecond > LAMBDA_CONTROL_PLANE_QUOTA) throw new RangeError(`LAMBDA_CALLS_PER_SECOND must be above 0 and at most Lambda's ${LAMBDA_CONTROL_PLANE_QUOTA}/s quota, not ${callsPerSecond}`);
  if (!Number.isInteger(containers) || containers < 1) throw new RangeError(`The number of containers sharing the Lambda budget must be a positive integer, not ${containers}`);
  const share = callsPerSecond / LAMBDA_CONTROL_PLANE_QUOTA / containers;
  return {
    controlPlane: new TokenBucket(LAMBDA_CONTROL_PLANE_QUOTA * share, 1, clock),
    getFunction: new TokenBucket(GET_FUNCTION_QUOTA * share, 1, clock),
    getPolicy: new TokenBucket(GET_POLICY_QUOTA * share, 1, clock),
  };
}

/** The bucket a Lambda command spends (by its SDK command name); Invoke spends none. */
export function bucketFor(budget: LambdaRateBudget, commandName: string): TokenBucket | undefined {
  if (commandName === 'InvokeCommand' || commandName === 'InvokeAsyncCommand' || commandName === 'InvokeWithResponseStreamCommand') return undefined;
  if (commandName === 'GetFunctionCommand') return budget.getFunction;
  if (commandName === 'GetPolicyCommand') return budget.getPolicy;
  return budget.controlPlane;
}

/**
 * Makes every request of `client` wait for its bucket. The middleware sits in the finalize step
 * below the SDK's retry middleware, so each attempt, retries included, spends a token: what
 * Lambda counts.
 */
export function limitLambdaClient<T extends Pick<LambdaClient, 'middlewareStack'>>(client: T, budget: LambdaRateBudget): T {
  client.middlewareStack.add(
    (next, context) => async (args) => {
      await bucketFor(budget, context.commandName ?? '')?.take();
      return next(args);
    },
    { step: 'finalizeRequest', priority: 'low', name: 'runtimeWardenLambdaRateBudget', override: true },
  );
  return client;
}
