import { CreateTableCommand, DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DynamoFunctionState, STATE_KEY, StateItemError, versionsState, VERSIONS_MAX_BYTES } from '../../shared/io/functionState.js';
import { startMoto, type MotoServer } from '../../scripts/emulator/moto.js';

// The state table against moto's DynamoDB: what the reader stored comes back, part by part.

const TABLE = 'function-state';
const AT = '2026-11-23T06:00:00.000Z';

describe('function state in DynamoDB', () => {
  let moto: MotoServer;
  let dynamo: DynamoDBClient;
  let malformed: StateItemError[];
  let store: DynamoFunctionState;

  beforeAll(async () => {
    moto = await startMoto();
    dynamo = new DynamoDBClient(moto.clientConfig);
  });
  afterAll(async () => {
    dynamo?.destroy();
    await moto?.stop();
  });
  beforeEach(async () => {
    await moto.reset();
    await dynamo.send(new CreateTableCommand({ TableName: TABLE, BillingMode: 'PAY_PER_REQUEST', AttributeDefinitions: [{ AttributeName: STATE_KEY, AttributeType: 'S' }], KeySchema: [{ AttributeName: STATE_KEY, KeyType: 'HASH' }] }));
    malformed = [];
    store = new DynamoFunctionState(dynamo, TABLE, (e) => malformed.push(e));
  });

  it('reads back what was stored for 250 functions, 100 keys a BatchGetItem call, and nothing for the rest', async () => {
    const names = Array.from({ length: 250 }, (_, i) => `fn-${i}`);
    for (const name of names.slice(0, 240)) await store.put({ name, mode: { at: AT, updateMode: 'Auto' }, versions: versionsState(AT, [{ Version: '1', Runtime: 'nodejs16.x', LastModified: '2026-01-01T00:00:00.000+0000' }], []) });
    const found = await store.getMany([...names, 'fn-0']);
    expect(found.size).toBe(240);
    expect(found.get('fn-7')).toEqual({ name: 'fn-7', mode: { at: AT, updateMode: 'Auto' }, versions: { at: AT, list: [{ v: '1', r: 'nodejs16.x', m: '2026-01-01T00:00:00.000+0000' }], uses: [], omitted: 0 } });
    expect(found.has('fn-245')).toBe(false);
  });

  it('writes each part on its own: reading the update mode alone keeps the versions read before', async () => {
    await store.put({ name: 'orders', mode: { at: AT, updateMode: 'Manual', pinnedRuntimeVersionArn: 'arn:aws:lambda:eu-west-1::runtime:abc' }, versions: versionsState(AT, [{ Version: '3', Runtime: 'python3.8' }], []) });
    await store.put({ name: 'orders', mode: { at: '2026-11-24T06:00:00.000Z', updateMode: 'Auto' } });
    const s = (await store.getMany(['orders'])).get('orders')!;
    expect(s.mode).toEqual({ at: '2026-11-24T06:00:00.000Z', updateMode: 'Auto' });
    expect(s.versions?.list).toEqual([{ v: '3', r: 'python3.8' }]);
  });

  it('keeps the sweep cursor, its lap start and the last lap time', async () => {
    expect(await store.getCursor()).toBeUndefined();
    await store.putCursor({ after: 'fn-120', lapStartedAt: AT, lastLapHours: 16.5 });
    expect(await store.getCursor()).toEqual({ after: 'fn-120', lapStartedAt: AT, lastLapHours: 16.5 });
  });

  it('reports an item it cannot read and reads the others, never judging a guess', async () => {
    await store.put({ name: 'fine', mode: { at: AT, updateMode: 'Auto' } });
    await dynamo.send(new PutItemCommand({ TableName: TABLE, Item: { [STATE_KEY]: { S: 'broken' }, mode: { S: '{"at": 7}' } } }));
    await dynamo.send(new PutItemCommand({ TableName: TABLE, Item: { [STATE_KEY]: { S: 'garbled' }, versions: { S: 'not json' } } }));
    const found = await store.getMany(['fine', 'broken', 'garbled']);
    expect([...found.keys()]).toEqual(['fine']);
    expect(malformed.map((e) => e.message).sort()).toEqual([expect.stringMatching(/^Function state item broken is malformed \(mode: /), 'Function state item garbled is malformed (versions is not JSON)']);
  });

  it('caps a function with thousands of versions under the item size limit, keeping those breaking the policy first, and counts what it left out', async () => {
    const many = Array.from({ length: 6000 }, (_, i) => ({ Version: String(i + 1), Runtime: 'nodejs22.x', LastModified: '2026-01-01T00:00:00.000+0000' }));
    const breaking = { version: '5999', aliases: ['prod'], eventSourceMappings: [], policyStatements: [], unread: [] };
    const v = versionsState(AT, [...many.slice(0, 5998), { ...many[5998]!, Runtime: 'nodejs16.x' }, many[5999]!], [breaking]);
    expect(Buffer.byteLength(JSON.stringify(v))).toBeLessThanOrEqual(VERSIONS_MAX_BYTES);
    expect(v.list[0]).toMatchObject({ v: '5999', r: 'nodejs16.x' });
    expect(v.list[1]).toMatchObject({ v: '1' });
    expect(v.omitted).toBe(6000 - v.list.length);
    expect(v.omitted).toBeGreaterThan(0);
    // DynamoDB takes it: under 400 KB.
    await store.put({ name: 'busy', versions: v });
    expect((await store.getMany(['busy'])).get('busy')?.versions?.omitted).toBe(v.omitted);
  });
});
