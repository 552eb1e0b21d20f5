import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

// A stand-in for Lambda, AWS Config and DynamoDB on loopback, for fleets too large for moto: a
// real HTTP server that real AWS SDK v3 clients talk to, answering in each API's documented shape.
// - Lambda (REST-JSON): ListFunctions (50 a page, FunctionVersion=ALL), ListVersionsByFunction
//   (50 a page, $LATEST first), ListAliases, GetRuntimeManagementConfig, ListEventSourceMappings,
//   GetPolicy (none: ResourceNotFoundException), ListTags, GetFunction. Every control-plane call
//   but GetFunction and GetPolicy spends one bucket of 15 a second, each of those two its own
//   (100/s, 15/s), as "Lambda quotas" says; past it, 429 TooManyRequestsException.
// - Config (JSON 1.1): SelectResourceConfig in the documented row shape, 100 a page;
//   PutEvaluations (every evaluation accepted); GetComplianceDetailsByConfigRule (none).
// - DynamoDB (JSON 1.0): GetItem, PutItem, UpdateItem (SET only), BatchGetItem, in memory.
// The fleet is computed from the function's index, never stored: the server's memory holds
// only DynamoDB's items and the counters. Time is the caller's: each request may carry the
// virtual instant it was made at (header x-virtual-ms), so that the quota is judged in the same
// virtual time as the caller's limiter; without it, wall time.

export const VIRTUAL_TIME_HEADER = 'x-virtual-ms';
const ACCOUNT = '123456789012';
const REGION = 'eu-west-1';
const LAST_MODIFIED = '2026-10-01T00:00:00.000+0000';

export interface FleetShape {
  readonly functions: number;
  /** Published versions of each function. */
  readonly versions: number;
}

/** Function `i` of the fleet, as Lambda describes it. Every 10th keeps version 1 on nodejs16.x; every 20th aliases it. */
export function fleetFunction(i: number, shape: FleetShape) {
  const name = `fn-${String(i).padStart(6, '0')}`;
  const runtime = ['nodejs22.x', 'python3.13', 'nodejs20.x', 'java21', 'python3.12'][i % 5]!;
  const arn = `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${name}`;
  const config = (version: string, r: string) => ({ FunctionName: name, FunctionArn: version === '$LATEST' ? arn : `${arn}:${version}`, Runtime: r, PackageType: 'Zip', Version: version, LastModified: LAST_MODIFIED, Handler: 'index.handler', MemorySize: 128 });
  const versions = Array.from({ length: shape.versions }, (_, j) => config(String(j + 1), j === 0 && i % 10 === 0 ? 'nodejs16.x' : runtime));
  return {
    name,
    arn,
    latest: config('$LATEST', runtime),
    versions,
    tags: { team: `team-${i % 40}`, ...(i % 7 === 0 && { 'runtime-warden:tier': 'critical' }) },
    aliases: shape.versions > 0 && i % 20 === 0 ? [{ Name: 'prod', FunctionVersion: '1', AliasArn: `${arn}:prod` }] : [],
  };
}

/** Calls counted within each virtual second: a fixed-window form of Lambda's token buckets, indifferent to the order requests arrive in. */
class WindowQuota {
  private readonly counts = new Map<number, number>();
  public constructor(private readonly perSecond: number) {}

  public admit(ms: number): boolean {
    const second = Math.floor(ms / 1000);
    const n = this.counts.get(second) ?? 0;
    if (n >= this.perSecond) return false;
    this.counts.set(second, n + 1);
    if (this.counts.size > 4096) for (const k of [...this.counts.keys()].slice(0, 2048)) this.counts.delete(k);
    return true;
  }
}

export interface StandIn {
  readonly endpoint: string;
  /** Calls answered, by API (`lambda.ListFunctions`, `config.PutEvaluations`, ...). */
  readonly calls: Map<string, number>;
  /** Lambda calls refused with 429, by API. */
  readonly throttled: Map<string, number>;
  /** Evaluations received by PutEvaluations, by resource id: the last one. */
  readonly evaluations: Map<string, { ComplianceType: string; Annotation: string }>;
  /** Whether the inventory query answers (false: an empty inventory, as moto gives). */
  inventory: boolean;
  resetCounts(): void;
  close(): Promise<void>;
}

type Json = Record<string, unknown>;

const send = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void => {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
};

