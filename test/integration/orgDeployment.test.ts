import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { ACCOUNT_DIGEST_KIND } from '../../shared/remediation/digest.js';
import { parseTemplate } from '../../shared/template/parse.js';
import { modelErrors } from '../helpers/awsModels.js';
import { loadTemplate, renderTemplate } from '../helpers/cfnRender.js';
import { ROOT } from '../helpers/fixtures.js';

const exec = promisify(execFile);
const PY = join(ROOT, '.venv', 'bin', 'python');
// A URL of the form `scripts/stackset-template.py --release` prints.
const RELEASE_URL = `https://rw-artifacts-eu-west-1.s3.eu-west-1.amazonaws.com/runtime-warden/0.1.0/stackset-${'0'.repeat(64)}.json`;
// A key of the form `scripts/org-digest-package.py` prints.
const ORG_DIGEST_KEY = `runtime-warden/0.1.0/org-digest-${'0'.repeat(64)}.zip`;

type Packaged = { Parameters: Record<string, { Default?: unknown }>; Resources: Record<string, { Type: string; Properties: Record<string, unknown>; Metadata?: unknown }> };

describe('organisation-wide deployment', () => {
  const work = mkdtempSync(join(tmpdir(), 'rw-org-'));
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  /** What `sam package --s3-bucket rw-artifacts-eu-west-1` writes for each function, changed by `edit`. */
  const fakePackaged = (name: string, edit: (t: Packaged) => void = () => {}): string => {
    const template = parseTemplate(readFileSync(join(ROOT, 'template.yaml'), 'utf8')) as Packaged;
    for (const [id, r] of Object.entries(template.Resources)) {
      if (r.Type !== 'AWS::Serverless::Function') continue;
      r.Properties.CodeUri = `s3://rw-artifacts-eu-west-1/${id}.zip`;
      delete r.Metadata;
    }
    edit(template);
    const file = join(work, name);
    writeFileSync(file, JSON.stringify(template));
    return file;
  };
  const memberTemplateUrl = loadTemplate('org/central.yaml').Parameters!.MemberTemplateUrl as { AllowedPattern: string };

  it('central and artifact-bucket templates pass cfn-lint', async () => {
    await expect(exec(join(ROOT, '.venv', 'bin', 'cfn-lint'), ['org/central.yaml', 'org/artifact-bucket.yaml'], { cwd: ROOT })).resolves.toBeDefined();
  });

  it("rolls out at the StackSet's concurrency whatever fails, in every region at once: soft failure tolerance, as the CloudFormation API takes it (#22.8)", () => {
    const preferences = loadTemplate('org/central.yaml').Resources!.MemberStackSet!.Properties!.OperationPreferences as Record<string, unknown>;
    expect(preferences).toEqual({ RegionConcurrencyType: 'PARALLEL', ConcurrencyMode: 'SOFT_FAILURE_TOLERANCE', MaxConcurrentPercentage: 25, FailureTolerancePercentage: 10 });
    // The StackSet resource's schema (its enums) and the API's model (what CloudFormation sends on).
    const checks = (p: unknown) => [
      { id: 'resource', resource: 'AWS::CloudFormation::StackSet', property: 'OperationPreferences', value: p },
      { id: 'api', api: 'cloudformation.UpdateStackSet', params: { StackSetName: 'runtime-warden', OperationPreferences: p } },
    ];
    expect(modelErrors(checks(preferences))).toEqual([]);
    // The same validators refuse what CloudFormation refuses.
    expect(modelErrors(checks({ ...preferences, ConcurrencyMode: 'SOFT' }))).toEqual([expect.stringMatching(/^resource: .*SOFT/)]);
  });

  it('central template names only scripts that exist, and the artifact buckets are the <prefix>-<region> the StackSet template reads', () => {
    const central = readFileSync(join(ROOT, 'org', 'central.yaml'), 'utf8');
    const named = [...central.matchAll(/scripts\/[\w.-]+/g)].map((m) => m[0]);
    expect(named.length).toBeGreaterThan(0);
    for (const script of named) expect(existsSync(join(ROOT, script)), script).toBe(true);
    const buckets = parseTemplate(readFileSync(join(ROOT, 'org', 'artifact-bucket.yaml'), 'utf8')) as { Resources: { ArtifactBucket: { Properties: { BucketName: unknown } } } };
    expect(buckets.Resources.ArtifactBucket.Properties.BucketName).toEqual({ 'Fn::Sub': '${Prefix}-${AWS::Region}' });
  });

  it('passes members only parameters the member template declares, and with a shared catalog, its ARN and no refresher', () => {
    const central = loadTemplate('org/central.yaml');
    const member = loadTemplate('template.yaml');
    const arn = 'arn:aws:ssm:eu-west-1:111122223333:parameter/runtime-warden/runtime-catalog';
    const base = { OrganizationId: 'o-abcdefghij', MemberTemplateUrl: RELEASE_URL, TargetOrganizationalUnitIds: 'ou-ab12-cdefghij', TargetRegions: 'eu-west-1' };
    const params = (extra: Record<string, string>) =>
      Object.fromEntries(
        ((renderTemplate(central, { ...base, ...extra }, { resolve: true }).Resources as unknown as Record<string, { Properties: { Parameters: { ParameterKey: string; ParameterValue: string }[] } }>).MemberStackSet!.Properties.Parameters).map((p) => [p.ParameterKey, p.ParameterValue]),
      );
    const shared = params({ SharedCatalogParameterArn: arn });
    expect(shared).toMatchObject({ CatalogParameterName: arn, CatalogRefresh: 'off' });
    expect(params({})).not.toHaveProperty('CatalogParameterName');
    for (const key of Object.keys(shared)) expect(member.Parameters, key).toHaveProperty(key);
    // The member template accepts the ARN: it matches CatalogParameterName's AllowedPattern.
    expect(new RegExp((member.Parameters!.CatalogParameterName as { AllowedPattern: string }).AllowedPattern).test(arn)).toBe(true);
  });

  it('turns the packaged template into one a service-managed StackSet deploys in every region', async () => {
    // Prepare
    const packaged = fakePackaged('packaged.json');
    // Act
    const { stdout } = await exec(PY, [join(ROOT, 'scripts', 'stackset-template.py'), packaged, 'rw-artifacts'], { maxBuffer: 16 * 1024 * 1024 });
    // Assess: no transform left, code per region, and CloudFormation's linter accepts it
    const out = JSON.parse(stdout) as { Transform?: unknown; Resources: Record<string, { Type: string; Properties: { Code?: unknown } }> };
    expect(out.Transform).toBeUndefined();
    const types = Object.values(out.Resources).map((r) => r.Type);
    expect(types.filter((t) => t.startsWith('AWS::Serverless::'))).toEqual([]);
    const functions = Object.values(out.Resources).filter((r) => r.Type === 'AWS::Lambda::Function');
    expect(functions.length).toBeGreaterThanOrEqual(5);
    for (const f of functions) expect(f.Properties.Code).toEqual({ S3Bucket: { 'Fn::Sub': 'rw-artifacts-${AWS::Region}' }, S3Key: expect.stringMatching(/\.zip$/) });
    expect(types).toEqual(expect.arrayContaining(['AWS::CloudFormation::LambdaHook', 'AWS::Config::ConfigRule', 'AWS::Config::RemediationConfiguration', 'AWS::SSM::Document']));
    expect(stdout).not.toContain('us-east-1');
    expect(stdout).not.toContain('eu-west-1');
    const transformed = join(work, 'stackset.json');
    writeFileSync(transformed, stdout);
    await expect(exec(join(ROOT, '.venv', 'bin', 'cfn-lint'), [transformed])).resolves.toBeDefined();
  });

  it('refuses a package whose code is not in <prefix>-<region> buckets', async () => {
    const packaged = join(work, 'wrong.yaml');
    writeFileSync(packaged, 'Transform: AWS::Serverless-2016-10-31\nResources:\n  F:\n    Type: AWS::Serverless::Function\n    Properties: { CodeUri: s3://somewhere/f.zip, Handler: h, Runtime: nodejs22.x }\n');
    await expect(exec(PY, [join(ROOT, 'scripts', 'stackset-template.py'), packaged, 'rw-artifacts'])).rejects.toThrow(/F: code bucket 'somewhere' is not rw-artifacts-<region>/);
  });
  it('renders each release under a URL of its own: a changed template a new one, the same template the same one', async () => {
    // Prepare: two builds that differ in one parameter default
    const first = fakePackaged('first.json');
    const changed = fakePackaged('changed.json', (t) => {
      t.Parameters.HookFailureMode!.Default = 'FAIL';
    });
    const releases = join(work, 'releases');
    const render = async (packaged: string): Promise<string> => (await exec(PY, [join(ROOT, 'scripts', 'stackset-template.py'), '--release', releases, packaged, 'rw-artifacts'], { maxBuffer: 16 * 1024 * 1024 })).stdout.trim();
    // Act
    const [a, again, b] = [await render(first), await render(first), await render(changed)];
    // Assess: the release is the StackSet template itself, at a key of its version and content
    expect(b).not.toBe(a);
    expect(again).toBe(a);
    const version = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
    const { stdout } = await exec(PY, [join(ROOT, 'scripts', 'stackset-template.py'), first, 'rw-artifacts'], { maxBuffer: 16 * 1024 * 1024 });
    const defaultMode = (loadTemplate('template.yaml').Parameters!.HookFailureMode as { Default: string }).Default;
    expect(defaultMode).not.toBe('FAIL');
    for (const [url, mode] of [
      [a, defaultMode],
      [b, 'FAIL'],
    ]) {
      expect(url).toMatch(new RegExp(`^https://rw-artifacts-eu-west-1\\.s3\\.eu-west-1\\.amazonaws\\.com/runtime-warden/${version.replace(/\./g, '\\.')}/stackset-[0-9a-f]{64}\\.json$`));
      const body = readFileSync(join(releases, new URL(url!).pathname), 'utf8');
      expect(url).toContain(createHash('sha256').update(body).digest('hex'));
      expect((JSON.parse(body) as Packaged).Parameters.HookFailureMode!.Default).toBe(mode);
    }
    expect(readFileSync(join(releases, new URL(a).pathname), 'utf8')).toBe(stdout);
    // central.yaml takes release URLs only, not the fixed key every release used to share
    expect(a).toMatch(new RegExp(memberTemplateUrl.AllowedPattern));
    expect('').toMatch(new RegExp(memberTemplateUrl.AllowedPattern));
    expect('https://rw-artifacts-eu-west-1.s3.amazonaws.com/runtime-warden/stackset.json').not.toMatch(new RegExp(memberTemplateUrl.AllowedPattern));
  });

  it("collects the member accounts' digests for one organisation digest at 09:00 UTC, only once its code key is given (#22)", () => {
    const central = loadTemplate('org/central.yaml');
    const base = { OrganizationId: 'o-abcdefghij', TargetOrganizationalUnitIds: 'ou-ab12-cdefghij', TargetRegions: 'eu-west-1' };
    type Resources = Record<string, { Type: string; Properties: Record<string, unknown> }>;
    const on = renderTemplate(central, { ...base, OrgDigestCodeKey: ORG_DIGEST_KEY, ArtifactBucketPrefix: 'rw-artifacts' }, { resolve: true }).Resources as unknown as Resources;
    const off = renderTemplate(central, base, { resolve: true }).Resources as unknown as Resources;
    const digestParts = ['DigestQueue', 'DigestDeadLetterQueue', 'DigestQueuePolicy', 'DigestSubscription', 'OrgDigestLogGroup', 'OrgDigestRole', 'OrgDigestFunction', 'OrgDigestSchedule', 'OrgDigestSchedulePermission'];
    expect(Object.keys(on)).toEqual(expect.arrayContaining(digestParts));
    expect(Object.keys(off).filter((id) => digestParts.includes(id))).toEqual([]);
    // The filter policy names the kind the member digest code sets; raw delivery keeps the attributes.
    expect(on.DigestSubscription!.Properties).toMatchObject({ Protocol: 'sqs', RawMessageDelivery: true, FilterPolicyScope: 'MessageAttributes', FilterPolicy: { kind: [ACCOUNT_DIGEST_KIND] } });
    expect(on.OrgDigestSchedule!.Properties.ScheduleExpression).toBe('cron(0 9 * * ? *)');
    expect(on.OrgDigestFunction!.Properties).toMatchObject({ Code: { S3Bucket: expect.stringMatching(/^rw-artifacts-[a-z]+-[a-z]+-\d$/), S3Key: ORG_DIGEST_KEY }, ReservedConcurrentExecutions: 1, Handler: 'handler.handler' });
    // Above the function's timeout, so a run never reads its own messages twice.
    expect(Number(on.DigestQueue!.Properties.VisibilityTimeout)).toBeGreaterThan(Number(on.OrgDigestFunction!.Properties.Timeout));
    const checks = ['DigestSubscription', 'DigestQueue', 'OrgDigestFunction', 'OrgDigestSchedule'].flatMap((id) => Object.entries(on[id]!.Properties).map(([property, value]) => ({ id: `${id}.${property}`, resource: on[id]!.Type, property, value })));
    expect(modelErrors(checks)).toEqual([]);
  });

  // checkov drops resources whose condition is false under the defaults: rendered with every
  // condition on (the StackSet, the shared catalog), each template is checked whole.
  it.each(['org/central.yaml', 'org/artifact-bucket.yaml'])('%s passes checkov, every skipped check with a written reason', async (path) => {
    const params = { OrganizationId: 'o-abcdefghij', Prefix: 'rw-artifacts', MemberTemplateUrl: RELEASE_URL, OrgDigestCodeKey: ORG_DIGEST_KEY, ArtifactBucketPrefix: 'rw-artifacts', TargetOrganizationalUnitIds: 'ou-ab12-cdefghij', TargetRegions: 'eu-west-1', SharedCatalogParameterArn: 'arn:aws:ssm:eu-west-1:111122223333:parameter/runtime-warden/runtime-catalog' };
    const template = loadTemplate(path);
    const file = join(work, path.replace('/', '-') + '.json');
    writeFileSync(file, JSON.stringify(renderTemplate(template, Object.fromEntries(Object.entries(params).filter(([k]) => k in (template.Parameters ?? {}))))));
    const { stdout } = await exec(join(ROOT, '.venv-checkov', 'bin', 'checkov'), ['-f', file, '--framework', 'cloudformation', '-o', 'json', '--skip-download'], { cwd: ROOT, maxBuffer: 16 * 1024 * 1024 }).catch((e: { stdout: string }) => e);
    const report = JSON.parse(stdout) as { summary: { passed: number }; results: { failed_checks: { check_id: string; resource: string }[]; skipped_checks: { check_id: string; check_result: { suppress_comment?: string } }[] } };
    expect(report.results.failed_checks.map((c) => `${c.check_id} ${c.resource}`)).toEqual([]);
    expect(report.summary.passed).toBeGreaterThan(5);
    expect(report.results.skipped_checks.filter((c) => (c.check_result.suppress_comment ?? '').length < 20)).toEqual([]);
  });
});
