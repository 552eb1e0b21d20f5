import { CreateTableCommand, DynamoDBClient, UpdateTimeToLiveCommand } from '@aws-sdk/client-dynamodb';
import { CreateTopicCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import { CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';

export interface AlertingFixture {
  readonly topicArn: string;
  readonly tableName: string;
  /** Alerts that reached the topic, read back through an SQS subscription (at most 10 a call). */
  received(): Promise<{ Subject: string; Message: string; MessageAttributes: Record<string, { Value: string }> }[]>;
}

/** What the notify remediation needs in an emulator: an alert topic an SQS queue listens to, and the notification log. */
export async function createAlerting(sns: SNSClient, sqs: SQSClient, dynamo: DynamoDBClient, name = 'runtime-warden-alerts'): Promise<AlertingFixture> {
  const topicArn = (await sns.send(new CreateTopicCommand({ Name: name }))).TopicArn!;
  const queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: `${name}-listener` }))).QueueUrl!;
  const queueArn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }))).Attributes!.QueueArn!;
  await sns.send(new SubscribeCommand({ TopicArn: topicArn, Protocol: 'sqs', Endpoint: queueArn }));
  const tableName = `${name}-log`;
  await dynamo.send(
    new CreateTableCommand({ TableName: tableName, BillingMode: 'PAY_PER_REQUEST', AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }], KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }] }),
  );
  await dynamo.send(new UpdateTimeToLiveCommand({ TableName: tableName, TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true } }));
  return {
    topicArn,
    tableName,
    received: async () => {
      const out = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }));
      return (out.Messages ?? []).map((m) => JSON.parse(m.Body!));
    },
  };
}
