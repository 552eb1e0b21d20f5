import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

// A loopback Lambda endpoint for the remediation bench: the functions of a burst, answered in the
// shapes of the Lambda API Reference (GetFunction: Configuration and Tags), with Lambda's request
// quotas enforced on token buckets (Lambda Developer Guide, "Lambda quotas", Lambda API requests):
// GetFunction 100 requests per second of its own; every other control-plane call one shared
// bucket of 15 per second. An empty bucket answers 429 TooManyRequestsException, as Lambda does,
// which the SDK's retry strategy then meets.

export interface StandInFunction {
  readonly name: string;
  readonly runtime: string;
  readonly tags: Readonly<Record<string, string>>;
}

export interface LambdaStandIn {
  readonly endpoint: string;
  /** Requests answered, by API, and how many of them were throttled. */
  readonly calls: Map<string, { answered: number; throttled: number }>;
  close(): Promise<void>;
}

class TokenBucket {
  private tokens: number;
  private last = performance.now();

  public constructor(private readonly perSecond: number) {
    this.tokens = perSecond;
  }

  public take(): boolean {
    const now = performance.now();
    this.tokens = Math.min(this.perSecond, this.tokens + ((now - this.last) / 1000) * this.perSecond);
    this.last = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}

const ACCOUNT = '123456789012';
const REGION = 'eu-west-1';

function send(res: ServerResponse, status: number, body: unknown, errorType?: string): void {
  res.writeHead(status, { 'content-type': 'application/json', ...(errorType && { 'x-amzn-errortype': errorType }) });
  res.end(JSON.stringify(body));
}

/** Starts the stand-in on a free loopback port. */
export async function startLambdaStandIn(functions: readonly StandInFunction[]): Promise<LambdaStandIn> {
  const byName = new Map(functions.map((f) => [f.name, f]));
  const getFunction = new TokenBucket(100);
  const controlPlane = new TokenBucket(15);
  const calls = new Map<string, { answered: number; throttled: number }>();
  const count = (api: string, throttled: boolean): void => {
    const c = calls.get(api) ?? { answered: 0, throttled: 0 };
    c.answered++;
    if (throttled) c.throttled++;
    calls.set(api, c);
  };
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    req.resume();
    const url = new URL(req.url ?? '/', 'http://localhost');
    const parts = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
    // GET /2015-03-31/functions/{name} is GetFunction; anything else is the shared bucket's.
    const isGetFunction = req.method === 'GET' && parts.length === 3 && parts[1] === 'functions';
    const api = isGetFunction ? 'GetFunction' : `${req.method} /${parts.slice(2).join('/')}`;
    const allowed = (isGetFunction ? getFunction : controlPlane).take();
    count(api, !allowed);
    if (!allowed) return send(res, 429, { Type: 'User', message: 'Rate exceeded', Reason: 'CallerRateLimitExceeded' }, 'TooManyRequestsException');
    const fn = byName.get(parts[2] ?? '');
    if (!fn) return send(res, 404, { Type: 'User', Message: `Function not found: ${parts[2]}` }, 'ResourceNotFoundException');
    const configuration = { FunctionName: fn.name, FunctionArn: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${fn.name}`, Runtime: fn.runtime, PackageType: 'Zip', Version: '$LATEST', LastModified: '2026-01-01T00:00:00.000+0000' };
    if (isGetFunction) return send(res, 200, { Configuration: configuration, Tags: fn.tags });
    if (parts.at(-1) === 'runtime-management-config') return send(res, 200, { UpdateRuntimeOn: 'Auto' });
    if (parts.at(-1) === 'versions') return send(res, 200, { Versions: [configuration] });
    return send(res, 400, { Type: 'User', message: `The stand-in does not answer ${api}` }, 'InvalidRequestContentException');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { endpoint: `http://127.0.0.1:${port}`, calls, close: () => new Promise((resolve) => server.close(() => resolve())) };
}
