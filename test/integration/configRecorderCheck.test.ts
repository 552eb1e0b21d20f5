import { Logger } from '@aws-lambda-powertools/logger';
import {
  ConfigServiceClient,
  DescribeConfigurationRecordersCommand,
  DescribeConfigurationRecorderStatusCommand,
  PutConfigurationRecorderCommand,
  PutDeliveryChannelCommand,
  StartConfigurationRecorderCommand,
  type ConfigurationRecorder,
  type RecordingGroup,
} from '@aws-sdk/client-config-service';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createHandler, type RecorderCheckDependencies } from '../../config-rules/recorder-check/handler.js';
import { startMoto, type MotoServer } from '../../scripts/emulator/moto.js';
import { modelErrors } from '../helpers/awsModels.js';

// The custom resource that stops a deployment early, with the fix, when AWS Config does not
// record Lambda functions: every recording strategy against moto's Config, which takes and
// answers `recordingStrategy` as AWS's model has it. moto fills `recordingStrategy` in on every
// recorder it stores and has no service-linked recorders, so the recorders AWS answers without a
// strategy (older ones) and service-linked ones come from a client stub. Every recorder shape
// used here is first checked against botocore's model of ConfigurationRecorder.

const LAMBDA = 'AWS::Lambda::Function';
const ROLE = 'arn:aws:iam::123456789012:role/config';

const ALL: RecordingGroup = { allSupported: true, recordingStrategy: { useOnly: 'ALL_SUPPORTED_RESOURCE_TYPES' } };
const INCLUDING_LAMBDA: RecordingGroup = { allSupported: false, resourceTypes: ['AWS::S3::Bucket', LAMBDA], recordingStrategy: { useOnly: 'INCLUSION_BY_RESOURCE_TYPES' } };
const INCLUDING_OTHERS: RecordingGroup = { allSupported: false, resourceTypes: ['AWS::S3::Bucket'], recordingStrategy: { useOnly: 'INCLUSION_BY_RESOURCE_TYPES' } };
const EXCLUDING_OTHERS: RecordingGroup = { allSupported: false, exclusionByResourceTypes: { resourceTypes: ['AWS::EC2::Instance'] }, recordingStrategy: { useOnly: 'EXCLUSION_BY_RESOURCE_TYPES' } };
const EXCLUDING_LAMBDA: RecordingGroup = { allSupported: false, exclusionByResourceTypes: { resourceTypes: ['AWS::EC2::Instance', LAMBDA] }, recordingStrategy: { useOnly: 'EXCLUSION_BY_RESOURCE_TYPES' } };

const START = 'recorder default is stopped: start it (`aws configservice start-configuration-recorder --configuration-recorder-name default`)';
const ADD = 'recorder default records only the resource types it lists (INCLUSION_BY_RESOURCE_TYPES) and AWS::Lambda::Function is not one of them: add it to recordingGroup.resourceTypes (`aws configservice put-configuration-recorder`)';
const REMOVE = 'recorder default excludes AWS::Lambda::Function (EXCLUSION_BY_RESOURCE_TYPES): remove it from recordingGroup.exclusionByResourceTypes.resourceTypes (`aws configservice put-configuration-recorder`)';
const CREATE = 'there is no customer managed configuration recorder';

// Recorders answered without recordingStrategy, read as the RecordingGroup reference says.
const LEGACY: [string, RecordingGroup | undefined, string][] = [
  ['allSupported', { allSupported: true }, 'recorder default records AWS::Lambda::Function (ALL_SUPPORTED_RESOURCE_TYPES)'],
  ['resourceTypes with Lambda', { allSupported: false, resourceTypes: [LAMBDA] }, 'recorder default records AWS::Lambda::Function (INCLUSION_BY_RESOURCE_TYPES)'],
  ['resourceTypes without Lambda', { allSupported: false, resourceTypes: ['AWS::S3::Bucket'] }, ADD],
  [
    'neither',
    { allSupported: false, resourceTypes: [] },
    'recorder default records no resource type (allSupported false, no resourceTypes, no recordingStrategy): add AWS::Lambda::Function to recordingGroup.resourceTypes (`aws configservice put-configuration-recorder`)',
  ],
  ['no recording group (Config records all supported types)', undefined, 'recorder default records AWS::Lambda::Function (ALL_SUPPORTED_RESOURCE_TYPES)'],
];

