import { Logger } from '@aws-lambda-powertools/logger';
import { CloudWatchClient, GetMetricDataCommand, type GetMetricDataCommandInput } from '@aws-sdk/client-cloudwatch';
import {
  ConfigServiceClient,
  GetComplianceDetailsByConfigRuleCommand,
  GetResourceConfigHistoryCommand,
  PutEvaluationsCommand,
  SelectResourceConfigCommand,
  type Evaluation,
} from '@aws-sdk/client-config-service';
import {
  GetFunctionCommand,
  GetLayerVersionCommand,
  GetPolicyCommand,
  GetRuntimeManagementConfigCommand,
  LambdaClient,
  ListAliasesCommand,
  ListEventSourceMappingsCommand,
  ListFunctionsCommand,
  ListTagsCommand,
  ListVersionsByFunctionCommand,
  type FunctionConfiguration,
} from '@aws-sdk/client-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { createHandler, type ConfigRuleDependencies } from '../../config-rules/runtime-compliance/handler.js';
import { FUNCTION_INVENTORY_QUERY } from '../../shared/io/configInventory.js';
import { MemoryFunctionState, versionsState } from '../../shared/io/functionState.js';
import { DEFAULT_POLICY, PolicyValidationError } from '../../shared/index.js';
import { configEvent, loadEvent, NOW } from '../helpers/fixtures.js';

const lambda = new LambdaClient({ region: 'eu-west-1' });
const config = new ConfigServiceClient({ region: 'eu-west-1' });
const cloudWatch = new CloudWatchClient({ region: 'eu-west-1' });
const lambdaMock = mockClient(lambda);
const configMock = mockClient(config);
const cloudWatchMock = mockClient(cloudWatch);
const ARN = 'arn:aws:lambda:eu-west-1:123456789012:function:';

function setup(overrides: Partial<ConfigRuleDependencies> = {}) {
  const logger = new Logger({ serviceName: 'test', logLevel: 'SILENT' });
  const warn = vi.spyOn(logger, 'warn');
  const error = vi.spyOn(logger, 'error');
  const handler = createHandler({
    lambda,
    config,
    cloudWatch,
    policyLoader: () => () => Promise.resolve(DEFAULT_POLICY),
    now: () => NOW,
    logger,
    deadlineReserveMs: 1_000,
    concurrency: 4,
    ...overrides,
  });
  return { handler, warn, error };
}

const sent = (): Evaluation[][] => configMock.commandCalls(PutEvaluationsCommand).map((c) => c.args[0].input.Evaluations ?? []);

function fn(name: string, runtime: string | undefined, extra: Partial<FunctionConfiguration> = {}): FunctionConfiguration {
  return { FunctionName: name, FunctionArn: `${ARN}${name}`, Runtime: runtime as FunctionConfiguration['Runtime'], PackageType: runtime ? 'Zip' : 'Image', Version: '$LATEST', LastModified: '2026-10-01T00:00:00.000+0000', ...extra };
}

