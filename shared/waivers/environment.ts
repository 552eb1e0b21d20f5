import { getStringFromEnv } from '@aws-lambda-powertools/commons/utils/env';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SNSClient } from '@aws-sdk/client-sns';
import { WaiverLedger } from '../io/waiverLedger.js';
import { regionOfArn } from '../remediation/notification.js';
import type { WaiverWatchDependencies } from './watch.js';

/**
 * The deployment's waiver ledger (WAIVER_LEDGER_TABLE) and the topic announcements go to:
 * SECURITY_TOPIC_ARN, or ALERT_TOPIC_ARN where the deployment names no security topic. A
 * missing setting throws, saying which.
 */
export function waiverWatchFromEnvironment(clientConfig: object, logger?: WaiverWatchDependencies['logger']): WaiverWatchDependencies & { readonly ledger: WaiverLedger } {
  const topicArn = getStringFromEnv({ key: 'SECURITY_TOPIC_ARN', defaultValue: '' }) || getStringFromEnv({ key: 'ALERT_TOPIC_ARN' });
  return {
    ledger: new WaiverLedger(new DynamoDBClient(clientConfig), getStringFromEnv({ key: 'WAIVER_LEDGER_TABLE' })),
    // SNS Publish goes to the topic's own region (SNS API Reference, Publish).
    sns: new SNSClient({ ...clientConfig, region: regionOfArn(topicArn) }),
    topicArn,
    ...(logger && { logger }),
  };
}
