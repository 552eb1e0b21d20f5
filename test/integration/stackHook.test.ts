// The hook on STACK and CHANGE_SET targets, as CloudFormation drives it: an event in the documented
// shape whose payload URL points at a local HTTP server standing in for S3's presigned URL.
import { Logger } from '@aws-lambda-powertools/logger';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createHandler } from '../../hooks/runtime-hook/handler.js';
import { HOOK_MESSAGE_MAX } from '../../hooks/runtime-hook/response.js';
import { DEFAULT_POLICY } from '../../shared/index.js';
import { fetchPage } from '../../shared/io/fetchPage.js';
import { isS3Https, payloadFetcher } from '../../shared/io/hookPayload.js';
import { gzipSync } from 'node:zlib';
import { loadEvent, NOW, ROOT } from '../helpers/fixtures.js';
import { startPayloadServer, type PayloadServer } from '../helpers/payloadServer.js';

const SAM_GLOBALS = readFileSync(join(ROOT, 'test', 'fixtures', 'stack-hook', 'sam-globals-nodejs16.yaml'), 'utf8');
const SIGNATURE = 'X-Amz-Signature=0123456789abcdef';

let payloads: PayloadServer;
beforeAll(async () => {
  payloads = await startPayloadServer();
});
afterAll(() => payloads.close());

/** The recorded event of `kind`, its payload served from the local server under a presigned-style URL. */
function eventWith(kind: 'change-set-create' | 'stack-update', payload: unknown, status = 200): Record<string, any> {
  const event = loadEvent<Record<string, any>>('hook', kind);
  event.requestData.payload = payloads.publish(payload, status);
  return event;
}

function setup() {
  const logger = new Logger({ serviceName: 'test', logLevel: 'SILENT' });
  const info = vi.spyOn(logger, 'info');
  const error = vi.spyOn(logger, 'error');
  // The payload server is on loopback over http: the same fetch, its host check widened to it.
  const fetchPayload = payloadFetcher({ allowed: (url) => url.startsWith('http://127.0.0.1:') });
  return { handler: createHandler({ loadPolicy: () => Promise.resolve(DEFAULT_POLICY), now: () => NOW, logger, fetchPayload }), info, error };
}

const change = (logicalResourceId: string, resourceType = 'AWS::Lambda::Function', action = 'CREATE') => ({
  action,
  logicalResourceId,
  resourceType,
  lineNumber: 0,
  beforeContext: null,
  afterContext: JSON.stringify({ Properties: { Runtime: 'nodejs16.x', MemorySize: '512' } }),
});
const SAM_CHANGES = [
  change('OrdersApiFunction'),
  change('OrdersApiFunctionRole', 'AWS::IAM::Role'),
  change('OrdersEventsFunction'),
  change('OrdersEventsFunctionRole', 'AWS::IAM::Role'),
  change('ReportsFunction'),
  change('WorkerFunction'),
  change('OrdersTable', 'AWS::DynamoDB::Table'),
];

