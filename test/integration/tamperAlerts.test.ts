import { Logger } from '@aws-lambda-powertools/logger';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient, PutEventsCommand, PutRuleCommand, PutTargetsCommand } from '@aws-sdk/client-eventbridge';
import { SNSClient } from '@aws-sdk/client-sns';
import { CreateQueueCommand, DeleteMessageBatchCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createTamperHandler } from '../../remediation/notify/tamper.js';
import { createAlerting, type AlertingFixture } from '../../scripts/emulator/alerting.js';
import { startMoto, type MotoServer } from '../../scripts/emulator/moto.js';
import { loadTemplate, renderTemplate } from '../helpers/cfnRender.js';
import { loadEvent, ROOT } from '../helpers/fixtures.js';

// template.yaml's tamper rules, each as deployed, delivering to a queue of its own: moto's event
// bus does the matching (its TestEventPattern does not evaluate), as for the Health events in
// catalogRefresher.test.ts. The events are CloudTrail records in the shape the CloudTrail User
// Guide documents ("CloudTrail record contents", "CloudTrail userIdentity element"), as
// EventBridge delivers them (detail-type "AWS API Call via CloudTrail"), in test/events/cloudtrail.

type Event = { source: string; 'detail-type': string; detail: { eventID: string } & Record<string, unknown> };
const FIXTURES = readdirSync(join(ROOT, 'test', 'events', 'cloudtrail')).map((f) => f.replace(/\.json$/, ''));
const event = (name: string): Event => loadEvent<Event>('cloudtrail', name);

const DEPLOYER = 'deployer';
/** Every tamper rule exists: the policy in SSM, the Guard hook and the catalog refresher deployed. */
const PARAMETERS = { HookMode: 'both', PolicySource: '/runtime-warden/policy', DeploymentRoleName: DEPLOYER };

type Rendered = { Resources: Record<string, { Type: string; Properties: { EventPattern?: unknown } }> };
const tamperRules = (parameters: Record<string, string>): Record<string, unknown> =>
  Object.fromEntries(
    Object.entries((renderTemplate(loadTemplate('template.yaml'), parameters, { resolve: true }) as unknown as Rendered).Resources)
      .filter(([id, r]) => r.Type === 'AWS::Events::Rule' && id.startsWith('Tamper'))
      .map(([id, r]) => [id, r.Properties.EventPattern]),
  );

