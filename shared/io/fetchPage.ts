/**
 * A document's text over HTTP(S) (AWS's runtimes page, a hook payload); a status other than 2xx, a
 * timeout or a body over `maxBytes` throws, saying which.
 */
export async function fetchPage(url: string, userAgent: string, timeoutMs = 20_000, maxBytes = 64 * 1024 * 1024): Promise<string> {
  const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), headers: { 'user-agent': userAgent } });
  // The query string of a presigned URL is a credential: never in a message.
  const where = url.split('?')[0];
  if (!res.ok) throw new Error(`GET ${where}: HTTP ${res.status}`);
  const declared = Number(res.headers.get('content-length') ?? 0);
  if (declared > maxBytes) throw new Error(`GET ${where}: ${declared} bytes, more than the ${maxBytes} this reads`);
  const body = new Uint8Array(await res.arrayBuffer());
  if (body.byteLength > maxBytes) throw new Error(`GET ${where}: more than the ${maxBytes} bytes this reads`);
  return new TextDecoder().decode(body);
}
