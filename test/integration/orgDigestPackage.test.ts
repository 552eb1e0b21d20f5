import { CreateTopicCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import { CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMoto, type MotoServer } from '../../scripts/emulator/moto.js';
import { accountDigest, groupByOwner } from '../../shared/remediation/digest.js';
import { messageAttributes } from '../../shared/remediation/notification.js';
import { loadTemplate } from '../helpers/cfnRender.js';
import { ROOT } from '../helpers/fixtures.js';

const exec = promisify(execFile);

// The organisation digest function as it ships: scripts/org-digest-package.py's zip, unzipped
// and run by a plain `node` against moto, with the AWS SDK the Lambda runtime provides (here the
// project's, found from a folder inside the project).

describe('the organisation digest package', () => {
  const scratch = join(ROOT, '.scratch');
  mkdirSync(scratch, { recursive: true });
  const work = mkdtempSync(join(scratch, 'org-digest-package-'));
  let moto: MotoServer;
  afterAll(async () => {
    rmSync(work, { recursive: true, force: true });
    await moto?.stop();
  });
  beforeAll(async () => {
    moto = await startMoto();
  }, 60_000);

  const build = async (dir: string): Promise<string> => (await exec(join(ROOT, '.venv', 'bin', 'python'), [join(ROOT, 'scripts', 'org-digest-package.py'), dir], { cwd: ROOT })).stdout.trim();

  it('builds the same zip under the same content-hashed key, one central.yaml accepts, whose handler drains the queue and publishes', async () => {
    // Act: two builds
    const [key, again] = [await build(join(work, 'a')), await build(join(work, 'b'))];
    // Assess: reproducible, hashed, accepted by the template
    expect(again).toBe(key);
    const zip = readFileSync(join(work, 'a', key));
    expect(key).toContain(createHash('sha256').update(zip).digest('hex'));
    const pattern = (loadTemplate('org/central.yaml').Parameters!.OrgDigestCodeKey as { AllowedPattern: string }).AllowedPattern;
    expect(key).toMatch(new RegExp(pattern));
    expect('').toMatch(new RegExp(pattern));

    // The handler, unzipped, against moto: one account digest on the queue, one organisation digest out.
    const code = join(work, 'code');
    await exec(join(ROOT, '.venv', 'bin', 'python'), ['-m', 'zipfile', '-e', join(work, 'a', key), code]);
    const config = { ...moto.clientConfig, region: 'us-east-1' };
    const sns = new SNSClient(config);
    const sqs = new SQSClient(config);
    const topicArn = (await sns.send(new CreateTopicCommand({ Name: 'central' }))).TopicArn!;
    const queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: 'org-digest' }))).QueueUrl!;
    const listener = (await sqs.send(new CreateQueueCommand({ QueueName: 'listener' }))).QueueUrl!;
    const listenerArn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: listener, AttributeNames: ['QueueArn'] }))).Attributes!.QueueArn!;
    await sns.send(new SubscribeCommand({ TopicArn: topicArn, Protocol: 'sqs', Endpoint: listenerArn, Attributes: { RawMessageDelivery: 'true' } }));
    const d = accountDigest(groupByOwner([{ functionKey: 'k', owner: 'team-a', line: '- fn-1: RW004 x; nodejs16.x: deprecated (new)', recordedAt: 0 }]), { accountId: '111111111111', region: 'eu-west-1' }, '2026-11-24');
    await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: d.message, MessageAttributes: messageAttributes(d.attributes) }));
    const env = { ...process.env, AWS_ENDPOINT_URL: moto.endpoint, AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test', DIGEST_QUEUE_URL: queueUrl, CENTRAL_ALERT_TOPIC_ARN: topicArn, POWERTOOLS_LOG_LEVEL: 'ERROR' };
    const { stdout } = await exec(process.execPath, ['--input-type=module', '-e', `const { handler } = await import(${JSON.stringify(join(code, 'handler.mjs'))}); console.log(JSON.stringify(await handler({ source: 'aws.events' })));`], { cwd: code, env });
    expect(JSON.parse(stdout.trim().split('\n').at(-1)!)).toMatchObject({ accountDigests: 1, accounts: 1, functions: 1, published: true });
    const out = await sqs.send(new ReceiveMessageCommand({ QueueUrl: listener, MaxNumberOfMessages: 10, WaitTimeSeconds: 1, MessageAttributeNames: ['All'] }));
    expect(out.Messages?.map((m) => m.MessageAttributes?.kind?.StringValue)).toEqual(['organisation-digest']);
    sns.destroy();
    sqs.destroy();
  }, 180_000);
});
