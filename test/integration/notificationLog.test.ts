import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NotificationLog } from '../../shared/io/notificationLog.js';
import { createAlerting } from '../../scripts/emulator/alerting.js';
import { startMoto, type MotoServer } from '../../scripts/emulator/moto.js';

// The claim's condition as DynamoDB (moto's server) judges it, over pass times anywhere in the
// day: the daily pass of day D never repeats an alert of day D, the pass of day D+1 always may
// (#22.7: with a claim that expired 24 h after it was written, that was a one-minute race).

const DAY_MS = 86_400_000;

describe('notification log claims by calendar day, in DynamoDB', () => {
  let moto: MotoServer;
  let dynamo: DynamoDBClient;
  let log: NotificationLog;

  beforeAll(async () => {
    moto = await startMoto();
    dynamo = new DynamoDBClient(moto.clientConfig);
    const [sns, sqs] = [new SNSClient(moto.clientConfig), new SQSClient(moto.clientConfig)];
    log = new NotificationLog(dynamo, (await createAlerting(sns, sqs, dynamo)).tableName);
    sns.destroy();
    sqs.destroy();
  });
  afterAll(async () => {
    dynamo?.destroy();
    await moto?.stop();
  });

  it('a pass later on day D is held back, a pass on day D+1 is not, whatever the minute of either', async () => {
    let n = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: Date.parse('2026-01-01T00:00:00Z') / DAY_MS, max: Date.parse('2030-12-31T00:00:00Z') / DAY_MS }),
        fc.integer({ min: 0, max: DAY_MS - 1 }),
        fc.integer({ min: 0, max: DAY_MS - 1 }),
        fc.integer({ min: 0, max: DAY_MS - 1 }),
        async (day, first, second, third) => {
          const key = `checkout#${n++}@topic`;
          const [a, b] = [Math.min(first, second), Math.max(first, second)];
          expect(await log.claim(key, day * DAY_MS + a, 1440)).toEqual({ granted: true });
          const held = await log.claim(key, day * DAY_MS + b, 1440);
          expect(held).toMatchObject({ granted: false, until: (day + 1) * DAY_MS });
          expect(await log.claim(key, (day + 1) * DAY_MS + third, 1440)).toEqual({ granted: true });
        },
      ),
      { numRuns: 40 },
    );
  });

  it('the edges: the last second of day D is held back, the first second of day D+1 is not', async () => {
    const d = Date.parse('2026-11-23T00:00:00Z');
    expect(await log.claim('edge@topic', d + 5 * 60_000, 1440)).toEqual({ granted: true });
    expect(await log.claim('edge@topic', d + DAY_MS - 1000, 1440)).toMatchObject({ granted: false });
    expect(await log.claim('edge@topic', d + DAY_MS, 1440)).toEqual({ granted: true });
  });
});
