import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { parseTemplate } from '../../shared/template/parse.js';
import { loadTemplate, renderTemplate } from '../helpers/cfnRender.js';
import { ROOT } from '../helpers/fixtures.js';

const exec = promisify(execFile);
const PY = join(ROOT, '.venv', 'bin', 'python');

describe('organisation-wide deployment', () => {
  const work = mkdtempSync(join(tmpdir(), 'rw-org-'));
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('central and artifact-bucket templates pass cfn-lint', async () => {
    await expect(exec(join(ROOT, '.venv', 'bin', 'cfn-lint'), ['org/central.yaml', 'org/artifact-bucket.yaml'], { cwd: ROOT })).resolves.toBeDefined();
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
    const base = { OrganizationId: 'o-abcdefghij', MemberTemplateUrl: 'https://example-bucket.s3.amazonaws.com/member.yaml', TargetOrganizationalUnitIds: 'ou-ab12-cdefghij', TargetRegions: 'eu-west-1' };
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
    // Prepare: what `sam package --s3-bucket rw-artifacts-eu-west-1` writes for each function.
    const template = parseTemplate(readFileSync(join(ROOT, 'template.yaml'), 'utf8')) as { Resources: Record<string, { Type: string; Properties: Record<string, unknown>; Metadata?: unknown }> };
    for (const [id, r] of Object.entries(template.Resources)) {
      if (r.Type !== 'AWS::Serverless::Function') continue;
      r.Properties.CodeUri = `s3://rw-artifacts-eu-west-1/${id}.zip`;
      delete r.Metadata;
    }
    const packaged = join(work, 'packaged.json');
    writeFileSync(packaged, JSON.stringify(template));
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
});
