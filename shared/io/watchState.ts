import { GetItemCommand, PutItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import * as z from '../schema/zod.js';
import type { WatchRecord } from '../remediation/watch.js';

// What the watch keeps per function: the runtime version last seen and the change being judged.
// One item per function in the notification log table, key `watch#NAME` (Lambda function names
// have no `#`), beside the alert claims: that table's resource policy lets only the notify
// function write, so no one else can record a version and hide a change from the watch. Items
// expire through the table's TTL (`expiresAt`) a while after the version was last recorded.

type Dynamo = Pick<DynamoDBClient, 'send'>;

const PREFIX = 'watch#';
const RETAIN_SECONDS = 90 * 86_400;

const changeSchema = z.object({
  from: z.string(),
  fromVersion: z.optional(z.string()),
  to: z.string(),
  toVersion: z.optional(z.string()),
  atMs: z.number(),
  alertedAtMs: z.optional(z.number()),
});

export interface WatchStore {
  get(functionName: string): Promise<WatchRecord | undefined>;
  put(functionName: string, record: WatchRecord): Promise<void>;
}

/**
 * The records in DynamoDB. Reads are strongly consistent: a retried run sees what the failed one
 * wrote. An item that cannot be read counts as none (`onMalformed` says which): the function's
 * next version is recorded again, never a false change.
 */
export class DynamoWatchStore implements WatchStore {
  public constructor(
    private readonly dynamo: Dynamo,
    public readonly tableName: string,
    private readonly onMalformed: (functionName: string, what: string) => void,
  ) {}

  public async get(functionName: string): Promise<WatchRecord | undefined> {
    const out = await this.dynamo.send(new GetItemCommand({ TableName: this.tableName, Key: { pk: { S: `${PREFIX}${functionName}` } }, ConsistentRead: true }));
    const item = out.Item;
    if (!item) return undefined;
    const arn = item.arn?.S;
    const seenAtMs = Number(item.seenAtMs?.N);
    if (arn === undefined || !Number.isFinite(seenAtMs)) {
      this.onMalformed(functionName, 'no arn or seenAtMs');
      return undefined;
    }
    let change: WatchRecord['change'];
    if (item.change?.S !== undefined) {
      let json: unknown;
      try {
        json = JSON.parse(item.change.S);
      } catch {
        json = undefined;
      }
      const parsed = changeSchema.safeParse(json);
      if (!parsed.success) this.onMalformed(functionName, 'change is not a change');
      else change = parsed.data;
    }
    return { arn, seenAtMs, ...(item.version?.S !== undefined && { version: item.version.S }), ...(change && { change }) };
  }

  public async put(functionName: string, record: WatchRecord): Promise<void> {
    await this.dynamo.send(
      new PutItemCommand({
        TableName: this.tableName,
        Item: {
          pk: { S: `${PREFIX}${functionName}` },
          arn: { S: record.arn },
          seenAtMs: { N: String(record.seenAtMs) },
          ...(record.version !== undefined && { version: { S: record.version } }),
          ...(record.change && { change: { S: JSON.stringify(record.change) } }),
          expiresAt: { N: String(Math.floor(record.seenAtMs / 1000) + RETAIN_SECONDS) },
        },
      }),
    );
  }
}
