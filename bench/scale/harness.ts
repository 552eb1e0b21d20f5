import { Logger } from '@aws-lambda-powertools/logger';
import { ConfigServiceClient } from '@aws-sdk/client-config-service';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { createHandler, type ConfigRuleDependencies } from '../../config-rules/runtime-compliance/handler.js';
import { DEFAULT_POLICY } from '../../shared/index.js';
import { DynamoFunctionState } from '../../shared/io/functionState.js';
import { lambdaRateBudget, limitLambdaClient } from '../../shared/io/rateLimit.js';
import { VIRTUAL_TIME_HEADER } from './standIn.js';
import type { VirtualClock } from './virtualClock.js';

// The Config rule as deployed - createHandler with real AWS SDK v3 clients, the production rate
// limiter and the DynamoDB state store - pointed at the stand-in, on a virtual clock: the
// limiter waits in virtual time, and every request tells the stand-in its virtual instant.

export const BENCH_EPOCH = Date.parse('2026-11-23T06:00:00Z');
export const STATE_TABLE = 'bench-function-state';

interface Stamped {
  middlewareStack: { add: (mw: never, options: { step: 'build'; name: string }) => void };
}

function stamped<T extends Stamped>(client: T, clock: VirtualClock): T {
  const mw = (next: (args: { request: { headers: Record<string, string> } }) => Promise<unknown>) => (args: { request: { headers: Record<string, string> } }) => {
    args.request.headers[VIRTUAL_TIME_HEADER] = String(Math.round(clock.now()));
    return next(args);
  };
  client.middlewareStack.add(mw as never, { step: 'build', name: 'virtualTime' });
  return client;
}

export interface HarnessOptions {
  readonly endpoint: string;
  readonly clock: VirtualClock;
  readonly callsPerSecond: number;
  readonly reservedConcurrency: number;
  readonly logLevel?: 'SILENT' | 'INFO';
  /** Dependencies to set otherwise (tests: a smaller sweep batch, no refresh age, the logger). */
  readonly overrides?: Partial<ConfigRuleDependencies>;
}

export function ruleHandler(o: HarnessOptions) {
  const base = { endpoint: o.endpoint, region: 'eu-west-1', credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' }, retryMode: 'adaptive', maxAttempts: 6 } as const;
  const lambda = limitLambdaClient(stamped(new LambdaClient(base), o.clock), lambdaRateBudget(o.callsPerSecond, o.reservedConcurrency, o.clock));
  const config = stamped(new ConfigServiceClient(base), o.clock);
  const dynamo = stamped(new DynamoDBClient(base), o.clock);
  const logger = new Logger({ serviceName: 'bench', logLevel: o.logLevel ?? 'SILENT' });
  const handler = createHandler({
    lambda,
    config,
    state: new DynamoFunctionState(dynamo, STATE_TABLE, (e) => logger.error('unreadable state', { error: e })),
    policyLoader: () => () => Promise.resolve(DEFAULT_POLICY),
    now: () => BENCH_EPOCH + o.clock.now(),
    clock: () => o.clock.now(),
    logger,
    deadlineReserveMs: 20_000,
    concurrency: 8,
    ...o.overrides,
  });
  return { handler, destroy: () => [lambda, config, dynamo].forEach((c) => c.destroy()) };
}

/** A Lambda context with `ms` left from now, on the virtual clock. */
export function contextFor(clock: VirtualClock, ms: number) {
  const end = clock.now() + ms;
  return { getRemainingTimeInMillis: () => end - clock.now() };
}
