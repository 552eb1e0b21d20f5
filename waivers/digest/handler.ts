import { getStringFromEnv } from '@aws-lambda-powertools/commons/utils/env';
import { Logger } from '@aws-lambda-powertools/logger';
import type { WaiverLedger } from '../../shared/io/waiverLedger.js';
import { activeWaivers, EXPIRING_SOON_DAYS, formatDigest } from '../../shared/waivers/digest.js';
import { waiverWatchFromEnvironment } from '../../shared/waivers/environment.js';
import { publish, type WaiverWatchDependencies } from '../../shared/waivers/watch.js';

// The weekly digest of the waivers in force in this account and region, from the waiver ledger,
// to the security topic. Scheduled by EventBridge; the event is not read.

export interface DigestDependencies {
  readonly ledger: Pick<WaiverLedger, 'scan' | 'tableName'>;
  readonly sns: WaiverWatchDependencies['sns'];
  readonly topicArn: string;
  readonly region: string;
  readonly now: () => number;
  readonly logger: Pick<Logger, 'info'>;
}

export interface DigestResult {
  readonly waivers: number;
  readonly expiringSoon: number;
  readonly subject: string;
}

export function createHandler(deps: DigestDependencies): (event: unknown, context?: { invokedFunctionArn?: string }) => Promise<DigestResult> {
  return async (_event, context) => {
    const now = deps.now();
    const waivers = activeWaivers(await deps.ledger.scan(), now);
    const account = context?.invokedFunctionArn?.split(':')[4] ?? 'unknown';
    const digest = formatDigest(waivers, { account, region: deps.region, table: deps.ledger.tableName }, now);
    // Sent every week, none in force included: a digest that stops coming is noticed.
    await publish(deps.sns, deps.topicArn, digest);
    const result = { waivers: waivers.length, expiringSoon: waivers.filter((w) => w.daysLeft <= EXPIRING_SOON_DAYS).length, subject: digest.subject };
    deps.logger.info('waiver digest published', result);
    return result;
  };
}

function fromEnvironment(): DigestDependencies {
  const logger = new Logger({ serviceName: 'runtime-warden-waiver-digest' });
  const { ledger, sns, topicArn } = waiverWatchFromEnvironment({ retryMode: 'adaptive', maxAttempts: 4 });
  return { ledger, sns, topicArn, region: getStringFromEnv({ key: 'AWS_REGION' }), now: Date.now, logger };
}

// Built on first use, once per container: a missing setting fails the invocation, saying which.
let configured: ReturnType<typeof createHandler> | undefined;
export const handler = async (event: unknown, context?: { invokedFunctionArn?: string }): Promise<DigestResult> => (configured ??= createHandler(fromEnvironment()))(event, context);
