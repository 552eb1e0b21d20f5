import { Logger } from '@aws-lambda-powertools/logger';
import { CreateBucketCommand, DeleteBucketCommand, DeleteObjectCommand, GetObjectCommand, HeadObjectCommand, ListObjectVersionsCommand, PutBucketVersioningCommand, S3Client } from '@aws-sdk/client-s3';
import { execFile } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createHandler } from '../../hooks/guard-rules/handler.js';
import { CATALOG_DATA_AS_OF } from '../../shared/index.js';
import { DEFAULT_POLICY } from '../../shared/index.js';
import { guardRules } from '../../shared/guard/generate.js';
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
  let server: Server;
  let responseUrl: string;
  const responses: Record<string, unknown>[] = [];
  const work = mkdtempSync(join(tmpdir(), 'rw-rules-'));

  beforeAll(async () => {
    moto = await startMoto();
    s3 = new S3Client({ ...moto.clientConfig, forcePathStyle: true });
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
    s3?.destroy();
    await new Promise((r) => server?.close(r));
    await moto?.stop();
    rmSync(work, { recursive: true, force: true });
  });
  beforeEach(async () => {
    responses.length = 0;
    await moto.reset();
    await s3.send(new CreateBucketCommand({ Bucket: 'rules', CreateBucketConfiguration: { LocationConstraint: 'eu-west-1' } }));
    await s3.send(new PutBucketVersioningCommand({ Bucket: 'rules', VersioningConfiguration: { Status: 'Enabled' } }));
  });

  const respond = async (url: string, body: string): Promise<void> => {
    const r = await fetch(url, { method: 'PUT', body });
    if (!r.ok) throw new Error(String(r.status));
  };
  const handler = (bucket = 'rules') =>
    createHandler({ s3, bucket, key: 'runtime-warden.guard', loadPolicy: () => Promise.resolve(DEFAULT_POLICY), policyName: 'the bundled default policy', now: () => NOW, logger: new Logger({ logLevel: 'SILENT' }), respond });
  const event = (RequestType: string) => ({ RequestType, ResponseURL: responseUrl, StackId: 'arn:aws:cloudformation:eu-west-1:123456789012:stack/rw/1', RequestId: 'r-1', LogicalResourceId: 'GuardRules', ResourceType: 'AWS::CloudFormation::CustomResource', ResourceProperties: {} });

  it('publishes the rules generated from the policy on Create and answers SUCCESS with their URI', async () => {
    const result = await handler()(event('Create'));
    const body = await (await s3.send(new GetObjectCommand({ Bucket: 'rules', Key: 'runtime-warden.guard' }))).Body!.transformToString();
    expect(body).toBe(guardRules(DEFAULT_POLICY, NOW, `the bundled default policy, runtime catalog as of ${CATALOG_DATA_AS_OF} (built in)`));
    expect(responses).toEqual([
      expect.objectContaining({ method: 'PUT', Status: 'SUCCESS', PhysicalResourceId: 's3://rules/runtime-warden.guard', RequestId: 'r-1', LogicalResourceId: 'GuardRules', Data: { Uri: 's3://rules/runtime-warden.guard', VersionId: result!.versionId } }),
    ]);
    // The published rules are rules cfn-guard runs.
    writeFileSync(join(work, 'rules.guard'), body);
    writeFileSync(join(work, 'ok.json'), JSON.stringify({ Resources: { F: { Type: 'AWS::Lambda::Function', Properties: { Runtime: 'nodejs22.x' } } } }));
    await expect(exec(GUARD, ['validate', '-r', join(work, 'rules.guard'), '-d', join(work, 'ok.json')])).resolves.toBeDefined();
  });

  it('republishes on the daily schedule, as a new version', async () => {
    const first = await handler()(event('Create'));
    const daily = await handler()({ 'detail-type': 'Scheduled Event', source: 'aws.events' });
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
});
