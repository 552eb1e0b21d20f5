import { Logger } from '@aws-lambda-powertools/logger';
import {
  GetFunctionCommand,
  GetFunctionConfigurationCommand,
  GetRuntimeManagementConfigCommand,
  LambdaClient,
  ListAliasesCommand,
  ListEventSourceMappingsCommand,
  ListTagsCommand,
  ListVersionsByFunctionCommand,
  PutRuntimeManagementConfigCommand,
  TagResourceCommand,
  UntagResourceCommand,
} from '@aws-sdk/client-lambda';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { createHandler as createNotify } from '../../remediation/notify/handler.js';
import { createHandler as createSwitch, PREVIOUS_MODE_TAG } from '../../remediation/switch-mode/handler.js';
import { ROLLBACK_FROM_TAG, ROLLBACK_TAG } from '../../shared/remediation/rollback.js';
import { DEFAULT_POLICY, InvalidEventError, RemediationError } from '../../shared/index.js';
import { NOW } from '../helpers/fixtures.js';
import { notifyInputSchema, parseInput, switchModeInputSchema } from '../../shared/adapters/remediationInput.js';
import { quietUntil, type Claim } from '../../shared/io/notificationLog.js';
import { singleLine } from '../../shared/remediation/notification.js';

const lambda = new LambdaClient({ region: 'eu-west-1' });
const sns = new SNSClient({ region: 'eu-west-1' });
const lambdaMock = mockClient(lambda);
const snsMock = mockClient(sns);
const ARN = 'arn:aws:lambda:eu-west-1:123456789012:function:checkout';
const PIN = 'arn:aws:lambda:eu-west-1::runtime:0af1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f9';
const logger = new Logger({ serviceName: 'test', logLevel: 'SILENT' });
const context = { invokedFunctionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:runtime-warden-notify' };
const notFound = Object.assign(new Error('Function not found: checkout'), { name: 'ResourceNotFoundException' });
const denied = Object.assign(new Error('User is not authorized to perform: lambda:GetFunction'), { name: 'AccessDeniedException' });

function givenFunction(runtime: string, tags: Record<string, string>, mode: { UpdateRuntimeOn: string; RuntimeVersionArn?: string } = { UpdateRuntimeOn: 'Auto' }, lastModified = '2026-11-01T00:00:00.000+0000'): void {
  const configuration = { FunctionName: 'checkout', FunctionArn: ARN, Runtime: runtime as never, PackageType: 'Zip' as const, LastModified: lastModified, RuntimeVersionConfig: { RuntimeVersionArn: PIN } };
  lambdaMock.on(GetFunctionConfigurationCommand, { FunctionName: 'checkout' }).resolves(configuration);
  lambdaMock.on(GetFunctionCommand, { FunctionName: 'checkout' }).resolves({ Configuration: configuration, Tags: tags });
  lambdaMock.on(ListTagsCommand, { Resource: ARN }).resolves({ Tags: tags });
  lambdaMock.on(GetRuntimeManagementConfigCommand, { FunctionName: 'checkout' }).resolves(mode as never);
  lambdaMock.on(ListVersionsByFunctionCommand).resolves({ Versions: [] });
}

/** An in-memory notification log, like the DynamoDB one: one claim per key and quiet period, by calendar day. */
function memoryLog() {
  const claims = new Map<string, { sentAt: number; until: number }>();
  return {
    released: [] as string[],
    claim: async (key: string, now: number, minutes: number): Promise<Claim> => {
      const held = claims.get(key);
      if (held && held.until > now) return { granted: false, ...held };
      claims.set(key, { sentAt: now, until: quietUntil(Math.floor(now / 1000), minutes) * 1000 });
      return { granted: true };
    },
    async release(key: string) {
      claims.delete(key);
      this.released.push(key);
    },
  };
}

describe('notify remediation', () => {
  beforeEach(() => {
    lambdaMock.reset();
    snsMock.reset();
    snsMock.on(PublishCommand).resolves({ MessageId: 'm-1' });
  });

  const setup = (log = memoryLog()) => ({
    log,
    handler: createNotify({ lambda, snsFor: () => sns, log, topicArn: 'arn:aws:sns:eu-west-1:123456789012:runtime-warden-alerts', region: 'eu-west-1', defaultQuietPeriodMinutes: 1440, loadPolicy: () => Promise.resolve(DEFAULT_POLICY), now: () => NOW, logger }),
  });

  it('publishes one actionable alert for a critical nodejs16.x function, with filterable attributes', async () => {
    givenFunction('nodejs16.x', { 'runtime-warden:tier': 'critical', owner: 'team-payments' }, { UpdateRuntimeOn: 'FunctionUpdate' });
    const result = await setup().handler({ functionName: 'checkout' }, context);
    expect(result).toMatchObject({ functionName: 'checkout', compliance: 'NON_COMPLIANT', published: true, messageId: 'm-1' });
    const input = snsMock.commandCalls(PublishCommand)[0]!.args[0].input;
    expect(input.Subject).toBe('[runtime-warden] NON_COMPLIANT checkout: RW004 runtime-deprecated');
    expect(input.Subject!.length).toBeLessThanOrEqual(100);
    expect(input.Message!.split('\n')).toEqual(
      expect.arrayContaining([
        'Function:     checkout',
        'Account:      123456789012',
        'Region:       eu-west-1',
        'Runtime:      nodejs16.x',
        'Lifecycle:    deprecated; deprecation: 2024-06-12 (passed); function creation blocked: 2027-02-01 (70 days left); function update blocked: 2027-03-03 (100 days left)',
        'Tier:         critical (upgrade at least 180 days ahead; update modes allowed: Manual, FunctionUpdate)',
        'Owner:        team-payments',
        'Recommended:  upgrade to nodejs24.x',
        'Console:      https://eu-west-1.console.aws.amazon.com/lambda/home?region=eu-west-1#/functions/checkout',
      ]),
    );
    expect(input.MessageAttributes).toEqual({
      severity: { DataType: 'String', StringValue: 'error' },
      tier: { DataType: 'String', StringValue: 'critical' },
      runtime: { DataType: 'String', StringValue: 'nodejs16.x' },
      account: { DataType: 'String', StringValue: '123456789012' },
      function: { DataType: 'String', StringValue: 'checkout' },
    });
  });

  it('reads the function with one GetFunction when $LATEST breaks the policy: no call on the quota the account shares (#22.6)', async () => {
    givenFunction('nodejs16.x', { owner: 'team-payments' });
    await setup().handler({ functionName: 'checkout' }, context);
    expect(lambdaMock.calls().map((c) => c.args[0].constructor.name)).toEqual(['GetFunctionCommand']);
    expect(snsMock.commandCalls(PublishCommand)[0]!.args[0].input.Message).toContain('Update mode:  not read for this alert (UpdateModeRule judges it)');
  });

  it('reads the update mode, then the versions, only when $LATEST is fine on its configuration and tags', async () => {
    givenFunction('python3.13', { 'runtime-warden:tier': 'non-critical' }, { UpdateRuntimeOn: 'Manual', RuntimeVersionArn: PIN }, '2026-01-01T00:00:00.000+0000');
    expect(await setup().handler({ functionName: 'checkout' }, context)).toMatchObject({ published: true, subject: expect.stringContaining('RW008') });
    expect(lambdaMock.calls().map((c) => c.args[0].constructor.name)).toEqual(['GetFunctionCommand', 'GetRuntimeManagementConfigCommand']);
  });

  it('fails the step clearly when GetFunction could not read the tags, rather than judging without them', async () => {
    givenFunction('nodejs16.x', {});
    lambdaMock.on(GetFunctionCommand).resolves({ Configuration: { FunctionName: 'checkout', FunctionArn: ARN, Runtime: 'nodejs16.x' }, TagsError: { ErrorCode: 'AccessDeniedException', Message: 'not allowed: lambda:ListTags' } });
    await expect(setup().handler({ functionName: 'checkout' }, context)).rejects.toThrow(new RemediationError('Cannot read the tags of checkout: AccessDeniedException: not allowed: lambda:ListTags'));
    expect(snsMock.commandCalls(PublishCommand)).toHaveLength(0);
  });

  it('refuses the daily schedule when digests are off, rather than passing silently', async () => {
    const schedule = { 'detail-type': 'Scheduled Event', source: 'aws.events', detail: {} };
    await expect(setup().handler(schedule, context)).rejects.toThrow(new InvalidEventError('A scheduled digest event arrived, but digests are off (template parameter AlertDigest): nothing is recorded for a digest.'));
    const withoutLog = createNotify({ lambda, snsFor: () => sns, log: memoryLog(), topicArn: 't', region: 'eu-west-1', defaultQuietPeriodMinutes: 1440, digest: true, loadPolicy: () => Promise.resolve(DEFAULT_POLICY), now: () => NOW, logger });
    await expect(withoutLog(schedule, context)).rejects.toThrow('Digests are on, but the notification log given cannot record them.');
  });

  it('does not page twice within the quiet period, and pages again after it or when the findings change', async () => {
    givenFunction('nodejs16.x', {});
    const { handler, log } = setup();
    expect((await handler({ functionName: 'checkout' })).published).toBe(true);
    expect(await handler({ functionName: 'checkout' })).toMatchObject({ published: false, reason: 'An alert for the same findings went out at 2026-11-23T12:00:00Z; the next one may go out from 2026-11-24T00:00:00Z (quiet period 1440 minutes).' });
    givenFunction('python3.8', {});
    expect((await handler({ functionName: 'checkout' })).published).toBe(true);
    const later = createNotify({ lambda, snsFor: () => sns, log, topicArn: 't', region: 'eu-west-1', defaultQuietPeriodMinutes: 1440, loadPolicy: () => Promise.resolve(DEFAULT_POLICY), now: () => NOW + 25 * 3_600_000, logger });
    expect((await later({ functionName: 'checkout' })).published).toBe(true);
    expect(snsMock.commandCalls(PublishCommand)).toHaveLength(3);
  });

  it("takes the quiet period from the deployment, never from the caller (#20.4)", async () => {
    // Prepare: a caller asks for a year of silence
    givenFunction('nodejs16.x', {});
    const { handler, log } = setup();
    // Act
    expect((await handler({ functionName: 'checkout', quietPeriodMinutes: 525_600 })).published).toBe(true);
    const nextDay = createNotify({ lambda, snsFor: () => sns, log, topicArn: 'arn:aws:sns:eu-west-1:123456789012:runtime-warden-alerts', region: 'eu-west-1', defaultQuietPeriodMinutes: 1440, loadPolicy: () => Promise.resolve(DEFAULT_POLICY), now: () => NOW + 25 * 3_600_000, logger });
    // Assess: a day later (the deployment's 1440 minutes) the alert goes out again
    expect(await nextDay({ functionName: 'checkout', quietPeriodMinutes: 525_600 })).toMatchObject({ published: true });
    expect(snsMock.commandCalls(PublishCommand)).toHaveLength(2);
  });

  it('writes every value of the alert on its own line: a newline or U+2028 in a tag forges none (#20.4)', async () => {
    givenFunction('nodejs16.x', { owner: 'team-a\nRecommended:  nothing to do\u2028Severity: none\r\u0085\u202e' });
    await setup().handler({ functionName: 'checkout' }, context);
    const input = snsMock.commandCalls(PublishCommand)[0]!.args[0].input;
    const lines = input.Message!.split('\n');
    expect(lines.filter((l) => l.startsWith('Owner:'))).toEqual(['Owner:        team-a\\nRecommended:  nothing to do\\u2028Severity: none\\r\\u0085\\u202e']);
    expect(lines.filter((l) => l.startsWith('Recommended:'))).toEqual(['Recommended:  upgrade to nodejs22.x']);
    expect(input.Message).not.toMatch(/[\r\u2028\u2029\u0085\u202e]/);
  });

  it.each([
    ['a newline', 'a\nb', 'a\\nb'],
    ['a carriage return and a tab', 'a\r\tb', 'a\\r\\tb'],
    ['the line and paragraph separators', 'a\u2028b\u2029c', 'a\\u2028b\\u2029c'],
    ['a C1 next-line and a right-to-left override', 'a\u0085b\u202ec', 'a\\u0085b\\u202ec'],
    ['plain text, accents and emoji', 'équipe paiements 💳', 'équipe paiements 💳'],
  ])('puts %s on one line, visibly', (_, given, shown) => {
    expect(singleLine(given)).toBe(shown);
  });

  it('alerts on the version an alias serves when $LATEST is fine, naming the alias', async () => {
    givenFunction('nodejs22.x', {});
    lambdaMock.on(ListVersionsByFunctionCommand).resolves({ Versions: [{ FunctionName: 'checkout', FunctionArn: `${ARN}:3`, Version: '3', Runtime: 'nodejs16.x', PackageType: 'Zip' }] });
    lambdaMock.on(ListAliasesCommand).resolves({ Aliases: [{ Name: 'prod', FunctionVersion: '3' }] });
    expect(await setup().handler({ functionName: 'checkout' })).toMatchObject({ published: true, compliance: 'NON_COMPLIANT', subject: '[runtime-warden] NON_COMPLIANT checkout (alias prod -> version 3): RW004 runtime-deprecated' });
    const message = snsMock.commandCalls(PublishCommand)[0]!.args[0].input.Message!;
    expect(message).toContain('Serving:      version 3 (nodejs16.x, RW004): alias prod');
    expect(message).toContain('Runtime:      nodejs16.x');
  });

  it('alerts on a published version no alias serves but an event source mapping invokes, naming what runs it', async () => {
    givenFunction('nodejs22.x', {});
    lambdaMock.on(ListVersionsByFunctionCommand).resolves({ Versions: [{ FunctionName: 'checkout', FunctionArn: `${ARN}:1`, Version: '1', Runtime: 'nodejs16.x', PackageType: 'Zip' }] });
    lambdaMock.on(ListAliasesCommand).resolves({ Aliases: [] });
    lambdaMock.on(ListEventSourceMappingsCommand, { FunctionName: `${ARN}:1` }).resolves({ EventSourceMappings: [{ UUID: 'esm-1234' }] });
    expect(await setup().handler({ functionName: 'checkout' })).toMatchObject({ published: true, compliance: 'NON_COMPLIANT', subject: '[runtime-warden] NON_COMPLIANT checkout (version 1): RW004 runtime-deprecated' });
    const message = snsMock.commandCalls(PublishCommand)[0]!.args[0].input.Message!;
    expect(message).toMatch(/^Serving: {6}version 1 \(nodejs16\.x, RW004\): .*event source mapping esm-1234/m);
  });

  it('publishes nothing for a function that is compliant by now, and says so', async () => {
    givenFunction('nodejs22.x', {});
    expect(await setup().handler({ functionName: 'checkout' })).toMatchObject({ published: false, compliance: 'COMPLIANT', reason: expect.stringMatching(/^The function is compliant now: nothing to announce\./) });
    expect(snsMock.commandCalls(PublishCommand)).toHaveLength(0);
  });

  it('fails the step clearly when SNS refuses, and gives the claim back', async () => {
    givenFunction('nodejs16.x', {});
    snsMock.on(PublishCommand).rejects(Object.assign(new Error('User is not authorized to perform: kms:GenerateDataKey'), { name: 'KMSAccessDeniedException' }));
    const { handler, log } = setup();
    await expect(handler({ functionName: 'checkout' })).rejects.toThrow(
      new RemediationError('Could not publish the alert for checkout to arn:aws:sns:eu-west-1:123456789012:runtime-warden-alerts: KMSAccessDeniedException: User is not authorized to perform: kms:GenerateDataKey'),
    );
    expect(log.released).toHaveLength(1);
  });

  it.each([
    ['a function that no longer exists', notFound, 'Function checkout does not exist in account 123456789012, region eu-west-1: nothing to remediate.'],
    ['a missing permission', denied, 'Cannot read function checkout: AccessDeniedException: User is not authorized to perform: lambda:GetFunction'],
  ])('fails the step clearly for %s', async (_, error, message) => {
    lambdaMock.on(GetFunctionCommand).rejects(error);
    await expect(setup().handler({ functionName: 'checkout' }, context)).rejects.toThrow(new RemediationError(message));
    expect(snsMock.commandCalls(PublishCommand)).toHaveLength(0);
  });

  it.each([[{}], [{ functionName: '' }], [{ functionName: 'a b' }], [{ functionName: 'x', quietPeriodMinutes: -1 }], [null], ['checkout']])('rejects the input %j', async (input) => {
    await expect(setup().handler(input)).rejects.toThrow(InvalidEventError);
  });

  it.each([null, '', false, [], '0x10', '1e3', ' 5', 2.5, '-1', {}, 525_601])('refuses quietPeriodMinutes %j rather than coercing it (#10.15)', async (quietPeriodMinutes) => {
    await expect(setup().handler({ functionName: 'checkout', quietPeriodMinutes })).rejects.toThrow(/Invalid notify input: quietPeriodMinutes: /);
    expect(lambdaMock.calls()).toHaveLength(0);
  });

  it.each([
    [0, 0],
    ['0', 0],
    ['90', 90],
    [1440, 1440],
  ])('takes quietPeriodMinutes %j as %d minutes', (given, minutes) => {
    expect(parseInput(notifyInputSchema, { functionName: 'checkout', quietPeriodMinutes: given }, 'notify').quietPeriodMinutes).toBe(minutes);
  });
});

describe('remediation inputs name a function, never a version of it (#10.14)', () => {
  it.each(['checkout', 'arn:aws:lambda:eu-west-1:123456789012:function:checkout', '123456789012:function:checkout', 'arn:aws-us-gov:lambda:us-gov-west-1:123456789012:function:my.fn_1'])('takes %s', (functionName) => {
    expect(parseInput(switchModeInputSchema, { functionName }, 'switch-mode').functionName).toBe(functionName);
  });

  it.each([
    ['arn:aws:lambda:eu-west-1:123456789012:function:checkout:3', 'version or alias 3 of checkout'],
    ['checkout:prod', 'version or alias prod of checkout'],
    ['123456789012:function:checkout:$LATEST', '$LATEST of checkout'],
  ])('refuses %s, before reading anything', async (functionName, what) => {
    lambdaMock.reset();
    const handler = createSwitch({ lambda, region: 'eu-west-1', loadPolicy: () => Promise.resolve(DEFAULT_POLICY), now: () => NOW, logger });
    await expect(handler({ functionName })).rejects.toThrow(`Invalid switch-mode input: functionName: names ${what}: give the function's name or unqualified ARN`);
    expect(() => parseInput(notifyInputSchema, { functionName }, 'notify')).toThrow(InvalidEventError);
    expect(lambdaMock.calls()).toHaveLength(0);
  });
});

describe('switch-mode remediation', () => {
  beforeEach(() => {
    lambdaMock.reset();
    lambdaMock.on(TagResourceCommand).resolves({});
    lambdaMock.on(UntagResourceCommand).resolves({});
    lambdaMock.on(PutRuntimeManagementConfigCommand).resolves({});
  });
  const handler = createSwitch({ lambda, region: 'eu-west-1', loadPolicy: () => Promise.resolve(DEFAULT_POLICY), now: () => NOW, logger });
  const oldPin = { UpdateRuntimeOn: 'Manual', RuntimeVersionArn: PIN };

  it('sets a Manual pin older than the policy allows back to Auto, recording the previous ARN', async () => {
    givenFunction('python3.13', { 'runtime-warden:tier': 'important' }, oldPin, '2026-09-01T00:00:00.000+0000');
    const result = await handler({ functionName: 'checkout' });
    expect(result).toMatchObject({ action: 'changed', previous: { UpdateRuntimeOn: 'Manual', RuntimeVersionArn: PIN }, applied: { UpdateRuntimeOn: 'Auto' }, ruleId: 'RW008' });
    expect(lambdaMock.commandCalls(PutRuntimeManagementConfigCommand).map((c) => c.args[0].input)).toEqual([{ FunctionName: 'checkout', UpdateRuntimeOn: 'Auto' }]);
    expect(lambdaMock.commandCalls(TagResourceCommand)[0]!.args[0].input).toEqual({ Resource: ARN, Tags: { [PREVIOUS_MODE_TAG]: `Manual ${PIN} 2026-11-23T12:00:00.000Z` } });
    // Versions matter to alerts, not to the update mode of $LATEST.
    expect(lambdaMock.commandCalls(ListVersionsByFunctionCommand)).toHaveLength(0);
  });

  it("removes a rollback's tags with the pin it moves off, and no other tag", async () => {
    givenFunction('python3.13', { 'runtime-warden:tier': 'important', [ROLLBACK_TAG]: '2026-09-01T00:00:00Z by alice: broke', [ROLLBACK_FROM_TAG]: PIN, owner: 'team-a' }, oldPin, '2026-09-01T00:00:00.000+0000');
    expect(await handler({ functionName: 'checkout' })).toMatchObject({ action: 'changed', applied: { UpdateRuntimeOn: 'Auto' } });
    expect(lambdaMock.commandCalls(UntagResourceCommand).map((c) => c.args[0].input)).toEqual([{ Resource: ARN, TagKeys: [ROLLBACK_TAG, ROLLBACK_FROM_TAG] }]);
    // Without rollback tags, nothing is untagged.
    lambdaMock.resetHistory();
    givenFunction('python3.13', { 'runtime-warden:tier': 'important' }, oldPin, '2026-09-01T00:00:00.000+0000');
    await handler({ functionName: 'checkout' });
    expect(lambdaMock.commandCalls(UntagResourceCommand)).toHaveLength(0);
  });

  it('changes nothing in a dry run', async () => {
    givenFunction('python3.13', {}, oldPin, '2026-09-01T00:00:00.000+0000');
    expect(await handler({ functionName: 'checkout', dryRun: 'true' })).toMatchObject({ action: 'dry-run', applied: { UpdateRuntimeOn: 'Auto' } });
    expect(lambdaMock.commandCalls(PutRuntimeManagementConfigCommand)).toHaveLength(0);
    expect(lambdaMock.commandCalls(TagResourceCommand)).toHaveLength(0);
  });

  it('changes nothing when the mode is already right', async () => {
    givenFunction('python3.13', {});
    expect(await handler({ functionName: 'checkout' })).toMatchObject({ action: 'unchanged', previous: { UpdateRuntimeOn: 'Auto' } });
    expect(lambdaMock.commandCalls(PutRuntimeManagementConfigCommand)).toHaveLength(0);
  });

  it("moves a stale FunctionUpdate function of the important tier to Auto, and a forbidden mode to the tier's preferred one", async () => {
    givenFunction('python3.13', { 'runtime-warden:tier': 'important' }, { UpdateRuntimeOn: 'FunctionUpdate' }, '2026-06-01T00:00:00.000+0000');
    expect(await handler({ functionName: 'checkout' })).toMatchObject({ action: 'changed', applied: { UpdateRuntimeOn: 'Auto' }, ruleId: 'RW011' });
    givenFunction('python3.13', { 'runtime-warden:tier': 'critical' });
    expect(await handler({ functionName: 'checkout', allowCritical: true })).toMatchObject({ action: 'changed', applied: { UpdateRuntimeOn: 'FunctionUpdate' }, ruleId: 'RW008' });
  });

  it('refuses to touch a critical-tier function unless the input allows it', async () => {
    givenFunction('python3.13', { 'runtime-warden:tier': 'critical' });
    expect(await handler({ functionName: 'checkout' })).toMatchObject({ action: 'refused', reason: expect.stringMatching(/^checkout is in the critical tier: set AllowCritical to true to switch it from Auto to FunctionUpdate\./) });
    expect(lambdaMock.commandCalls(PutRuntimeManagementConfigCommand)).toHaveLength(0);
  });

  it('leaves a waived finding alone', async () => {
    givenFunction('python3.13', { 'runtime-warden:waiver': '2026-12-01 rollback under investigation' }, oldPin, '2026-09-01T00:00:00.000+0000');
    expect(await handler({ functionName: 'checkout' })).toMatchObject({ action: 'unchanged' });
  });

  it('pins to the runtime version in use when a mode Manual is asked for', async () => {
    givenFunction('python3.13', { 'runtime-warden:tier': 'critical' }, { UpdateRuntimeOn: 'FunctionUpdate' });
    expect(await handler({ functionName: 'checkout', mode: 'Manual', allowCritical: 'true' })).toMatchObject({ action: 'changed', applied: { UpdateRuntimeOn: 'Manual', RuntimeVersionArn: PIN } });
  });

  it('rejects a mode the tier does not allow, or that does not exist', async () => {
    givenFunction('python3.13', {});
    await expect(handler({ functionName: 'checkout', mode: 'Manual' })).rejects.toThrow('Mode Manual is not allowed for the non-critical tier of checkout (allowed: Auto).');
    await expect(handler({ functionName: 'checkout', mode: 'Sometimes' })).rejects.toThrow(/^Invalid switch-mode input: mode: /);
  });

  it('puts the record tag back when Lambda refuses the change: nothing half-applied', async () => {
    givenFunction('python3.13', { [PREVIOUS_MODE_TAG]: 'FunctionUpdate 2026-01-01T00:00:00.000Z' }, oldPin, '2026-09-01T00:00:00.000+0000');
    lambdaMock.on(PutRuntimeManagementConfigCommand).rejects(Object.assign(new Error('not authorized to perform: lambda:PutRuntimeManagementConfig'), { name: 'AccessDeniedException' }));
    await expect(handler({ functionName: 'checkout' })).rejects.toThrow('Could not switch checkout to Auto: AccessDeniedException: not authorized to perform: lambda:PutRuntimeManagementConfig');
    expect(lambdaMock.commandCalls(TagResourceCommand).map((c) => c.args[0].input.Tags)).toEqual([
      { [PREVIOUS_MODE_TAG]: `Manual ${PIN} 2026-11-23T12:00:00.000Z` },
      { [PREVIOUS_MODE_TAG]: 'FunctionUpdate 2026-01-01T00:00:00.000Z' },
    ]);
  });

  it('removes a fresh record tag when Lambda refuses the change', async () => {
    givenFunction('python3.13', {}, oldPin, '2026-09-01T00:00:00.000+0000');
    lambdaMock.on(PutRuntimeManagementConfigCommand).rejects(Object.assign(new Error('bad'), { name: 'InvalidParameterValueException' }));
    await expect(handler({ functionName: 'checkout' })).rejects.toThrow(RemediationError);
    expect(lambdaMock.commandCalls(UntagResourceCommand)[0]!.args[0].input).toEqual({ Resource: ARN, TagKeys: [PREVIOUS_MODE_TAG] });
  });

  it('fails the step clearly for a function that no longer exists, or when the mode cannot be read', async () => {
    lambdaMock.on(GetFunctionConfigurationCommand).rejects(notFound);
    await expect(handler({ functionName: 'checkout' }, { invokedFunctionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:sm' })).rejects.toThrow(
      'Function checkout does not exist in account 123456789012, region eu-west-1: nothing to remediate.',
    );
    givenFunction('python3.13', {});
    lambdaMock.on(GetRuntimeManagementConfigCommand).rejects(Object.assign(new SyntaxError('Unexpected token <'), { $metadata: { httpStatusCode: 404 } }));
    await expect(handler({ functionName: 'checkout' })).rejects.toThrow(/^Cannot read the runtime update mode of checkout: GetRuntimeManagementConfig is not available/);
  });
});
