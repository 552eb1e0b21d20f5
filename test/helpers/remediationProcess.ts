// One invocation of a real remediation handler, in a process of its own: AWS's SSM Automation
// simulator calls AWS synchronously, so the test's invoker runs the (asynchronous) handler here
// and waits. Reads { handler, payload, endpoint, region, modes, topicArn, tableName, now } on
// stdin and answers as Lambda's Invoke API would: { StatusCode, Payload, FunctionError? }, plus
// the runtime update modes after the call (moto lacks that API: see runtimeManagementStub.ts).
import { Logger } from '@aws-lambda-powertools/logger';
import { CloudWatchLogsClient, FilterLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { SNSClient } from '@aws-sdk/client-sns';
import { readFileSync } from 'node:fs';
import { createHandler as createNotify } from '../../remediation/notify/handler.js';
import { createHandler as createSwitchMode } from '../../remediation/switch-mode/handler.js';
import { DEFAULT_POLICY } from '../../shared/index.js';
import { NotificationLog } from '../../shared/io/notificationLog.js';
import { stubRuntimeManagement } from '../../scripts/emulator/runtimeManagementStub.js';

export interface RemediationRequest {
  readonly handler: 'notify' | 'switch-mode';
  readonly payload: unknown;
  readonly endpoint: string;
  readonly region: string;
  readonly modes: Record<string, { UpdateRuntimeOn: string; RuntimeVersionArn?: string }>;
  readonly topicArn?: string;
  readonly tableName?: string;
  readonly now: number;
}

const request = JSON.parse(readFileSync(0, 'utf8')) as RemediationRequest;
const config = { endpoint: request.endpoint, region: request.region, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } };
const lambda = new LambdaClient(config);
const modes = stubRuntimeManagement(lambda);
for (const [name, mode] of Object.entries(request.modes)) modes.set(name, mode);
const common = { lambda, region: request.region, loadPolicy: () => Promise.resolve(DEFAULT_POLICY), now: () => request.now, logger: new Logger({ logLevel: 'SILENT' }) };
const handler =
  request.handler === 'notify'
    ? createNotify({ ...common, snsFor: (region) => new SNSClient({ ...config, region }), log: new NotificationLog(new DynamoDBClient(config), request.tableName!), topicArn: request.topicArn!, defaultQuietPeriodMinutes: 1440 })
    : createSwitchMode({
        ...common,
        // A rollback reads INIT_START lines from moto's Logs and alerts the topic, as deployed.
        filterLogEvents: (i) => new CloudWatchLogsClient(config).send(new FilterLogEventsCommand(i)),
        ...(request.topicArn && { alert: { sns: new SNSClient(config), topicArn: request.topicArn } }),
      });
const context = { invokedFunctionArn: `arn:aws:lambda:${request.region}:123456789012:function:runtime-warden-${request.handler}` };

let answer: Record<string, unknown>;
try {
  answer = { StatusCode: 200, Payload: JSON.stringify(await handler(request.payload, context)) };
} catch (err) {
  // What Lambda's Node.js runtime returns for an error thrown by the handler.
  const e = err as Error;
  answer = { StatusCode: 200, FunctionError: 'Unhandled', Payload: JSON.stringify({ errorType: e.name, errorMessage: e.message, trace: (e.stack ?? '').split('\n') }) };
}
process.stdout.write(JSON.stringify({ ...answer, modes: Object.fromEntries(modes) }));
