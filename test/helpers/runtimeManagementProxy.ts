import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

type Config = { UpdateRuntimeOn: string; RuntimeVersionArn?: string };

export interface RuntimeManagementProxy {
  /** Where a process's AWS_ENDPOINT_URL points: everything but the two calls goes on to moto. */
  readonly endpoint: string;
  /** The runtime update mode of each function, by name, as the calls left it. */
  readonly modes: Map<string, Config>;
  close(): Promise<void>;
}

/** Get/PutRuntimeManagementConfig's REST path (Lambda API Reference; botocore's lambda model). */
const PATH = /^\/2021-07-20\/functions\/([^/]+)\/runtime-management-config(?:\?.*)?$/;

const body = (req: IncomingMessage): Promise<string> =>
  new Promise((done, fail) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c)).on('end', () => done(Buffer.concat(chunks).toString('utf8'))).on('error', fail);
  });

const answer = (res: ServerResponse, status: number, json: object, errorType?: string): void => {
  res.writeHead(status, { 'Content-Type': 'application/json', ...(errorType && { 'x-amzn-ErrorType': errorType }) });
  res.end(JSON.stringify(json));
};

/**
 * For a separate process (the built CLI): moto answers Get/PutRuntimeManagementConfig with 404,
 * so this loopback proxy answers those two with the rules scripts/emulator/runtimeManagementStub.ts
 * keeps in process (the function must exist in moto; Manual needs a RuntimeVersionArn and the
 * other modes refuse one) and passes every other request to moto unchanged.
 */
export async function startRuntimeManagementProxy(motoEndpoint: string): Promise<RuntimeManagementProxy> {
  const modes = new Map<string, Config>();
  const target = new URL(motoEndpoint);
  // The function's name as moto knows it, or undefined when moto does not know it.
  const nameOf = async (ref: string): Promise<string | undefined> => {
    const res = await fetch(`${motoEndpoint}/2015-03-31/functions/${encodeURIComponent(ref)}/configuration`, { headers: { Authorization: 'AWS4-HMAC-SHA256 Credential=testing/20261123/eu-west-1/lambda/aws4_request, SignedHeaders=host, Signature=0' } });
    return res.ok ? ((await res.json()) as { FunctionName: string }).FunctionName : undefined;
  };
  const server: Server = createServer((req, res) => {
    const m = PATH.exec(req.url ?? '');
    if (!m) {
      const upstream = request({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers }, (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      });
      upstream.on('error', () => answer(res, 502, { message: 'moto unreachable' }));
      req.pipe(upstream);
      return;
    }
    void (async () => {
      const name = await nameOf(decodeURIComponent(m[1]!));
      if (name === undefined) return answer(res, 404, { message: `Function not found: ${m[1]}` }, 'ResourceNotFoundException');
      if (req.method === 'GET') return answer(res, 200, { UpdateRuntimeOn: 'Auto', ...modes.get(name) });
      const input = JSON.parse(await body(req)) as Config;
      const mode = input.UpdateRuntimeOn;
      if (mode !== 'Auto' && mode !== 'FunctionUpdate' && mode !== 'Manual') return answer(res, 400, { message: `Value '${mode}' at 'updateRuntimeOn' failed to satisfy constraint` }, 'ValidationException');
      if ((mode === 'Manual') !== (input.RuntimeVersionArn !== undefined)) {
        return answer(res, 400, { message: mode === 'Manual' ? 'RuntimeVersionArn is required with Manual' : `RuntimeVersionArn is not allowed with ${mode}` }, 'InvalidParameterValueException');
      }
      modes.set(name, { UpdateRuntimeOn: mode, ...(input.RuntimeVersionArn && { RuntimeVersionArn: input.RuntimeVersionArn }) });
      return answer(res, 200, { UpdateRuntimeOn: mode, ...(input.RuntimeVersionArn && { RuntimeVersionArn: input.RuntimeVersionArn }) });
    })().catch((err: Error) => answer(res, 500, { message: err.message }, 'ServiceException'));
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    modes,
    close: () => new Promise((done) => server.close(() => done())),
  };
}