describe('hook on a CHANGE_SET target', () => {
  it('fails once for a SAM template whose Globals give two functions nodejs16.x, naming both with their lines', async () => {
    const { handler, info } = setup();
    const event = eventWith('change-set-create', { template: SAM_GLOBALS, changedResources: SAM_CHANGES });
    // Act
    const res = await handler(event);
    // Assess
    expect(res).toEqual({ hookStatus: 'FAILED', errorCode: 'NonCompliant', clientRequestToken: event.clientRequestToken, message: expect.any(String) });
    expect(res.message).toMatch(
      /^2 Lambda functions that this change set creates or updates break the runtime policy: OrdersApiFunction \(line 12\), OrdersEventsFunction \(line 18\)\. OrdersApiFunction, OrdersEventsFunction \(nodejs16\.x\): \[RW004 error\] nodejs16\.x is deprecated since 2024-06-12/,
    );
    expect(res.message).not.toMatch(/ReportsFunction/);
    expect(res.message).toContain('Judged per resource when deployed (the template leaves their runtime settings to parameters or imports): WorkerFunction (line 31).');
    expect(payloads.requests.at(-1)).toContain(SIGNATURE);
    expect(info).toHaveBeenCalledWith('hook decision', expect.objectContaining({ targetType: 'CHANGE_SET', hookStatus: 'FAILED', judged: ['OrdersApiFunction', 'OrdersEventsFunction', 'ReportsFunction', 'WorkerFunction'] }));
  });

  it('passes the same template when Globals name an active runtime, and reads a JSON template as well', async () => {
    const fixed = SAM_GLOBALS.replace('Runtime: nodejs16.x', 'Runtime: nodejs22.x');
    for (const template of [fixed, JSON.stringify({ ...(await import('js-yaml')).load(fixed.replace(/!ImportValue shared-worker-runtime/, 'nodejs22.x')) as object }, null, 2)]) {
      const res = await setup().handler(eventWith('change-set-create', { template, changedResources: SAM_CHANGES }));
      expect(res).toMatchObject({ hookStatus: 'SUCCESS' });
      expect(res.message).toMatch(/^4 Lambda functions that this change set creates or updates follow the runtime policy\./);
    }
  });

  it('judges only what the change set creates or updates, and names what breaks the policy untouched', async () => {
    const res = await setup().handler(eventWith('change-set-create', { template: SAM_GLOBALS, changedResources: [change('ReportsFunction', 'AWS::Lambda::Function', 'UPDATE'), change('OrdersApiFunction', 'AWS::Lambda::Function', 'DELETE')] }));
    expect(res).toMatchObject({ hookStatus: 'SUCCESS' });
    expect(res.message).toBe(
      '1 Lambda function that this change set creates or updates follows the runtime policy. Not changed by this change set, and breaking the policy too: OrdersApiFunction (line 12), OrdersEventsFunction (line 18).',
    );
  });

  it.each(['Add', 'Modify', 'Dynamic', 'Import', 'create', 'SomethingNew'])('judges a change whose action is %s, and passes over only removals', async (action) => {
    const res = await setup().handler(eventWith('change-set-create', { template: SAM_GLOBALS, changedResources: [change('OrdersApiFunction', 'AWS::Lambda::Function', action), change('OrdersEventsFunction', 'AWS::Lambda::Function', 'Remove')] }));
    expect(res).toMatchObject({ hookStatus: 'FAILED', errorCode: 'NonCompliant' });
    expect(res.message).toMatch(/^1 Lambda function that this change set creates or updates breaks the runtime policy: OrdersApiFunction \(line 12\)\./);
  });

  it('judges every function when a change set payload comes without its change list', async () => {
    const res = await setup().handler(eventWith('change-set-create', { template: SAM_GLOBALS }));
    expect(res).toMatchObject({ hookStatus: 'FAILED', errorCode: 'NonCompliant' });
    expect(res.message).toMatch(/^2 Lambda functions that this change set creates or updates break the runtime policy: OrdersApiFunction \(line 12\), OrdersEventsFunction \(line 18\)\./);
  });

  it('leaves a changed function the submitted template does not declare (a macro made it) to the per-resource target', async () => {
    const res = await setup().handler(eventWith('change-set-create', { template: SAM_GLOBALS, changedResources: [change('GeneratedByMacroFunction')] }));
    expect(res).toMatchObject({ hookStatus: 'SUCCESS' });
    expect(res.message).toContain('Judged per resource when deployed (not declared in the submitted template): GeneratedByMacroFunction.');
  });

  it('names every offending function even when the findings do not fit in 4,096 characters', async () => {
    const ids = Array.from({ length: 120 }, (_, i) => `LegacyFunction${String(i).padStart(3, '0')}`);
    const template = `Resources:\n${ids.map((id, i) => `  ${id}:\n    Type: AWS::Lambda::Function\n    Properties:\n      Runtime: ${i % 2 ? 'nodejs16.x' : 'python3.8'}\n      Handler: index.handler\n      Timeout: ${i}\n`).join('')}`;
    const res = await setup().handler(eventWith('change-set-create', { template, changedResources: ids.map((id) => change(id)) }));
    expect(res).toMatchObject({ hookStatus: 'FAILED', errorCode: 'NonCompliant' });
    expect(res.message.length).toBeLessThanOrEqual(HOOK_MESSAGE_MAX);
    for (const [i, id] of ids.entries()) expect(res.message).toContain(`${id} (line ${2 + i * 6})`);
  });
});

