import { ConditionalCheckFailedException, DeleteItemCommand, PutItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';

type Dynamo = Pick<DynamoDBClient, 'send'>;

/** Whether this run may send the alert; if not, the claim that holds it back, as stored (epoch ms). */
export type Claim = { readonly granted: true } | { readonly granted: false; readonly sentAt: number; readonly until: number };

/**
 * Remembers which alerts went out, so that one function with one set of findings pages once per
 * quiet period. A claim is one conditional write: two runs at the same moment cannot both win.
 * Items expire through the table's TTL attribute `expiresAt` (epoch seconds).
 *
 * The table is writable by the notify function's role alone (its resource-based policy in
 * template.yaml). Whatever an item says, it holds an alert back only as a claim of this
 * deployment could: sent within the last quiet period (the deployment's, not the caller's), not in
 * the future, and not expired. An item with a later expiry, or none, holds back nothing longer.
 */
export class NotificationLog {
  public constructor(
    private readonly dynamo: Dynamo,
    private readonly tableName: string,
  ) {}

  public async claim(key: string, nowMs: number, quietPeriodMinutes: number): Promise<Claim> {
    const now = Math.floor(nowMs / 1000);
    const quiet = quietPeriodMinutes * 60;
    try {
      await this.dynamo.send(
        new PutItemCommand({
          TableName: this.tableName,
          Item: { pk: { S: key }, sentAt: { N: String(now) }, expiresAt: { N: String(now + quiet) } },
          // TTL deletion lags by up to days, so expiry is judged here. A comparison with an
          // attribute that is missing or not a number is false: such an item holds nothing back.
          ConditionExpression: 'attribute_not_exists(pk) OR NOT (sentAt > :earliest AND sentAt <= :now AND expiresAt > :now)',
          ExpressionAttributeValues: { ':now': { N: String(now) }, ':earliest': { N: String(now - quiet) } },
          // The item that won, read in the same request (DynamoDB API Reference, PutItem,
          // ReturnValuesOnConditionCheckFailure): the answer states its real expiry.
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return { granted: true };
    } catch (err) {
      if (!(err instanceof ConditionalCheckFailedException || (err as Error).name === 'ConditionalCheckFailedException')) throw err;
      const item = (err as ConditionalCheckFailedException).Item;
      const sentAt = Number(item?.sentAt?.N);
      const expiresAt = Number(item?.expiresAt?.N);
      return { granted: false, sentAt: sentAt * 1000, until: Math.min(expiresAt, sentAt + quiet) * 1000 };
    }
  }

  /** Gives a claim back when the alert could not be sent, so the next run tries again. */
  public async release(key: string): Promise<void> {
    await this.dynamo.send(new DeleteItemCommand({ TableName: this.tableName, Key: { pk: { S: key } } }));
  }
}
