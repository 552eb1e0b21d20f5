import { Logger } from '@aws-lambda-powertools/logger';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CreateBucketCommand, DeleteBucketCommand, DeleteObjectCommand, GetObjectCommand, HeadObjectCommand, ListObjectVersionsCommand, PutBucketVersioningCommand, S3Client } from '@aws-sdk/client-s3';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { execFile } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createHandler, topicAlert } from '../../hooks/guard-rules/handler.js';
import { guardRulesProblems } from '../../hooks/guard-rules/selfCheck.js';
import { CATALOG_DATA_AS_OF } from '../../shared/index.js';
import { DEFAULT_POLICY } from '../../shared/index.js';
import { guardRules } from '../../shared/guard/generate.js';
import { createAlerting, type AlertingFixture } from '../../scripts/emulator/alerting.js';
import { startMoto, type MotoServer } from '../../scripts/emulator/moto.js';
import { ROOT } from '../helpers/fixtures.js';

// The Guard rules publisher against moto's S3, answering CloudFormation's custom resource
// protocol to a real HTTP endpoint on loopback, as the pre-signed ResponseURL would receive it.

const exec = promisify(execFile);
const GUARD = join(ROOT, 'node_modules', '@cdklabs', 'cdk-validator-cfnguard', 'bin', 'ubuntu', process.arch === 'arm64' ? 'aarch64' : 'x86_64', 'cfn-guard');
const NOW = Date.parse('2026-11-23T06:00:00Z');

