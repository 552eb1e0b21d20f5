import { Logger } from '@aws-lambda-powertools/logger';
import { ConfigServiceClient, PutConfigurationRecorderCommand, PutDeliveryChannelCommand, StartConfigurationRecorderCommand } from '@aws-sdk/client-config-service';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createHandler } from '../../config-rules/recorder-check/handler.js';
import { startMoto, type MotoServer } from '../../scripts/emulator/moto.js';

// The custom resource that stops a deployment early, with the fix, when AWS Config does not
// record Lambda functions: against moto's Config.

describe('Config recorder check', () => {
  let moto: MotoServer;
  let config: ConfigServiceClient;
  const answers: Record<string, unknown>[] = [];
  const respond = async (_: string, body: string) => void answers.push(JSON.parse(body));
  const event = (RequestType: string) => ({ RequestType, ResponseURL: 'http://127.0.0.1:1/r', StackId: 'arn:aws:cloudformation:eu-west-1:123456789012:stack/rw/1', RequestId: 'q', LogicalResourceId: 'ConfigRecorderCheck' });
  const context = { invokedFunctionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:check' };
  const check = () => createHandler({ config, respond, logger: new Logger({ logLevel: 'SILENT' }) });

  beforeAll(async () => {
    moto = await startMoto();
    config = new ConfigServiceClient(moto.clientConfig);
  });
  afterAll(async () => {
    config?.destroy();
    await moto?.stop();
  });
  beforeEach(async () => {
    answers.length = 0;
    await moto.reset();
  });

  const recorder = async (recordingGroup: object, start: boolean) => {
    await config.send(new PutConfigurationRecorderCommand({ ConfigurationRecorder: { name: 'default', roleARN: 'arn:aws:iam::123456789012:role/config', recordingGroup } }));
    if (!start) return;
    const s3 = new S3Client({ ...moto.clientConfig, forcePathStyle: true });
    await s3.send(new CreateBucketCommand({ Bucket: 'config-bucket', CreateBucketConfiguration: { LocationConstraint: 'eu-west-1' } }));
    s3.destroy();
    await config.send(new PutDeliveryChannelCommand({ DeliveryChannel: { name: 'default', s3BucketName: 'config-bucket' } }));
    await config.send(new StartConfigurationRecorderCommand({ ConfigurationRecorderName: 'default' }));
  };

  it('fails the stack with the fix when there is no recorder', async () => {
    await check()(event('Create'), context);
    expect(answers).toEqual([
      expect.objectContaining({
        Status: 'FAILED',
        Reason: expect.stringMatching(/^AWS Config is not recording AWS::Lambda::Function in account 123456789012, region eu-west-1 \(there is no configuration recorder\)\. .*aws configservice start-configuration-recorder/),
      }),
    ]);
  });

  it('fails when the recorder is stopped, or records other types only', async () => {
    await recorder({ allSupported: true }, false);
    await check()(event('Create'), context);
    await recorder({ allSupported: false, resourceTypes: ['AWS::S3::Bucket'] }, true);
    await check()(event('Update'), context);
    expect(answers.map((a) => [a.Status, String(a.Reason).match(/\((.*?)\)/)?.[1]])).toEqual([
      ['FAILED', 'recorder default is stopped'],
      ['FAILED', 'recorder default does not record AWS::Lambda::Function'],
    ]);
  });

  it('says it could not check, rather than that Config is off, when Config refuses to answer', async () => {
    const denied = { send: () => Promise.reject(Object.assign(new Error('not authorized to perform: config:DescribeConfigurationRecorders'), { name: 'AccessDeniedException' })) };
    await createHandler({ config: denied, respond, logger: new Logger({ logLevel: 'SILENT' }) })(event('Create'), context);
    expect(answers).toEqual([
      expect.objectContaining({
        Status: 'FAILED',
        Reason: 'Could not check whether AWS Config records AWS::Lambda::Function in account 123456789012, region eu-west-1: AccessDeniedException: not authorized to perform: config:DescribeConfigurationRecorders.',
      }),
    ]);
  });

  it('succeeds when Lambda functions are recorded, and on Delete whatever the recorder', async () => {
    await recorder({ allSupported: false, resourceTypes: ['AWS::Lambda::Function'] }, true);
    await check()(event('Create'), context);
    await moto.reset();
    await check()(event('Delete'), context);
    expect(answers.map((a) => a.Status)).toEqual(['SUCCESS', 'SUCCESS']);
  });
});
