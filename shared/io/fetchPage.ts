export interface FetchOptions {
  readonly timeoutMs?: number;
  /** The most bytes read, counted after any content decoding (a gzip body can expand a thousandfold). */
  readonly maxBytes?: number;
  /** `error`: a redirect is refused, so a URL that passed a host check cannot lead elsewhere. */
  readonly redirect?: 'follow' | 'error';
}

/**
 * A document's text over HTTP(S) (AWS's runtimes page, a hook payload); a status other than 2xx, a
 * timeout, a redirect where refused, or a body over `maxBytes` throws, saying which and never
 * quoting the body. The body is read as a stream and dropped at the cap, whatever its
 * Content-Length, chunking or compression claims.
 */
export async function fetchPage(url: string, userAgent: string, options: FetchOptions = {}): Promise<string> {
  const { timeoutMs = 20_000, maxBytes = 64 * 1024 * 1024, redirect = 'follow' } = options;
  // The query string of a presigned URL is a credential: never in a message.
  const where = url.split('?')[0];
  let res: Response;
  try {
    res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), headers: { 'user-agent': userAgent }, redirect: redirect === 'error' ? 'manual' : 'follow' });
  } catch (err) {
    const e = err as Error & { cause?: { message?: string; code?: string } };
    // fetch says only "fetch failed"; the cause says why (ECONNREFUSED, ENOTFOUND, a TLS error).
    const why = e.cause?.code ?? e.cause?.message;
    throw new Error(`GET ${where}: ${e.name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : `${e.message}${why ? ` (${why})` : ''}`}`);
  }
  if (res.status >= 300 && res.status < 400) {
    await res.body?.cancel();
    throw new Error(`GET ${where}: HTTP ${res.status} redirect refused`);
  }
  if (!res.ok) {
    await res.body?.cancel();
    throw new Error(`GET ${where}: HTTP ${res.status}`);
  }
  const declared = Number(res.headers.get('content-length') ?? 0);
  if (declared > maxBytes) {
    await res.body?.cancel();
    throw new Error(`GET ${where}: ${declared} bytes, more than the ${maxBytes} this reads`);
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = res.body?.getReader();
  for (;;) {
    const { done, value } = reader ? await reader.read() : { done: true, value: undefined };
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader!.cancel();
      throw new Error(`GET ${where}: more than the ${maxBytes} bytes this reads`);
    }
    chunks.push(value);
  }
  return new TextDecoder().decode(Buffer.concat(chunks));
}