describe('hook on a STACK target', () => {
  const previous = `Resources:
  LegacyFunction:
    Type: AWS::Lambda::Function
    Properties:
      Runtime: nodejs16.x
      Handler: index.handler
  ApiFunction:
    Type: AWS::Lambda::Function
    Properties:
      Runtime: !FindInMap [Runtimes, node, current]
      Handler: index.handler
Mappings:
  Runtimes:
    node:
      current: nodejs22.x
`;

  it('judges every function of a stack being created', async () => {
    const res = await setup().handler(eventWith('stack-update', { template: previous, previousTemplate: '' }));
    expect(res).toMatchObject({ hookStatus: 'FAILED', errorCode: 'NonCompliant' });
    expect(res.message).toMatch(/^1 Lambda function that this stack operation creates or updates breaks the runtime policy: LegacyFunction \(line 2\)\./);
  });

  it('on an update, judges what changed, including a function changed only through its Mappings', async () => {
    const { handler } = setup();
    const same = await handler(eventWith('stack-update', { template: `${previous}Outputs:\n  Api:\n    Value: !Ref ApiFunction\n`, previousTemplate: previous }));
    expect(same.message).toBe('No Lambda function declared in the template is created or updated by this stack operation. Not changed by this stack operation, and breaking the policy too: LegacyFunction (line 2).');
    const mapped = await handler(eventWith('stack-update', { template: previous.replace('current: nodejs22.x', 'current: nodejs16.x'), previousTemplate: previous }));
    expect(mapped).toMatchObject({ hookStatus: 'FAILED', errorCode: 'NonCompliant' });
    expect(mapped.message).toMatch(/^1 Lambda function that this stack operation creates or updates breaks the runtime policy: ApiFunction \(line 7\)\. ApiFunction \(nodejs16\.x\): \[RW004 error\].*\(Runtime !FindInMap \[Runtimes, node, current\] = nodejs16\.x via Runtimes\.node\.current\)/);
  });

  it('counts every function as changed when the previous template cannot be read', async () => {
    const res = await setup().handler(eventWith('stack-update', { template: previous, previousTemplate: 'Resources: [unclosed' }));
    expect(res).toMatchObject({ hookStatus: 'FAILED', errorCode: 'NonCompliant' });
    expect(res.message).toMatch(/^1 Lambda function that this stack operation creates or updates breaks the runtime policy: LegacyFunction \(line 2\)\./);
  });

  it('answers a stack deletion without fetching anything', async () => {
    const event = eventWith('stack-update', 'never read');
    event.actionInvocationPoint = 'DELETE_PRE_PROVISION';
    const before = payloads.requests.length;
    const res = await setup().handler(event);
    expect(res).toMatchObject({ hookStatus: 'SUCCESS' });
    expect(payloads.requests.length).toBe(before);
  });
});

describe('stack and change set payloads that cannot be judged fail the hook, saying why', () => {
  it.each([
    ['an expired presigned URL (HTTP 403)', () => eventWith('stack-update', '<Error><Code>AccessDenied</Code></Error>', 403), /GET http:\/\/127\.0\.0\.1:\d+\/123456789012\/payload-\d+\.json: HTTP 403$/],
    ['a payload that is not JSON', () => eventWith('stack-update', '{"template": '), /InvalidEventError: The STACK hook payload is not JSON/],
    ['a payload of the wrong shape', () => eventWith('change-set-create', { template: 42, changedResources: 'all' }), /InvalidEventError: Malformed CHANGE_SET hook payload: .*template.*changedResources/],
    ['an empty template on a create', () => eventWith('stack-update', { template: '' }), /InvalidEventError: The submitted template cannot be judged: not a CloudFormation template/],
    ['a template that is not YAML', () => eventWith('stack-update', { template: 'Resources: [unclosed' }), /InvalidEventError: The submitted template cannot be judged: not valid YAML or JSON/],
    ['no payload URL', () => ({ ...eventWith('stack-update', {}), requestData: { targetName: 'STACK', targetType: 'STACK', targetLogicalId: 'orders-service' } }), /Malformed requestData for STACK: .*payload/],
    ['a payload URL that is not http(s)', () => {
      const e = eventWith('stack-update', {});
      e.requestData.payload = 'file:///etc/passwd';
      return e;
    }, /Malformed requestData for STACK: .*http\(s\) URL/],
  ] as [string, () => Record<string, any>, RegExp][])('%s', async (_, make, why) => {
    const { handler, error } = setup();
    const event = make();
    const res = await handler(event);
    expect(res).toEqual({ hookStatus: 'FAILED', errorCode: 'InternalFailure', clientRequestToken: event.clientRequestToken, message: expect.stringMatching(why) });
    expect(res.message).not.toContain(SIGNATURE);
    expect(error).toHaveBeenCalledOnce();
  });
});

