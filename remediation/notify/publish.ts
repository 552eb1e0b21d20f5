import type { MessageAttributeValue, SNSClient } from '@aws-sdk/client-sns';
import { PublishCommand } from '@aws-sdk/client-sns';
import type { Claim, NotificationLog } from '../../shared/io/notificationLog.js';
import { regionOfArn } from '../../shared/remediation/notification.js';

/** Where an alert goes: the stack's topic, and the organisation's central one when set up. */
export interface AlertTopics {
  readonly log: Pick<NotificationLog, 'claim' | 'release'>;
  /** An SNS client for a region (the region of the topic published to). */
  readonly snsFor: (region: string) => Pick<SNSClient, 'send'>;
  readonly topicArn: string;
  readonly centralTopicArn?: string | undefined;
}

export interface ClaimedPublish {
  readonly messageId: string | undefined;
  /** Topics published to now. */
  readonly published: number;
  /** Claims that held the message back (sent to that topic within the claim's period). */
  readonly held: Exclude<Claim, { granted: true }>[];
  /** Topics SNS refused; their claims are released, so that a retry pages only them. */
  readonly failures: { readonly topic: string; readonly error: unknown }[];
}

/**
 * Publishes to each topic not claimed for `key` within `claimMinutes`. Each topic is claimed on
 * its own, so that a retry after a failed publish pages only the topics that did not get it. SNS
 * Publish must go to the topic's own region (SNS API Reference, Publish: "the topic ... in the
 * same Region"); the central topic usually lives in another one. Used by the alerts and the watch.
 */
export async function publishClaimed(
  deps: AlertTopics,
  key: string,
  message: { readonly subject: string; readonly message: string; readonly attributes: Record<string, MessageAttributeValue> },
  now: number,
  claimMinutes: number,
): Promise<ClaimedPublish> {
  let messageId: string | undefined;
  let published = 0;
  const held: Exclude<Claim, { granted: true }>[] = [];
  const failures: { topic: string; error: unknown }[] = [];
  for (const topic of [deps.topicArn, deps.centralTopicArn].filter((t): t is string => Boolean(t))) {
    const claim = `${key}@${topic}`;
    const granted = await deps.log.claim(claim, now, claimMinutes);
    if (!granted.granted) {
      held.push(granted);
      continue;
    }
    try {
      const out = await deps.snsFor(regionOfArn(topic)).send(new PublishCommand({ TopicArn: topic, Subject: message.subject, Message: message.message, MessageAttributes: message.attributes }));
      messageId ??= out.MessageId;
      published++;
    } catch (error) {
      await deps.log.release(claim);
      failures.push({ topic, error });
    }
  }
  return { messageId, published, held, failures };
}
