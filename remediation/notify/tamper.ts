import { getStringFromEnv } from '@aws-lambda-powertools/commons/utils/env';
import { Logger } from '@aws-lambda-powertools/logger';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { isBundledPolicy } from '../../shared/io/policySource.js';
import { describeError } from '../../shared/io/awsErrors.js';
import { messageAttributes, regionOfArn } from '../../shared/remediation/notification.js';
import { parseCloudTrailEvent, tamperAlert, type TamperTargets } from './tamperAlert.js';

// Announces a change to runtime-warden's own resources (template.yaml's Tamper* rules) on the
// alert topic and the organisation's central one, with a subject that says what was changed: an
// EventBridge rule cannot set an SNS subject or message attributes, which subscribers filter on.

export interface TamperDependencies {
  /** An SNS client for a region (the region of the topic published to). */
  readonly snsFor: (region: string) => Pick<SNSClient, 'send'>;
  readonly topicArn: string;
  readonly centralTopicArn?: string | undefined;
  readonly targets: TamperTargets;
  readonly logger: Logger;
}

export interface TamperResult {
  readonly subject: string;
  readonly published: number;
}

export function createTamperHandler(deps: TamperDependencies): (event: unknown) => Promise<TamperResult> {
  return async (event) => {
    const alert = tamperAlert(parseCloudTrailEvent(event), deps.targets);
    const topics = [deps.topicArn, deps.centralTopicArn].filter((t): t is string => Boolean(t));
    // Every topic is tried; a failure fails the invocation, which Lambda retries and then sends to
    // the dead-letter queue, whose alarm pages. A retry may repeat the alert on a topic that had it.
    const failures: string[] = [];
    for (const topic of topics) {
      try {
        await deps.snsFor(regionOfArn(topic)).send(new PublishCommand({ TopicArn: topic, Subject: alert.subject, Message: alert.message, MessageAttributes: messageAttributes(alert.attributes) }));
      } catch (error) {
        failures.push(`${topic}: ${describeError(error)}`);
      }
    }
    if (failures.length > 0) throw new Error(`Could not publish the tamper alert "${alert.subject}" to ${failures.join('; ')}`);
    deps.logger.warn('tamper alert published', { subject: alert.subject, ...alert.attributes });
    return { subject: alert.subject, published: topics.length };
  };
}

function fromEnvironment(): TamperDependencies {
  const sns = new Map<string, SNSClient>();
  const policySource = getStringFromEnv({ key: 'POLICY_SOURCE', defaultValue: 'default' });
  return {
    snsFor: (region) => sns.get(region) ?? sns.set(region, new SNSClient({ retryMode: 'adaptive', maxAttempts: 4, region })).get(region)!,
    topicArn: getStringFromEnv({ key: 'ALERT_TOPIC_ARN' }),
    centralTopicArn: getStringFromEnv({ key: 'CENTRAL_ALERT_TOPIC_ARN', defaultValue: '' }) || undefined,
    targets: { policyParameter: isBundledPolicy(policySource) ? undefined : policySource, catalogParameter: getStringFromEnv({ key: 'CATALOG_PARAMETER', defaultValue: '' }) || undefined },
    logger: new Logger({ serviceName: 'runtime-warden-tamper-alert' }),
  };
}

let configured: ReturnType<typeof createTamperHandler> | undefined;
export const handler = async (event: unknown): Promise<TamperResult> => (configured ??= createTamperHandler(fromEnvironment()))(event);
