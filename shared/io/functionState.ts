import { BatchGetItemCommand, GetItemCommand, PutItemCommand, UpdateItemCommand, type AttributeValue, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { LambdaFunctionConfiguration } from '../adapters/lambdaApi.js';
import type { UnreadSignal } from '../config/decision.js';
import type { FunctionUsage } from '../report/usage.js';
import { UPDATE_MODES } from '../policy/schema.js';
import * as z from '../schema/zod.js';
import { issueLines } from '../schema/zod.js';
import { describeError } from './awsErrors.js';

// What only the Lambda API knows about a function - its runtime update mode and its published
// versions, with what invokes those that break the policy - kept between runs, so that a periodic
// pass judges every function from AWS Config's inventory and this state without spending Lambda's
// control-plane quota. One item per function, keyed by name (unique in an account and region),
// each part with the time it was read; plus one item for the sweep's cursor, and one per layer
// version the functions use (shared/io/layerCache.ts, keys `layer#ARN`).

export type Dynamo = Pick<DynamoDBClient, 'send'>;
export type Item = Record<string, AttributeValue>;

export const STATE_KEY = 'pk';
/** Lambda function names are letters, digits, hyphens and underscores: no name can be this key. */
const CURSOR_KEY = '#sweep-cursor';

/**
 * "The maximum item size in DynamoDB is 400 KB, which includes both attribute name binary length
 * and attribute value lengths" (DynamoDB Developer Guide, "Service, account, and table quotas in
 * Amazon DynamoDB"). The versions part is capped well below it, leaving room for the rest.
 */
export const VERSIONS_MAX_BYTES = 300_000;

/** See waiverLedger.ts: BatchGetItem reads at most 100 items a call. */
const BATCH_GET_MAX = 100;
const BATCH_ROUNDS = 8;

const modeSchema = z.object({
  at: z.string(),
  updateMode: z.optional(z.enum(UPDATE_MODES)),
  pinnedRuntimeVersionArn: z.optional(z.string()),
  /** Why the mode is unknown (a container image has none; an endpoint without the API). */
  unread: z.optional(z.string()),
});
export type ModeState = z.infer<typeof modeSchema>;

const storedVersionSchema = z.object({ v: z.string(), r: z.optional(z.string()), p: z.optional(z.string()), m: z.optional(z.string()) });
const usageSchema = z.object({ invocations14d: z.number(), lastInvoked: z.nullable(z.string()) });
const storedUseSchema = z.object({
  v: z.string(),
  aliases: z.array(z.string()),
  eventSourceMappings: z.array(z.string()),
  policyStatements: z.array(z.string()),
  usage: z.optional(usageSchema),
  unread: z.array(z.object({ signal: z.enum(['invocations', 'event source mappings', 'resource policy']), api: z.string(), error: z.string() })),
});
const versionsSchema = z.object({
  at: z.string(),
  list: z.array(storedVersionSchema),
  /** What invokes each version that broke the policy when read; versions absent here were not read. */
  uses: z.array(storedUseSchema),
  /** Versions left out to stay under the item size limit (the oldest read last). */
  omitted: z.number(),
});
export type VersionsState = z.infer<typeof versionsSchema>;
export type StoredUse = z.infer<typeof storedUseSchema>;

export interface FunctionState {
  readonly name: string;
  readonly mode?: ModeState;
  readonly versions?: VersionsState;
}

/**
 * What one layer version declares, as read once: a layer version's content and settings never
 * change ("the content of each layer version is immutable": Lambda Developer Guide, "Working with
 * Lambda layers", layer versions), so it is kept without expiry. One that could not be read (not
 * shared with this account, deleted) is kept with why and when, and asked again a day later:
 * its owner may share it meanwhile (AddLayerVersionPermission).
 */
const cachedLayerSchema = z.object({
  at: z.string(),
  runtimes: z.optional(z.array(z.string())),
  architectures: z.optional(z.array(z.string())),
  unreadable: z.optional(z.string()),
});
export type CachedLayer = z.infer<typeof cachedLayerSchema> & { readonly arn: string };

/** Layer version ARNs hold no `#`, nor do function names: no key of one kind can be the other's. */
export const LAYER_KEY_PREFIX = 'layer#';

export interface SweepCursor {
  /** The last function name the sweep refreshed; the next sweep starts after it. */
  readonly after: string;
  /** When the sweep last wrapped from the end of the inventory to its start. */
  readonly lapStartedAt?: string;
  /** How long the last complete lap took, in hours. */
  readonly lastLapHours?: number;
}

/** Where state is kept: the DynamoDB table, or memory (tests and local runs). */
export interface FunctionStateStore {
  getMany(names: readonly string[]): Promise<Map<string, FunctionState>>;
  put(state: FunctionState): Promise<void>;
  getCursor(): Promise<SweepCursor | undefined>;
  putCursor(cursor: SweepCursor): Promise<void>;
  /** The layer versions kept (shared/io/layerCache.ts), by ARN. */
  getLayers(arns: readonly string[]): Promise<Map<string, CachedLayer>>;
  putLayer(layer: CachedLayer): Promise<void>;
}

/** Stored versions, as the policy reads them. */
export function versionConfigurations(functionArn: string | undefined, name: string, versions: VersionsState): LambdaFunctionConfiguration[] {
  const base = functionArn?.split(':').slice(0, 7).join(':');
  return versions.list.map((s) => ({ FunctionName: name, ...(base && { FunctionArn: `${base}:${s.v}` }), Runtime: s.r, PackageType: s.p, LastModified: s.m, Version: s.v }));
}

/**
 * The versions part for a function: its versions compactly, the reads of what invokes those that
 * break the policy, and, past VERSIONS_MAX_BYTES, as many versions as fit - those breaking the
 * policy first, then from the oldest - with the number left out.
 */
export function versionsState(at: string, versions: readonly LambdaFunctionConfiguration[], uses: readonly { version: string; aliases: readonly string[]; eventSourceMappings: readonly string[]; policyStatements: readonly string[]; usage?: FunctionUsage | undefined; unread: readonly UnreadSignal[] }[]): VersionsState {
  const storedUses: StoredUse[] = uses.map((u) => ({
    v: u.version,
    aliases: [...u.aliases],
    eventSourceMappings: [...u.eventSourceMappings],
    policyStatements: [...u.policyStatements],
    ...(u.usage && { usage: { invocations14d: u.usage.invocations14d, lastInvoked: u.usage.lastInvoked } }),
    unread: u.unread.map((s) => ({ signal: s.signal, api: s.api, error: s.error.slice(0, 200) })),
  }));
  const breaking = new Set(uses.map((u) => u.version));
  const byAge = [...versions].sort((a, b) => Number(a.Version) - Number(b.Version));
  const ordered = [...byAge.filter((v) => breaking.has(v.Version ?? '')), ...byAge.filter((v) => !breaking.has(v.Version ?? ''))];
  let bytes = Buffer.byteLength(JSON.stringify(storedUses)) + 100;
  const list: VersionsState['list'] = [];
  for (const v of ordered) {
    const s = { v: v.Version ?? '', ...(v.Runtime && { r: v.Runtime }), ...(v.PackageType && v.PackageType !== 'Zip' && { p: v.PackageType }), ...(v.LastModified && { m: v.LastModified }) };
    bytes += Buffer.byteLength(JSON.stringify(s)) + 1;
    if (bytes > VERSIONS_MAX_BYTES) break;
    list.push(s);
  }
  return { at, list, uses: storedUses, omitted: ordered.length - list.length };
}

/** A state item that cannot be read: the function is judged as not read yet, and the sweep rewrites it. */
export class StateItemError extends Error {
  public constructor(name: string, what: string) {
    super(`Function state item ${name.slice(0, 100)} is malformed (${what})`);
    this.name = 'StateItemError';
  }
}

function parsePart<T>(schema: z.ZodMiniType<T>, name: string, what: string, value: AttributeValue | undefined): T | undefined {
  if (value === undefined) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(value.S ?? '');
  } catch {
    throw new StateItemError(name, `${what} is not JSON`);
  }
  const r = schema.safeParse(json);
  if (!r.success) throw new StateItemError(name, `${what}: ${issueLines(r.error, what).join('; ').slice(0, 200)}`);
  return r.data;
}

