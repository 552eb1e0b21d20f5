/** A web page's text (AWS's runtimes page); a status other than 2xx or a timeout throws, saying which. */
export async function fetchPage(url: string, userAgent: string, timeoutMs = 20_000): Promise<string> {
  const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), headers: { 'user-agent': userAgent } });
  if (!res.ok) throw new Error(`GET ${url}: HTTP ${res.status}`);
  return res.text();
}
