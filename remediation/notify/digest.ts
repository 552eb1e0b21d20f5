import type { Logger } from '@aws-lambda-powertools/logger';
import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import * as z from '../../shared/schema/zod.js';
import { describeError } from '../../shared/io/awsErrors.js';
import { utcDay, type NotificationLog } from '../../shared/io/notificationLog.js';
import { accountDigest, groupByOwner, ownerDigest, type Digest } from '../../shared/remediation/digest.js';
import { messageAttributes, regionOfArn } from '../../shared/remediation/notification.js';

// The daily digests: the notify function's second trigger, an EventBridge schedule. One message
// per owner to the alert topic and one for the whole account to the organisation's central topic
// (which the organisation's digest function adds up into one organisation digest),
// built from the changes the day's notify runs recorded in the notification log.

/** EventBridge's scheduled event (EventBridge User Guide, "Creating a rule that runs on a schedule"). */
const scheduledEvent = z.looseObject({ source: z.literal('aws.events'), 'detail-type': z.literal('Scheduled Event') });

export const isScheduledEvent = (event: unknown): boolean => scheduledEvent.safeParse(event).success;

export interface DigestDependencies {
  readonly snsFor: (region: string) => Pick<SNSClient, 'send'>;
  readonly log: Pick<NotificationLog, 'claim' | 'release' | 'eventsBetween' | 'lastDigestAt' | 'setLastDigestAt'>;
  readonly topicArn: string;
  readonly centralTopicArn?: string | undefined;
  readonly now: () => number;
  readonly logger: Logger;
}

export interface DigestResult {
  readonly day: string;
  readonly functions: number;
  readonly owners: number;
  /** Messages published by this run (a digest already sent today is not sent again). */
  readonly published: number;
  readonly coveredFrom: string;
  readonly coveredUntil: string;
}

const DAY_MINUTES = 1440;
const iso = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

/**
 * Publishes the digests of the changes recorded since the last digest. Each message is claimed
 * for the UTC day before it is sent, so a retry (the schedule's asynchronous invocation is
 * retried) or a second run the same day sends only what did not go out; the cursor moves only
 * when every message went out, so a failed day's changes come again in the next digest.
 */
export async function sendDigests(deps: DigestDependencies, where: { accountId: string; region: string }): Promise<DigestResult> {
  const now = deps.now();
  const day = utcDay(now);
  // No digest yet: the last day's changes (older ones expire from the table anyway).
  const after = (await deps.log.lastDigestAt()) ?? now - DAY_MINUTES * 60_000;
  const events = await deps.log.eventsBetween(after, now);
  const byOwner = groupByOwner(events);
  const messages: { topic: string; key: string; digest: Digest }[] = [...byOwner].map(([owner, list]) => ({ topic: deps.topicArn, key: `digest/${where.accountId}/${where.region}/owner/${owner}@${deps.topicArn}`, digest: ownerDigest(owner, list, where, day) }));
  if (deps.centralTopicArn && events.length > 0) {
    messages.push({ topic: deps.centralTopicArn, key: `digest/${where.accountId}/${where.region}/organisation@${deps.centralTopicArn}`, digest: accountDigest(byOwner, where, day) });
  }
  let published = 0;
  const failures: string[] = [];
  for (const { topic, key, digest } of messages) {
    if (!(await deps.log.claim(key, now, DAY_MINUTES)).granted) continue;
    try {
      await deps.snsFor(regionOfArn(topic)).send(new PublishCommand({ TopicArn: topic, Subject: digest.subject, Message: digest.message, MessageAttributes: messageAttributes(digest.attributes) }));
      published++;
      deps.logger.info('digest published', { topic, kind: digest.attributes.kind, owner: digest.attributes.owner, functions: digest.total, listed: digest.listed });
    } catch (error) {
      await deps.log.release(key);
      failures.push(`${topic} (${digest.attributes.owner ?? 'organisation'}): ${describeError(error)}`);
    }
  }
  const result = { day, functions: events.length, owners: byOwner.size, published, coveredFrom: iso(after), coveredUntil: iso(now) };
  if (failures.length > 0) {
    deps.logger.error('digest: some messages could not be published', { ...result, failures });
    throw new Error(`Could not publish ${failures.length} of ${messages.length} digests: ${failures.join('; ')}`);
  }
  await deps.log.setLastDigestAt(now);
  deps.logger.info('digest: done', result);
  return result;
}
