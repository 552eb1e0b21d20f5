import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import pLimit from 'p-limit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { digestNotify, drain } from '../../bench/scale/remediation.js';
import { createAlerting, type AlertingFixture } from '../../scripts/emulator/alerting.js';
import { countCalls } from '../../scripts/emulator/callCounter.js';
import { seedFleet, type FunctionSpec } from '../../scripts/emulator/fleet.js';
import { startMoto, type MotoServer } from '../../scripts/emulator/moto.js';
import { readAccountDigest } from '../../shared/remediation/digest.js';

// Issue #22.7: 2,000 functions break the policy at once. With digests on, on-call gets one message
// per owner and the central topic one for the account, each naming its functions; only the urgent
// ones (an AWS block date inside the tier's window) page on their own, once. Against moto's
// server: Lambda (the functions, read with GetFunction), the DynamoDB notification log, and SNS
// topics read back through SQS subscriptions.

const OWNERS = Array.from({ length: 7 }, (_, i) => `team-${i + 1}`);
const now = Date.parse('2026-11-23T12:00:00Z');
const DAY_MS = 86_400_000;
// nodejs16.x on 2026-11-23: creation blocked from 2027-02-01, 70 days ahead: inside the critical
// tier's 180-day window (urgent), outside the default tier's 30 days (digest only).
const fleet: FunctionSpec[] = Array.from({ length: 2000 }, (_, i) => ({
  name: `fn-${String(i).padStart(4, '0')}`,
  runtime: 'nodejs16.x',
  tags: { owner: OWNERS[i % 7]!, ...(i % 100 === 0 && { 'runtime-warden:tier': 'critical' }) },
}));
const urgent = fleet.filter((_, i) => i % 100 === 0).map((f) => f.name);