describe('fetching a payload (fetchPage)', () => {
  let server: Server;
  let base: string;
  beforeAll(async () => {
    server = createServer((req, res) => {
      const path = req.url?.split('?')[0];
      if (path === '/declared') res.writeHead(200, { 'content-length': '2048' }).end('x'.repeat(2048));
      else if (path === '/streamed') res.writeHead(200).end('x'.repeat(2048)); // chunked: no length declared
      // 64 KB on the wire, 64 MB once decoded: the cap counts what is decoded.
      else if (path === '/gzip-bomb') res.writeHead(200, { 'content-encoding': 'gzip' }).end(gzipSync(Buffer.alloc(64 * 1024 * 1024, 'x')));
      else if (path === '/redirect') res.writeHead(302, { location: `${base}/streamed` }).end();
      // '/silent' never answers
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => {
    server.closeAllConnections();
    return new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('refuses a body over its cap, declared or not, and gives up after its timeout, never naming the query string', async () => {
    await expect(fetchPage(`${base}/declared?X-Amz-Signature=s`, 'test', { timeoutMs: 5_000, maxBytes: 1024 })).rejects.toThrow(new RegExp(`^GET ${base}/declared: 2048 bytes, more than the 1024 this reads$`));
    await expect(fetchPage(`${base}/streamed?X-Amz-Signature=s`, 'test', { timeoutMs: 5_000, maxBytes: 1024 })).rejects.toThrow(new RegExp(`^GET ${base}/streamed: more than the 1024 bytes this reads$`));
    expect(await fetchPage(`${base}/streamed`, 'test', { timeoutMs: 5_000, maxBytes: 2048 })).toHaveLength(2048);
    await expect(fetchPage(`${base}/silent?X-Amz-Signature=s`, 'test', { timeoutMs: 200 })).rejects.toThrow(new RegExp(`^GET ${base}/silent: no answer within 200 ms$`));
  });

  it('says why a connection failed, not only that it did', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(closed.address() as AddressInfo).port}/page`;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    await expect(fetchPage(url, 'test', { timeoutMs: 5_000 })).rejects.toThrow(new RegExp(`^GET ${url}: fetch failed \\(ECONNREFUSED\\)$`));
  });

  it('counts the cap on the decoded body, so a compressed body cannot expand past it', async () => {
    await expect(fetchPage(`${base}/gzip-bomb`, 'test', { maxBytes: 32 * 1024 * 1024 })).rejects.toThrow(/more than the 33554432 bytes this reads/);
  });

  it('refuses a redirect where asked, and follows one otherwise', async () => {
    await expect(fetchPage(`${base}/redirect?X-Amz-Signature=s`, 'test', { redirect: 'error' })).rejects.toThrow(new RegExp(`^GET ${base}/redirect: HTTP 302 redirect refused$`));
    expect(await fetchPage(`${base}/redirect`, 'test')).toHaveLength(2048);
  });
});

describe('the hook payload URL', () => {
  it.each([
    ['https://cfn-hook-payloads.s3.us-east-1.amazonaws.com/a/b.json?X-Amz-Signature=s', true],
    ['https://s3.eu-west-1.amazonaws.com/bucket/key', true],
    ['https://bucket.s3.dualstack.ap-southeast-2.amazonaws.com/key', true],
    ['https://bucket.s3.amazonaws.com/key', true],
    ['https://bucket.s3.cn-north-1.amazonaws.com.cn/key', true],
    ['https://bucket.s3.us-gov-west-1.amazonaws.com/key', true],
    ['http://bucket.s3.us-east-1.amazonaws.com/key', false],
    ['https://bucket.s3.us-east-1.amazonaws.com:8443/key', false],
    ['https://s3.amazonaws.com.evil.example/key', false],
    ['https://evil.example/s3.amazonaws.com/key', false],
    ['https://169.254.169.254/latest/meta-data/', false],
    ['https://bucket.s3-website-us-east-1.amazonaws.com/key', false],
    ['file:///etc/passwd', false],
  ])('%s is %s', (url, allowed) => {
    expect(isS3Https(url)).toBe(allowed);
  });

  it('is not fetched by the deployed hook unless it is https on S3, and the hook answers why', async () => {
    const logger = new Logger({ serviceName: 'test', logLevel: 'SILENT' });
    const handler = createHandler({ loadPolicy: () => Promise.resolve(DEFAULT_POLICY), now: () => NOW, logger });
    const before = payloads.requests.length;
    const event = eventWith('change-set-create', { template: SAM_GLOBALS });
    expect(await handler(event)).toMatchObject({
      hookStatus: 'FAILED',
      errorCode: 'InternalFailure',
      message: expect.stringMatching(/the payload URL http:\/\/127\.0\.0\.1:\d+\/123456789012\/payload-\d+\.json is not an https URL on an S3 host: not fetched/),
    });
    expect(payloads.requests.length).toBe(before);
  });
});
