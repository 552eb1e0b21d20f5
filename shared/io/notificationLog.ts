import type { DigestEvent, FunctionState } from '../remediation/digest.js';
import { ConditionalCheckFailedException, DeleteItemCommand, GetItemCommand, PutItemCommand, paginateScan, type AttributeValue, type DynamoDBClient } from '@aws-sdk/client-dynamodb';

type Dynamo = Pick<DynamoDBClient, 'send'>;

/** Whether this run may send the alert; if not, the claim that holds it back, as stored (epoch ms). */
export type Claim = { readonly granted: true } | { readonly granted: false; readonly sentAt: number; readonly until: number };

const DAY_SECONDS = 86_400;

/**
 * When a claim written at `sentAtSeconds` stops holding alerts back (epoch seconds). A quiet
 * period of a day or more ends at the start of the UTC day in which it would end: the daily pass
 * comes at about the same minute each day, so "24 hours after the last alert" made whether an
 * alert repeats a race of a minute either way. Bound to the calendar day, an alert sent on day D
 * is not repeated on day D, and may be on day D+1 whatever the minute. Shorter quiet periods are
 * not about daily passes and last exactly their minutes.
 */
export function quietUntil(sentAtSeconds: number, quietPeriodMinutes: number): number {
  const quiet = quietPeriodMinutes * 60;
  if (quiet < DAY_SECONDS) return sentAtSeconds + quiet;
  return Math.floor((sentAtSeconds + quiet) / DAY_SECONDS) * DAY_SECONDS;
}

/**
 * The earliest `sentAt` whose claim still holds at `nowSeconds`: `quietUntil(s) > now` exactly
 * when `s >= earliestHolding(now)` (quietUntil grows with s), so DynamoDB's condition can judge it.
 */
export function earliestHolding(nowSeconds: number, quietPeriodMinutes: number): number {
  const quiet = quietPeriodMinutes * 60;
  if (quiet < DAY_SECONDS) return nowSeconds - quiet + 1;
  return (Math.floor(nowSeconds / DAY_SECONDS) + 1) * DAY_SECONDS - quiet;
}

/** The UTC day of an instant, `YYYY-MM-DD`. */
export const utcDay = (ms: number): string => new Date(ms).toISOString().slice(0, 10);

const EVENT = 'event#';
const STATE = 'state#';
const CURSOR = 'digest-cursor';

const num = (v: AttributeValue | undefined): number => Number(v?.N);

/**
 * Remembers which alerts went out, so that one function with one set of findings pages once per
 * quiet period. A claim is one conditional write: two runs at the same moment cannot both win.
 * Items expire through the table's TTL attribute `expiresAt` (epoch seconds).
 *
 * The table is writable by the notify function's role alone (its resource-based policy in
 * template.yaml). Whatever an item says, it holds an alert back only as a claim of this
 * deployment could: sent within the last quiet period (the deployment's, not the caller's), not in
 * the future, and not expired. An item with a later expiry, or none, holds back nothing longer.
 *
 * With digests, the same table holds each function's last announced state (`state#...`), the
 * changes waiting for the next digest (`event#...`) and when the last digest went out.
 */
export class NotificationLog {
  public constructor(
    private readonly dynamo: Dynamo,
    private readonly tableName: string,
  ) {}

