import { Logger } from '@aws-lambda-powertools/logger';
import { ConfigServiceClient } from '@aws-sdk/client-config-service';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient, PutEventsCommand, PutRuleCommand, PutTargetsCommand } from '@aws-sdk/client-eventbridge';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { SNSClient } from '@aws-sdk/client-sns';
import { CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { DeleteParameterCommand, DescribeParametersCommand, GetParameterCommand, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createHandler as createRefresher } from '../../catalog-refresher/handler.js';
import { createHandler as createConfigRule } from '../../config-rules/runtime-compliance/handler.js';
import { createHandler as createHook } from '../../hooks/runtime-hook/handler.js';
import { createAlerting, type AlertingFixture } from '../../scripts/emulator/alerting.js';
import { seedFleet } from '../../scripts/emulator/fleet.js';
import { startMoto, type MotoServer } from '../../scripts/emulator/moto.js';
import { cachedCatalogLoader, decodeCatalog, encodeCatalog, policyWithCatalog, readCatalogParameter } from '../../shared/io/catalogSource.js';
import { putResponse } from '../../shared/io/customResource.js';
import { fetchPage } from '../../shared/io/fetchPage.js';
import { cachedPolicyLoader } from '../../shared/io/policySource.js';
import { DEFAULT_CATALOG } from '../../shared/index.js';
import { hookEvent } from '../helpers/fixtures.js';
import { currentPage, movedAndAddedPage, undeprecatedPage } from '../helpers/runtimesPages.js';
import { loadTemplate, renderTemplate } from '../helpers/cfnRender.js';

const PARAMETER = '/runtime-warden/runtime-catalog';
// python3.11 is deprecated on this day by the moved date (2027-05-31), not by the built-in one (2027-06-30).
const JUNE_15 = Date.parse('2027-06-15T00:00:00Z');
const logger = new Logger({ serviceName: 'test', logLevel: 'SILENT' });

describe('catalog refresher, against the emulator', () => {
  let moto: MotoServer;
  let ssm: SSMClient;
  let alerting: AlertingFixture;
  let server: Server;
  let base: string;
  const pages: Record<string, () => [number, string]> = {
    '/current': () => [200, currentPage()],
    '/moved': () => [200, movedAndAddedPage()],
    '/truncated': () => [200, movedAndAddedPage().slice(0, 6000)],
    '/down': () => [503, 'Service Unavailable'],
    '/revived': () => [200, undeprecatedPage()],
  };
  const refresher = (path: string) =>
    createRefresher({
      fetchPage: (url) => fetchPage(url, 'test'),
      ssm,
      sns: new SNSClient(moto.clientConfig),
      lambda: new LambdaClient(moto.clientConfig),
      parameterName: PARAMETER,
      tier: path === '/moved' ? 'Advanced' : 'Standard',
      topicArn: alerting.topicArn,
      sourceUrl: `${base}${path}`,
      now: () => Date.parse('2026-11-23T06:00:00Z'),
      logger,
      respond: putResponse,
    });
  // What the refresher answered CloudFormation, PUT to the response URL the server stands in for.
  const responses: Record<string, unknown>[] = [];
  const version = async (): Promise<number | undefined> => (await ssm.send(new GetParameterCommand({ Name: PARAMETER })).catch(() => undefined))?.Parameter?.Version;

  beforeAll(async () => {
    moto = await startMoto();
    ssm = new SSMClient(moto.clientConfig);
    alerting = await createAlerting(new SNSClient(moto.clientConfig), new SQSClient(moto.clientConfig), new DynamoDBClient(moto.clientConfig));
    await seedFleet(moto.clientConfig, [
      ...['ingest', 'enrich', 'export'].map((n) => ({ name: `orders-${n}`, runtime: 'python3.11', tags: {} })),
      { name: 'orders-api', runtime: 'nodejs22.x', tags: {} },
    ]);
    server = createServer((req, res) => {
      if (req.method === 'PUT') {
        let body = '';
        req.on('data', (c: Buffer) => (body += c));
        req.on('end', () => {
          responses.push(JSON.parse(body) as Record<string, unknown>);
          res.writeHead(200).end();
        });
        return;
      }
      const [status, body] = pages[req.url ?? '']?.() ?? [404, 'Not Found'];
      res.writeHead(status, { 'content-type': 'text/html' }).end(body);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }, 120_000);
  afterAll(async () => {
    server?.close();
    await moto?.stop();
  });

  it('at deployment, as a custom resource: answers SUCCESS whether or not the page can be read, and creates the parameter when it can', async () => {
    const event = (RequestType: string) => ({ RequestType, ResponseURL: `${base}/response`, StackId: 'arn:aws:cloudformation:eu-west-1:123456789012:stack/rw/1', RequestId: `r-${RequestType}`, LogicalResourceId: 'CatalogInitialRefresh', ResourceType: 'AWS::CloudFormation::CustomResource', ServiceToken: 'arn:aws:lambda:eu-west-1:123456789012:function:refresher', ResourceProperties: {} });
    expect(await refresher('/down')(event('Create'))).toMatchObject({ status: 'refused' });
    expect(await version()).toBeUndefined();
    expect(await refresher('/current')(event('Update'))).toMatchObject({ status: 'refreshed', changes: [] });
    expect(await version()).toBe(1);
    expect(await refresher('/current')(event('Delete'))).toBeUndefined();
    expect(await version()).toBe(1);
    expect(responses.map((r) => [r.Status, r.PhysicalResourceId, (r.Data as Record<string, string> | undefined)?.Status])).toEqual([
      ['SUCCESS', PARAMETER, 'refused'],
      ['SUCCESS', PARAMETER, 'refreshed'],
      ['SUCCESS', PARAMETER, undefined],
    ]);
    await alerting.received(); // the refusal's alert, checked below for the scheduled runs
  });

  it('stores the catalog of an unchanged page, and announces nothing', async () => {
    expect(await refresher('/current')({ source: 'aws.events', 'detail-type': 'Scheduled Event' })).toEqual({ status: 'refreshed', asOf: '2026-11-23', changes: [] });
    expect(await version()).toBe(2);
    const stored = await readCatalogParameter(ssm, PARAMETER);
    expect(stored!.rows()).toEqual(DEFAULT_CATALOG.rows());
    expect(stored!.origin).toEqual({ asOf: '2026-11-23', source: `${base}/current`, fetchedAt: '2026-11-23T06:00:00.000Z' });
    // Gzipped and base64-encoded, it fits a Standard parameter.
    expect((await ssm.send(new GetParameterCommand({ Name: PARAMETER }))).Parameter!.Value!.length).toBeLessThan(4096);
    expect(await alerting.received()).toEqual([]);
  });

  it('on an AWS Health event, stores what AWS changed and sends one alert naming each change and the functions it touches', async () => {
    const result = (await refresher('/moved')({ source: 'aws.health', 'detail-type': 'AWS Health Event', detail: { service: 'LAMBDA', eventTypeCode: 'AWS_LAMBDA_PLANNED_LIFECYCLE_EVENT' } }))!;
    expect(result.changes).toEqual(['nodejs28.x added (deprecation not scheduled): 0 functions', 'python3.11 deprecation moved 2027-06-30 -> 2027-05-31: 3 functions']);
    expect((await readCatalogParameter(ssm, PARAMETER))!.get('python3.11')!.deprecation).toBe('2027-05-31');
    // Written in the tier AWS RAM can share, as asked.
    expect((await ssm.send(new DescribeParametersCommand({ ParameterFilters: [{ Key: 'Name', Values: [PARAMETER] }] }))).Parameters![0]!.Tier).toBe('Advanced');
    const alerts = await alerting.received();
    expect(alerts).toHaveLength(1);
    expect(alerts[0]!.Subject).toBe('[runtime-warden] AWS changed the Lambda runtime lifecycle: 2 changes');
    expect(alerts[0]!.Message).toContain('- python3.11 deprecation moved 2027-06-30 -> 2027-05-31: 3 functions');
  });

  it.each([
    ['/truncated', /no table of deprecated runtimes/],
    ['/down', /GET .*\/down: HTTP 503/],
  ])('keeps the last good catalog when the page at %s fails, and alerts the failure', async (path, reason) => {
    const before = await version();
    const result = (await refresher(path)({}))!;
    expect(result).toMatchObject({ status: 'refused', asOf: '2026-11-23' });
    expect(result.reasons!.join('\n')).toMatch(reason);
    expect(await version()).toBe(before);
    expect((await readCatalogParameter(ssm, PARAMETER))!.get('python3.11')!.deprecation).toBe('2027-05-31');
    const alerts = await alerting.received();
    expect(alerts.map((a) => a.Subject)).toEqual(['[runtime-warden] Runtime catalog refresh refused']);
    expect(alerts[0]!.Message).toMatch(reason);
    expect(alerts[0]!.Message).toContain(`The last good catalog stays in force: as of 2026-11-23 (${base}/moved)`);
  });

  it('the hook and the Config rule judge by the stored catalog, without a redeploy', async () => {
    const catalog = cachedCatalogLoader(PARAMETER, () => ssm, { onProblem: (m) => logger.error(m) });
    const loadPolicy = policyWithCatalog(cachedPolicyLoader('default', () => ssm), catalog);
    const event = hookEvent('create-nodejs16', { Runtime: 'python3.11' });
    const withStored = await createHook({ loadPolicy, now: () => JUNE_15, logger })(event);
    const builtIn = await createHook({ loadPolicy: cachedPolicyLoader('default', () => ssm), now: () => JUNE_15, logger })(event);
    expect(withStored).toMatchObject({ hookStatus: 'FAILED', errorCode: 'NonCompliant' });
    expect(withStored.message).toContain('[RW004 error] python3.11 is deprecated since 2027-05-31');
    expect(builtIn.hookStatus).toBe('SUCCESS');

    const rule = createConfigRule({
      lambda: new LambdaClient(moto.clientConfig),
      config: new ConfigServiceClient(moto.clientConfig),
      cloudWatch: new CloudWatchClient(moto.clientConfig),
      policyLoader: () => loadPolicy,
      now: () => JUNE_15,
      logger,
      deadlineReserveMs: 0,
      concurrency: 4,
    });
    const evaluations = await rule({ invokingEvent: JSON.stringify({ messageType: 'ScheduledNotification' }), ruleParameters: '{}', resultToken: 'TESTMODE' });
    expect(evaluations.filter((e) => e.ComplianceResourceId.startsWith('orders-') && e.ComplianceResourceId !== 'orders-api').map((e) => [e.ComplianceType, e.Annotation.slice(0, 50)])).toEqual(
      Array(3).fill(['NON_COMPLIANT', 'RW004 python3.11 is deprecated since 2027-05-31 (n']),
    );
  });

  it('refuses a page that un-deprecates a runtime, keeps the last good catalog and alerts on a subject of its own', async () => {
    const before = await version();
    const result = (await refresher('/revived')({}))!;
    expect(result).toMatchObject({ status: 'refused' });
    expect(result.reasons).toContainEqual('nodejs16.x: deprecation 2024-06-12 has passed and cannot move to 2030-06-12');
    expect(await version()).toBe(before);
    expect((await readCatalogParameter(ssm, PARAMETER))!.get('nodejs16.x')!.deprecation).toBe('2024-06-12');
    const alerts = await alerting.received();
    expect(alerts.map((a) => a.Subject)).toEqual(['[runtime-warden] SECURITY: runtime catalog refused, it would un-deprecate runtimes']);
    expect(alerts[0]!.Message).toContain('nodejs16.x would move back from');
  });

  it('a stored catalog that un-deprecates a runtime, or a configured parameter that is gone, is reported and the last good one kept', async () => {
    const onProblem = vi.fn();
    let clock = Date.parse('2026-11-23T00:00:00Z');
    const catalog = cachedCatalogLoader(PARAMETER, () => ssm, { onProblem, ttlMs: 1000, now: () => clock });
    expect((await catalog()).get('python3.11')!.deprecation).toBe('2027-05-31');
    const good = (await ssm.send(new GetParameterCommand({ Name: PARAMETER }))).Parameter!.Value!;
    const tampered = decodeCatalog(good, 'x').withOverrides([{ id: 'nodejs16.x', deprecation: null, blockCreate: null, blockUpdate: null }]);
    await ssm.send(new PutParameterCommand({ Name: PARAMETER, Value: encodeCatalog(tampered), Type: 'String', Overwrite: true }));
    clock += 2000;
    expect((await catalog()).get('nodejs16.x')!.deprecation).toBe('2024-06-12');
    expect(onProblem).toHaveBeenLastCalledWith(expect.stringMatching(/not used \(CatalogRegressionError: nodejs16\.x would move back from deprecated to active; nodejs16\.x: deprecation 2024-06-12 has passed and cannot move to not scheduled\)/));
    await ssm.send(new DeleteParameterCommand({ Name: PARAMETER }));
    clock += 2000;
    expect((await catalog()).get('python3.11')!.deprecation).toBe('2027-05-31');
    expect(onProblem).toHaveBeenLastCalledWith(expect.stringMatching(/not used \(ParameterNotFound: the parameter does not exist\); judging by the catalog as of 2026-11-23/));
    await ssm.send(new PutParameterCommand({ Name: PARAMETER, Value: good, Type: 'String', Overwrite: true }));
  });

  it('a stored catalog that fails its checks is reported and the last good one kept', async () => {
    const onProblem = vi.fn();
    let clock = 0;
    const catalog = cachedCatalogLoader(PARAMETER, () => ssm, { onProblem, ttlMs: 1000, now: () => clock });
    expect((await catalog()).get('python3.11')!.deprecation).toBe('2027-05-31');
    const good = (await ssm.send(new GetParameterCommand({ Name: PARAMETER }))).Parameter!.Value!;
    await ssm.send(new PutParameterCommand({ Name: PARAMETER, Value: '{"schemaVersion":1}', Type: 'String', Overwrite: true }));
    clock = 2000;
    expect((await catalog()).get('python3.11')!.deprecation).toBe('2027-05-31');
    expect(onProblem).toHaveBeenCalledWith(expect.stringMatching(/^runtime catalog parameter \/runtime-warden\/runtime-catalog not used \(CatalogError: .*is refused/));
    await ssm.send(new PutParameterCommand({ Name: PARAMETER, Value: good, Type: 'String', Overwrite: true }));
    expect(decodeCatalog(good, 'x').origin.asOf).toBe('2026-11-23');
  });

  it("template.yaml's event rules match the events AWS sends, and only those", async () => {
    const events = new EventBridgeClient(moto.clientConfig);
    const sqs = new SQSClient(moto.clientConfig);
    const resources = renderTemplate(loadTemplate('template.yaml'), { HookMode: 'both' }, { resolve: true }).Resources as Record<string, { Properties: { Events?: Record<string, { Type: string; Properties: { Pattern?: unknown } }> } }>;
    // Each rule as deployed, delivering to a queue of its own; moto's event bus does the matching.
    const rule = async (fn: string, name: string): Promise<() => Promise<string[]>> => {
      const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: `${fn}-${name}` }));
      const arn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }))).Attributes!.QueueArn!;
      await events.send(new PutRuleCommand({ Name: `${fn}-${name}`, EventPattern: JSON.stringify(resources[fn]!.Properties.Events![name]!.Properties.Pattern) }));
      await events.send(new PutTargetsCommand({ Rule: `${fn}-${name}`, Targets: [{ Id: 'queue', Arn: arn }] }));
      return async () => ((await sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }))).Messages ?? []).map((m) => JSON.parse(m.Body!)['detail-type'] + ' ' + JSON.stringify(JSON.parse(m.Body!).detail.eventTypeCode ?? JSON.parse(m.Body!).detail.name));
    };
    const lifecycle = await rule('CatalogRefresherFunction', 'LifecycleEvent');
    const catalogChanged = await rule('GuardRulesFunction', 'CatalogChanged');
    // Shapes from the AWS Health User Guide (EventBridge) and the Systems Manager User Guide (Parameter Store events).
    const health = (service: string, eventTypeCode: string) => ({ Source: 'aws.health', DetailType: 'AWS Health Event', Detail: JSON.stringify({ eventArn: `arn:aws:health:eu-west-1::event/${service}/${eventTypeCode}/x`, service, eventTypeCode, eventTypeCategory: 'scheduledChange' }) });
    const change = (name: string, operation = 'Update') => ({ Source: 'aws.ssm', DetailType: 'Parameter Store Change', Resources: [`arn:aws:ssm:eu-west-1:123456789012:parameter${name}`], Detail: JSON.stringify({ operation, name, type: 'String', description: '' }) });
    await events.send(
      new PutEventsCommand({
        Entries: [health('LAMBDA', 'AWS_LAMBDA_PLANNED_LIFECYCLE_EVENT'), health('EC2', 'AWS_EC2_INSTANCE_RETIREMENT_SCHEDULED'), change(PARAMETER), change(PARAMETER, 'Delete'), change('/runtime-warden/policy')],
      }),
    );
    expect(await lifecycle()).toEqual(['AWS Health Event "AWS_LAMBDA_PLANNED_LIFECYCLE_EVENT"']);
    expect(await catalogChanged()).toEqual([`Parameter Store Change "${PARAMETER}"`]);
  });
});
