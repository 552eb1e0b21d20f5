import { getStringFromEnv } from '@aws-lambda-powertools/commons/utils/env';
import { Logger } from '@aws-lambda-powertools/logger';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { ChangeMessageVisibilityBatchCommand, DeleteMessageBatchCommand, ReceiveMessageCommand, SQSClient, type Message } from '@aws-sdk/client-sqs';
import { describeError } from '../../shared/io/awsErrors.js';
import { utcDay } from '../../shared/io/notificationLog.js';
import { readAccountDigest } from '../../shared/remediation/digest.js';
import { messageAttributes } from '../../shared/remediation/notification.js';
import { organisationDigest, OrganisationTally } from '../../shared/remediation/orgDigest.js';

// The organisation's one daily digest. The member accounts' digests reach the central topic, and
// a queue subscribed to it with a filter policy on `kind` (org/central.yaml) collects them; once a
// day this function drains the queue, adds the digests up, publishes one organisation digest to
// the central topic and only then deletes what it read.

/** "Valid values: 1 to 10" (SQS API Reference, ReceiveMessage, MaxNumberOfMessages); also DeleteMessageBatch's and ChangeMessageVisibilityBatch's most entries. */
const SQS_BATCH = 10;
/**
 * Long polling: "Amazon SQS queries all of the servers" and "eliminates false empty responses",
 * where a short poll samples some of them and may answer empty with messages left (SQS Developer
 * Guide, "Amazon SQS short and long polling"). An empty long-poll answer ends the drain.
 */
const WAIT_SECONDS = 2;
/**
 * Messages held in one run at most: their receipt handles are kept until the digest is out (a
 * message is deleted only then), a few hundred bytes each. 500 accounts in 17 regions send 8,500 a
 * day; what is past the cap stays on the queue for the next run, which says so.
 */
export const MAX_MESSAGES_PER_RUN = 20_000;

export interface OrgDigestDependencies {
  readonly sqs: Pick<SQSClient, 'send'>;
  readonly sns: Pick<SNSClient, 'send'>;
  readonly queueUrl: string;
  readonly topicArn: string;
  readonly now: () => number;
  readonly logger: Logger;
  readonly maxMessages?: number;
}

export interface OrgDigestResult {
  readonly day: string;
  readonly accountDigests: number;
  readonly duplicates: number;
  readonly unreadable: number;
  readonly accounts: number;
  readonly functions: number;
  readonly published: boolean;
  readonly messageId?: string | undefined;
  /** The run stopped at MAX_MESSAGES_PER_RUN: the rest waits for the next run. */
  readonly capped: boolean;
}

const attributesOf = (m: Message): Record<string, string | undefined> => Object.fromEntries(Object.entries(m.MessageAttributes ?? {}).map(([k, v]) => [k, v.StringValue]));

async function inBatches(handles: readonly string[], send: (entries: { Id: string; ReceiptHandle: string }[]) => Promise<{ Failed?: { Id?: string; Message?: string }[] | undefined }>): Promise<string[]> {
  const failed: string[] = [];
  for (let i = 0; i < handles.length; i += SQS_BATCH) {
    const out = await send(handles.slice(i, i + SQS_BATCH).map((ReceiptHandle, j) => ({ Id: String(i + j), ReceiptHandle })));
    for (const f of out.Failed ?? []) failed.push(`${f.Id}: ${f.Message ?? 'failed'}`);
  }
  return failed;
}

/**
 * Drains the digest queue and publishes the organisation digest. A message that is not an
 * account digest is logged and left on the queue: after the queue's maxReceiveCount runs it moves
 * to the dead-letter queue, where someone can read it; nothing is deleted unread. A failed publish
 * makes every message visible again at once (so the schedule's retry reads them all) and fails the run.
 */
