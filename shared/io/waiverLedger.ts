import { BatchGetItemCommand, ConditionalCheckFailedException, GetItemCommand, PutItemCommand, paginateScan, type AttributeValue, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { LedgerRecord, LedgerWaiver } from '../waivers/announce.js';
import { describeError } from './awsErrors.js';

type Dynamo = Pick<DynamoDBClient, 'send'>;
type Item = Record<string, AttributeValue>;

/** The table's partition key (a string): the function's unqualified ARN. */
export const LEDGER_KEY = 'functionArn';

/**
 * "A single operation can retrieve up to 16 MB of data, which can contain as many as 100 items"
 * (DynamoDB API Reference, BatchGetItem); more keys are a ValidationException.
 */
export const BATCH_GET_MAX = 100;

/** Rounds of UnprocessedKeys retried before a read gives up. */
const BATCH_ROUNDS = 8;

const s = (v: string): AttributeValue => ({ S: v });

function toItem(r: LedgerRecord): Item {
  const waiver = (w: LedgerWaiver): AttributeValue => ({
    M: {
      id: s(w.id),
      source: s(w.source),
      ...(w.waiver !== undefined && { waiver: s(w.waiver) }),
      expires: s(w.expires),
      reason: s(w.reason),
      rules: { L: w.rules.map(s) },
      announcedOn: s(w.announcedOn),
      active: { BOOL: w.active },
    },
  });
  return {
    [LEDGER_KEY]: s(r.functionArn),
    functionName: s(r.functionName),
    ...(r.waiverTagSince !== undefined && { waiverTagSince: s(r.waiverTagSince) }),
    ...(r.tier !== undefined && { tier: s(r.tier) }),
    ...(r.tierTag !== undefined && { tierTag: s(r.tierTag) }),
    waivers: { L: r.waivers.map(waiver) },
    revision: { N: String(r.revision) },
  };
}

class LedgerItemError extends Error {
  public constructor(key: string, what: string) {
    super(`Waiver ledger item ${key.slice(0, 200)} is malformed (${what}): delete or repair it; until then its function cannot be judged.`);
    this.name = 'LedgerItemError';
  }
}

/** The record an item holds; a malformed item throws rather than read as "never seen" (which would grant a fresh waiver period). */
function fromItem(item: Item): LedgerRecord {
  const key = item[LEDGER_KEY]?.S ?? '(no key)';
  const str = (v: AttributeValue | undefined, what: string): string => {
    if (v?.S === undefined) throw new LedgerItemError(key, `${what} is not a string`);
    return v.S;
  };
  const opt = (v: AttributeValue | undefined, what: string): string | undefined => (v === undefined ? undefined : str(v, what));
  const revision = Number(item.revision?.N);
  if (!Number.isSafeInteger(revision) || revision < 1) throw new LedgerItemError(key, 'revision');
  const waivers = (item.waivers?.L ?? []).map((v, i): LedgerWaiver => {
    const m = v.M;
    if (m === undefined) throw new LedgerItemError(key, `waiver ${i}`);
    const source = str(m.source, 'waiver source');
    if (source !== 'tag' && source !== 'policy') throw new LedgerItemError(key, 'waiver source');
    if (m.active?.BOOL === undefined || m.rules?.L === undefined) throw new LedgerItemError(key, `waiver ${i}`);
    const waiver = opt(m.waiver, 'waiver');
    return {
      id: str(m.id, 'waiver id'),
      source,
      ...(waiver !== undefined && { waiver }),
      expires: str(m.expires, 'waiver expiry'),
      reason: str(m.reason, 'waiver reason'),
      rules: m.rules.L.map((r) => str(r, 'waiver rule')),
      announcedOn: str(m.announcedOn, 'announcedOn'),
      active: m.active.BOOL,
    };
  });
  const [since, tier, tierTag] = [opt(item.waiverTagSince, 'waiverTagSince'), opt(item.tier, 'tier'), opt(item.tierTag, 'tierTag')];
  if (since !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(since)) throw new LedgerItemError(key, 'waiverTagSince');
  return {
    functionArn: key,
    functionName: str(item.functionName, 'functionName'),
    ...(since !== undefined && { waiverTagSince: since }),
    ...(tier !== undefined && { tier }),
    ...(tierTag !== undefined && { tierTag }),
    waivers,
    revision,
  };
}

const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

const isConditionFailure = (err: unknown): boolean => err instanceof ConditionalCheckFailedException || (err as Error).name === 'ConditionalCheckFailedException';

/**
 * A ledger call that failed. Its own name: a missing table answers ResourceNotFoundException,
 * which callers read as "the function is gone".
 */
export class WaiverLedgerError extends Error {
  public constructor(table: string, cause: unknown) {
    super(`Waiver ledger ${table}: ${describeError(cause)}`, { cause });
    this.name = 'WaiverLedgerError';
  }
}

/**
 * The waiver ledger: one DynamoDB item per function (keyed by its unqualified ARN) with the day a
 * waiver tag was first seen on it, the waivers already announced, and the tier it was last judged
 * under. Reads are strongly consistent; every write is conditional on the revision read, so two
 * runs that judge the same function at once cannot both announce.
 */
export class WaiverLedger {
  public constructor(
    private readonly dynamo: Dynamo,
    public readonly tableName: string,
    private readonly sleep: (ms: number) => Promise<void> = pause,
  ) {}

  private async send<T>(call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (err) {
      if (isConditionFailure(err) || err instanceof WaiverLedgerError) throw err;
      throw new WaiverLedgerError(this.tableName, err);
    }
  }

  public async get(functionArn: string): Promise<LedgerRecord | undefined> {
    const out = await this.send(() => this.dynamo.send(new GetItemCommand({ TableName: this.tableName, Key: { [LEDGER_KEY]: s(functionArn) }, ConsistentRead: true })));
    return out.Item ? fromItem(out.Item) : undefined;
  }

  /**
   * Many records in ceil(n / 100) BatchGetItem calls. A partial answer returns the rest in
   * UnprocessedKeys, to be asked again with exponential backoff (DynamoDB API Reference,
   * BatchGetItem); a key asked twice in one call is a ValidationException, so keys are deduplicated.
   */
  public async getMany(functionArns: Iterable<string>): Promise<Map<string, LedgerRecord>> {
    const keys = [...new Set(functionArns)];
    const found = new Map<string, LedgerRecord>();
    for (let i = 0; i < keys.length; i += BATCH_GET_MAX) {
      let pending: Item[] | undefined = keys.slice(i, i + BATCH_GET_MAX).map((k) => ({ [LEDGER_KEY]: s(k) }));
      for (let round = 0; pending && pending.length > 0; round++) {
        if (round === BATCH_ROUNDS) throw new WaiverLedgerError(this.tableName, new Error(`${pending.length} records still unprocessed after ${BATCH_ROUNDS} BatchGetItem rounds`));
        if (round > 0) await this.sleep(Math.min(50 * 2 ** round, 2000));
        const out = await this.send(() => this.dynamo.send(new BatchGetItemCommand({ RequestItems: { [this.tableName]: { Keys: pending, ConsistentRead: true } } })));
        for (const item of out.Responses?.[this.tableName] ?? []) {
          const r = fromItem(item);
          found.set(r.functionArn, r);
        }
        pending = out.UnprocessedKeys?.[this.tableName]?.Keys;
      }
    }
    return found;
  }

  /**
   * Writes `next` over `previous` (absent: over nothing), as revision previous + 1. The put is
   * conditional - `attribute_not_exists` for a new record, the revision read for an existing one
   * (DynamoDB Developer Guide, "Condition expressions": preventing overwrites, optimistic
   * locking) - and answers undefined when another run wrote first: read again and decide again.
   */
  public async put(next: LedgerRecord, previous: LedgerRecord | undefined): Promise<LedgerRecord | undefined> {
    const written = { ...next, revision: (previous?.revision ?? 0) + 1 };
    try {
      await this.send(() => this.dynamo.send(
        new PutItemCommand({
          TableName: this.tableName,
          Item: toItem(written),
          ...(previous === undefined
            ? { ConditionExpression: 'attribute_not_exists(#key)', ExpressionAttributeNames: { '#key': LEDGER_KEY } }
            : { ConditionExpression: '#rev = :rev', ExpressionAttributeNames: { '#rev': 'revision' }, ExpressionAttributeValues: { ':rev': { N: String(previous.revision) } } }),
        }),
      ));
      return written;
    } catch (err) {
      if (isConditionFailure(err)) return undefined;
      throw err;
    }
  }

  /** Every record, for the digest: one Scan, page by page (1 MB each). */
  public async scan(): Promise<LedgerRecord[]> {
    return this.send(async () => {
      const out: LedgerRecord[] = [];
      for await (const page of paginateScan({ client: this.dynamo as DynamoDBClient }, { TableName: this.tableName, ConsistentRead: true })) {
        for (const item of page.Items ?? []) out.push(fromItem(item));
      }
      return out;
    });
  }
}