function fromItem(item: Item): FunctionState {
  const name = item[STATE_KEY]?.S ?? '(no key)';
  const mode = parsePart(modeSchema, name, 'mode', item.mode);
  const versions = parsePart(versionsSchema, name, 'versions', item.versions);
  return { name, ...(mode && { mode }), ...(versions && { versions }) };
}

/** A state table call that failed. */
export class FunctionStateError extends Error {
  public constructor(table: string, cause: unknown) {
    super(`Function state table ${table}: ${describeError(cause)}`, { cause });
    this.name = 'FunctionStateError';
  }
}

export const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The items of the state table with these keys that exist, 100 keys a BatchGetItem call, the
 * keys DynamoDB left unprocessed asked again with backoff (BATCH_ROUNDS rounds at most).
 */
export async function batchGetItems(dynamo: Dynamo, tableName: string, keys: readonly string[], sleep: (ms: number) => Promise<void> = pause): Promise<Item[]> {
  const unique = [...new Set(keys)];
  const found: Item[] = [];
  const send = async <T>(call: () => Promise<T>): Promise<T> => {
    try {
      return await call();
    } catch (err) {
      throw new FunctionStateError(tableName, err);
    }
  };
  for (let i = 0; i < unique.length; i += BATCH_GET_MAX) {
    let pending: Item[] | undefined = unique.slice(i, i + BATCH_GET_MAX).map((k) => ({ [STATE_KEY]: { S: k } }));
    for (let round = 0; pending && pending.length > 0; round++) {
      if (round === BATCH_ROUNDS) throw new FunctionStateError(tableName, new Error(`${pending.length} items still unprocessed after ${BATCH_ROUNDS} BatchGetItem rounds`));
      if (round > 0) await sleep(Math.min(50 * 2 ** round, 2000));
      const out = await send(() => dynamo.send(new BatchGetItemCommand({ RequestItems: { [tableName]: { Keys: pending } } })));
      found.push(...(out.Responses?.[tableName] ?? []));
      pending = out.UnprocessedKeys?.[tableName]?.Keys;
    }
  }
  return found;
}

