import { Logger } from '@aws-lambda-powertools/logger';
import { CreateTopicCommand, PublishCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import { CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { sendOrganisationDigest, type OrgDigestDependencies } from '../../org/digest/handler.js';
import { sendDigests } from '../../remediation/notify/digest.js';
import { startMoto, type MotoServer } from '../../scripts/emulator/moto.js';
import type { DigestEvent } from '../../shared/remediation/digest.js';
import { messageAttributes } from '../../shared/remediation/notification.js';
import { modelErrors } from '../helpers/awsModels.js';
import { loadTemplate } from '../helpers/cfnRender.js';
import { ROOT } from '../helpers/fixtures.js';

// The organisation digest against moto's SNS and SQS: the digest queue subscribed to the central
// topic with org/central.yaml's filter policy and raw delivery; the member accounts' digests
// published by the member's own digest code (sendDigests); a second subscription with the filter
// policy docs/organisation.md gives human subscribers.

const ACCOUNTS = ['111111111111', '222222222222', '333333333333'];
const REGIONS = ['eu-west-1', 'us-east-1'];
const DAY = '2026-11-24';
const at = Date.parse(`${DAY}T07:00:00Z`);
const logger = new Logger({ serviceName: 'org-digest-test', logLevel: 'SILENT' });

type Subscription = { Properties: { FilterPolicy: unknown; FilterPolicyScope: string; RawMessageDelivery: boolean } };
const subscription = loadTemplate('org/central.yaml').Resources!.DigestSubscription as unknown as Subscription;
/** The filter policy docs/organisation.md tells human subscribers to set: its one JSON block under "One organisation digest". */
const humanFilterPolicy = (): string => {
  const doc = readFileSync(join(ROOT, 'docs', 'organisation.md'), 'utf8');
  const section = doc.slice(doc.indexOf('## One organisation digest'));
  return /```json\n([\s\S]*?)```/.exec(section)![1]!;
};

/** Functions of an account and region: i+1 of them, owners team-a and team-b. */
const eventsOf = (account: string, region: string, n: number): DigestEvent[] =>
  Array.from({ length: n }, (_, i) => ({ functionKey: `${account}/${region}/fn-${i}`, owner: i % 2 ? 'team-b' : 'team-a', line: `- fn-${account.slice(0, 1)}-${region}-${i}: RW004 runtime-deprecated; nodejs16.x: ${i === 0 ? 'function update blocked' : 'deprecated'} (new)`, recordedAt: at - 3_600_000 }));

describe('one organisation digest from every account digest', () => {
  let moto: MotoServer;
  let sns: SNSClient;
  let sqs: SQSClient;
  let topicArn: string;
  let digestQueue: string;
  let humans: string;
  const calls: { api: string; params: unknown }[] = [];

  const queue = async (name: string, attributes: Record<string, string> = {}): Promise<{ url: string; arn: string }> => {
    const url = (await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }))).QueueUrl!;
    return { url, arn: (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }))).Attributes!.QueueArn! };
  };
  const receiveAll = async (url: string): Promise<{ Body?: string; MessageAttributes?: Record<string, { StringValue?: string }> }[]> => {
    const out = [];
    for (;;) {
      const r = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, WaitTimeSeconds: 1, MessageAttributeNames: ['All'] }));
      if (!r.Messages?.length) return out;
      out.push(...r.Messages);
    }
  };
  const onQueue = async (url: string): Promise<number> => {
    const a = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] }))).Attributes!;
    return Number(a.ApproximateNumberOfMessages) + Number(a.ApproximateNumberOfMessagesNotVisible);
  };

  /** Every member account and region sends its day's digests with the member's own code. */
  const membersSendDigests = async (): Promise<void> => {
    for (const [a, account] of ACCOUNTS.entries()) {
      for (const [r, region] of REGIONS.entries()) {
        const events = eventsOf(account, region, 1 + a * 2 + r);
        const memberTopic = (await sns.send(new CreateTopicCommand({ Name: `alerts-${account}-${region}` }))).TopicArn!;
        const log = { claim: async () => ({ granted: true }), release: async () => {}, eventsBetween: async () => events, lastDigestAt: async () => undefined, setLastDigestAt: async () => {} };
        await sendDigests({ snsFor: () => sns, log: log as never, topicArn: memberTopic, centralTopicArn: topicArn, now: () => at, logger }, { accountId: account, region });
      }
    }
  };
  const deps = (over: Partial<OrgDigestDependencies> = {}): OrgDigestDependencies => ({ sqs, sns, queueUrl: digestQueue, topicArn, now: () => Date.parse(`${DAY}T09:00:00Z`), logger, ...over });

  beforeAll(async () => {
    moto = await startMoto();
    sns = new SNSClient({ ...moto.clientConfig, region: 'us-east-1' });
    sqs = new SQSClient({ ...moto.clientConfig, region: 'us-east-1' });
    const record = (service: string) => (next: (args: { input: unknown }) => Promise<unknown>, context: { commandName?: string }) => async (args: { input: unknown }) => {
      calls.push({ api: `${service}.${String(context.commandName).replace(/Command$/, '')}`, params: args.input });
      return next(args);
    };
    sns.middlewareStack.add(record('sns') as never, { step: 'initialize', name: 'record-calls' });
    sqs.middlewareStack.add(record('sqs') as never, { step: 'initialize', name: 'record-calls' });
    topicArn = (await sns.send(new CreateTopicCommand({ Name: 'runtime-warden-central' }))).TopicArn!;
  }, 120_000);
  afterAll(async () => {
    sns?.destroy();
    sqs?.destroy();
    await moto?.stop();
  });
  // Fresh queues and subscriptions for each test (SQS allows one PurgeQueue a minute).
  let run = 0;
  beforeEach(async () => {
    run++;
    const dlq = await queue(`org-digest-dlq-${run}`);
    const digest = await queue(`org-digest-${run}`, { VisibilityTimeout: '900', RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.arn, maxReceiveCount: 9 }) });
    digestQueue = digest.url;
    const { FilterPolicy, FilterPolicyScope, RawMessageDelivery } = subscription.Properties;
    await sns.send(new SubscribeCommand({ TopicArn: topicArn, Protocol: 'sqs', Endpoint: digest.arn, Attributes: { FilterPolicy: JSON.stringify(FilterPolicy), FilterPolicyScope, RawMessageDelivery: String(RawMessageDelivery) } }));
    const human = await queue(`security-team-${run}`);
    humans = human.url;
    await sns.send(new SubscribeCommand({ TopicArn: topicArn, Protocol: 'sqs', Endpoint: human.arn, Attributes: { FilterPolicy: humanFilterPolicy(), FilterPolicyScope: 'MessageAttributes', RawMessageDelivery: 'true' } }));
    calls.length = 0;
  });

  it('3 accounts x 2 regions: the queue gets their 6 digests only, humans get one organisation digest with every account, the alerts and the tamper alerts, and the queue is empty after', async () => {
    // Prepare: the members' digests, an alert and a tamper alert on the central topic
    await membersSendDigests();
    await sns.send(new PublishCommand({ TopicArn: topicArn, Subject: 'alert', Message: 'fn-x breaks the policy', MessageAttributes: messageAttributes({ severity: 'error', function: 'fn-x', account: ACCOUNTS[0]! }) }));
    await sns.send(new PublishCommand({ TopicArn: topicArn, Subject: 'tamper', Message: 'someone changed runtime-warden', MessageAttributes: messageAttributes({ severity: 'error', tamper: 'config-rule', account: ACCOUNTS[1]!, action: 'DeleteConfigRule' }) }));
    expect(await onQueue(digestQueue)).toBe(6);
    // Act
    calls.length = 0;
    const result = await sendOrganisationDigest(deps());
    const made = [...calls];
    // Assess
    const total = ACCOUNTS.reduce((s, _, a) => s + REGIONS.reduce((t, __, r) => t + 1 + a * 2 + r, 0), 0);
    expect(result).toMatchObject({ day: DAY, accountDigests: 6, duplicates: 0, unreadable: 0, accounts: 3, functions: total, published: true, capped: false });
    expect(await onQueue(digestQueue)).toBe(0);
    const seen = await receiveAll(humans);
    const kinds = seen.map((m) => m.MessageAttributes?.kind?.StringValue ?? m.MessageAttributes?.tamper?.StringValue ?? m.MessageAttributes?.function?.StringValue);
    expect(kinds.sort()).toEqual(['config-rule', 'fn-x', 'organisation-digest']);
    const org = seen.find((m) => m.MessageAttributes?.kind?.StringValue === 'organisation-digest')!.Body!;
    for (const [a, account] of ACCOUNTS.entries()) expect(org).toContain(`- ${account}: ${(1 + a * 2) * 2 + 1} functions (`);
    expect(org).toMatch(/^- 333333333333: 11 functions \(us-east-1 6, eu-west-1 5\)$/m);
    const sizes = ACCOUNTS.flatMap((_, a) => REGIONS.map((__, r) => 1 + a * 2 + r));
    expect(org).toContain(`- team-a: ${sizes.reduce((t, n) => t + Math.ceil(n / 2), 0)} functions\n- team-b: ${sizes.reduce((t, n) => t + Math.floor(n / 2), 0)} functions`);
    // Every function listed, those whose runtime's updates are blocked first.
    const listed = org.split('\n').filter((l) => / fn-\d-/.test(l));
    expect(listed).toHaveLength(total);
    expect(listed.slice(0, 6).every((l) => l.includes('function update blocked'))).toBe(true);
    // The calls, as the AWS APIs take them.
    expect(made.filter((c) => c.api === 'sqs.ReceiveMessage').every((c) => (c.params as { MaxNumberOfMessages: number }).MaxNumberOfMessages <= 10)).toBe(true);
    expect(modelErrors(made.map((c, i) => ({ id: `${i} ${c.api}`, ...c })))).toEqual([]);
    expect(new Set(made.map((c) => c.api))).toEqual(new Set(['sns.Publish', 'sqs.ReceiveMessage', 'sqs.DeleteMessageBatch']));
  }, 120_000);

  it('a failed publish leaves every digest on the queue, visible to the retry at once, which sends them all', async () => {
    await membersSendDigests();
    const refusing = { send: () => Promise.reject(Object.assign(new Error('Rate exceeded'), { name: 'Throttling' })) };
    await expect(sendOrganisationDigest(deps({ sns: refusing }))).rejects.toThrow(/^Could not publish the organisation digest to arn:aws:sns:us-east-1:\d+:runtime-warden-central: Throttling: Rate exceeded\. The 6 messages stay on the queue for the retry\.$/);
    expect(await onQueue(digestQueue)).toBe(6);
    const retried = await sendOrganisationDigest(deps());
    expect(retried).toMatchObject({ accountDigests: 6, published: true });
    expect(await onQueue(digestQueue)).toBe(0);
    expect((await receiveAll(humans)).filter((m) => m.MessageAttributes?.kind?.StringValue === 'organisation-digest')).toHaveLength(1);
    expect(modelErrors(calls.filter((c) => c.api === 'sqs.ChangeMessageVisibilityBatch').map((c, i) => ({ id: String(i), ...c })))).toEqual([]);
    expect(calls.some((c) => c.api === 'sqs.ChangeMessageVisibilityBatch')).toBe(true);
  }, 120_000);

  it('a message that is not an account digest is left on the queue and named in the digest; the next run still publishes', async () => {
    await membersSendDigests();
    await sns.send(new PublishCommand({ TopicArn: topicArn, Message: 'not a digest', MessageAttributes: messageAttributes({ kind: 'account-digest', account: '444444444444', region: 'eu-west-1', day: DAY, functions: '1' }) }));
    const result = await sendOrganisationDigest(deps());
    expect(result).toMatchObject({ accountDigests: 6, unreadable: 1, published: true });
    expect(await onQueue(digestQueue)).toBe(1);
    const [org] = (await receiveAll(humans)).filter((m) => m.MessageAttributes?.kind?.StringValue === 'organisation-digest');
    expect(org!.Body).toContain('1 message on the digest queue could not be read as account digests');
  }, 120_000);

  it('with nothing on the queue, publishes nothing', async () => {
    expect(await sendOrganisationDigest(deps())).toMatchObject({ accountDigests: 0, published: false });
    expect(await receiveAll(humans)).toEqual([]);
  }, 60_000);
});