async function bodyOf(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

const page = <T>(items: (i: number) => T, total: number, from: number, size: number): { items: T[]; next: number | undefined } => {
  const end = Math.min(total, from + size);
  return { items: Array.from({ length: end - from }, (_, k) => items(from + k)), next: end < total ? end : undefined };
};

export async function startStandIn(shape: FleetShape): Promise<StandIn> {
  const calls = new Map<string, number>();
  const throttled = new Map<string, number>();
  const evaluations = new Map<string, { ComplianceType: string; Annotation: string }>();
  const tables = new Map<string, Map<string, Json>>();
  const quotas = { controlPlane: new WindowQuota(15), getFunction: new WindowQuota(100), getPolicy: new WindowQuota(15) };
  const count = (m: Map<string, number>, api: string) => m.set(api, (m.get(api) ?? 0) + 1);
  const indexOf = (name: string): number | undefined => {
    const m = /(?:^|:function:)fn-(\d{6})(?::[^:]+)?$/.exec(name);
    const i = m ? Number(m[1]) : Number.NaN;
    return Number.isInteger(i) && i < shape.functions ? i : undefined;
  };
  const notFound = (res: ServerResponse, what: string) => send(res, 404, { Type: 'User', message: `Function not found: ${what}` }, { 'x-amzn-errortype': 'ResourceNotFoundException' });

  const lambda = (req: IncomingMessage, res: ServerResponse, url: URL, at: number): void => {
    const path = decodeURIComponent(url.pathname);
    const q = url.searchParams;
    const route: [RegExp, string][] = [
      [/^\/2015-03-31\/functions\/?$/, 'ListFunctions'],
      [/^\/2015-03-31\/functions\/([^/]+)\/versions$/, 'ListVersionsByFunction'],
      [/^\/2015-03-31\/functions\/([^/]+)\/aliases$/, 'ListAliases'],
      [/^\/2015-03-31\/functions\/([^/]+)\/policy$/, 'GetPolicy'],
      [/^\/2021-07-20\/functions\/([^/]+)\/runtime-management-config$/, 'GetRuntimeManagementConfig'],
      [/^\/2015-03-31\/event-source-mappings\/?$/, 'ListEventSourceMappings'],
      [/^\/2017-03-31\/tags\/(.+)$/, 'ListTags'],
      [/^\/2015-03-31\/functions\/([^/]+)$/, 'GetFunction'],
    ];
    const hit = route.map(([re, api]) => [re.exec(path), api] as const).find(([m]) => m);
    if (!hit) return send(res, 400, { message: `stand-in: no Lambda API at ${req.method} ${path}` }, { 'x-amzn-errortype': 'InvalidRequestException' });
    const [match, api] = hit;
    const m = match!;
    const quota = api === 'GetFunction' ? quotas.getFunction : api === 'GetPolicy' ? quotas.getPolicy : quotas.controlPlane;
    if (!quota.admit(at)) {
      count(throttled, `lambda.${api}`);
      return send(res, 429, { Type: 'User', message: 'Rate exceeded', Reason: 'CallerRateLimitExceeded' }, { 'x-amzn-errortype': 'TooManyRequestsException' });
    }
    count(calls, `lambda.${api}`);
    const from = Number(q.get('Marker') ?? 0);
    const size = Math.min(50, Number(q.get('MaxItems') ?? 50));
    if (api === 'ListFunctions') {
      const all = q.get('FunctionVersion') === 'ALL';
      const per = all ? 1 + shape.versions : 1;
      const p = page((k) => {
        const f = fleetFunction(Math.floor(k / per), shape);
        return k % per === 0 ? f.latest : f.versions[(k % per) - 1]!;
      }, shape.functions * per, from, size);
      return send(res, 200, { Functions: p.items, ...(p.next !== undefined && { NextMarker: String(p.next) }) });
    }
    if (api === 'ListEventSourceMappings') return send(res, 200, { EventSourceMappings: [] });
    const i = indexOf(m[1]!);
    if (i === undefined) return notFound(res, m[1]!);
    const f = fleetFunction(i, shape);
    switch (api) {
      case 'ListVersionsByFunction': {
        const p = page((k) => (k === 0 ? f.latest : f.versions[k - 1]!), 1 + shape.versions, from, size);
        return send(res, 200, { Versions: p.items, ...(p.next !== undefined && { NextMarker: String(p.next) }) });
      }
      case 'ListAliases':
        return send(res, 200, { Aliases: f.aliases });
      case 'GetPolicy':
        return send(res, 404, { Type: 'User', message: 'The resource you requested does not exist.' }, { 'x-amzn-errortype': 'ResourceNotFoundException' });
      case 'GetRuntimeManagementConfig':
        return send(res, 200, { UpdateRuntimeOn: 'Auto', FunctionArn: f.arn });
      case 'ListTags':
        return send(res, 200, { Tags: f.tags });
      default:
        return send(res, 200, { Configuration: f.latest, Tags: f.tags });
    }
  };

  const config = (res: ServerResponse, op: string, input: Json): void => {
    count(calls, `config.${op}`);
    if (op === 'SelectResourceConfig') {
      const from = Number(input.NextToken ?? 0);
      const total = standIn.inventory ? shape.functions : 0;
      const p = page((i) => {
        const f = fleetFunction(i, shape);
        return JSON.stringify({
          resourceName: f.name,
          configuration: { functionArn: f.arn, runtime: f.latest.Runtime, packageType: 'Zip', lastModified: LAST_MODIFIED },
          tags: Object.entries(f.tags).map(([key, value]) => ({ key, value })),
        });
      }, total, from, Math.min(100, Number(input.Limit ?? 100)));
      return send(res, 200, { Results: p.items, QueryInfo: { SelectFields: [{ Name: 'resourceName' }] }, ...(p.next !== undefined && { NextToken: String(p.next) }) });
    }
    if (op === 'PutEvaluations') {
      for (const e of (input.Evaluations as Json[]) ?? []) evaluations.set(String(e.ComplianceResourceId), { ComplianceType: String(e.ComplianceType), Annotation: String(e.Annotation) });
      return send(res, 200, { FailedEvaluations: [] });
    }
    if (op === 'GetComplianceDetailsByConfigRule') return send(res, 200, { EvaluationResults: [] });
    return send(res, 400, { __type: 'InvalidParameterValueException', message: `stand-in: no Config API ${op}` });
  };

  const dynamo = (res: ServerResponse, op: string, input: Json): void => {
    count(calls, `dynamodb.${op}`);
    const table = (name: unknown) => tables.get(String(name)) ?? tables.set(String(name), new Map()).get(String(name))!;
    const keyOf = (key: Json) => JSON.stringify(key);
    if (op === 'GetItem') {
      const item = table(input.TableName).get(keyOf(input.Key as Json));
      return send(res, 200, item ? { Item: item } : {});
    }
    if (op === 'PutItem') {
      const item = input.Item as Json;
      table(input.TableName).set(keyOf({ pk: item.pk }), item);
      return send(res, 200, {});
    }
    if (op === 'UpdateItem') {
      const t = table(input.TableName);
      const k = keyOf(input.Key as Json);
      const item: Json = { ...(t.get(k) ?? (input.Key as Json)) };
      const names = (input.ExpressionAttributeNames ?? {}) as Record<string, string>;
      const values = (input.ExpressionAttributeValues ?? {}) as Json;
      const expr = String(input.UpdateExpression);
      if (!expr.startsWith('SET ')) return send(res, 400, { __type: 'com.amazon.coral.validate#ValidationException', message: 'stand-in: SET only' });
      for (const part of expr.slice(4).split(',')) {
        const [n, v] = part.split('=').map((x) => x.trim());
        item[names[n!] ?? n!] = values[v!];
      }
      t.set(k, item);
      return send(res, 200, {});
    }
    if (op === 'BatchGetItem') {
      const responses: Record<string, Json[]> = {};
      for (const [name, spec] of Object.entries(input.RequestItems as Record<string, { Keys: Json[] }>)) {
        if (spec.Keys.length > 100) return send(res, 400, { __type: 'com.amazon.coral.validate#ValidationException', message: 'Too many items requested for the BatchGetItem call' });
        responses[name] = spec.Keys.flatMap((key): Json[] => { const item = table(name).get(keyOf(key)); return item ? [item] : []; });
      }
      return send(res, 200, { Responses: responses, UnprocessedKeys: {} });
    }
    return send(res, 400, { __type: 'com.amazon.coral.service#UnknownOperationException', message: `stand-in: no DynamoDB API ${op}` });
  };

  const server: Server = createServer((req, res) => {
    void (async () => {
      const text = await bodyOf(req);
      const header = req.headers[VIRTUAL_TIME_HEADER];
      const at = header === undefined ? Date.now() : Number(header);
      const target = String(req.headers['x-amz-target'] ?? '');
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      // For a caller in another process (the bench measures each fleet in a child of its own).
      if (url.pathname === '/_standin/counts') return send(res, 200, { calls: Object.fromEntries(calls), throttled: Object.fromEntries(throttled), evaluations: evaluations.size, nonCompliant: [...evaluations.values()].filter((e) => e.ComplianceType === 'NON_COMPLIANT').length });
      if (url.pathname === '/_standin/reset') return void (standIn.resetCounts(), send(res, 200, {}));
      if (target.startsWith('StarlingDoveService.')) return config(res, target.split('.')[1]!, JSON.parse(text || '{}') as Json);
      if (target.startsWith('DynamoDB_20120810.')) return dynamo(res, target.split('.')[1]!, JSON.parse(text || '{}') as Json);
      return lambda(req, res, url, at);
    })().catch((err: unknown) => send(res, 500, { message: `stand-in: ${(err as Error).message}` }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  const standIn: StandIn = {
    endpoint: `http://127.0.0.1:${port}`,
    calls,
    throttled,
    evaluations,
    inventory: true,
    resetCounts: () => {
      calls.clear();
      throttled.clear();
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
  return standIn;
}