/**
 * The state table. Reads are eventually consistent (half the read capacity of strong reads): a
 * read a second old judges as well as one just written. Each part is written on its own
 * (UpdateItem SET), so a reader of the update mode alone never erases the versions another read.
 */
export class DynamoFunctionState implements FunctionStateStore {
  public constructor(
    private readonly dynamo: Dynamo,
    public readonly tableName: string,
    /** Called with each item that cannot be read; the function is then judged as not read yet. */
    private readonly onMalformed: (error: StateItemError) => void,
    private readonly sleep: (ms: number) => Promise<void> = pause,
  ) {}

  private async send<T>(call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (err) {
      throw new FunctionStateError(this.tableName, err);
    }
  }

  public async getMany(names: readonly string[]): Promise<Map<string, FunctionState>> {
    const found = new Map<string, FunctionState>();
    for (const item of await batchGetItems(this.dynamo, this.tableName, names, this.sleep)) {
      try {
        const s = fromItem(item);
        found.set(s.name, s);
      } catch (err) {
        if (!(err instanceof StateItemError)) throw err;
        this.onMalformed(err);
      }
    }
    return found;
  }

  public async put(state: FunctionState): Promise<void> {
    const parts = { ...(state.mode && { mode: JSON.stringify(state.mode) }), ...(state.versions && { versions: JSON.stringify(state.versions) }) };
    const names = Object.keys(parts);
    if (names.length === 0) return;
    await this.send(() =>
      this.dynamo.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: { [STATE_KEY]: { S: state.name } },
          UpdateExpression: `SET ${names.map((n) => `#${n} = :${n}`).join(', ')}`,
          ExpressionAttributeNames: Object.fromEntries(names.map((n) => [`#${n}`, n])),
          ExpressionAttributeValues: Object.fromEntries(Object.entries(parts).map(([n, v]) => [`:${n}`, { S: v }])),
        }),
      ),
    );
  }

  public async getCursor(): Promise<SweepCursor | undefined> {
    const out = await this.send(() => this.dynamo.send(new GetItemCommand({ TableName: this.tableName, Key: { [STATE_KEY]: { S: CURSOR_KEY } }, ConsistentRead: true })));
    const after = out.Item?.after?.S;
    if (after === undefined) return undefined;
    const hours = Number(out.Item?.lastLapHours?.N);
    return { after, ...(out.Item?.lapStartedAt?.S && { lapStartedAt: out.Item.lapStartedAt.S }), ...(Number.isFinite(hours) && { lastLapHours: hours }) };
  }

  public async putCursor(cursor: SweepCursor): Promise<void> {
    await this.send(() =>
      this.dynamo.send(
        new PutItemCommand({
          TableName: this.tableName,
          Item: {
            [STATE_KEY]: { S: CURSOR_KEY },
            after: { S: cursor.after },
            ...(cursor.lapStartedAt && { lapStartedAt: { S: cursor.lapStartedAt } }),
            ...(cursor.lastLapHours !== undefined && { lastLapHours: { N: String(cursor.lastLapHours) } }),
          },
        }),
      ),
    );
  }

  public async getLayers(arns: readonly string[]): Promise<Map<string, CachedLayer>> {
    const found = new Map<string, CachedLayer>();
    for (const item of await batchGetItems(this.dynamo, this.tableName, arns.map((a) => `${LAYER_KEY_PREFIX}${a}`), this.sleep)) {
      const arn = (item[STATE_KEY]?.S ?? '').slice(LAYER_KEY_PREFIX.length);
      try {
        const kept = parsePart(cachedLayerSchema, arn, 'layer', item.layer);
        if (!kept) throw new StateItemError(arn, 'layer is missing');
        found.set(arn, { arn, ...kept });
      } catch (err) {
        // Read again, and rewritten, as if never read.
        if (!(err instanceof StateItemError)) throw err;
        this.onMalformed(err);
      }
    }
    return found;
  }

  public async putLayer(layer: CachedLayer): Promise<void> {
    const { arn, ...kept } = layer;
    await this.send(() => this.dynamo.send(new PutItemCommand({ TableName: this.tableName, Item: { [STATE_KEY]: { S: `${LAYER_KEY_PREFIX}${arn}` }, layer: { S: JSON.stringify(kept) } } })));
  }
}