describe('config rule: change-triggered', () => {
  beforeEach(() => {
    lambdaMock.reset();
    configMock.reset();
    configMock.on(PutEvaluationsCommand).resolves({ FailedEvaluations: [] });
    lambdaMock.on(GetRuntimeManagementConfigCommand).resolves({ UpdateRuntimeOn: 'Auto' });
    lambdaMock.on(ListVersionsByFunctionCommand).resolves({ Versions: [] });
    // The recorded item's layer (common-utils:12) declares every python the verdicts name: no layer note.
    lambdaMock.on(GetLayerVersionCommand).resolves({ CompatibleRuntimes: ['python3.8', 'python3.11', 'python3.12', 'python3.13', 'python3.14'] });
  });

  it('reports one NON_COMPLIANT evaluation for a python3.8 function, naming the runtime and its deprecation date', async () => {
    const { handler } = setup();
    const result = await handler(loadEvent('config', 'change-python38'));
    expect(result).toEqual([
      {
        ComplianceResourceType: 'AWS::Lambda::Function',
        ComplianceResourceId: 'orders-ingest',
        ComplianceType: 'NON_COMPLIANT',
        Annotation: expect.stringMatching(/^RW004 python3\.8 is deprecated since 2024-10-14/),
        OrderingTimestamp: new Date('2026-11-20T16:42:05.112Z'),
      },
    ]);
    expect(result[0]!.Annotation.length).toBeLessThanOrEqual(256);
    expect(sent()).toEqual([result]);
    expect(configMock.commandCalls(PutEvaluationsCommand)[0]!.args[0].input).toMatchObject({ ResultToken: 'eyJlbmNyeXB0ZWREYXRhIjpbMTIsLTU1LDEwMV19' });
    expect(configMock.commandCalls(PutEvaluationsCommand)[0]!.args[0].input.TestMode).toBeUndefined();
  });

  it('fetches an oversized item and reaches the same verdict', async () => {
    const item = JSON.parse(loadEvent<{ invokingEvent: string }>('config', 'change-python38').invokingEvent).configurationItem;
    // The history API returns configuration as a JSON string and the capture time as a Date.
    configMock
      .on(GetResourceConfigHistoryCommand, { resourceType: 'AWS::Lambda::Function', resourceId: 'orders-ingest', limit: 1 })
      .resolves({ configurationItems: [{ ...item, configuration: JSON.stringify(item.configuration), configurationItemCaptureTime: new Date(item.configurationItemCaptureTime), arn: item.ARN }] });
    const { handler } = setup();
    const [oversized] = await handler(loadEvent('config', 'oversized-python38'));
    const [direct] = await setup().handler(loadEvent('config', 'change-python38'));
    expect(oversized).toEqual(direct);
    expect(configMock.commandCalls(GetResourceConfigHistoryCommand)).toHaveLength(1);
  });

  /** The change-python38 event with its configuration item replaced in part. */
  function withItem(change: (item: Record<string, unknown>) => void): unknown {
    const event = loadEvent<{ invokingEvent: string }>('config', 'change-python38');
    const inv = JSON.parse(event.invokingEvent) as { configurationItem: Record<string, unknown> };
    change(inv.configurationItem);
    return { ...event, invokingEvent: JSON.stringify(inv) };
  }
  const WAIVED = { 'runtime-warden:waiver': '2026-12-15 migration under way', owner: 'team-orders' };

  it.each([
    ['null', null, /has no readable configuration \(none\)/],
    ['a JSON array', [{ runtime: 'python3.8' }], /configurationItem\.configuration: Invalid input/],
    ['the string "null"', 'null', /has no readable configuration \(none\)/],
    ['a numeric runtime', { functionName: 'orders-ingest', runtime: 16 }, /configuration\.runtime must be a string, not 16/],
  ])('gives no verdict on an item whose configuration is %s, even behind a valid waiver tag (#10.11)', async (_, configuration, message) => {
    const { handler, error } = setup();
    await expect(handler(withItem((item) => Object.assign(item, { configuration, tags: WAIVED })))).rejects.toThrow(message);
    expect(sent()).toEqual([]);
    expect(error).toHaveBeenCalled();
  });

  it.each([
    ['configuration "null"', { configuration: 'null' }, /has no readable configuration/],
    ['a numeric arn', { arn: 12 }, /arn: Invalid input/],
    ['a tag value that is not a string', { tags: { owner: { team: 'x' } } }, /tags\.owner: Invalid input/],
    ['an empty resource id', { resourceId: '' }, /resourceId: Too small/],
    ['a resource id longer than Config takes', { resourceId: 'f'.repeat(769) }, /resourceId: Too big/],
  ])('refuses a fetched oversized item with %s before anything reaches PutEvaluations (#10.13)', async (_, change, message) => {
    const item = JSON.parse(loadEvent<{ invokingEvent: string }>('config', 'change-python38').invokingEvent).configurationItem;
    configMock.on(GetResourceConfigHistoryCommand).resolves({ configurationItems: [{ ...item, configuration: JSON.stringify(item.configuration), ...change }] });
    await expect(setup().handler(loadEvent('config', 'oversized-python38'))).rejects.toThrow(message);
    expect(sent()).toEqual([]);
  });

  it('refuses a notification whose resource id is longer than Config takes (#10.13)', async () => {
    await expect(setup().handler(withItem((item) => (item.resourceId = 'f'.repeat(769))))).rejects.toThrow(/resourceId: Too big/);
    expect(sent()).toEqual([]);
  });

  it.each([GetRuntimeManagementConfigCommand, ListVersionsByFunctionCommand])('answers NOT_APPLICABLE, as the periodic path does, when %s finds the function deleted (#10.12)', async (command) => {
    lambdaMock.on(command as typeof ListVersionsByFunctionCommand).rejects(Object.assign(new Error('Function not found: orders-ingest'), { name: 'ResourceNotFoundException', $metadata: { httpStatusCode: 404 } }));
    const [e] = await setup().handler(loadEvent('config', 'change-python38'));
    expect(e).toMatchObject({ ComplianceResourceId: 'orders-ingest', ComplianceType: 'NOT_APPLICABLE', Annotation: 'The function was deleted during evaluation.' });
  });

  it('answers NOT_APPLICABLE when the oversized item has no history', async () => {
    configMock.on(GetResourceConfigHistoryCommand).resolves({ configurationItems: [] });
    const [e] = await setup().handler(loadEvent('config', 'oversized-python38'));
    expect(e).toMatchObject({ ComplianceResourceId: 'orders-ingest', ComplianceType: 'NOT_APPLICABLE' });
  });

  it.each([
    ['a deleted function', loadEvent('config', 'deleted'), 'The function has been deleted.'],
    ['a function not recorded', configEvent('change-python38', { item: { configurationItemStatus: 'ResourceNotRecorded' } }), 'The function is not recorded by AWS Config.'],
    ['a function that left the scope', configEvent('change-python38', { fields: { eventLeftScope: true } }), 'The function left the scope of this rule.'],
    ['a container image', loadEvent('config', 'change-image'), 'Container image function: its runtime is inside the image, out of reach of the runtime policy.'],
  ])('answers NOT_APPLICABLE for %s', async (_, event, annotation) => {
    const [e] = await setup().handler(event);
    expect(e).toMatchObject({ ComplianceResourceId: 'orders-ingest', ComplianceType: 'NOT_APPLICABLE', Annotation: annotation });
  });

  it('reads the update mode and judges it: Manual without a version ARN', async () => {
    lambdaMock.on(GetRuntimeManagementConfigCommand, { FunctionName: 'orders-ingest' }).resolves({ UpdateRuntimeOn: 'Manual' });
    const [e] = await setup().handler(configEvent('change-python38', { configuration: { runtime: 'python3.13' }, item: { tags: { 'runtime-warden:tier': 'critical' } } }));
    expect(e).toMatchObject({ ComplianceType: 'NON_COMPLIANT', Annotation: expect.stringMatching(/^RW009 UpdateRuntimeOn is Manual but no RuntimeVersionArn/) });
  });

  it('skips update-mode rules when the parameter says so, without calling the API', async () => {
    const [e] = await setup().handler(configEvent('change-python38', { configuration: { runtime: 'python3.13' }, parameters: { checkUpdateMode: 'false' } }));
    expect(e).toMatchObject({ ComplianceType: 'COMPLIANT' });
    expect(lambdaMock.commandCalls(GetRuntimeManagementConfigCommand)).toHaveLength(0);
  });

  it('carries on without update modes when the endpoint lacks the API, saying so once', async () => {
    lambdaMock.on(GetRuntimeManagementConfigCommand).rejects(Object.assign(new SyntaxError('Unexpected token <'), { $metadata: { httpStatusCode: 404 } }));
    const { handler, warn } = setup();
    const [e] = await handler(configEvent('change-python38', { configuration: { runtime: 'python3.13' } }));
    expect(e).toMatchObject({ ComplianceType: 'COMPLIANT' });
    expect(warn).toHaveBeenCalledWith('update-mode rules skipped', { reason: expect.stringContaining('GetRuntimeManagementConfig is not available at this endpoint') });
  });

  it('in update-mode scope, is NON_COMPLIANT exactly when the mode must change, whatever the runtime', async () => {
    const critical = { item: { tags: { 'runtime-warden:tier': 'critical' } }, parameters: { scope: 'update-mode' } };
    const [auto] = await setup().handler(configEvent('change-python38', critical));
    expect(auto).toMatchObject({ ComplianceType: 'NON_COMPLIANT', Annotation: expect.stringMatching(/^RW008 switch Auto -> FunctionUpdate: /) });
    lambdaMock.on(GetRuntimeManagementConfigCommand).resolves({ UpdateRuntimeOn: 'FunctionUpdate' });
    const [right] = await setup().handler(configEvent('change-python38', critical));
    expect(right).toMatchObject({ ComplianceType: 'COMPLIANT', Annotation: 'Update mode FunctionUpdate is what the policy asks for.' });
    expect(lambdaMock.commandCalls(ListVersionsByFunctionCommand)).toHaveLength(0);
  });

  it('reads the update mode once for the two rules a change reaches, and again for a change captured after that read', async () => {
    // Prepare: both rules share the function's state; the change was captured before NOW
    const state = new MemoryFunctionState();
    const critical = { tags: { 'runtime-warden:tier': 'critical' } };
    // Act: the compliance rule, then the update-mode rule, on the same change
    const [runtime] = await setup({ state }).handler(configEvent('change-python38', { item: critical }));
    const [mode] = await setup({ state }).handler(configEvent('change-python38', { item: critical, parameters: { scope: 'update-mode' } }));
    // Assess: one read, and the second rule judged the mode the first read
    expect(lambdaMock.commandCalls(GetRuntimeManagementConfigCommand)).toHaveLength(1);
    expect(runtime).toMatchObject({ ComplianceType: 'NON_COMPLIANT' });
    expect(mode).toMatchObject({ ComplianceType: 'NON_COMPLIANT', Annotation: expect.stringMatching(/^RW008 switch Auto -> FunctionUpdate: /) });
    // A later change (captured after the stored read) is read again, and judged by what is read now.
    lambdaMock.on(GetRuntimeManagementConfigCommand).resolves({ UpdateRuntimeOn: 'FunctionUpdate' });
    const later = { item: { ...critical, configurationItemCaptureTime: new Date(NOW + 60_000).toISOString() }, parameters: { scope: 'update-mode' } };
    const [after] = await setup({ state, now: () => NOW + 120_000 }).handler(configEvent('change-python38', later));
    expect(lambdaMock.commandCalls(GetRuntimeManagementConfigCommand)).toHaveLength(2);
    expect(after).toMatchObject({ ComplianceType: 'COMPLIANT' });
  });

  it('in update-mode scope, is NOT_APPLICABLE when the mode cannot be read', async () => {
    lambdaMock.on(GetRuntimeManagementConfigCommand).rejects(Object.assign(new SyntaxError('Unexpected token <'), { $metadata: { httpStatusCode: 404 } }));
    const [e] = await setup().handler(configEvent('change-python38', { parameters: { scope: 'update-mode', checkUpdateMode: 'false' } }));
    expect(e).toMatchObject({ ComplianceType: 'NOT_APPLICABLE', Annotation: 'The runtime update mode could not be read.' });
  });

  it('applies approvedRuntimes from the rule parameters', async () => {
    const [e] = await setup().handler(configEvent('change-python38', { configuration: { runtime: 'python3.13' }, parameters: { approvedRuntimes: 'python3.12, python3.14' } }));
    expect(e).toMatchObject({ ComplianceType: 'NON_COMPLIANT', Annotation: 'RW003 python3.13 is not on the approved runtime list. Upgrade to python3.14.' });
  });

  it('asks AWS to check but store nothing with the TESTMODE token, and still returns the evaluations', async () => {
    const result = await setup().handler(configEvent('change-python38', { fields: { resultToken: 'TESTMODE' } }));
    expect(result).toHaveLength(1);
    expect(configMock.commandCalls(PutEvaluationsCommand)[0]!.args[0].input).toMatchObject({ ResultToken: 'TESTMODE', TestMode: true });
  });

  it.each([
    ['an unknown parameter', { approvedRuntime: 'python3.13' }, /^Invalid rule parameters: \(value\): Unrecognized key: "approvedRuntime"/],
    ['a malformed runtime list', { approvedRuntimes: 'Python 3.13' }, /approvedRuntimes\.0: must be a Lambda runtime identifier/],
    ['a bad boolean', { checkUpdateMode: 'yes' }, /^Invalid rule parameters: checkUpdateMode: /],
  ])('fails loudly on %s, reporting nothing', async (_, parameters, message) => {
    const { handler, error } = setup();
    const err = await handler(configEvent('change-python38', { parameters })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PolicyValidationError);
    expect((err as Error).message).toMatch(message);
    expect(error).toHaveBeenCalledWith('config rule cannot run: nothing was evaluated', expect.anything());
    expect(configMock.commandCalls(PutEvaluationsCommand)).toHaveLength(0);
  });

  it('fails loudly on an event that is not a Config rule event', async () => {
    await expect(setup().handler({ hello: 'world' })).rejects.toThrow(/^Not an AWS Config rule event: /);
    await expect(setup().handler({ ...loadEvent<object>('config', 'scheduled'), invokingEvent: '{oops' })).rejects.toThrow(/^invokingEvent is not valid JSON/);
    await expect(setup().handler({ ...loadEvent<object>('config', 'scheduled'), invokingEvent: '{"messageType":"Nope"}' })).rejects.toThrow(/^Unsupported invokingEvent: /);
  });

  it('fails loudly when the policy cannot be loaded', async () => {
    const { handler } = setup({ policyLoader: () => () => Promise.reject(new Error('SSM down')) });
    await expect(handler(loadEvent('config', 'change-python38'))).rejects.toThrow('SSM down');
    expect(configMock.commandCalls(PutEvaluationsCommand)).toHaveLength(0);
  });
});