const SERVICE_LINKED: ConfigurationRecorder[] = [
  {
    arn: 'arn:aws:config:eu-west-1:123456789012:configuration-recorder/AWSConfigurationRecorderForExample/x1',
    name: 'AWSConfigurationRecorderForExample',
    servicePrincipal: 'example.amazonaws.com',
    recordingScope: 'INTERNAL',
    roleARN: 'arn:aws:iam::123456789012:role/aws-service-role/config.amazonaws.com/AWSServiceRoleForConfig',
    recordingGroup: ALL,
  },
];

/** botocore's parameter validation of each recorder as PutConfigurationRecorder's input: ConfigurationRecorder is one shape in and out. */
function recorderErrors(recorders: ConfigurationRecorder[]): string[] {
  return modelErrors(recorders.map((r, i) => ({ id: `recorder ${i}`, api: 'config.PutConfigurationRecorder', params: { ConfigurationRecorder: r } })));
}

describe('Config recorder check', () => {
  let moto: MotoServer;
  let config: ConfigServiceClient;
  const answers: Record<string, any>[] = [];
  const respond = async (_: string, body: string) => void answers.push(JSON.parse(body));
  const event = (RequestType: string) => ({ RequestType, ResponseURL: 'http://127.0.0.1:1/r', StackId: 'arn:aws:cloudformation:eu-west-1:123456789012:stack/rw/1', RequestId: 'q', LogicalResourceId: 'ConfigRecorderCheck' });
  const context = { invokedFunctionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:check' };
  const check = (client: RecorderCheckDependencies['config'] = config) => createHandler({ config: client, respond, logger: new Logger({ logLevel: 'SILENT' }) });
  /** What the last answer says: "records ..." on success, the reason (between the account line and the closing advice) on failure. */
  const said = (): string => {
    const a = answers.at(-1)!;
    return a.Status === 'SUCCESS' ? a.Data.Recording : String(a.Reason).replace(/^AWS Config is not recording AWS::Lambda::Function in account 123456789012, region eu-west-1: /, '').replace(/\. runtime-warden's Config rules need it: .*$/, '');
  };

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

  const recorder = async (recordingGroup: RecordingGroup, start: boolean) => {
    await config.send(new PutConfigurationRecorderCommand({ ConfigurationRecorder: { name: 'default', roleARN: ROLE, recordingGroup } }));
    if (!start) return;
    const s3 = new S3Client({ ...moto.clientConfig, forcePathStyle: true });
    await s3.send(new CreateBucketCommand({ Bucket: 'config-bucket', CreateBucketConfiguration: { LocationConstraint: 'eu-west-1' } }));
    s3.destroy();
    await config.send(new PutDeliveryChannelCommand({ DeliveryChannel: { name: 'default', s3BucketName: 'config-bucket' } }));
    await config.send(new StartConfigurationRecorderCommand({ ConfigurationRecorderName: 'default' }));
  };

  it("takes only recorder shapes that botocore's model of ConfigurationRecorder accepts", () => {
    const groups = [ALL, INCLUDING_LAMBDA, INCLUDING_OTHERS, EXCLUDING_OTHERS, EXCLUDING_LAMBDA, ...LEGACY.map(([, g]) => g).filter((g) => g !== undefined)];
    expect(recorderErrors([...groups.map((recordingGroup) => ({ name: 'default', roleARN: ROLE, recordingGroup })), ...SERVICE_LINKED])).toEqual([]);
    // The check above can fail: a shape AWS would refuse is reported.
    expect(recorderErrors([{ name: 'default', recordingGroup: { allSupported: 'yes' as never, recordingStrategy: { usesOnly: 'ALL_SUPPORTED_RESOURCE_TYPES' } as never } }])).toEqual([
      expect.stringMatching(/^recorder 0: Invalid type for parameter ConfigurationRecorder\.recordingGroup\.allSupported/),
      expect.stringMatching(/^recorder 0: Unknown parameter in ConfigurationRecorder\.recordingGroup\.recordingStrategy: "usesOnly"/),
    ]);
  });

  it.each([
    ['ALL_SUPPORTED_RESOURCE_TYPES', ALL, ['SUCCESS', 'recorder default records AWS::Lambda::Function (ALL_SUPPORTED_RESOURCE_TYPES)'], START],
    ['INCLUSION_BY_RESOURCE_TYPES with Lambda', INCLUDING_LAMBDA, ['SUCCESS', 'recorder default records AWS::Lambda::Function (INCLUSION_BY_RESOURCE_TYPES)'], START],
    ['INCLUSION_BY_RESOURCE_TYPES without Lambda', INCLUDING_OTHERS, ['FAILED', ADD], `${ADD}; ${START}`],
    ['EXCLUSION_BY_RESOURCE_TYPES, Lambda not excluded', EXCLUDING_OTHERS, ['SUCCESS', 'recorder default records AWS::Lambda::Function (EXCLUSION_BY_RESOURCE_TYPES)'], START],
    ['EXCLUSION_BY_RESOURCE_TYPES, Lambda excluded', EXCLUDING_LAMBDA, ['FAILED', REMOVE], `${REMOVE}; ${START}`],
  ])('%s: recording, then stopped', async (_, group, recording, stopped) => {
    await recorder(group, true);
    await check()(event('Create'), context);
    const whileRecording = [answers.at(-1)!.Status, said()];
    await moto.reset();
    await recorder(group, false);
    await check()(event('Update'), context);
    expect([whileRecording, [answers.at(-1)!.Status, said()]]).toEqual([recording, ['FAILED', stopped]]);
  });

  it('fails the stack with the fix when there is no recorder, and says the rules need it', async () => {
    await check()(event('Create'), context);
    expect(answers).toEqual([
      expect.objectContaining({
        Status: 'FAILED',
        Reason:
          'AWS Config is not recording AWS::Lambda::Function in account 123456789012, region eu-west-1: there is no customer managed configuration recorder: create one that records AWS::Lambda::Function and start it ' +
          '(`aws configservice put-configuration-recorder`, `aws configservice put-delivery-channel`, `aws configservice start-configuration-recorder`). ' +
          "runtime-warden's Config rules need it: fix this (AWS Config console, Settings, or the command named), then deploy again.",
      }),
    ]);
  });

  /** A Config client answering these recorders and statuses, as AWS would and moto cannot. */
  const answering = (recorders: ConfigurationRecorder[], recording: Record<string, boolean>): ConfigServiceClient => {
    const client = new ConfigServiceClient({ region: 'eu-west-1' });
    const stub = mockClient(client);
    stub.on(DescribeConfigurationRecordersCommand).resolves({ ConfigurationRecorders: recorders });
    stub.on(DescribeConfigurationRecorderStatusCommand).resolves({ ConfigurationRecordersStatus: Object.entries(recording).map(([name, r]) => ({ name, recording: r })) });
    return client;
  };

  it.each(LEGACY)('without a recording strategy, a group with %s is read by its fields', async (_, recordingGroup, expected) => {
    await check(answering([{ name: 'default', roleARN: ROLE, ...(recordingGroup && { recordingGroup }) }], { default: true }))(event('Create'), context);
    expect(said()).toBe(expected);
  });

  it('does not count a service-linked recorder, even one recording Lambda functions', async () => {
    await check(answering(SERVICE_LINKED, { AWSConfigurationRecorderForExample: true }))(event('Create'), context);
    expect(said()).toBe(
      `${CREATE} (service-linked AWSConfigurationRecorderForExample (for example.amazonaws.com) does not count: the linked service sets what it records): create one that records AWS::Lambda::Function and start it ` +
        '(`aws configservice put-configuration-recorder`, `aws configservice put-delivery-channel`, `aws configservice start-configuration-recorder`)',
    );
    await check(answering([...SERVICE_LINKED, { name: 'default', roleARN: ROLE, recordingGroup: EXCLUDING_OTHERS }], { AWSConfigurationRecorderForExample: true, default: true }))(event('Update'), context);
    expect(said()).toBe('recorder default records AWS::Lambda::Function (EXCLUSION_BY_RESOURCE_TYPES)');
  });

  it('refuses a recording strategy it does not know, naming it', async () => {
    await check(answering([{ name: 'default', roleARN: ROLE, recordingGroup: { recordingStrategy: { useOnly: 'BY_TAG' as never } } }], { default: true }))(event('Create'), context);
    expect(said()).toMatch(/^recorder default uses recording strategy BY_TAG, which this check does not know: /);
  });

  it('says it could not check, rather than that Config is off, when Config refuses to answer', async () => {
    const denied = { send: () => Promise.reject(Object.assign(new Error('not authorized to perform: config:DescribeConfigurationRecorders'), { name: 'AccessDeniedException' })) };
    await check(denied)(event('Create'), context);
    expect(answers).toEqual([
      expect.objectContaining({
        Status: 'FAILED',
        Reason: 'Could not check whether AWS Config records AWS::Lambda::Function in account 123456789012, region eu-west-1: AccessDeniedException: not authorized to perform: config:DescribeConfigurationRecorders.',
      }),
    ]);
  });

  it('succeeds on Delete whatever the recorder', async () => {
    await check()(event('Delete'), context);
    expect(answers.map((a) => a.Status)).toEqual(['SUCCESS']);
  });
});
