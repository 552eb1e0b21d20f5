import { execFile } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it, onTestFinished } from 'vitest';
import { parseTemplate } from '../../shared/template/parse.js';
import { PREVIOUS_MODE_TAG } from '../../remediation/switch-mode/handler.js';
import { loadTemplate, renderTemplate } from '../helpers/cfnRender.js';
import { initFiles } from '../helpers/bundleFiles.js';
import { loadEvent, ROOT } from '../helpers/fixtures.js';
import { startPayloadServer } from '../helpers/payloadServer.js';

const run = promisify(execFile);
const bin = (tool: string): string => join(ROOT, '.venv', 'bin', tool);
const env = { ...process.env, SAM_CLI_TELEMETRY: '0' };

type Template = { Resources: Record<string, { Type: string; Properties: Record<string, unknown>; Metadata?: Record<string, unknown> }> };
const template = parseTemplate(readFileSync(join(ROOT, 'template.yaml'), 'utf8')) as Template;

describe('template.yaml', () => {
  const buildDir = mkdtempSync(join(tmpdir(), 'rw-sam-build-'));
  afterAll(() => rmSync(buildDir, { recursive: true, force: true }));

  it('passes cfn-lint', async () => {
    await expect(run(bin('cfn-lint'), ['template.yaml'], { cwd: ROOT, env })).resolves.toBeDefined();
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

  it('lets switch-mode write its own tag and no other (the tier and waiver tags decide the policy)', () => {
    const statements = (template.Resources.SwitchModeFunction!.Properties.Policies as { Statement?: { Action: string | string[]; Condition?: unknown }[] }[]).flatMap((p) => p.Statement ?? []);
    const tagging = statements.filter((st) => [st.Action].flat().some((a) => /^lambda:(Tag|Untag)Resource$/.test(a)));
    expect(tagging).toHaveLength(1);
    expect(tagging[0]!.Condition).toEqual({ 'ForAllValues:StringEquals': { 'aws:TagKeys': [PREVIOUS_MODE_TAG] } });
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
    ['both', ['RESOURCE', 'CLOUD_CONTROL', 'STACK', 'CHANGE_SET']],
    ['change-sets', ['RESOURCE', 'CLOUD_CONTROL', 'CHANGE_SET']],
    ['stacks', ['RESOURCE', 'CLOUD_CONTROL', 'STACK']],
    ['none', ['RESOURCE', 'CLOUD_CONTROL']],
  ])('HookStackTargets=%s gives the Lambda hook the target operations %j', (value, operations) => {
    const rendered = renderTemplate(loadTemplate('template.yaml'), { HookStackTargets: value }, { resolve: true }) as { Resources: Record<string, { Properties: Record<string, unknown> }> };
    const hook = rendered.Resources.RuntimeHook!.Properties;
    expect(hook.TargetOperations).toEqual(operations);
    // Resource type names filter only what stays per resource (README, "Hook targets").
    expect(hook.TargetFilters).toEqual({ Actions: ['CREATE', 'UPDATE'], InvocationPoints: ['PRE_PROVISION'], ...(value === 'none' && { TargetNames: ['AWS::Lambda::Function'] }) });
  });

  it('builds with sam build (scripts/sam-build.sh) into bundles that answer real events', async () => {
    // Arrange: inside the repository, so that the SDK left out of a bundle resolves to
    // node_modules as it resolves to the runtime's copy in Lambda.
    mkdirSync(join(ROOT, '.aws-sam'), { recursive: true });
    const built = mkdtempSync(join(ROOT, '.aws-sam', 'test-'));
    onTestFinished(() => rmSync(built, { recursive: true, force: true }));
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
    const bundle = (await import(pathToFileURL(join(built, 'RuntimeHookFunction', 'handler.mjs')).href)) as { handler: (e: unknown) => Promise<{ hookStatus: string; errorCode?: string }> };
    // Assess: the bundled code, not the sources, decides
    expect(await bundle.handler(loadEvent('hook', 'create-nodejs16'))).toMatchObject({ hookStatus: 'FAILED', errorCode: 'NonCompliant' });
    expect(await bundle.handler(loadEvent('hook', 'create-nodejs22'))).toMatchObject({ hookStatus: 'SUCCESS' });
    expect(await bundle.handler('garbage')).toMatchObject({ hookStatus: 'FAILED', errorCode: 'InternalFailure' });
    // A change set loads the template reader on demand: the split bundle must hold it.
    const payloads = await startPayloadServer();
    onTestFinished(() => payloads.close());
    const changeSet = loadEvent<{ requestData: { payload: string } }>('hook', 'change-set-create');
    changeSet.requestData.payload = payloads.publish({ template: readFileSync(join(ROOT, 'test', 'fixtures', 'stack-hook', 'sam-globals-nodejs16.yaml'), 'utf8'), changedResources: [{ action: 'CREATE', logicalResourceId: 'OrdersApiFunction', resourceType: 'AWS::Lambda::Function' }] });
    expect(await bundle.handler(changeSet)).toMatchObject({ hookStatus: 'FAILED', errorCode: 'NonCompliant', message: expect.stringMatching(/^1 Lambda function that this change set creates or updates breaks the runtime policy: OrdersApiFunction \(line 12\)\./) });
    const rule = (await import(pathToFileURL(join(built, 'ConfigRuleFunction', 'handler.mjs')).href)) as { handler: (e: unknown) => Promise<unknown> };
    await expect(rule.handler({ invokingEvent: 'x' })).rejects.toThrow(/^Not an AWS Config rule event: /);
    Object.assign(process.env, { AWS_REGION: 'eu-west-1', ALERT_TOPIC_ARN: 'arn:aws:sns:eu-west-1:123456789012:alerts', NOTIFICATION_LOG_TABLE: 'log' });
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

// AWS Serverless Application Repository, application metadata (SAM Developer Guide, "Publishing
// serverless applications"; the ServerlessRepo API's CreateApplication constraints).
describe('template.yaml: Serverless Application Repository metadata', () => {
  const app = (template as unknown as { Metadata: Record<string, Record<string, unknown>> }).Metadata['AWS::ServerlessRepo::Application']!;
  it('has what `sam publish` needs, within the repository limits', () => {
    expect(app.Name).toMatch(/^[a-zA-Z0-9-]{1,140}$/);
    expect(String(app.Description).length).toBeGreaterThan(0);
    expect(String(app.Description).length).toBeLessThanOrEqual(256);
    expect(app.Author).toMatch(/^[a-z0-9](([a-z0-9]|-(?!-))*[a-z0-9])?$/);
    expect(String(app.Author).length).toBeLessThanOrEqual(127);
    expect((app.Labels as string[]).length).toBeLessThanOrEqual(10);
    for (const label of app.Labels as string[]) expect(label).toMatch(/^[a-zA-Z0-9+\-_:/@]{1,127}$/);
    expect(app.SemanticVersion).toBe((JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version);
    expect(app.SpdxLicenseId).toBe((JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { license: string }).license);
    for (const file of [app.LicenseUrl, app.ReadmeUrl] as string[]) expect(existsSync(join(ROOT, file)), file).toBe(true);
    for (const url of [app.HomePageUrl, app.SourceCodeUrl] as string[]) expect(url).toMatch(/^https:\/\//);
  });
});