describe('Guard rules publisher', () => {
  let moto: MotoServer;
  let s3: S3Client;
  let sns: SNSClient;
  let sqs: SQSClient;
  let dynamo: DynamoDBClient;
  let alerting: AlertingFixture;
  let server: Server;
  let responseUrl: string;
  const responses: Record<string, unknown>[] = [];
  const work = mkdtempSync(join(tmpdir(), 'rw-rules-'));

  beforeAll(async () => {
    moto = await startMoto();
    s3 = new S3Client({ ...moto.clientConfig, forcePathStyle: true });
    sns = new SNSClient(moto.clientConfig);
    sqs = new SQSClient(moto.clientConfig);
    dynamo = new DynamoDBClient(moto.clientConfig);
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        responses.push({ method: req.method, ...JSON.parse(body) });
        res.end();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    responseUrl = `http://127.0.0.1:${(server.address() as { port: number }).port}/response?signature=x`;
  });
  afterAll(async () => {
    for (const c of [s3, sns, sqs, dynamo]) c?.destroy();
    await new Promise((r) => server?.close(r));
    await moto?.stop();
    rmSync(work, { recursive: true, force: true });
  });
  beforeEach(async () => {
    responses.length = 0;
    await moto.reset();
    await s3.send(new CreateBucketCommand({ Bucket: 'rules', CreateBucketConfiguration: { LocationConstraint: 'eu-west-1' } }));
    await s3.send(new PutBucketVersioningCommand({ Bucket: 'rules', VersioningConfiguration: { Status: 'Enabled' } }));
    alerting = await createAlerting(sns, sqs, dynamo);
  });

  const respond = async (url: string, body: string): Promise<void> => {
    const r = await fetch(url, { method: 'PUT', body });
    if (!r.ok) throw new Error(String(r.status));
  };
  const handler = (bucket = 'rules', generate?: typeof guardRules) =>
    createHandler({
      s3,
      bucket,
      key: 'runtime-warden.guard',
      loadPolicy: () => Promise.resolve(DEFAULT_POLICY),
      policyName: 'the bundled default policy',
      now: () => NOW,
      logger: new Logger({ logLevel: 'SILENT' }),
      respond,
      alert: topicAlert(sns, alerting.topicArn),
      ...(generate && { generate }),
    });
  const published = (r: Awaited<ReturnType<ReturnType<typeof handler>>>) => (r?.published ? r : undefined);
  const event = (RequestType: string) => ({ RequestType, ResponseURL: responseUrl, StackId: 'arn:aws:cloudformation:eu-west-1:123456789012:stack/rw/1', RequestId: 'r-1', LogicalResourceId: 'GuardRules', ResourceType: 'AWS::CloudFormation::CustomResource', ResourceProperties: {} });

  it('publishes the rules generated from the policy on Create and answers SUCCESS with their URI', async () => {
    const result = await handler()(event('Create'));
    const body = await (await s3.send(new GetObjectCommand({ Bucket: 'rules', Key: 'runtime-warden.guard' }))).Body!.transformToString();
    expect(body).toBe(guardRules(DEFAULT_POLICY, NOW, `the bundled default policy, runtime catalog as of ${CATALOG_DATA_AS_OF} (built in)`));
    expect(responses).toEqual([
      expect.objectContaining({ method: 'PUT', Status: 'SUCCESS', PhysicalResourceId: 's3://rules/runtime-warden.guard', RequestId: 'r-1', LogicalResourceId: 'GuardRules', Data: { Uri: 's3://rules/runtime-warden.guard', VersionId: published(result)!.versionId } }),
    ]);
    // The published rules are rules cfn-guard runs.
    writeFileSync(join(work, 'rules.guard'), body);
    writeFileSync(join(work, 'ok.json'), JSON.stringify({ Resources: { F: { Type: 'AWS::Lambda::Function', Properties: { Runtime: 'nodejs22.x' } } } }));
    await expect(exec(GUARD, ['validate', '-r', join(work, 'rules.guard'), '-d', join(work, 'ok.json')])).resolves.toBeDefined();
  });

  it('republishes on the daily schedule, as a new version', async () => {
    const first = published(await handler()(event('Create')));
    const daily = published(await handler()({ 'detail-type': 'Scheduled Event', source: 'aws.events' }));
    expect(daily?.versionId).toBeDefined();
    expect(daily?.versionId).not.toBe(first?.versionId);
  });

  it('removes every version of the rules on Delete, so that the versioned bucket can be deleted with the stack', async () => {
    // Prepare: three published versions and a delete marker, as days of publishing leave them
    await handler()(event('Create'));
    await handler()({ 'detail-type': 'Scheduled Event', source: 'aws.events' });
    await s3.send(new DeleteObjectCommand({ Bucket: 'rules', Key: 'runtime-warden.guard' }));
    await handler()({ 'detail-type': 'Scheduled Event', source: 'aws.events' });
    // Act
    await handler()(event('Delete'));
    // Assess
    const left = await s3.send(new ListObjectVersionsCommand({ Bucket: 'rules' }));
    expect([...(left.Versions ?? []), ...(left.DeleteMarkers ?? [])]).toEqual([]);
    await expect(s3.send(new HeadObjectCommand({ Bucket: 'rules', Key: 'runtime-warden.guard' }))).rejects.toThrow();
    await expect(s3.send(new DeleteBucketCommand({ Bucket: 'rules' }))).resolves.toBeDefined();
    expect(responses.at(-1)).toMatchObject({ Status: 'SUCCESS' });
  });

  it('answers FAILED with the reason when S3 refuses, rather than leaving the stack waiting', async () => {
    const result = await handler('no-such-bucket')(event('Create'));
    expect(result).toBeUndefined();
    expect(responses).toEqual([expect.objectContaining({ Status: 'FAILED', Reason: expect.stringMatching(/^Could not publish the Guard rules at s3:\/\/no-such-bucket\/runtime-warden\.guard: NoSuchBucket/) })]);
  });

  // Rules files that are wrong in the ways a policy value or a generator bug makes them wrong.
  // cfn-guard refuses the first four outright (the hook then fails on every function); it takes
  // the last two, which pass everything or shadow a rule.
  const generated = guardRules(DEFAULT_POLICY, NOW, 'the bundled default policy');
  const BROKEN: readonly { name: string; text: string; problem: RegExp; guardRefuses: boolean }[] = [
    { name: 'an unclosed brace', text: generated.replace('}\n', '\n'), problem: /"\{" is never closed/, guardRefuses: true },
    { name: 'a ">>" inside a message', text: generated.replace('runtime-warden RW004: this', 'runtime-warden RW004: >> this <<'), problem: /text after the end of a message/, guardRefuses: true },
    { name: 'a tier name with a slash in a rule name', text: generated.replace('rule runtime_warden_rw004 ', 'rule runtime_warden_team/payments '), problem: /never closed/, guardRefuses: true },
    { name: 'a variable that is never declared', text: generated.replace('%rw_rw004_functions {', '%rw_rw004_function {'), problem: /%rw_rw004_function is never declared/, guardRefuses: true },
    { name: 'two rules of one name (a-b and a_b)', text: generated.replace('rule runtime_warden_rw004 ', 'rule runtime_warden_rw001_runtime_known '), problem: /rule "runtime_warden_rw001_runtime_known" is declared twice/, guardRefuses: false },
    { name: 'no rule at all', text: '# nothing\n', problem: /no rule is declared/, guardRefuses: false },
  ];

  it('finds nothing wrong with the rules the generator writes, which cfn-guard runs', () => {
    expect(guardRulesProblems(generated)).toEqual([]);
  });

  it.each(BROKEN)('finds $name, where cfn-guard refuses the file: $guardRefuses', async ({ text, problem, guardRefuses }) => {
    expect(guardRulesProblems(text).join('; ')).toMatch(problem);
    writeFileSync(join(work, 'broken.guard'), text);
    writeFileSync(join(work, 'ok.json'), JSON.stringify({ Resources: { F: { Type: 'AWS::Lambda::Function', Properties: { Runtime: 'nodejs22.x' } } } }));
    const run = exec(GUARD, ['validate', '-r', join(work, 'broken.guard'), '-d', join(work, 'ok.json')]);
    await (guardRefuses ? expect(run).rejects.toMatchObject({ code: expect.any(Number) }) : expect(run).resolves.toBeDefined());
  });

  it('publishes no rules that fail their check: the last good ones stay, and the alert topic is told why', async () => {
    // Prepare: good rules published at deployment
    const good = published(await handler()(event('Create')));
    // Act: the daily run generates a broken file
    const daily = await handler('rules', () => BROKEN[1]!.text)({ 'detail-type': 'Scheduled Event', source: 'aws.events' });
    // Assess
    expect(daily).toEqual({ uri: 's3://rules/runtime-warden.guard', published: false, problems: [expect.stringMatching(/text after the end of a message/)] });
    const versions = await s3.send(new ListObjectVersionsCommand({ Bucket: 'rules' }));
    expect(versions.Versions?.map((v) => v.VersionId)).toEqual([good!.versionId]);
    const current = await (await s3.send(new GetObjectCommand({ Bucket: 'rules', Key: 'runtime-warden.guard' }))).Body!.transformToString();
    expect(guardRulesProblems(current)).toEqual([]);
    const alerts = await alerting.received();
    expect(alerts.map((a) => a.Subject)).toEqual(['[runtime-warden] SECURITY Guard rules not published: the generated file is malformed']);
    expect(alerts[0]!.Message).toContain('The Guard hook keeps reading the rules last published at s3://rules/runtime-warden.guard');
    expect(alerts[0]!.Message).toMatch(/^- line \d+: text after the end of a message: "this << /m);
    expect(alerts[0]!.MessageAttributes).toMatchObject({ severity: { Value: 'error' } });
  });

  it('fails the deployment that would publish rules failing their check, saying why', async () => {
    await handler('rules', () => BROKEN[0]!.text)(event('Create'));
    expect(responses).toEqual([expect.objectContaining({ Status: 'FAILED', Reason: expect.stringMatching(/^Could not publish the Guard rules at s3:\/\/rules\/runtime-warden\.guard: .*the generated rules fail their check: line \d+: "\{" is never closed/) })]);
    expect((await s3.send(new ListObjectVersionsCommand({ Bucket: 'rules' }))).Versions ?? []).toEqual([]);
    expect(await alerting.received()).toHaveLength(1);
  });
});