/**
 * Lambda's answers for these configurations: ListFunctions lists each `$LATEST` (the pass lists
 * from Lambda when Config's inventory answers nothing), ListVersionsByFunction each function's
 * published versions (read for a function without state).
 */
function listed(configurations: readonly FunctionConfiguration[]): void {
  lambdaMock.on(ListFunctionsCommand).resolves({ Functions: configurations.filter((f) => (f.Version ?? '$LATEST') === '$LATEST') });
  for (const name of new Set(configurations.map((f) => f.FunctionName!))) {
    lambdaMock.on(ListVersionsByFunctionCommand, { FunctionName: name }).resolves({ Versions: configurations.filter((f) => f.FunctionName === name && (f.Version ?? '$LATEST') !== '$LATEST') });
  }
}

describe('config rule: periodic', () => {
  beforeEach(() => {
    lambdaMock.reset();
    configMock.reset();
    configMock.on(PutEvaluationsCommand).resolves({ FailedEvaluations: [] });
    configMock.on(GetComplianceDetailsByConfigRuleCommand).resolves({ EvaluationResults: [] });
    configMock.on(SelectResourceConfigCommand).resolves({ Results: [] }); // no records: every function's tags from ListTags
    lambdaMock.on(ListTagsCommand).resolves({ Tags: {} });
    lambdaMock.on(GetRuntimeManagementConfigCommand).resolves({ UpdateRuntimeOn: 'Auto' });
    lambdaMock.on(ListVersionsByFunctionCommand).resolves({ Versions: [] });
  });

  function fleet(n: number): FunctionConfiguration[] {
    return Array.from({ length: n }, (_, i) => fn(`fn-${String(i).padStart(4, '0')}`, i % 3 === 0 ? 'nodejs16.x' : 'nodejs22.x'));
  }

  it('reports every function, in batches of at most 100', async () => {
    listed(fleet(250));
    const result = await setup().handler(loadEvent('config', 'scheduled'));
    expect(result).toHaveLength(250);
    expect(sent().map((b) => b.length)).toEqual([100, 100, 50]);
    expect(result.filter((e) => e.ComplianceType === 'NON_COMPLIANT')).toHaveLength(84);
    expect(new Set(result.map((e) => e.ComplianceResourceId)).size).toBe(250);
  });

  it('retries only the evaluations that come back failed', async () => {
    listed(fleet(3));
    configMock
      .on(PutEvaluationsCommand)
      .resolvesOnce({ FailedEvaluations: [{ ComplianceResourceType: 'AWS::Lambda::Function', ComplianceResourceId: 'fn-0001', ComplianceType: 'COMPLIANT', OrderingTimestamp: new Date() }] })
      .resolves({ FailedEvaluations: [] });
    const result = await setup().handler(loadEvent('config', 'scheduled'));
    expect(result.map((e) => e.ComplianceResourceId).sort()).toEqual(['fn-0000', 'fn-0001', 'fn-0002']);
    expect(sent().map((b) => b.map((e) => e.ComplianceResourceId))).toEqual([['fn-0000', 'fn-0001', 'fn-0002'], ['fn-0001']]);
  });

  it('fails loudly, after reporting the rest, when PutEvaluations keeps refusing an evaluation', async () => {
    listed(fleet(3));
    configMock.on(PutEvaluationsCommand).callsFake((input: { Evaluations: Evaluation[] }) => ({
      FailedEvaluations: input.Evaluations.filter((e) => e.ComplianceResourceId === 'fn-0002'),
    }));
    await expect(setup().handler(loadEvent('config', 'scheduled'))).rejects.toThrow('Config rule run incomplete: 1 evaluations refused by PutEvaluations: fn-0002');
    expect(sent().flat().filter((e) => e.ComplianceResourceId === 'fn-0000')).toHaveLength(1);
  }, 30_000);

  /** Config's answer rows for these functions, in the shape FUNCTION_INVENTORY_QUERY selects. */
  const recorded = (fns: readonly FunctionConfiguration[], tags: (name: string) => Record<string, string> = () => ({})): string[] =>
    fns.map((f) =>
      JSON.stringify({
        resourceName: f.FunctionName,
        configuration: { functionArn: f.FunctionArn, runtime: f.Runtime, packageType: f.PackageType, lastModified: f.LastModified, ...(f.Layers && { layers: f.Layers.map((l) => ({ arn: l.Arn, codeSize: l.CodeSize })) }) },
        tags: Object.entries(tags(f.FunctionName!)).map(([key, value]) => ({ key, value })),
      }),
    );

  it("judges every function from Config's inventory, 100 a call, with no Lambda listing, and fails loudly naming a row it cannot read", async () => {
    // Prepare: 250 functions in Config's inventory, one row malformed; fn-0003 is waived by tag
    const functions = fleet(250);
    listed(functions);
    const WAIVER = { 'runtime-warden:waiver': '2026-12-31 migration booked' };
    const rows = recorded(functions, (name): Record<string, string> => (name === 'fn-0003' ? WAIVER : { owner: 'team-a' }));
    lambdaMock.on(GetFunctionCommand, { FunctionName: 'fn-0003' }).resolves({ Tags: WAIVER });
    rows[7] = JSON.stringify({ resourceName: 'fn-0007', tags: 'owner=team-a' });
    configMock
      .on(SelectResourceConfigCommand)
      .resolvesOnce({ Results: rows.slice(0, 100), NextToken: 'p2' })
      .resolvesOnce({ Results: rows.slice(100, 200), NextToken: 'p3' })
      .resolves({ Results: rows.slice(200) });
    // Act
    await expect(setup().handler(loadEvent('config', 'scheduled'))).rejects.toThrow("1 functions could not be evaluated: fn-0007: its AWS Config record cannot be read: its recorded tags are not a list");
    // Assess
    const selects = configMock.commandCalls(SelectResourceConfigCommand).map((c) => c.args[0].input);
    expect(selects.map((i) => i.Limit)).toEqual([100, 100, 100]); // (the paginator reuses one input object: its NextToken is the last)
    expect(selects[0]!.Expression).toBe(FUNCTION_INVENTORY_QUERY);
    expect(lambdaMock.commandCalls(ListFunctionsCommand)).toHaveLength(0);
    expect(lambdaMock.commandCalls(ListTagsCommand)).toHaveLength(0);
    // Only the function whose verdict its waiver tag decides has its tags read again, live.
    expect(lambdaMock.commandCalls(GetFunctionCommand).map((c) => c.args[0].input.FunctionName)).toEqual(['fn-0003']);
    const reported = sent().flat();
    expect(reported).toHaveLength(249);
    expect(reported.find((e) => e.ComplianceResourceId === 'fn-0003')!.Annotation).toMatch(/waive/i);
  });

  it("judges the layers Config recorded from the state alone: the layer blocking the move is named, with no Lambda call", async () => {
    // Prepare: a python3.9 function whose recorded layer declares only python3.8/3.9, kept in the state
    const LAYER = 'arn:aws:lambda:eu-west-1:123456789012:layer:shared-utils:3';
    const functions = [fn('legacy-etl', 'python3.9', { Layers: [{ Arn: LAYER, CodeSize: 10 }] })];
    configMock.on(SelectResourceConfigCommand).resolves({ Results: recorded(functions) });
    const state = new MemoryFunctionState();
    await state.putLayer({ arn: LAYER, at: new Date(NOW).toISOString(), runtimes: ['python3.8', 'python3.9'] });
    await state.put({ name: 'legacy-etl', mode: { at: new Date(NOW).toISOString(), updateMode: 'Auto' }, versions: versionsState(new Date(NOW).toISOString(), [], []) });
    // Act
    const [evaluation] = await setup({ state }).handler(loadEvent('config', 'scheduled'));
    // Assess
    expect(evaluation).toMatchObject({ ComplianceResourceId: 'legacy-etl', ComplianceType: 'NON_COMPLIANT' });
    expect(evaluation!.Annotation).toMatch(/layer shared-utils:3 declares python3\.8, python3\.9 only: publish a version compatible with python3\.\d+ first/);
    expect(lambdaMock.calls()).toHaveLength(0);
  });

  it("reads live the tags of a function whose tier tag decides its verdict, and judges it by the tier it has now", async () => {
    // Prepare: Config recorded both as critical; FunctionUpdate is compliant for critical only. pay-1 lost its tier tag since.
    const functions = [fn('pay-1', 'python3.13'), fn('pay-2', 'python3.13')];
    listed(functions);
    lambdaMock.on(GetRuntimeManagementConfigCommand).resolves({ UpdateRuntimeOn: 'FunctionUpdate' });
    configMock.on(SelectResourceConfigCommand).resolves({ Results: recorded(functions, () => ({ 'runtime-warden:tier': 'critical' })) });
    lambdaMock.on(GetFunctionCommand, { FunctionName: 'pay-1' }).resolves({ Tags: { owner: 'team-pay' } });
    lambdaMock.on(GetFunctionCommand, { FunctionName: 'pay-2' }).resolves({ Tags: { 'runtime-warden:tier': 'critical' } });
    // Act
    const result = await setup().handler(loadEvent('config', 'scheduled'));
    // Assess
    expect(Object.fromEntries(result.map((e) => [e.ComplianceResourceId, [e.ComplianceType, e.Annotation]]))).toEqual({
      'pay-1': ['NON_COMPLIANT', 'RW008 Runtime update mode FunctionUpdate is not allowed for the non-critical tier (allowed: Auto). Set UpdateRuntimeOn to Auto.'],
      'pay-2': ['COMPLIANT', expect.stringMatching(/^Compliant with warnings: RW011 .*the critical tier expects a deploy every 30 days/)],
    });
    expect(lambdaMock.commandCalls(GetFunctionCommand)).toHaveLength(2);
    expect(lambdaMock.commandCalls(ListTagsCommand)).toHaveLength(0);
  });

  it("fails loudly for a function whose live tags GetFunction cannot read, rather than judging it without its waiver", async () => {
    // Prepare: fn-0000 (nodejs16.x) is waived in Config's record; GetFunction answers TagsError
    listed(fleet(2));
    configMock.on(SelectResourceConfigCommand).resolves({ Results: recorded(fleet(2), (name): Record<string, string> => (name === 'fn-0000' ? { 'runtime-warden:waiver': '2026-12-31 migration booked' } : {})) });
    lambdaMock.on(GetFunctionCommand).resolves({ TagsError: { ErrorCode: 'AccessDeniedException', Message: 'not authorized to perform: lambda:ListTags' } });
    // Act / Assess
    await expect(setup().handler(loadEvent('config', 'scheduled'))).rejects.toThrow(
      '1 functions could not be evaluated: fn-0000: TagsError: GetFunction could not read the tags of fn-0000: AccessDeniedException: not authorized to perform: lambda:ListTags',
    );
    expect(sent().flat().map((e) => e.ComplianceResourceId)).toEqual(['fn-0001']);
  });

  it("lists the functions from Lambda, logging an error, when Config's advanced query fails", async () => {
    listed(fleet(3));
    configMock.on(SelectResourceConfigCommand).rejects(Object.assign(new Error('User is not authorized to perform: config:SelectResourceConfig'), { name: 'AccessDeniedException' }));
    const { handler, error } = setup();
    const result = await handler(loadEvent('config', 'scheduled'));
    expect(result).toHaveLength(3);
    expect(lambdaMock.commandCalls(ListTagsCommand)).toHaveLength(3);
    expect(error).toHaveBeenCalledWith("AWS Config's inventory cannot serve the periodic pass: functions are listed from Lambda, on its control-plane quota", { reason: expect.stringContaining('AccessDeniedException') });
  });

  it("fails loudly, after reporting what it judged, when Config's advanced query fails past its first page", async () => {
    configMock.on(SelectResourceConfigCommand).resolvesOnce({ Results: recorded(fleet(2)), NextToken: 'p2' }).rejects(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }));
    await expect(setup().handler(loadEvent('config', 'scheduled'))).rejects.toThrow(/the inventory stopped: ThrottlingException: Rate exceeded/);
    expect(sent().flat().map((e) => e.ComplianceResourceId).sort()).toEqual(['fn-0000', 'fn-0001']);
    expect(lambdaMock.commandCalls(ListFunctionsCommand)).toHaveLength(0);
  });

  it('judges an account without functions as empty only when Lambda lists none either', async () => {
    lambdaMock.on(ListFunctionsCommand).resolves({ Functions: [] });
    const { handler, error } = setup();
    expect(await handler(loadEvent('config', 'scheduled'))).toEqual([]);
    expect(lambdaMock.commandCalls(ListFunctionsCommand).map((c) => c.args[0].input)).toEqual([{ MaxItems: 1 }]);
    expect(error).not.toHaveBeenCalled();
  });

  it('reports what it evaluated and fails loudly naming the functions it could not read', async () => {
    listed(fleet(3));
    lambdaMock.on(ListTagsCommand, { Resource: `${ARN}fn-0001` }).rejects(Object.assign(new Error('User is not authorized to perform: lambda:ListTags'), { name: 'AccessDeniedException' }));
    await expect(setup().handler(loadEvent('config', 'scheduled'))).rejects.toThrow(/1 functions could not be evaluated: fn-0001: ListTags failed: AccessDeniedException/);
    expect(sent().flat().map((e) => e.ComplianceResourceId).sort()).toEqual(['fn-0000', 'fn-0002']);
  });

  it('answers NOT_APPLICABLE for a function deleted while it was being read', async () => {
    listed(fleet(2));
    lambdaMock.on(ListTagsCommand, { Resource: `${ARN}fn-0001` }).rejects(Object.assign(new Error('Function not found'), { name: 'ResourceNotFoundException' }));
    const result = await setup().handler(loadEvent('config', 'scheduled'));
    expect(result.find((e) => e.ComplianceResourceId === 'fn-0001')).toMatchObject({ ComplianceType: 'NOT_APPLICABLE', Annotation: 'The function was deleted during evaluation.' });
  });

  it('retires functions that no longer exist with NOT_APPLICABLE', async () => {
    listed(fleet(2));
    configMock.on(GetComplianceDetailsByConfigRuleCommand).resolves({
      EvaluationResults: ['fn-0000', 'gone-1', 'gone-2'].map((id) => ({ EvaluationResultIdentifier: { EvaluationResultQualifier: { ResourceId: id } } })),
    });
    const result = await setup().handler(loadEvent('config', 'scheduled'));
    expect(result.filter((e) => e.ComplianceType === 'NOT_APPLICABLE').map((e) => [e.ComplianceResourceId, e.Annotation])).toEqual([
      ['gone-1', 'The function no longer exists.'],
      ['gone-2', 'The function no longer exists.'],
    ]);
    expect(configMock.commandCalls(GetComplianceDetailsByConfigRuleCommand)[0]!.args[0].input).toMatchObject({ ConfigRuleName: 'runtime-warden-runtime-compliance' });
  });

  it('keeps previous results when Config cannot list them, saying why', async () => {
    listed(fleet(1));
    configMock.on(GetComplianceDetailsByConfigRuleCommand).rejects(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }));
    const { handler, warn } = setup();
    expect(await handler(loadEvent('config', 'scheduled'))).toHaveLength(1);
    expect(warn).toHaveBeenCalledWith('stale evaluations kept', { reason: expect.stringContaining('ThrottlingException') });
  });

  /** CloudWatch's answer: every query complete, with `count` invocations today for the Resource values given. */
  function invocations(count: (resource: string) => number = () => 0): void {
    cloudWatchMock.on(GetMetricDataCommand).callsFake((input: GetMetricDataCommandInput) => ({
      MetricDataResults: input.MetricDataQueries!.map((q) => {
        const n = count(q.MetricStat!.Metric!.Dimensions!.find((d) => d.Name === 'Resource')!.Value!);
        return { Id: q.Id, StatusCode: 'Complete', Timestamps: n > 0 ? [new Date(NOW)] : [], Values: n > 0 ? [n] : [] };
      }),
    }));
  }
  const NO_POLICY = Object.assign(new Error('The resource you requested does not exist.'), { name: 'ResourceNotFoundException', $metadata: { httpStatusCode: 404 } });

  describe('published versions', () => {
    beforeEach(() => {
      cloudWatchMock.reset();
      invocations();
      lambdaMock.on(ListAliasesCommand).resolves({ Aliases: [] });
      lambdaMock.on(ListEventSourceMappingsCommand).resolves({ EventSourceMappings: [] });
      lambdaMock.on(GetPolicyCommand).rejects(NO_POLICY);
    });

    it('flags a function whose $LATEST is fine but whose prod alias serves a deprecated version, and warns about an idle one', async () => {
      listed([
          fn('checkout', 'nodejs22.x'),
          fn('checkout', 'nodejs16.x', { Version: '3', FunctionArn: `${ARN}checkout:3` }),
          fn('checkout', 'nodejs22.x', { Version: '4', FunctionArn: `${ARN}checkout:4` }),
          fn('unaliased', 'nodejs22.x'),
          fn('unaliased', 'nodejs16.x', { Version: '1', FunctionArn: `${ARN}unaliased:1` }),
      ]);
      lambdaMock.on(ListAliasesCommand, { FunctionName: 'checkout' }).resolves({ Aliases: [{ Name: 'prod', FunctionVersion: '3' }, { Name: 'beta', FunctionVersion: '4' }] });
      const result = await setup().handler(loadEvent('config', 'scheduled'));
      expect(Object.fromEntries(result.map((e) => [e.ComplianceResourceId, [e.ComplianceType, e.Annotation]]))).toEqual({
        checkout: ['NON_COMPLIANT', '$LATEST compliant | version 3 (nodejs16.x, RW004): alias prod | fix: delete version 3, or move what invokes it to a current version'],
        unaliased: ['COMPLIANT', 'Compliant with warnings: $LATEST compliant | version 1 (nodejs16.x, RW004): idle (not invoked in 90 days, nothing references it) | delete it: it can still be invoked by its qualified ARN'],
      });
      expect(lambdaMock.commandCalls(ListVersionsByFunctionCommand).map((c) => c.args[0].input.FunctionName).sort()).toEqual(['checkout', 'unaliased']);
    });

    it('looks at versions routed by weight too', async () => {
      listed([fn('pay', 'nodejs22.x'), fn('pay', 'nodejs16.x', { Version: '7' })]);
      lambdaMock.on(ListAliasesCommand).resolves({ Aliases: [{ Name: 'live', FunctionVersion: '8', RoutingConfig: { AdditionalVersionWeights: { '7': 0.1 } } }] });
      const [e] = await setup().handler(loadEvent('config', 'scheduled'));
      expect(e!.Annotation).toMatch(/^\$LATEST compliant \| version 7 \(nodejs16\.x, RW004\): alias live \| /);
    });

    it('spends Lambda calls only on versions whose runtime breaks the policy, and reads each signal only while the verdict needs it', async () => {
      // Prepare: current runs current versions only; the others each keep nodejs16.x versions
      const version = (name: string, v: string, runtime: string): FunctionConfiguration => fn(name, runtime, { Version: v, FunctionArn: `${ARN}${name}:${v}` });
      listed([
          ...['current', 'aliased', 'invoked', 'mapped', 'idle'].map((name) => fn(name, 'nodejs22.x')),
          version('current', '1', 'python3.13'),
          version('current', '2', 'nodejs22.x'),
          version('aliased', '1', 'nodejs16.x'),
          version('invoked', '1', 'nodejs16.x'),
          version('mapped', '1', 'nodejs16.x'),
          version('idle', '1', 'nodejs16.x'),
          version('idle', '2', 'nodejs16.x'),
          version('idle', '3', 'nodejs22.x'),
      ]);
      lambdaMock.on(ListAliasesCommand, { FunctionName: 'aliased' }).resolves({ Aliases: [{ Name: 'prod', FunctionVersion: '1' }] });
      invocations((resource) => (resource === 'invoked:1' ? 12 : 0));
      // Lambda filters the mappings by the version ARN given.
      const mappings = [{ UUID: 'a1b2c3d4-0000-4000-8000-000000000001', FunctionArn: `${ARN}mapped:1` }, { UUID: 'other', FunctionArn: `${ARN}elsewhere:1` }];
      lambdaMock.on(ListEventSourceMappingsCommand).callsFake((input: { FunctionName?: string }) => ({ EventSourceMappings: mappings.filter((m) => m.FunctionArn === input.FunctionName) }));
      // Act
      const result = await setup().handler(loadEvent('config', 'scheduled'));
      // Assess: the verdicts
      expect(Object.fromEntries(result.map((e) => [e.ComplianceResourceId, e.ComplianceType]))).toEqual({ current: 'COMPLIANT', aliased: 'NON_COMPLIANT', invoked: 'NON_COMPLIANT', mapped: 'NON_COMPLIANT', idle: 'COMPLIANT' });
      // ... and the calls: none for current, mappings by version ARN and GetPolicy only for versions nothing else shows in use
      const inputs = <T extends object>(command: T) => lambdaMock.commandCalls(command as never).map((c) => c.args[0].input as Record<string, unknown>);
      expect(inputs(ListAliasesCommand).map((i) => i.FunctionName).sort()).toEqual(['aliased', 'idle', 'invoked', 'mapped']);
      expect(inputs(ListEventSourceMappingsCommand).map((i) => i.FunctionName).sort()).toEqual([`${ARN}idle:1`, `${ARN}idle:2`, `${ARN}mapped:1`]);
      expect(inputs(GetPolicyCommand)).toEqual([
        { FunctionName: 'idle', Qualifier: '1' },
        { FunctionName: 'idle', Qualifier: '2' },
      ]);
      const metricCalls = cloudWatchMock.commandCalls(GetMetricDataCommand).map((c) => c.args[0].input.MetricDataQueries!.map((q) => q.MetricStat!.Metric!.Dimensions![1]!.Value));
      expect(metricCalls.sort()).toEqual([
        ['aliased:1', `${ARN}aliased:1`],
        ['idle:1', `${ARN}idle:1`, 'idle:2', `${ARN}idle:2`],
        ['invoked:1', `${ARN}invoked:1`],
        ['mapped:1', `${ARN}mapped:1`],
      ]);
    });

    it.each([
      ['GetPolicy is throttled', () => lambdaMock.on(GetPolicyCommand).rejects(Object.assign(new Error('Rate exceeded'), { name: 'TooManyRequestsException' })), 'resource policy unknown (GetPolicy failed)'],
      ['the mapping listing is refused', () => lambdaMock.on(ListEventSourceMappingsCommand).rejects(Object.assign(new Error('not authorized to perform: lambda:ListEventSourceMappings'), { name: 'AccessDeniedException' })), 'event source mappings unknown (ListEventSourceMappings failed)'],
      ['CloudWatch does not complete the query', () => cloudWatchMock.on(GetMetricDataCommand).resolves({ MetricDataResults: [{ Id: 'n0', StatusCode: 'InternalError' }, { Id: 'a0', StatusCode: 'Complete' }] }), 'invocations unknown (GetMetricData failed)'],
    ])('counts a version as possibly in use when %s, saying which signal is unknown', async (_, fail, unknown) => {
      listed([fn('legacy', 'nodejs22.x'), fn('legacy', 'nodejs16.x', { Version: '1' }), fn('legacy-2', 'nodejs22.x'), fn('legacy-2', 'nodejs16.x', { Version: '1' })]);
      fail();
      const result = await setup().handler(loadEvent('config', 'scheduled'));
      expect(result.map((e) => [e.ComplianceResourceId, e.ComplianceType, e.Annotation]).sort()).toEqual(
        ['legacy', 'legacy-2'].map((name) => [name, 'NON_COMPLIANT', `$LATEST compliant | version 1 (nodejs16.x, RW004): ${unknown} | fix: delete version 1, or move what invokes it to a current version`]),
      );
      // One filtered listing for each version no alias or invocation shows in use.
      expect(lambdaMock.commandCalls(ListEventSourceMappingsCommand)).toHaveLength(2);
    });

    it("keeps $LATEST's own finding first when it breaks the policy too, within 256 characters", async () => {
      listed([fn('old', 'nodejs16.x'), ...['1', '2', '3'].map((v) => fn('old', 'nodejs16.x', { Version: v }))]);
      lambdaMock.on(ListAliasesCommand).resolves({ Aliases: [{ Name: 'prod', FunctionVersion: '3' }] });
      const [e] = await setup().handler(loadEvent('config', 'scheduled'));
      expect(e!.ComplianceType).toBe('NON_COMPLIANT');
      expect(e!.Annotation.length).toBeLessThanOrEqual(256);
      // The head is what gets cut: the count and the fix stay whole.
      expect(e!.Annotation).toMatch(/^RW004 nodejs16\.x is deprecated since 2024-06-12 .*… \| 3 published versions \(nodejs16\.x\), 1 in use \| fix: delete each, or move what invokes it to a current version$/);
    });
  });

  it('stops before the Lambda deadline and reports what it evaluated', async () => {
    listed(fleet(40));
    // Each tag read takes 20 ms; the run has 300 ms and keeps 100 ms back.
    lambdaMock.on(ListTagsCommand).callsFake(() => new Promise((r) => setTimeout(() => r({ Tags: {} }), 20)));
    const { handler, warn } = setup({ deadlineReserveMs: 100, concurrency: 1 });
    const result = await handler(loadEvent('config', 'scheduled'), { getRemainingTimeInMillis: () => 300 });
    expect(result.length).toBeGreaterThan(0);
    expect(result.length).toBeLessThan(40);
    expect(sent().flat()).toHaveLength(result.length);
    expect(warn).toHaveBeenCalledWith('periodic run stopped before the Lambda deadline; the rest keep their previous evaluation', expect.objectContaining({ notEvaluated: 40 - result.length }));
    expect(configMock.commandCalls(GetComplianceDetailsByConfigRuleCommand)).toHaveLength(0);
  });
});