describe('daily digests at scale', () => {
  let moto: MotoServer;
  let clients: { lambda: LambdaClient; sns: SNSClient; sqs: SQSClient; dynamo: DynamoDBClient; snsEast: SNSClient; sqsEast: SQSClient };
  let onCall: AlertingFixture;
  let central: AlertingFixture;
  let lambdaCalls: Map<string, number>;
  const context = { invokedFunctionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:runtime-warden-notify' };

  beforeAll(async () => {
    moto = await startMoto();
    const east = { ...moto.clientConfig, region: 'us-east-1' };
    clients = { lambda: new LambdaClient(moto.clientConfig), sns: new SNSClient(moto.clientConfig), sqs: new SQSClient(moto.clientConfig), dynamo: new DynamoDBClient(moto.clientConfig), snsEast: new SNSClient(east), sqsEast: new SQSClient(east) };
    lambdaCalls = countCalls(clients.lambda);
    onCall = await createAlerting(clients.sns, clients.sqs, clients.dynamo);
    central = await createAlerting(clients.snsEast, clients.sqsEast, clients.dynamo, 'org-runtime-alerts');
    await seedFleet(moto.clientConfig, fleet);
  }, 300_000);
  afterAll(async () => {
    for (const c of Object.values(clients ?? {})) c.destroy();
    await moto?.stop();
  });

  const notify = (at: number) => digestNotify(clients, onCall, central)(at);
  const schedule = { version: '0', id: 'e-1', 'detail-type': 'Scheduled Event', source: 'aws.events', account: '123456789012', time: '2026-11-24T07:00:00Z', region: 'eu-west-1', resources: [], detail: {} };

  it('2,000 non-compliant functions of 7 owners: 7 owner digests and 1 account digest (to the central topic) naming every function; the 20 urgent ones alerted once on their own', async () => {
    // Act: every function's automation, 20 at a time, twice on day one (Config retrying, a second pass)
    const limit = pLimit(20);
    const run = (at: number) => Promise.all(fleet.map((f) => limit(() => notify(at)({ functionName: f.name }, context))));
    const first = await run(now);
    const callsPerAlert = [...lambdaCalls.values()].reduce((a, b) => a + b, 0) / fleet.length;
    const again = await run(now + 3_600_000);
    const digest = await notify(now + 19 * 3_600_000)(schedule, context);
    const digestAgain = await notify(now + 20 * 3_600_000)(schedule, context);
    // Assess
    expect(callsPerAlert).toBe(1);
    expect([...lambdaCalls.keys()]).toEqual(['GetFunction']);
    expect(first.filter((r) => 'published' in r && r.published).map((r) => 'functionName' in r && r.functionName)).toEqual(urgent);
    expect(first.every((r) => 'recorded' in r && r.recorded)).toBe(true);
    expect(again.filter((r) => 'published' in r && r.published)).toEqual([]);
    expect(digest).toMatchObject({ day: '2026-11-24', functions: 2000, owners: 7, published: 8 });
    expect(digestAgain).toMatchObject({ functions: 0, published: 0 });

    const toOnCall = await drain(onCall);
    const toCentral = await drain(central);
    const digests = toOnCall.filter((m) => m.MessageAttributes.kind?.Value === 'digest');
    expect(digests.map((m) => m.MessageAttributes.owner!.Value).sort()).toEqual(OWNERS);
    for (const m of digests) {
      const owner = m.MessageAttributes.owner!.Value;
      const named = [...m.Message.matchAll(/^- (fn-\d{4})\b/gm)].map((x) => x[1]);
      expect(Buffer.byteLength(m.Message)).toBeLessThan(262_144);
      expect(named.sort(), owner).toEqual(fleet.filter((f) => f.tags.owner === owner).map((f) => f.name));
      expect(m.Subject).toBe(`[runtime-warden] digest 2026-11-24 ${owner}: ${named.length} functions to upgrade`);
    }
    const individual = toOnCall.filter((m) => m.MessageAttributes.kind === undefined);
    expect(individual.map((m) => m.MessageAttributes.function!.Value).sort()).toEqual(urgent);
    const organisation = toCentral.filter((m) => m.MessageAttributes.kind?.Value === 'account-digest');
    expect(organisation).toHaveLength(1);
    // Every owner with its count; as many functions as fit in SNS's 256 KB, and how many more.
    const org = organisation[0]!.Message;
    for (const owner of OWNERS) expect(org).toContain(`- ${owner}: ${fleet.filter((f) => f.tags.owner === owner).length} functions`);
    const listed = [...org.matchAll(/^- (fn-\d{4})\b/gm)].length;
    const more = Number(/^\.\.\. and (\d+) more \(2000 in all/m.exec(org)?.[1] ?? 0);
    expect(listed).toBeGreaterThan(1000);
    expect(listed + more).toBe(2000);
    expect(Buffer.byteLength(org)).toBeLessThan(262_144);
    // What the organisation digest reads back from it: every owner's count, and each line listed.
    const back = readAccountDigest(Object.fromEntries(Object.entries(organisation[0]!.MessageAttributes).map(([k, v]) => [k, v.Value])), org);
    if (typeof back === 'string') throw new Error(back);
    expect(Object.fromEntries(back.owners)).toEqual(Object.fromEntries(OWNERS.map((o) => [o, fleet.filter((f) => f.tags.owner === o).length])));
    expect(back.functions).toHaveLength(listed);
    expect(toCentral.filter((m) => m.MessageAttributes.kind === undefined).map((m) => m.MessageAttributes.function!.Value).sort()).toEqual(urgent);
  }, 600_000);

  it('the next day: nothing changed, nothing is announced; a function moving closer to a deadline is in the next digest', async () => {
    const day2 = now + DAY_MS;
    // Act: a function unchanged, then the same function still broken two days past its creation block
    const unchanged = await notify(day2)({ functionName: 'fn-0001' }, context);
    const blocked = Date.parse('2027-02-03T12:00:00Z');
    const closer = await notify(blocked)({ functionName: 'fn-0001' }, context);
    const digest = await notify(blocked + 3_600_000)(schedule, context);
    // Assess
    expect(unchanged).toMatchObject({ published: false, reason: expect.stringMatching(/^Unchanged since 2026-11-23T12:00:00Z \(same findings, deprecated\)/) });
    // Creation blocked since 2027-02-01, and the update block 28 days ahead, inside the default tier's 30 days: urgent too.
    expect(closer).toMatchObject({ published: true, recorded: true });
    expect(digest).toMatchObject({ functions: 1, owners: 1, published: 2 });
    const messages = await drain(onCall);
    expect(messages.filter((m) => m.MessageAttributes.kind === undefined).map((m) => m.Subject)).toEqual([expect.stringMatching(/^\[runtime-warden\] NON_COMPLIANT fn-0001: /)]);
    const [owner] = messages.filter((m) => m.MessageAttributes.kind?.Value === 'digest');
    expect(owner!.Message).toMatch(/^- fn-0001: .*; nodejs16\.x: function creation blocked; function update blocked 2027-03-03 \(28 days left\) \(closer to a deadline\)$/m);
  }, 120_000);
  it('a digest that could not be published fails the run and goes out on the retry; the ones already sent are not sent again', async () => {
    // Prepare: a change recorded on a later day, and the central topic refusing for one run
    for (const topic of [onCall, central]) await drain(topic);
    const at = Date.parse('2027-02-10T12:00:00Z');
    await notify(at)({ functionName: 'fn-0002' }, context);
    let centralDown = true;
    const snsFor = (region: string) => (region !== 'us-east-1' ? clients.sns : centralDown ? { send: () => Promise.reject(Object.assign(new Error('Rate exceeded'), { name: 'Throttling' })) } : clients.snsEast);
    const digest = digestNotify(clients, onCall, central, { snsFor });
    // Act
    const failed = digest(at + 3_600_000)(schedule, context);
    await expect(failed).rejects.toThrow(/^Could not publish 1 of 2 digests: arn:aws:sns:us-east-1:\d+:org-runtime-alerts \(organisation\): Throttling: Rate exceeded$/);
    centralDown = false;
    const retried = await digest(at + 3_700_000)(schedule, context);
    // Assess: the owner's digest once, the organisation's on the retry, each with the change
    expect(retried).toMatchObject({ functions: 1, published: 1 });
    const owner = (await drain(onCall)).filter((m) => m.MessageAttributes.kind?.Value === 'digest');
    const organisation = (await drain(central)).filter((m) => m.MessageAttributes.kind?.Value === 'account-digest');
    expect(owner.map((m) => m.MessageAttributes.owner!.Value)).toEqual(['team-3']);
    expect(organisation).toHaveLength(1);
    expect(organisation[0]!.Message).toMatch(/^- fn-0002: .* owner team-3$/m);
  }, 120_000);
});