  public async claim(key: string, nowMs: number, quietPeriodMinutes: number): Promise<Claim> {
    const now = Math.floor(nowMs / 1000);
    const until = quietUntil(now, quietPeriodMinutes);
    try {
      await this.dynamo.send(
        new PutItemCommand({
          TableName: this.tableName,
          Item: { pk: { S: key }, sentAt: { N: String(now) }, expiresAt: { N: String(until) } },
          // TTL deletion lags by up to days, so expiry is judged here. A comparison with an
          // attribute that is missing or not a number is false: such an item holds nothing back.
          ConditionExpression: 'attribute_not_exists(pk) OR NOT (sentAt >= :earliest AND sentAt <= :now AND expiresAt > :now)',
          ExpressionAttributeValues: { ':now': { N: String(now) }, ':earliest': { N: String(earliestHolding(now, quietPeriodMinutes)) } },
          // The item that won, read in the same request (DynamoDB API Reference, PutItem,
          // ReturnValuesOnConditionCheckFailure): the answer states its real expiry.
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return { granted: true };
    } catch (err) {
      if (!(err instanceof ConditionalCheckFailedException || (err as Error).name === 'ConditionalCheckFailedException')) throw err;
      const item = (err as ConditionalCheckFailedException).Item;
      const sentAt = num(item?.sentAt);
      return { granted: false, sentAt: sentAt * 1000, until: Math.min(num(item?.expiresAt), quietUntil(sentAt, quietPeriodMinutes)) * 1000 };
    }
  }

  /** Gives a claim back when the alert could not be sent, so the next run tries again. */
  public async release(key: string): Promise<void> {
    await this.dynamo.send(new DeleteItemCommand({ TableName: this.tableName, Key: { pk: { S: key } } }));
  }

  /** The function's last recorded state, if any (a strongly consistent read: a retry sees its own write). */
  public async state(functionKey: string): Promise<FunctionState | undefined> {
    const out = await this.dynamo.send(new GetItemCommand({ TableName: this.tableName, Key: { pk: { S: `${STATE}${functionKey}` } }, ConsistentRead: true }));
    const item = out.Item;
    if (!item?.fingerprint?.S) return undefined;
    return { fingerprint: item.fingerprint.S, stage: num(item.stage), recordedAt: num(item.recordedAt) * 1000 };
  }

  /**
   * Records a change for the next digest. The item's key is the function and its new state, so a
   * retry (or a second run at the same moment) writes the same item again rather than a second line.
   */
  public async recordEvent(event: DigestEvent, state: Pick<FunctionState, 'fingerprint' | 'stage'>, retainDays: number): Promise<void> {
    const at = Math.floor(event.recordedAt / 1000);
    await this.dynamo.send(
      new PutItemCommand({
        TableName: this.tableName,
        Item: {
          pk: { S: `${EVENT}${event.functionKey}#${state.fingerprint}#${state.stage}` },
          functionKey: { S: event.functionKey },
          owner: { S: event.owner },
          line: { S: event.line },
          recordedAt: { N: String(at) },
          expiresAt: { N: String(at + retainDays * DAY_SECONDS) },
        },
      }),
    );
  }

  /**
   * The function's state as announced: written last, after the event and any alert, so a run that
   * fails before it leaves the old state and its retry announces the change again.
   */
  public async recordState(functionKey: string, state: FunctionState, retainDays: number): Promise<void> {
    const at = Math.floor(state.recordedAt / 1000);
    await this.dynamo.send(
      new PutItemCommand({
        TableName: this.tableName,
        Item: { pk: { S: `${STATE}${functionKey}` }, fingerprint: { S: state.fingerprint }, stage: { N: String(state.stage) }, recordedAt: { N: String(at) }, expiresAt: { N: String(at + retainDays * DAY_SECONDS) } },
      }),
    );
  }

  /**
   * The changes recorded after `afterMs` and up to `untilMs`, one per function (its latest), read
   * with a Scan: the table holds one state and at most a few events per alerted function, the
   * claims, and one small record per function the watch reads (at most WATCH_MAX_FUNCTIONS a
   * run, kept 90 days: docs/watch.md); DynamoDB returns 1 MB a page (DynamoDB API Reference,
   * Scan), so a day of 50,000 changes is a few dozen pages. Strongly consistent: a change recorded just before the digest is in it.
   */
  public async eventsBetween(afterMs: number, untilMs: number): Promise<DigestEvent[]> {
    const latest = new Map<string, DigestEvent>();
    const pages = paginateScan(
      { client: this.dynamo as DynamoDBClient },
      {
        TableName: this.tableName,
        ConsistentRead: true,
        FilterExpression: 'begins_with(pk, :event) AND recordedAt > :after AND recordedAt <= :until',
        ExpressionAttributeValues: { ':event': { S: EVENT }, ':after': { N: String(Math.floor(afterMs / 1000)) }, ':until': { N: String(Math.floor(untilMs / 1000)) } },
      },
    );
    for await (const page of pages) {
      for (const item of page.Items ?? []) {
        const event = { functionKey: item.functionKey?.S ?? '', owner: item.owner?.S ?? '', line: item.line?.S ?? '', recordedAt: num(item.recordedAt) * 1000 };
        const seen = latest.get(event.functionKey);
        if (!seen || seen.recordedAt < event.recordedAt) latest.set(event.functionKey, event);
      }
    }
    return [...latest.values()];
  }

  /** When the last digest covered changes up to (epoch ms), if one went out. */
  public async lastDigestAt(): Promise<number | undefined> {
    const out = await this.dynamo.send(new GetItemCommand({ TableName: this.tableName, Key: { pk: { S: CURSOR } }, ConsistentRead: true }));
    const at = num(out.Item?.coveredUntil);
    return Number.isFinite(at) ? at * 1000 : undefined;
  }

  public async setLastDigestAt(ms: number): Promise<void> {
    await this.dynamo.send(new PutItemCommand({ TableName: this.tableName, Item: { pk: { S: CURSOR }, coveredUntil: { N: String(Math.floor(ms / 1000)) } } }));
  }
}