export async function sendOrganisationDigest(deps: OrgDigestDependencies): Promise<OrgDigestResult> {
  const day = utcDay(deps.now());
  const max = deps.maxMessages ?? MAX_MESSAGES_PER_RUN;
  const tally = new OrganisationTally();
  const read: string[] = [];
  const left: string[] = [];
  let capped = false;
  for (;;) {
    if (read.length + left.length >= max) {
      capped = true;
      break;
    }
    const out = await deps.sqs.send(new ReceiveMessageCommand({ QueueUrl: deps.queueUrl, MaxNumberOfMessages: Math.min(SQS_BATCH, max - read.length - left.length), WaitTimeSeconds: WAIT_SECONDS, MessageAttributeNames: ['All'] }));
    const messages = out.Messages ?? [];
    if (messages.length === 0) break;
    for (const m of messages) {
      const digest = readAccountDigest(attributesOf(m), m.Body ?? '');
      if (typeof digest === 'string') {
        left.push(m.ReceiptHandle!);
        deps.logger.error('org digest: a message on the queue is not an account digest; left on the queue', { messageId: m.MessageId, reason: digest, attributes: attributesOf(m), body: (m.Body ?? '').slice(0, 300) });
        continue;
      }
      tally.add(digest);
      read.push(m.ReceiptHandle!);
    }
  }
  const base = { day, accountDigests: tally.digests, duplicates: tally.duplicates, unreadable: left.length, accounts: tally.byAccount.size, functions: tally.functions, capped };
  if (capped) deps.logger.warn('org digest: stopped at the most messages a run holds; the rest waits for the next run', { max });
  if (read.length === 0 && left.length === 0) {
    deps.logger.info('org digest: no account digest since the last run; nothing to publish', base);
    return { ...base, published: false };
  }
  const digest = organisationDigest({ tally, day, unreadable: left.length });
  let messageId: string | undefined;
  try {
    messageId = (await deps.sns.send(new PublishCommand({ TopicArn: deps.topicArn, Subject: digest.subject, Message: digest.message, MessageAttributes: messageAttributes(digest.attributes) }))).MessageId;
  } catch (error) {
    // Back on the queue now rather than after the visibility timeout, for the retry; if this fails too, the timeout does it.
    const released = await inBatches([...read, ...left], (entries) => deps.sqs.send(new ChangeMessageVisibilityBatchCommand({ QueueUrl: deps.queueUrl, Entries: entries.map((e) => ({ ...e, VisibilityTimeout: 0 })) }))).catch((e: unknown) => [describeError(e)]);
    deps.logger.error('org digest: could not publish; every message stays on the queue', { ...base, error: describeError(error), notReleased: released });
    throw new Error(`Could not publish the organisation digest to ${deps.topicArn}: ${describeError(error)}. The ${read.length + left.length} messages stay on the queue for the retry.`);
  }
  // Published: a message not deleted now comes again and is counted again tomorrow, so it is logged, and the run does not fail (a retry would publish twice).
  const notDeleted = await inBatches(read, (entries) => deps.sqs.send(new DeleteMessageBatchCommand({ QueueUrl: deps.queueUrl, Entries: entries }))).catch((e: unknown) => [describeError(e)]);
  if (notDeleted.length > 0) deps.logger.error('org digest: published, but some messages could not be deleted; they are counted again in the next digest', { notDeleted });
  const result = { ...base, published: true, messageId };
  deps.logger.info('org digest: published', { ...result, listed: digest.listed, bytes: Buffer.byteLength(digest.message) });
  return result;
}

const CLIENT_CONFIG = { retryMode: 'adaptive', maxAttempts: 4 } as const;

let configured: OrgDigestDependencies | undefined;

// Invoked by its daily schedule (or an operator's test invoke): whatever the event, it drains and publishes.
export const handler = async (): Promise<OrgDigestResult> => {
  configured ??= {
    sqs: new SQSClient(CLIENT_CONFIG),
    sns: new SNSClient(CLIENT_CONFIG),
    queueUrl: getStringFromEnv({ key: 'DIGEST_QUEUE_URL' }),
    topicArn: getStringFromEnv({ key: 'CENTRAL_ALERT_TOPIC_ARN' }),
    now: Date.now,
    logger: new Logger({ serviceName: 'runtime-warden-org-digest' }),
  };
  return sendOrganisationDigest(configured);
};
