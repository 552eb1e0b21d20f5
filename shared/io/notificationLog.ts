import { ConditionalCheckFailedException, DeleteItemCommand, PutItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';

type Dynamo = Pick<DynamoDBClient, 'send'>;

/**
 * Remembers which alerts went out, so that one function with one set of findings pages once per
 * quiet period. A claim is one conditional write: two runs at the same moment cannot both win.
 * Items expire through the table's TTL attribute `expiresAt` (epoch seconds).
 */
export class NotificationLog {
  public constructor(
    private readonly dynamo: Dynamo,
    private readonly tableName: string,
  ) {}

  /** True when this run may send the alert; false when one went out within the quiet period. */
  public async claim(key: string, nowMs: number, quietPeriodMinutes: number): Promise<boolean> {
    const now = Math.floor(nowMs / 1000);
    try {
      await this.dynamo.send(
        new PutItemCommand({
          TableName: this.tableName,
          Item: { pk: { S: key }, sentAt: { N: String(now) }, expiresAt: { N: String(now + quietPeriodMinutes * 60) } },
          // TTL deletion lags by up to days: an expired item must not hold back the next alert.
          ConditionExpression: 'attribute_not_exists(pk) OR expiresAt <= :now',
          ExpressionAttributeValues: { ':now': { N: String(now) } },
        }),
      );
      return true;
    } catch (err) {
      if (err instanceof ConditionalCheckFailedException || (err as Error).name === 'ConditionalCheckFailedException') return false;
      throw err;
    }
  }

  /** Gives a claim back when the alert could not be sent, so the next run tries again. */
  public async release(key: string): Promise<void> {
    await this.dynamo.send(new DeleteItemCommand({ TableName: this.tableName, Key: { pk: { S: key } } }));
  }
}
