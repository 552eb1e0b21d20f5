import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface PayloadServer {
  /** Serves `body` with `status` and answers the URL a hook event would carry (presigned-style query). */
  readonly publish: (body: unknown, status?: number) => string;
  /** Every URL requested so far, query included. */
  readonly requests: readonly string[];
  readonly close: () => Promise<void>;
}

export const PRESIGNED_QUERY = 'X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Expires=900&X-Amz-Signature=0123456789abcdef';

/** A loopback HTTP server standing in for the S3 presigned URL of a STACK or CHANGE_SET hook payload. */
export async function startPayloadServer(): Promise<PayloadServer> {
  const served = new Map<string, { status: number; body: string }>();
  const requests: string[] = [];
  const server = createServer((req, res) => {
    requests.push(req.url ?? '');
    const answer = served.get((req.url ?? '').split('?')[0]!) ?? { status: 404, body: '<Error><Code>NoSuchKey</Code></Error>' };
    res.writeHead(answer.status, { 'content-type': 'application/json' }).end(answer.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    publish: (body, status = 200) => {
      const path = `/123456789012/payload-${served.size + 1}.json`;
      served.set(path, { status, body: typeof body === 'string' ? body : JSON.stringify(body) });
      return `${base}${path}?${PRESIGNED_QUERY}`;
    },
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
