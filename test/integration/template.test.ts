import { execFile, execFileSync, spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { CORE_SCHEMA, load, Type, type State } from 'js-yaml';
import { afterAll, describe, expect, it, onTestFinished } from 'vitest';
import { parseTemplate } from '../../shared/template/parse.js';
import { PREVIOUS_MODE_TAG } from '../../remediation/switch-mode/handler.js';
import { ROLLBACK_FROM_TAG, ROLLBACK_TAG } from '../../shared/remediation/rollback.js';
import { loadTemplate, renderTemplate } from '../helpers/cfnRender.js';
import { initFiles } from '../helpers/bundleFiles.js';
import { loadEvent, ROOT } from '../helpers/fixtures.js';
import { startPayloadServer } from '../helpers/payloadServer.js';
import type { HookDependencies } from '../../hooks/runtime-hook/handler.js';
import { payloadFetcher } from '../../shared/io/hookPayload.js';
import { DEFAULT_POLICY } from '../../shared/index.js';
import { Logger } from '@aws-lambda-powertools/logger';
import { runSimulation } from '@cloud-copilot/iam-simulate';
import { vi } from 'vitest';
import { createHandler as createHook } from '../../hooks/runtime-hook/handler.js';

const run = promisify(execFile);
const bin = (tool: string): string => join(ROOT, '.venv', 'bin', tool);
const env = { ...process.env, SAM_CLI_TELEMETRY: '0' };

type Template = { Resources: Record<string, { Type: string; Properties: Record<string, unknown>; Metadata?: Record<string, unknown> }> };
const template = parseTemplate(readFileSync(join(ROOT, 'template.yaml'), 'utf8')) as Template;
type Rendered = { Resources: Record<string, { Type: string; Properties: Record<string, any>; DependsOn?: string | string[] }>; Parameters: Record<string, { Default?: unknown; AllowedPattern?: string; AllowedValues?: unknown[] }> };
const render = (parameters: Record<string, string> = {}, resolve = true) => renderTemplate(loadTemplate('template.yaml'), parameters, { resolve }) as unknown as Rendered;

/**
 * Removes a directory in a process of its own, not waited for: a SAM build holds tens of thousands
 * of files, whose synchronous removal outlasted the hook timeout on a loaded machine.
 */
function removeInBackground(dir: string): void {
  spawn('rm', ['-rf', dir], { detached: true, stdio: 'ignore' }).unref();
}

/** A property of a CloudFormation resource provider schema, as cfn-lint ships it. */
function schemaProperty(type: string, property: string): Record<string, any> {
  const script = 'import json, sys\nfrom cfnlint.schema import PROVIDER_SCHEMA_MANAGER as m\nprint(json.dumps(m.get_resource_schema("us-east-1", sys.argv[1]).schema["properties"][sys.argv[2]]))';
  return JSON.parse(execFileSync(bin('python'), ['-c', script, type, property], { encoding: 'utf8' })) as Record<string, any>;
}

/** A CloudFormation pattern as a JavaScript RegExp: Java's inline `(?i)` (before "aws") spelt out. */
const javaPattern = (pattern: string): RegExp => new RegExp(pattern.replace('(?i)aws', '[Aa][Ww][Ss]'));

/**
 * The anchors and aliases of a YAML text, from the parser's own events (js-yaml's `listener`): a
 * node that closes with an anchor name is an anchor; one that closes with no kind, having
 * consumed text that starts with `*`, is an alias (an empty node consumes only blanks and comments).
 */
function anchorsAndAliases(text: string): { anchors: string[]; aliases: string[] } {
  const anchors: string[] = [];
  // By offset: a node and the one wrapping it can close on the same alias.
  const aliases = new Map<number, string>();
  const opened: number[] = [];
  // Every local tag (`!Ref`, `!Sub`, ...) of any kind, so that the text parses as CloudFormation's.
  const schema = CORE_SCHEMA.extend((['scalar', 'sequence', 'mapping'] as const).map((kind) => new Type('!', { kind, multi: true, construct: (data: unknown) => data })));
  load(text, {
    schema,
    listener(event, parserState) {
      // `anchor`, and a `kind` that may be null, are the parser's, beyond its published type.
      const state = parserState as Omit<State, 'kind'> & { kind: string | null; anchor: string | null };
      if (event === 'open') return void opened.push(state.position);
      const start = opened.pop()!;
      const consumed = state.input.slice(start, state.position);
      const offset = start + consumed.length - consumed.trimStart().length;
      if (state.anchor !== null) anchors.push(state.anchor);
      // The alias token: `*` and its name, up to a blank or a flow indicator (YAML 1.2, ns-anchor-char).
      else if (state.kind === null && consumed.trimStart().startsWith('*')) aliases.set(offset, /^\*[^\s,[\]{}]+/.exec(consumed.trimStart())![0]);
    },
  });
  return { anchors: [...new Set(anchors)], aliases: [...aliases.values()] };
}

describe('template.yaml', () => {
  const buildDir = mkdtempSync(join(tmpdir(), 'rw-sam-build-'));
  afterAll(() => removeInBackground(buildDir));

  // I3011 (DeletionPolicy/UpdateReplacePolicy of stateful resources) is off by default: turned on.
  it('passes cfn-lint, with DeletionPolicy and UpdateReplacePolicy decided for every stateful resource', async () => {
    await expect(run(bin('cfn-lint'), ['template.yaml', '--include-checks', 'I3011'], { cwd: ROOT, env })).resolves.toBeDefined();
  });

  // checkov drops resources whose condition is false under the default parameters: each
  // HookMode is rendered (conditions decided) and checked on its own.
  it.each(['lambda', 'guard', 'both'])('passes checkov with HookMode=%s, every skipped check with a written reason', async (mode) => {
    const checkov = join(ROOT, '.venv-checkov', 'bin', 'checkov');
    const file = join(buildDir, `template-${mode}.json`);
    writeFileSync(file, JSON.stringify(renderTemplate(loadTemplate('template.yaml'), { HookMode: mode, PolicySource: '/runtime-warden/policy', PolicyKeyArn: 'arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab' })));
    const { stdout } = await run(checkov, ['-f', file, '--framework', 'cloudformation', '-o', 'json', '--skip-download'], { cwd: ROOT, env, maxBuffer: 16 * 1024 * 1024 }).catch(
      (e: { stdout: string }) => e,
    );
    const report = JSON.parse(stdout) as { summary: { failed: number; passed: number }; results: { failed_checks: { check_id: string; resource: string }[]; skipped_checks: { check_id: string; check_result: { suppress_comment?: string } }[] } };
    expect(report.results.failed_checks.map((c) => `${c.check_id} ${c.resource}`)).toEqual([]);
    expect(report.summary.passed).toBeGreaterThan(40);
    expect(report.results.skipped_checks.filter((c) => (c.check_result.suppress_comment ?? '').length < 20)).toEqual([]);
  });

  it('lets switch-mode write its own tags and no other (the tier and waiver tags decide the policy)', () => {
    const statements = (template.Resources.SwitchModeFunction!.Properties.Policies as { Statement?: { Action: string | string[]; Condition?: unknown }[] }[]).flatMap((p) => p.Statement ?? []);
    const tagging = statements.filter((st) => [st.Action].flat().some((a) => /^lambda:(Tag|Untag)Resource$/.test(a)));
    expect(tagging).toHaveLength(1);
    expect(tagging[0]!.Condition).toEqual({ 'ForAllValues:StringEquals': { 'aws:TagKeys': [PREVIOUS_MODE_TAG, ROLLBACK_TAG, ROLLBACK_FROM_TAG] } });
  });

  it('gives the Guard hook role the documented minimum: the rules object and s3:ListBucket on its bucket', () => {
    const role = template.Resources.GuardHookExecutionRole!.Properties as { Policies: { PolicyDocument: { Statement: { Action: string | string[]; Resource: unknown }[] } }[] };
    const statements = role.Policies.flatMap((p) => p.PolicyDocument.Statement);
    expect(statements).toContainEqual({ Effect: 'Allow', Action: 's3:ListBucket', Resource: { 'Fn::GetAtt': ['GuardRulesBucket', 'Arn'] } });
  });

  it('sends failed asynchronous invocations (Config rule passes, rule publications) to an alarmed dead-letter queue', () => {
    for (const id of ['ConfigRuleFunction', 'GuardRulesFunction']) {
      expect(template.Resources[id]!.Properties, id).toMatchObject({ DeadLetterQueue: { Type: 'SQS', TargetArn: { 'Fn::GetAtt': ['AsyncFailureQueue', 'Arn'] } }, EventInvokeConfig: { MaximumRetryAttempts: expect.any(Number) } });
    }
    expect(template.Resources.AsyncFailureAlarm!.Properties).toMatchObject({ AlarmActions: [{ Ref: 'AlertTopic' }], Threshold: 0, ComparisonOperator: 'GreaterThanThreshold' });
  });

  it('creates the Config rules only after checking that Config records Lambda functions', () => {
    for (const id of ['RuntimeComplianceRule', 'UpdateModeRule']) expect((template.Resources[id] as { DependsOn?: string[] }).DependsOn).toContain('ConfigRecorderCheck');
  });

  it('builds with plain `sam build`, as the README says, from a fresh copy of the sources', async () => {
    // Prepare: what a clone holds (no node_modules, no .venv); esbuild on the PATH, as SAM requires
    const copy = join(buildDir, 'clone');
    const files = (await run('git', ['ls-files', '-co', '--exclude-standard'], { cwd: ROOT })).stdout.split('\n').filter((f) => f && !/^(test|bench|examples)\//.test(f) && existsSync(join(ROOT, f)));
    for (const f of files) {
      mkdirSync(dirname(join(copy, f)), { recursive: true });
      copyFileSync(join(ROOT, f), join(copy, f));
    }
    // Act
    await run(bin('sam'), ['build', '--build-dir', join(buildDir, 'plain')], { cwd: copy, env: { ...env, PATH: `${join(ROOT, 'node_modules', '.bin')}:${process.env.PATH}` }, maxBuffer: 64 * 1024 * 1024 });
    // Assess
    for (const id of ['RuntimeHookFunction', 'ConfigRuleFunction', 'NotifyFunction', 'SwitchModeFunction', 'GuardRulesFunction', 'ConfigRecorderCheckFunction']) {
      expect(existsSync(join(buildDir, 'plain', id, 'handler.mjs')), id).toBe(true);
    }
  }, 600_000);

  it('passes sam validate --lint', async () => {
    const { stdout } = await run(bin('sam'), ['validate', '--lint'], { cwd: ROOT, env });
    expect(stdout).toContain('is a valid SAM Template');
  });

  it('declares the Lambda hook on CREATE and UPDATE of Lambda functions before provisioning', () => {
    const hook = template.Resources.RuntimeHook!;
    expect(hook.Type).toBe('AWS::CloudFormation::LambdaHook');
    expect(hook.Properties).toMatchObject({
      LambdaFunction: { 'Fn::GetAtt': ['RuntimeHookFunction', 'Arn'] },
      ExecutionRole: { 'Fn::GetAtt': ['RuntimeHookExecutionRole', 'Arn'] },
      FailureMode: { Ref: 'HookFailureMode' },
      TargetFilters: { Actions: ['CREATE', 'UPDATE'], InvocationPoints: ['PRE_PROVISION'] },
    });
    const fn = template.Resources.RuntimeHookFunction!;
    expect(fn.Metadata).toMatchObject({ BuildMethod: 'esbuild', BuildProperties: { Format: 'esm', EntryPoints: ['hooks/runtime-hook/handler.ts'] } });
    expect(fn.Properties.Timeout).toBeLessThan(30);
  });

  it('declares the custom Config rule, on change and periodically, invocable only by Config of this account', () => {
    expect(template.Resources.RuntimeComplianceRule).toMatchObject({
      Type: 'AWS::Config::ConfigRule',
      Properties: {
        Scope: { ComplianceResourceTypes: ['AWS::Lambda::Function'] },
        Source: {
          Owner: 'CUSTOM_LAMBDA',
          SourceIdentifier: { 'Fn::GetAtt': ['ConfigRuleFunction', 'Arn'] },
          SourceDetails: [
            { EventSource: 'aws.config', MessageType: 'ConfigurationItemChangeNotification' },
            { EventSource: 'aws.config', MessageType: 'OversizedConfigurationItemChangeNotification' },
            { EventSource: 'aws.config', MessageType: 'ScheduledNotification', MaximumExecutionFrequency: { Ref: 'EvaluationFrequency' } },
          ],
        },
      },
    });
    expect(template.Resources.ConfigRuleInvokePermission!.Properties).toMatchObject({ Principal: 'config.amazonaws.com', SourceAccount: { Ref: 'AWS::AccountId' } });
  });

  it('deploys the Lambda hook, the Guard hook or both, as HookMode says, the Guard hook reading the published rules', () => {
    expect(template.Resources.RuntimeHook).toMatchObject({ Condition: 'UseLambdaHook' });
    expect(template.Resources.GuardHook).toMatchObject({
      Type: 'AWS::CloudFormation::GuardHook',
      Condition: 'UseGuardHook',
      Properties: {
        RuleLocation: { Uri: { 'Fn::GetAtt': ['GuardRules', 'Uri'] } },
        FailureMode: { Ref: 'HookFailureMode' },
        TargetFilters: { Actions: ['CREATE', 'UPDATE'], InvocationPoints: ['PRE_PROVISION'], TargetNames: ['AWS::Lambda::Function'] },
      },
    });
    expect(template.Resources.GuardRules!.Properties).toMatchObject({ ServiceToken: { 'Fn::GetAtt': ['GuardRulesFunction', 'Arn'] } });
    expect((template as unknown as { Conditions: Record<string, unknown> }).Conditions).toMatchObject({
      UseLambdaHook: { 'Fn::Not': [{ 'Fn::Equals': [{ Ref: 'HookMode' }, 'guard'] }] },
      UseGuardHook: { 'Fn::Not': [{ 'Fn::Equals': [{ Ref: 'HookMode' }, 'lambda'] }] },
    });
  });

  it.each([
    ['both', ['STACK', 'CHANGE_SET']],
    ['change-sets', ['CHANGE_SET']],
    ['stacks', ['STACK']],
    ['none', undefined],
  ])('HookStackTargets=%s: the resource hook filters to Lambda functions, the stack hook takes %j', (value, stackOperations) => {
    // Act
    const resources = render({ HookStackTargets: value }).Resources;
    // Assess: the resource hook never depends on how TargetNames would apply to stack targets
    const filters = { Actions: ['CREATE', 'UPDATE'], InvocationPoints: ['PRE_PROVISION'] };
    expect(resources.RuntimeHook!.Properties).toMatchObject({ TargetOperations: ['RESOURCE', 'CLOUD_CONTROL'], TargetFilters: { ...filters, TargetNames: ['AWS::Lambda::Function'] } });
    const stackHook = resources.RuntimeStackHook;
    if (!stackOperations) return expect(stackHook).toBeUndefined();
    expect(stackHook!.Type).toBe('AWS::CloudFormation::LambdaHook');
    expect(stackHook!.Properties).toMatchObject({ TargetOperations: stackOperations, TargetFilters: filters });
    expect(stackHook!.Properties.TargetFilters.TargetNames).toBeUndefined();
    for (const key of ['LambdaFunction', 'ExecutionRole', 'FailureMode', 'HookStatus']) expect(stackHook!.Properties[key], key).toEqual(resources.RuntimeHook!.Properties[key]);
    expect(stackHook!.Properties.Alias).not.toBe(resources.RuntimeHook!.Properties.Alias);
  });

  it("derives the stack hook's alias within the resource schema's Alias pattern, for every alias HookAlias accepts", () => {
    // Prepare: the longest and the shortest alias the parameter accepts, and one just too long
    const schema = javaPattern(schemaProperty('AWS::CloudFormation::LambdaHook', 'Alias').pattern as string);
    const parameter = javaPattern(render().Parameters.HookAlias!.AllowedPattern!);
    const longest = `${'A'.repeat(64)}::${'B'.repeat(64)}::${'C'.repeat(59)}`;
    expect(parameter.test(longest)).toBe(true);
    expect(parameter.test(`${longest}C`)).toBe(false);
    for (const alias of [longest, 'Ab::Cd::Ef', String(render().Parameters.HookAlias!.Default)]) {
      // Act
      const hooks = render({ HookAlias: alias }).Resources;
      // Assess
      for (const id of ['RuntimeHook', 'RuntimeStackHook']) expect(hooks[id]!.Properties.Alias, `${id} of ${alias}`).toMatch(schema);
    }
  });

  it('reserves concurrency for the hook function while the Lambda hook is deployed, and none with HookReservedConcurrency 0', () => {
    const reserved = (parameters: Record<string, string>) => render(parameters).Resources.RuntimeHookFunction!.Properties.ReservedConcurrentExecutions;
    const byDefault = render().Parameters.HookReservedConcurrency!.Default;
    expect(Number(byDefault)).toBeGreaterThan(0);
    expect(reserved({})).toBe(String(byDefault));
    expect(reserved({ HookMode: 'both', HookReservedConcurrency: '50' })).toBe('50');
    expect(reserved({ HookReservedConcurrency: '0' })).toBeUndefined();
    expect(reserved({ HookMode: 'guard' })).toBeUndefined();
  });

  // Hooks User Guide, "Prepare to create a Lambda Hook" and "Prepare to create a Guard Hook",
  // "Create an execution role", step 2: the trust policy, the same for both.
  const DOCUMENTED_HOOK_TRUST_POLICY = {
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Principal: { Service: ['hooks.cloudformation.amazonaws.com'] }, Action: 'sts:AssumeRole' }],
  };
  // Amazon SNS Developer Guide, "Key management", "Enable compatibility between event sources from
  // AWS services and encrypted topics": the key policy statement, with CloudWatch's principal.
  const DOCUMENTED_ALARM_KEY_STATEMENT = { Effect: 'Allow', Principal: { Service: 'cloudwatch.amazonaws.com' }, Action: ['kms:GenerateDataKey*', 'kms:Decrypt'], Resource: '*' };

  it('trusts the hooks service exactly as AWS documents it, in both hook roles', () => {
    const resources = render({ HookMode: 'both' }).Resources;
    for (const id of ['RuntimeHookExecutionRole', 'GuardHookExecutionRole']) expect(resources[id]!.Properties.AssumeRolePolicyDocument, id).toEqual(DOCUMENTED_HOOK_TRUST_POLICY);
  });

  it("lets CloudWatch alarms use the alert key exactly as AWS documents it, and by no other statement", () => {
    const statements = render().Resources.AlertKey!.Properties.KeyPolicy.Statement as { Principal?: { Service?: string } }[];
    expect(statements.filter((st) => st.Principal?.Service === 'cloudwatch.amazonaws.com')).toEqual([DOCUMENTED_ALARM_KEY_STATEMENT]);
  });

  it('holds no YAML anchor or alias, which CloudFormation refuses', () => {
    // Prepare: the detector finds both, and not a `*` or `&` inside a string
    expect(anchorsAndAliases("a: &x {k: 1}\nb: *x\nc: '*x &y'\nd: !Ref '*x'\ne:\n  - &n ~\n  - *n\n")).toEqual({ anchors: ['x', 'n'], aliases: ['*x', '*n'] });
    // Act, Assess
    expect(anchorsAndAliases(readFileSync(join(ROOT, 'template.yaml'), 'utf8'))).toEqual({ anchors: [], aliases: [] });
  });

  it('publishes the first Guard rules after the first catalog refresh, when the stack refreshes the catalog', () => {
    const guardRules = (parameters: Record<string, string>) => JSON.stringify(render({ HookMode: 'guard', ...parameters }, false).Resources.GuardRules);
    expect(guardRules({ CatalogRefresh: 'daily' })).toContain('{"Ref":"CatalogInitialRefresh"}');
    expect(guardRules({ CatalogRefresh: 'off' })).not.toContain('CatalogInitialRefresh');
    // Either way the property holds the catalog parameter's name (the refresher's physical id).
    expect(render({ HookMode: 'guard' }, false).Resources.GuardRules!.Properties.CatalogParameter).toEqual({ Ref: 'CatalogInitialRefresh' });
  });

  it('keeps the log groups, their key and the waiver ledger when the stack goes, and deletes the queue and the notification log', () => {
    const policies = Object.entries(template.Resources as Record<string, { Type: string; DeletionPolicy?: string; UpdateReplacePolicy?: string }>)
      .filter(([, r]) => ['AWS::Logs::LogGroup', 'AWS::KMS::Key', 'AWS::SQS::Queue', 'AWS::DynamoDB::Table'].includes(r.Type))
      .map(([id, r]) => [id, r.Type, r.DeletionPolicy, r.UpdateReplacePolicy]);
    expect(policies.filter(([, type]) => type === 'AWS::Logs::LogGroup').length).toBeGreaterThan(0);
    for (const [id, type, deletion, replace] of policies) {
      // The ledger's first sightings bound tag-waiver renewals: a stack deleted and made again must
      // not silently grant every function a fresh period.
      const decided = type === 'AWS::Logs::LogGroup' || type === 'AWS::KMS::Key' || id === 'WaiverLedgerTable' ? 'Retain' : 'Delete';
      expect([deletion, replace], `${id}`).toEqual([decided, decided]);
    }
  });

  it('gives the Guard hook a report bucket when GuardHookLogBucket names one, which its role may write to', () => {
    const withBucket = render({ HookMode: 'guard', GuardHookLogBucket: 'guard-reports' }).Resources;
    expect(withBucket.GuardHook!.Properties.LogBucket).toBe('guard-reports');
    const statements = (r: Rendered['Resources']) => (r.GuardHookExecutionRole!.Properties.Policies as { PolicyDocument: { Statement: unknown[] } }[]).flatMap((p) => p.PolicyDocument.Statement);
    expect(statements(withBucket)).toContainEqual({ Effect: 'Allow', Action: 's3:PutObject', Resource: 'arn:aws:s3:::guard-reports/*' });
    const without = render({ HookMode: 'guard' }).Resources;
    expect(without.GuardHook!.Properties.LogBucket).toBeUndefined();
    expect(JSON.stringify(statements(without))).not.toContain('s3:PutObject');
  });

  it('lets LogRetentionDays take every retention CloudWatch Logs accepts, or 0 to keep logs forever, 365 days by default', () => {
    const parameter = render().Parameters.LogRetentionDays!;
    expect(parameter.AllowedValues!.map(Number)).toEqual([0, ...(schemaProperty('AWS::Logs::LogGroup', 'RetentionInDays').enum as number[])]);
    const groups = Object.values(render({ LogRetentionDays: '0' }).Resources).filter((r) => r.Type === 'AWS::Logs::LogGroup');
    expect(groups.length).toBeGreaterThan(0);
    for (const g of groups) expect(g.Properties?.RetentionInDays).toBeUndefined();
    // AWS Control Tower's proactive control on log groups asks for at least a year.
    expect(Number(parameter.Default)).toBeGreaterThanOrEqual(365);
  });

  it('builds with sam build (scripts/sam-build.sh) into bundles that answer real events', async () => {
    // Arrange: inside the repository, so that the SDK left out of a bundle resolves to
    // node_modules as it resolves to the runtime's copy in Lambda.
    mkdirSync(join(ROOT, '.aws-sam'), { recursive: true });
    const built = mkdtempSync(join(ROOT, '.aws-sam', 'test-'));
    onTestFinished(() => removeInBackground(built));
    // Act
    await run('bash', [join(ROOT, 'scripts', 'sam-build.sh'), built], { cwd: ROOT, env, maxBuffer: 16 * 1024 * 1024 });
    // Minified, with a source map; the Config rule uses the runtime's SDK, the hook its own,
    // which no cold start loads before the first SSM read (README, "Cold starts").
    const js = (fn: string): string[] => readdirSync(join(built, fn)).filter((f) => f.endsWith('.mjs'));
    const code = readFileSync(join(built, 'ConfigRuleFunction', 'handler.mjs'), 'utf8');
    expect(code).toMatch(/from\s*["']@aws-sdk\/client-lambda["']/);
    expect(code.length / code.split('\n').length).toBeGreaterThan(1000); // minified: long lines
    expect(readFileSync(join(built, 'ConfigRuleFunction', 'handler.mjs.map'), 'utf8')).toContain('config-rules/runtime-compliance/handler.ts');
    const hookFiles = js('RuntimeHookFunction');
    const hookCode = (f: string): string => readFileSync(join(built, 'RuntimeHookFunction', f), 'utf8');
    const ssmClient = hookFiles.filter((f) => hookCode(f).includes('AmazonSSM')); // the service's JSON target prefix
    expect(ssmClient).toHaveLength(1);
    expect(hookFiles.some((f) => /from\s*["']@aws-sdk\//.test(hookCode(f)))).toBe(false);
    expect([...initFiles(join(built, 'RuntimeHookFunction'))]).not.toContain(ssmClient[0]);
    process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
    const bundle = (await import(pathToFileURL(join(built, 'RuntimeHookFunction', 'handler.mjs')).href)) as {
      handler: (e: unknown) => Promise<{ hookStatus: string; errorCode?: string }>;
      createHandler: (deps: HookDependencies) => (e: unknown) => Promise<{ hookStatus: string; errorCode?: string }>;
    };
    // Assess: the bundled code, not the sources, decides
    expect(await bundle.handler(loadEvent('hook', 'create-nodejs16'))).toMatchObject({ hookStatus: 'FAILED', errorCode: 'NonCompliant' });
    expect(await bundle.handler(loadEvent('hook', 'create-nodejs22'))).toMatchObject({ hookStatus: 'SUCCESS' });
    expect(await bundle.handler('garbage')).toMatchObject({ hookStatus: 'FAILED', errorCode: 'InternalFailure' });
    // A change set loads the template reader on demand: the split bundle must hold it.
    const payloads = await startPayloadServer();
    onTestFinished(() => payloads.close());
    const changeSet = loadEvent<{ requestData: { payload: string } }>('hook', 'change-set-create');
    changeSet.requestData.payload = payloads.publish({ template: readFileSync(join(ROOT, 'test', 'fixtures', 'stack-hook', 'sam-globals-nodejs16.yaml'), 'utf8'), changedResources: [{ action: 'CREATE', logicalResourceId: 'OrdersApiFunction', resourceType: 'AWS::Lambda::Function' }] });
    // The deployed handler fetches payloads from S3 over https only: the loopback server is refused.
    expect(await bundle.handler(changeSet)).toMatchObject({ hookStatus: 'FAILED', errorCode: 'InternalFailure', message: expect.stringContaining('is not an https URL on an S3 host') });
    const loopback = bundle.createHandler({
      loadPolicy: () => Promise.resolve(DEFAULT_POLICY),
      now: Date.now,
      logger: new Logger({ serviceName: 'test', logLevel: 'SILENT' }),
      fetchPayload: payloadFetcher({ allowed: (url) => url.startsWith('http://127.0.0.1:') }),
    });
    expect(await loopback(changeSet)).toMatchObject({ hookStatus: 'FAILED', errorCode: 'NonCompliant', message: expect.stringMatching(/^1 Lambda function that this change set creates or updates breaks the runtime policy: OrdersApiFunction \(line 12\)\./) });
    const rule = (await import(pathToFileURL(join(built, 'ConfigRuleFunction', 'handler.mjs')).href)) as { handler: (e: unknown) => Promise<unknown> };
    await expect(rule.handler({ invokingEvent: 'x' })).rejects.toThrow(/^Not an AWS Config rule event: /);
    Object.assign(process.env, { AWS_REGION: 'eu-west-1', ALERT_TOPIC_ARN: 'arn:aws:sns:eu-west-1:123456789012:alerts', NOTIFICATION_LOG_TABLE: 'log', FUNCTION_STATE_TABLE: 'state' });
    for (const [fn, message] of [
      ['NotifyFunction', /^Invalid notify input: functionName: /],
      ['SwitchModeFunction', /^Invalid switch-mode input: functionName: /],
    ] as const) {
      const remediation = (await import(pathToFileURL(join(built, fn, 'handler.mjs')).href)) as { handler: (e: unknown) => Promise<unknown> };
      await expect(remediation.handler({ functionName: '' }), fn).rejects.toThrow(message);
    }
    const rules = (await import(pathToFileURL(join(built, 'GuardRulesFunction', 'handler.mjs')).href)) as { handler: (e: unknown) => Promise<unknown> };
    await expect(rules.handler({})).rejects.toThrow('Environment variable RULES_BUCKET is required');
  }, 600_000);
});

describe('template.yaml: what protects the control, and what makes HookFailureMode WARN loud (#20)', () => {
  const ALLOW_ALL = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] };
  const DEVELOPER = 'arn:aws:iam::123456789012:role/developer';
  const inline = (role: { Properties: Record<string, any> }) => ({ Version: '2012-10-17', Statement: (role.Properties.Policies as { PolicyDocument: { Statement: unknown[] } }[]).flatMap((p) => p.PolicyDocument.Statement) });
  /** One request judged by a real IAM policy evaluation engine (@cloud-copilot/iam-simulate), in one account, without SCPs. */
  async function decide(principal: string, identity: unknown, action: string, resource: string, resourcePolicy: unknown): Promise<string> {
    const result = await runSimulation(
      {
        request: { principal, action, resource: { resource, accountId: '123456789012' }, contextVariables: { 'aws:PrincipalArn': principal, 'aws:PrincipalAccount': '123456789012', 'aws:SecureTransport': 'true' } },
        identityPolicies: [{ name: 'identity', policy: identity as never }],
        serviceControlPolicies: [],
        resourceControlPolicies: [],
        resourcePolicy: resourcePolicy as never,
      },
      {},
    );
    if (result.resultType !== 'single') throw new Error(`${action}: ${JSON.stringify(result)}`);
    return result.overallResult;
  }

  it('lets nobody but the notify function write claims into the notification log, administrators included', async () => {
    const r = render().Resources;
    const policy = r.NotificationLogTable!.Properties.ResourcePolicy.PolicyDocument;
    const table = `arn:aws:dynamodb:eu-west-1:123456789012:table/${r.NotificationLogTable!.Properties.TableName}`;
    expect(r.NotifyFunction!.Properties.Role).toBe('arn:aws:iam::123456789012:role/NotifyRole');
    for (const action of ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:BatchWriteItem', 'dynamodb:PartiQLInsert', 'dynamodb:PartiQLUpdate', 'dynamodb:PartiQLDelete']) {
      expect(await decide(DEVELOPER, ALLOW_ALL, action, table, policy), action).toBe('ExplicitlyDenied');
    }
    for (const action of ['dynamodb:PutItem', 'dynamodb:DeleteItem']) expect(await decide(r.NotifyFunction!.Properties.Role, inline(r.NotifyRole!), action, table, policy), action).toBe('Allowed');
  });

  it('lets nobody but the publisher write or remove the Guard rules, which the Guard hook still reads', async () => {
    const r = render({ HookMode: 'guard' }).Resources;
    const policy = r.GuardRulesBucketPolicy!.Properties.PolicyDocument;
    const object = 'arn:aws:s3:::guardrulesbucket/runtime-warden.guard';
    expect(r.GuardRulesFunction!.Properties.Role).toBe('arn:aws:iam::123456789012:role/GuardRulesRole');
    for (const action of ['s3:PutObject', 's3:DeleteObject', 's3:DeleteObjectVersion', 's3:ReplicateObject']) {
      expect(await decide(DEVELOPER, ALLOW_ALL, action, object, policy), action).toBe('ExplicitlyDenied');
    }
    for (const action of ['s3:PutObject', 's3:DeleteObjectVersion']) expect(await decide(r.GuardRulesFunction!.Properties.Role, inline(r.GuardRulesRole!), action, object, policy), action).toBe('Allowed');
    expect(await decide('arn:aws:iam::123456789012:role/GuardHookExecutionRole', inline(r.GuardHookExecutionRole!), 's3:GetObject', object, policy)).toBe('Allowed');
  });

  it('takes the quiet period from the deployment: the notify document passes none, the function reads QuietPeriodMinutes', () => {
    const r = render({}, false).Resources;
    expect(JSON.stringify(r.NotifyDocument!.Properties.Content)).not.toMatch(/quiet/i);
    expect(JSON.stringify(r.NotifyRemediation!.Properties.Parameters)).not.toMatch(/quiet/i);
    expect(r.NotifyFunction!.Properties.Environment.Variables.QUIET_PERIOD_MINUTES).toEqual({ Ref: 'QuietPeriodMinutes' });
  });

  it("alarms on the hook function's errors and throttles, its InternalFailure answers, and its NonCompliant answers while it warns", () => {
    const alarms = (parameters: Record<string, string>) =>
      Object.entries(render(parameters).Resources)
        .filter(([, x]) => x.Type === 'AWS::CloudWatch::Alarm' && x.Properties.AlarmActions?.[0] === 'arn:aws:sns:eu-west-1:123456789012:AlertTopic')
        .map(([, x]) => `${x.Properties.Namespace} ${x.Properties.MetricName}${x.Properties.Dimensions ? ` ${x.Properties.Dimensions[0].Value}` : ''}`);
    const hook = ['AWS/Lambda Errors RuntimeHookFunction', 'AWS/Lambda Throttles RuntimeHookFunction', 'RuntimeWarden/runtime-warden HookInternalFailures'];
    expect(alarms({})).toEqual(expect.arrayContaining([...hook, 'RuntimeWarden/runtime-warden HookNonCompliantWhileWarning']));
    expect(alarms({ HookFailureMode: 'FAIL' })).toEqual(expect.arrayContaining(hook));
    expect(alarms({ HookFailureMode: 'FAIL' })).not.toContain('RuntimeWarden/runtime-warden HookNonCompliantWhileWarning');
    expect(alarms({ HookMode: 'guard' }).filter((a) => a.includes('Hook') || a.includes('RuntimeHookFunction'))).toEqual([]);
  });

  /** A CloudWatch Logs JSON filter of `$.field = "value"` terms joined by &&; anything else is refused, never guessed. */
  function matches(pattern: string, line: Record<string, unknown>): boolean {
    const body = /^\{\s*(.+?)\s*\}$/.exec(pattern)?.[1];
    if (!body) throw new Error(`not a JSON filter pattern: ${pattern}`);
    return body.split('&&').every((term) => {
      const m = /^\s*\$\.([A-Za-z0-9_]+)\s*=\s*"([^"*]*)"\s*$/.exec(term);
      if (!m) throw new Error(`a term this test does not evaluate: ${term}`);
      return line[m[1]!] === m[2];
    });
  }

  it("counts NonCompliant and InternalFailure answers from the lines the hook logs, and nothing else", async () => {
    // Prepare: the hook's own log lines, as Powertools writes them to standard output
    const r = render().Resources;
    const filters = Object.fromEntries(Object.values(r).filter((x) => x.Type === 'AWS::Logs::MetricFilter').map((x) => [x.Properties.MetricTransformations[0].MetricName, x.Properties.FilterPattern as string]));
    const written: string[] = [];
    // Errors go to standard error, the rest to standard output: a Lambda log group gets both.
    const capture = (chunk: string | Uint8Array): boolean => {
      written.push(String(chunk));
      return true;
    };
    const spies = [vi.spyOn(process.stdout, 'write').mockImplementation(capture), vi.spyOn(process.stderr, 'write').mockImplementation(capture)];
    const hook = createHook({ loadPolicy: () => Promise.resolve(DEFAULT_POLICY), now: Date.now, logger: new Logger({ serviceName: 'runtime-warden-hook', logLevel: 'INFO' }) });
    const lines = async (event: unknown): Promise<Record<string, unknown>[]> => {
      written.length = 0;
      await hook(event);
      return written.join('').split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as Record<string, unknown>);
    };
    try {
      // Act
      const [nonCompliant, compliant, broken] = [await lines(loadEvent('hook', 'create-nodejs16')), await lines(loadEvent('hook', 'create-nodejs22')), await lines('garbage')];
      // Assess
      const count = (metric: string, ls: Record<string, unknown>[]) => ls.filter((l) => matches(filters[metric]!, l)).length;
      expect([count('HookNonCompliantWhileWarning', nonCompliant), count('HookNonCompliantWhileWarning', compliant), count('HookNonCompliantWhileWarning', broken)]).toEqual([1, 0, 0]);
      expect([count('HookInternalFailures', nonCompliant), count('HookInternalFailures', compliant), count('HookInternalFailures', broken)]).toEqual([0, 0, 1]);
    } finally {
      for (const spy of spies) spy.mockRestore();
    }
  });
});
