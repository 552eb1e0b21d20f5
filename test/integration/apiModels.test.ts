import { ConfigServiceClient, SelectResourceConfigCommand } from '@aws-sdk/client-config-service';
import { CloudWatchClient, GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { QUERIES_PER_CALL, readUsage } from '../../shared/io/usageMetrics.js';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import { loadTemplate, parameterSets, renderTemplate, type Json, type Resource, type Template } from '../helpers/cfnRender.js';
import { DEFAULT_CATALOG } from '../../shared/index.js';
import { writeCatalogParameter } from '../../shared/io/catalogSource.js';
import { FUNCTION_INVENTORY_QUERY, recordedFunctionPages } from '../../shared/io/configInventory.js';
import { validateModels } from '../helpers/awsModels.js';
import { DynamoFunctionState, versionsState } from '../../shared/io/functionState.js';

// Every payload that template.yaml and org/central.yaml hand to an AWS API as free-form JSON,
// checked against the service's published model: botocore's service models and its parameter
// validator (what every AWS SDK for Python call checks before sending), and for hook properties
// the CloudFormation resource provider schema. moto and client mocks accept what AWS rejects;
// these models do not (e.g. Config's StaticValue members have a minimum length of 1).

type Check = { id: string; api: string; params: Record<string, unknown> } | { id: string; resource: string; property: string; value: unknown };
type Result = { id: string; errors: string[] };

const validate = (checks: Check[]): Result[] => validateModels(checks);

const props = (r: Resource) => (r.Properties ?? {}) as Record<string, any>;
const pick = (o: Record<string, any>, keys: string[]) => Object.fromEntries(keys.filter((k) => o[k] !== undefined).map((k) => [k, o[k]]));
/** `{{ Param }}` as SSM substitutes it: the parameter's default, or a sample value. */
const substitute = (v: Json, params: Record<string, { default?: Json }>): Json =>
  typeof v === 'string' ? v.replace(/\{\{\s*(\w+)\s*\}\}/g, (_, p: string) => String(params[p]?.default ?? 'orders-api')) : v;

/** The API calls CloudFormation (and then SSM, Config, EventBridge) make with what a template holds. */
export function apiChecks(template: Template, label: string): Check[] {
  const checks: Check[] = [];
  for (const [id, r] of Object.entries(template.Resources)) {
    const p = props(r);
    const at = `${label} ${id}`;
    switch (r.Type) {
      case 'AWS::Config::RemediationConfiguration':
        checks.push({ id: at, api: 'config.PutRemediationConfigurations', params: { RemediationConfigurations: [p] } });
        break;
      case 'AWS::Config::ConfigRule':
        checks.push({ id: at, api: 'config.PutConfigRule', params: { ConfigRule: { ...p, ConfigRuleName: id, ...(p.InputParameters && { InputParameters: JSON.stringify(p.InputParameters) }) } } });
        break;
      case 'AWS::Config::ConfigurationAggregator':
        checks.push({ id: at, api: 'config.PutConfigurationAggregator', params: p });
        break;
      case 'AWS::SSM::Document': {
        checks.push({ id: at, api: 'ssm.CreateDocument', params: { Name: id, Content: JSON.stringify(p.Content), DocumentType: p.DocumentType, DocumentFormat: 'JSON' } });
        for (const step of p.Content.mainSteps as { name: string; action: string; inputs: Record<string, Json> }[]) {
          if (step.action !== 'aws:invokeLambdaFunction') continue;
          const { InputPayload, ...rest } = step.inputs;
          const payload = Object.fromEntries(Object.entries(InputPayload as Record<string, Json>).map(([k, v]) => [k, substitute(v, p.Content.parameters)]));
          checks.push({ id: `${at} step ${step.name}`, api: 'lambda.Invoke', params: { ...rest, Payload: JSON.stringify(payload) } });
        }
        break;
      }
      case 'AWS::CloudFormation::LambdaHook':
      case 'AWS::CloudFormation::GuardHook':
        for (const property of ['TargetOperations', 'TargetFilters', 'StackFilters', 'LogBucket']) {
          if (p[property] !== undefined) checks.push({ id: `${at} ${property}`, resource: r.Type, property, value: p[property] });
        }
        break;
      case 'AWS::Serverless::Function':
        // A Number parameter arrives as a string; CloudFormation hands Lambda the number.
        if (p.ReservedConcurrentExecutions !== undefined) checks.push({ id: `${at} ReservedConcurrentExecutions`, api: 'lambda.PutFunctionConcurrency', params: { FunctionName: id, ReservedConcurrentExecutions: Number(p.ReservedConcurrentExecutions) } });
        if (p.EventInvokeConfig) {
          // SAM's DestinationConfig adds a `Type` of its own; the rest goes to Lambda as is.
          const { DestinationConfig, ...rest } = p.EventInvokeConfig;
          const destinations = Object.fromEntries(Object.entries(DestinationConfig ?? {}).map(([k, { Type: _, ...d }]: [string, any]) => [k, d]));
          checks.push({ id: `${at} EventInvokeConfig`, api: 'lambda.PutFunctionEventInvokeConfig', params: { FunctionName: id, ...rest, ...(DestinationConfig && { DestinationConfig: destinations }) } });
        }
        for (const [name, e] of Object.entries((p.Events ?? {}) as Record<string, { Type: string; Properties: Record<string, any> }>)) {
          if (e.Type !== 'Schedule' && e.Type !== 'EventBridgeRule') continue;
          const rule = e.Type === 'Schedule' ? { ScheduleExpression: e.Properties.Schedule } : { EventPattern: JSON.stringify(e.Properties.Pattern) };
          checks.push({ id: `${at} ${name}`, api: 'events.PutRule', params: { Name: `${id}${name}`, ...rule } });
          const target = { Id: id, Arn: `arn:aws:lambda:eu-west-1:123456789012:function:${id}`, ...(e.Properties.Input !== undefined && { Input: e.Properties.Input }) };
          checks.push({ id: `${at} ${name} target`, api: 'events.PutTargets', params: { Rule: `${id}${name}`, Targets: [target] } });
        }
        break;
      case 'AWS::CloudFormation::StackSet':
        checks.push({ id: at, api: 'cloudformation.CreateStackSet', params: pick(p, ['StackSetName', 'Description', 'TemplateURL', 'Parameters', 'Capabilities', 'PermissionModel', 'AutoDeployment', 'CallAs', 'ManagedExecution']) });
        for (const group of p.StackInstancesGroup ?? []) {
          checks.push({ id: `${at} instances`, api: 'cloudformation.CreateStackInstances', params: { StackSetName: p.StackSetName, ...group, OperationPreferences: p.OperationPreferences, CallAs: p.CallAs } });
        }
        break;
      case 'AWS::KMS::Key':
        checks.push({ id: at, api: 'kms.CreateKey', params: { Policy: JSON.stringify(p.KeyPolicy), Description: p.Description } });
        break;
      default:
    }
  }
  return checks;
}

const member = loadTemplate('template.yaml');
const central = loadTemplate('org/central.yaml');
// Every HookMode and every remediation switch: resources and `Fn::If` branches differ per set.
// The hook's stack targets take turns, so that each HookMode meets each of them.
const stackTargets = (member.Parameters!.HookStackTargets as { AllowedValues: string[] }).AllowedValues;
const memberSets = parameterSets(member, ['HookMode', 'NotifyAutomatically', 'SwitchModeAutomatically', 'SwitchModeAllowCritical']).map((s, i) => ({
  ...s,
  HookStackTargets: stackTargets[i % stackTargets.length]!,
  PolicySource: '/runtime-warden/policy',
  CentralAlertTopicArn: 'arn:aws:sns:us-east-1:111122223333:runtime-warden-central',
  CentralAlertKeyArn: 'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab',
  PolicyKeyArn: 'arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab',
  GuardHookLogBucket: 'runtime-warden-guard-reports',
}));
const centralParams = {
  OrganizationId: 'o-a1b2c3d4e5',
  MemberTemplateUrl: 'https://runtime-warden-artifacts-eu-west-1.s3.amazonaws.com/runtime-warden/stackset.json',
  TargetOrganizationalUnitIds: 'ou-ab12-cd34ef56',
  TargetRegions: 'eu-west-1',
};

describe('payloads against AWS API models', () => {
  it('catch what moto accepts: an empty StaticValue member, as botocore reports it', () => {
    const [result] = validate([{ id: 'empty', api: 'config.PutRemediationConfigurations', params: { RemediationConfigurations: [{ ConfigRuleName: 'r', TargetType: 'SSM_DOCUMENT', TargetId: 'd', Parameters: { Mode: { StaticValue: { Values: [''] } } } }] } }]);
    expect(result!.errors).toEqual(['Invalid length for parameter RemediationConfigurations[0].Parameters.Mode.StaticValue.Values[0], value: 0, valid min length: 1']);
  });

  it('catch a target operation the hook schema does not know', () => {
    const [result] = validate([{ id: 'op', resource: 'AWS::CloudFormation::LambdaHook', property: 'TargetOperations', value: ['RESOURCE', 'EVERYTHING'] }]);
    expect(result!.errors).toEqual(["1: 'EVERYTHING' is not one of ['RESOURCE', 'STACK', 'CHANGE_SET', 'CLOUD_CONTROL']"]);
  });

  it(`template.yaml: every free-form payload is valid for its API, under all ${memberSets.length} parameter sets`, () => {
    const checks = memberSets.flatMap((set) => apiChecks(renderTemplate(member, set, { resolve: true }), JSON.stringify(set)));
    const apis = new Set(checks.map((c) => ('api' in c ? c.api : `${c.resource}.${c.property}`)));
    // Assess: each kind of payload is there to be checked, and none is refused
    expect([...apis].sort()).toEqual(
      [
        'AWS::CloudFormation::GuardHook.LogBucket',
        'AWS::CloudFormation::GuardHook.TargetFilters',
        'AWS::CloudFormation::GuardHook.TargetOperations',
        'AWS::CloudFormation::LambdaHook.TargetFilters',
        'AWS::CloudFormation::LambdaHook.TargetOperations',
        'config.PutConfigRule',
        'config.PutRemediationConfigurations',
        'events.PutRule',
        'events.PutTargets',
        'kms.CreateKey',
        'lambda.Invoke',
        'lambda.PutFunctionConcurrency',
        'lambda.PutFunctionEventInvokeConfig',
        'ssm.CreateDocument',
      ].sort(),
    );
    expect(validate(checks).filter((r) => r.errors.length > 0)).toEqual([]);
  });

  it("the catalog refresher's PutParameter, in both tiers, is valid for SSM", async () => {
    const sent: Record<string, unknown>[] = [];
    const ssm = { send: (c: { input: Record<string, unknown> }) => Promise.resolve(void sent.push(c.input)) } as never;
    for (const tier of ['Standard', 'Advanced'] as const) await writeCatalogParameter(ssm, '/runtime-warden/runtime-catalog', DEFAULT_CATALOG, undefined, tier);
    expect(validate(sent.map((params, i) => ({ id: `put ${i}`, api: 'ssm.PutParameter', params })))).toEqual([
      { id: 'put 0', errors: [] },
      { id: 'put 1', errors: [] },
    ]);
  });

  it("the periodic pass's advanced query is valid for Config", async () => {
    const sent: Record<string, unknown>[] = [];
    const config = new ConfigServiceClient({ region: 'eu-west-1' });
    mockClient(config).on(SelectResourceConfigCommand).callsFake((input: Record<string, unknown>) => (sent.push({ ...input }), { Results: [] }));
    const pages: unknown[] = [];
    for await (const page of recordedFunctionPages(config)) pages.push(page);
    expect(pages).toEqual([[]]);
    expect(validate(sent.map((params, i) => ({ id: `select ${i}`, api: 'config.SelectResourceConfig', params })))).toEqual([{ id: 'select 0', errors: [] }]);
    // botocore checks minimums only; the page of 100 is the API Reference's maximum (configInventory.ts).
    expect(sent[0]).toEqual({ Expression: FUNCTION_INVENTORY_QUERY, Limit: 100 });
  });

  it("the function state table's calls are valid for DynamoDB: a page's BatchGetItem, each part's UpdateItem, the cursor's GetItem and PutItem", async () => {
    const sent: { api: string; params: Record<string, unknown> }[] = [];
    const dynamo = { send: (c: { input: Record<string, unknown>; constructor: { name: string } }) => (sent.push({ api: `dynamodb.${c.constructor.name.replace(/Command$/, '')}`, params: JSON.parse(JSON.stringify(c.input)) }), Promise.resolve({})) } as never;
    const store = new DynamoFunctionState(dynamo, 'stack-function-state', () => {});
    await store.getMany(Array.from({ length: 100 }, (_, i) => `fn-${i}`));
    await store.put({ name: 'fn-1', mode: { at: '2026-11-23T06:00:00.000Z', updateMode: 'Manual', pinnedRuntimeVersionArn: 'arn:aws:lambda:eu-west-1::runtime:abc' }, versions: versionsState('2026-11-23T06:00:00.000Z', [{ Version: '1', Runtime: 'nodejs16.x' }], []) });
    await store.getCursor();
    await store.putCursor({ after: 'fn-1', lapStartedAt: '2026-11-23T06:00:00.000Z', lastLapHours: 16.9 });
    expect(sent.map((c) => c.api)).toEqual(['dynamodb.BatchGetItem', 'dynamodb.UpdateItem', 'dynamodb.GetItem', 'dynamodb.PutItem']);
    expect(validate(sent.map((c, i) => ({ id: `${c.api} ${i}`, ...c })))).toEqual(sent.map((c, i) => ({ id: `${c.api} ${i}`, errors: [] })));
  });

  it("the report's GetMetricData call is valid for CloudWatch, at its 500-query maximum, across accounts", async () => {
    const sent: Record<string, unknown>[] = [];
    const cloudWatch = new CloudWatchClient({ region: 'eu-west-1' });
    mockClient(cloudWatch).on(GetMetricDataCommand).callsFake((input: Record<string, unknown>) => (sent.push(JSON.parse(JSON.stringify(input))), { MetricDataResults: [] }));
    const targets = Array.from({ length: QUERIES_PER_CALL }, (_, i) => ({ accountId: '111122223333', region: 'eu-west-1', name: `fn-${i}` }));
    await readUsage(() => cloudWatch, targets, Date.parse('2026-11-23T00:00:00Z'), () => {}, true);
    expect(sent).toHaveLength(1);
    expect(validate([{ id: 'usage', api: 'cloudwatch.GetMetricData', params: sent[0]! }])).toEqual([{ id: 'usage', errors: [] }]);
    // botocore checks no maximum: 500 queries and 90 x 500 = 45,000 of 100,800 data points are the API Reference's limits (usageMetrics.ts).
    expect(sent[0]).toMatchObject({ StartTime: '2026-08-26T00:00:00.000Z', EndTime: '2026-11-24T00:00:00.000Z' });
    expect((sent[0]!.MetricDataQueries as unknown[]).length).toBe(500);
  });

  it('org/central.yaml: every free-form payload is valid for its API', () => {
    const checks = apiChecks(renderTemplate(central, centralParams, { resolve: true }), 'central');
    expect(checks.map((c) => ('api' in c ? c.api : c.resource)).sort()).toEqual(
      ['cloudformation.CreateStackInstances', 'cloudformation.CreateStackSet', 'config.PutConfigurationAggregator', 'kms.CreateKey'].sort(),
    );
    expect(validate(checks).filter((r) => r.errors.length > 0)).toEqual([]);
  });
});