/** State in memory, for local runs and tests without a table: it lasts as long as the handler. */
export class MemoryFunctionState implements FunctionStateStore {
  private readonly items = new Map<string, FunctionState>();
  private readonly layers = new Map<string, CachedLayer>();
  private cursor: SweepCursor | undefined;

  public getMany(names: readonly string[]): Promise<Map<string, FunctionState>> {
    return Promise.resolve(new Map(names.flatMap((n) => (this.items.has(n) ? [[n, this.items.get(n)!] as const] : []))));
  }

  public put(state: FunctionState): Promise<void> {
    this.items.set(state.name, { ...this.items.get(state.name), ...state });
    return Promise.resolve();
  }

  public getCursor(): Promise<SweepCursor | undefined> {
    return Promise.resolve(this.cursor);
  }

  public putCursor(cursor: SweepCursor): Promise<void> {
    this.cursor = cursor;
    return Promise.resolve();
  }

  public getLayers(arns: readonly string[]): Promise<Map<string, CachedLayer>> {
    return Promise.resolve(new Map(arns.flatMap((a) => (this.layers.has(a) ? [[a, this.layers.get(a)!] as const] : []))));
  }

  public putLayer(layer: CachedLayer): Promise<void> {
    this.layers.set(layer.arn, layer);
    return Promise.resolve();
  }
}