describe('tamper alerts', () => {
  let moto: MotoServer;
  let events: EventBridgeClient;
  let sqs: SQSClient;
  let sns: SNSClient;
  let dynamo: DynamoDBClient;

  beforeAll(async () => {
    moto = await startMoto();
    events = new EventBridgeClient(moto.clientConfig);
    sqs = new SQSClient(moto.clientConfig);
    sns = new SNSClient(moto.clientConfig);
    dynamo = new DynamoDBClient(moto.clientConfig);
  });
  afterAll(async () => {
    for (const c of [events, sqs, sns, dynamo]) c?.destroy();
    await moto?.stop();
  });
  beforeEach(() => moto.reset());

  /** Each pattern as a rule delivering to its queue; then which fixtures reached which rule. */
  async function route(patterns: Record<string, unknown>, names: readonly string[]): Promise<Record<string, string[]>> {
    const queues: Record<string, string> = {};
    for (const [id, pattern] of Object.entries(patterns)) {
      const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: id }));
      const arn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }))).Attributes!.QueueArn!;
      await events.send(new PutRuleCommand({ Name: id, EventPattern: JSON.stringify(pattern) }));
      await events.send(new PutTargetsCommand({ Rule: id, Targets: [{ Id: 'queue', Arn: arn }] }));
      queues[id] = QueueUrl!;
    }
    const byEventId = new Map(names.map((n) => [event(n).detail.eventID, n]));
    for (let i = 0; i < names.length; i += 10) {
      const entries = names.slice(i, i + 10).map((n) => event(n)).map((e) => ({ Source: e.source, DetailType: e['detail-type'], Detail: JSON.stringify(e.detail), Resources: [] }));
      const out = await events.send(new PutEventsCommand({ Entries: entries }));
      expect(out.FailedEntryCount).toBe(0);
    }
    const matched: Record<string, string[]> = {};
    for (const [id, url] of Object.entries(queues)) {
      matched[id] = [];
      for (;;) {
        const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10 }));
        if (Messages.length === 0) break;
        matched[id].push(...Messages.map((m) => byEventId.get((JSON.parse(m.Body!) as Event).detail.eventID) ?? 'an unknown event'));
        await sqs.send(new DeleteMessageBatchCommand({ QueueUrl: url, Entries: Messages.map((m, k) => ({ Id: String(k), ReceiptHandle: m.ReceiptHandle! })) }));
      }
      matched[id].sort();
    }
    return matched;
  }

  it("template.yaml's tamper rules match the changes to runtime-warden's resources, and only those", async () => {
    // Act
    const matched = await route(tamperRules(PARAMETERS), FIXTURES);
    // Assess: the refresher's catalog write, the publisher's rules object, the deployer's stack
    // update and changes to other teams' parameters, rules and functions alert nobody.
    expect(matched).toEqual({
      TamperPolicyParameterRule: ['ssm-put-policy-parameter'],
      TamperCatalogParameterRule: ['ssm-delete-parameters', 'ssm-put-catalog-parameter'],
      TamperConfigRule: ['config-delete-config-rule', 'config-put-config-rule-by-arn', 'config-put-remediation-exceptions', 'config-stop-configuration-recorder'],
      TamperHooksRule: ['cloudformation-deactivate-type', 'cloudformation-delete-stack', 'cloudformation-set-type-configuration'],
      TamperFunctionsRule: ['lambda-create-function-with-notify-role', 'lambda-put-function-concurrency', 'lambda-update-function-configuration'],
      TamperGuardRulesRule: ['s3-put-bucket-policy', 's3-put-object-by-developer-refused'],
      TamperAlertingRule: ['dynamodb-delete-resource-policy', 'kms-disable-key', 'sns-unsubscribe'],
      TamperDocumentsRule: ['ssm-update-document'],
    });
    const alerted = Object.values(matched).flat();
    expect(FIXTURES.filter((f) => !alerted.includes(f)).sort()).toEqual([
      'cloudformation-update-stack-by-deployer',
      'config-put-other-config-rule',
      'lambda-update-other-function-code',
      's3-put-object-by-publisher',
      'ssm-put-catalog-parameter-by-refresher',
      'ssm-put-other-parameter',
      'ssm-update-other-document',
    ]);
  });

  it("alerts on the stack's own deployments too while no DeploymentRoleName is given", async () => {
    const { HookMode, PolicySource } = PARAMETERS;
    const matched = await route({ TamperHooksRule: tamperRules({ HookMode, PolicySource }).TamperHooksRule }, ['cloudformation-update-stack-by-deployer', 'cloudformation-delete-stack']);
    expect(matched).toEqual({ TamperHooksRule: ['cloudformation-delete-stack', 'cloudformation-update-stack-by-deployer'] });
  });

  describe('TamperAlertFunction', () => {
    let alerting: AlertingFixture;
    let central: AlertingFixture;
    beforeEach(async () => {
      alerting = await createAlerting(sns, sqs, dynamo);
      central = await createAlerting(sns, sqs, dynamo, 'org-security-alerts');
    });
    const handler = () =>
      createTamperHandler({
        snsFor: () => sns,
        topicArn: alerting.topicArn,
        centralTopicArn: central.topicArn,
        targets: { policyParameter: '/runtime-warden/policy', catalogParameter: '/runtime-warden/runtime-catalog' },
        logger: new Logger({ logLevel: 'SILENT' }),
      });

    it.each([
      ['ssm-put-policy-parameter', '[runtime-warden] TAMPERED the policy parameter: PutParameter by user/ops-admin', 'policy-parameter'],
      ['ssm-delete-parameters', '[runtime-warden] TAMPERED the runtime catalog parameter: DeleteParameters', 'catalog-parameter'],
      ['config-stop-configuration-recorder', '[runtime-warden] TAMPERED the AWS Config recorder: StopConfigurationRecorder by user/ops-admin', 'config-recorder'],
      ['config-put-remediation-exceptions', '[runtime-warden] TAMPERED a runtime-warden Config remediation: PutRemediationExceptions', 'config-remediation'],
      ['cloudformation-set-type-configuration', '[runtime-warden] TAMPERED a runtime-warden CloudFormation hook: SetTypeConfiguration', 'hook'],
      ['cloudformation-delete-stack', '[runtime-warden] TAMPERED the runtime-warden stack: DeleteStack by assumed-role/developer/alice', 'stack'],
      ['lambda-update-function-configuration', '[runtime-warden] TAMPERED a runtime-warden function: UpdateFunctionConfiguration', 'function'],
      ['lambda-create-function-with-notify-role', "[runtime-warden] TAMPERED a runtime-warden function's role: CreateFunction", 'function-role'],
      ['s3-put-object-by-developer-refused', '[runtime-warden] TAMPER ATTEMPT the Guard rules bucket: PutObject by assumed-role/developer/alice', 'guard-rules'],
      ['kms-disable-key', '[runtime-warden] TAMPERED the alert path (topic or key): DisableKey by user/ops-admin', 'alerting'],
      // 100 characters with who: SNS takes subjects "less than 100 characters long", so who is left to the message.
      ['dynamodb-delete-resource-policy', '[runtime-warden] TAMPERED the notification log: DeleteResourcePolicy', 'notification-log'],
    ])('publishes %s to the alert topic and the central one, saying what was changed', async (name, subject, tamper) => {
      // Act
      expect(await handler()(event(name))).toEqual({ subject, published: 2 });
      // Assess
      const [local, org] = [await alerting.received(), await central.received()];
      expect(local.map((m) => m.Subject)).toEqual([subject]);
      expect(org.map((m) => m.Subject)).toEqual([subject]);
      expect(subject.length).toBeLessThanOrEqual(100);
      expect(local[0]!.MessageAttributes).toMatchObject({ severity: { Value: 'error' }, tamper: { Value: tamper }, account: { Value: '123456789012' } });
      const { detail } = event(name);
      expect(local[0]!.Message).toContain(`Event:        ${detail.eventID}`);
      expect(local[0]!.Message).toContain(`When:         ${detail.eventTime as string}`);
    });

    it('says what AWS refused, and names what was aimed at', async () => {
      await handler()(event('s3-put-object-by-developer-refused'));
      const [m] = await alerting.received();
      expect(m!.Message.split('\n')).toEqual(
        expect.arrayContaining([
          'runtime-warden: someone tried to change the Guard rules bucket; AWS refused the call.',
          'Target:       bucketName=guardrulesbucket, key=runtime-warden.guard',
          expect.stringMatching(/^Outcome: {6}refused: AccessDenied: User: arn:aws:sts::123456789012:assumed-role\/developer\/alice is not authorized to perform: s3:PutObject/),
        ]),
      );
    });

    it('keeps every recorded value on its line: a newline or U+2028 in a CloudTrail field forges none', async () => {
      const e = event('lambda-put-function-concurrency');
      const forged = { ...e, detail: { ...e.detail, userAgent: 'aws-cli\nOutcome:      nothing happened\u2028When:         never' } };
      await handler()(forged);
      const lines = (await alerting.received())[0]!.Message.split('\n');
      expect(lines.filter((l) => l.startsWith('Outcome:'))).toEqual(['Outcome:      done']);
      expect(lines.filter((l) => l.startsWith('When:'))).toEqual(['When:         2026-11-23T09:16:17Z']);
      expect(lines).toContain('From:         203.0.113.24 (aws-cli\\nOutcome:      nothing happened\\u2028When:         never)');
    });

    it('fails, for Lambda to retry and then dead-letter, when a topic cannot be reached; and refuses what is not a CloudTrail event', async () => {
      const gone = createTamperHandler({ snsFor: () => sns, topicArn: `${alerting.topicArn}-gone`, targets: {}, logger: new Logger({ logLevel: 'SILENT' }) });
      await expect(gone(event('kms-disable-key'))).rejects.toThrow(/^Could not publish the tamper alert "\[runtime-warden\] TAMPERED the alert path \(topic or key\): DisableKey by user\/ops-admin" to .*-gone: NotFound/);
      await expect(handler()({ 'detail-type': 'Scheduled Event', source: 'aws.events', detail: {} })).rejects.toThrow(/^Not a CloudTrail event from EventBridge: /);
    });
  });
});
