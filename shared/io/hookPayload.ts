import { fetchPage } from './fetchPage.js';

// A STACK or CHANGE_SET hook gets its template through `requestData.payload`, an S3 presigned URL
// (CloudFormation Hooks User Guide, "Create Lambda functions to evaluate resources for Lambda
// Hooks"). Anything else in that field - plain http, another host, a redirect away from S3 - is
// not CloudFormation's payload and is not fetched: the hook would otherwise read a template
// chosen by whoever wrote the event, or be pointed at an internal address.

/** S3's hosts (S3 User Guide, "Virtual hosting" and "Endpoints"): bucket.s3.REGION, s3.REGION, s3-REGION, dualstack, China. */
const S3_HOST = /^(?:[a-z0-9][a-z0-9.-]*\.)?s3(?:[.-](?:dualstack|[a-z]{2}(?:-[a-z]+)+-\d|external-1))*\.amazonaws\.com(?:\.cn)?$/;

export function isS3Https(url: string): boolean {
  try {
    const u = new URL(url);
    return u.protocol === 'https:' && u.port === '' && S3_HOST.test(u.hostname);
  } catch {
    return false;
  }
}

export interface PayloadFetchOptions {
  /** Which URLs may be fetched; S3 over https unless a test serves the payload itself. */
  readonly allowed?: (url: string) => boolean;
}

// Within the hook's 15-second timeout, itself within CloudFormation's 30-second wait. A payload
// holds two templates (CloudFormation takes at most 1 MB each; the scanner reads up to 5 MiB) and
// the change list: 16 MiB admits every real one, and the hook's memory holds the worst it admits
// (bench/hookMemory.bench.ts).
const TIMEOUT_MS = 8_000;
const MAX_BYTES = 16 * 1024 * 1024;

export function payloadFetcher({ allowed = isS3Https }: PayloadFetchOptions = {}): (url: string) => Promise<string> {
  return (url) => {
    if (!allowed(url)) return Promise.reject(new Error(`the payload URL ${url.split('?')[0]} is not an https URL on an S3 host: not fetched`));
    return fetchPage(url, 'runtime-warden-hook', { timeoutMs: TIMEOUT_MS, maxBytes: MAX_BYTES, redirect: 'error' });
  };
}
