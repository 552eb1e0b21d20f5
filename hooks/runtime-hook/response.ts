import { truncate, type Finding, type Verdict } from '../../shared/index.js';

/** The answer CloudFormation expects from a Lambda hook. */
export interface HookResponse {
  readonly hookStatus: 'SUCCESS' | 'FAILED';
  readonly errorCode?: 'NonCompliant' | 'InternalFailure';
  readonly message: string;
  readonly clientRequestToken: string;
}

/** CloudFormation cuts hook messages at 4,096 characters; we cut first so the end is ours. */
export const HOOK_MESSAGE_MAX = 4096;

export function success(clientRequestToken: string, message: string): HookResponse {
  return { hookStatus: 'SUCCESS', message: truncate(message, HOOK_MESSAGE_MAX), clientRequestToken };
}

export function internalFailure(clientRequestToken: string, error: unknown): HookResponse {
  const detail = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return {
    hookStatus: 'FAILED',
    errorCode: 'InternalFailure',
    message: truncate(`runtime-warden could not evaluate this resource. ${detail}`, HOOK_MESSAGE_MAX),
    clientRequestToken,
  };
}

export interface Decision {
  readonly logicalId: string;
  readonly runtime: string | undefined;
  readonly runtimeChange: string | undefined;
  readonly findings: readonly Finding[];
  readonly verdict: Verdict;
}

/** One stack-event line: which resource, what changed, and every finding with its rule id. */
export function decisionResponse(clientRequestToken: string, d: Decision): HookResponse {
  const head = `${d.logicalId} (${d.runtime ?? 'no runtime'})${d.runtimeChange ? `, runtime change ${d.runtimeChange}` : ''}`;
  const listed = d.findings.filter((f) => f.severity !== 'info' || f.ruleId !== 'RW000').map((f) => `[${f.ruleId} ${f.severity}] ${f.message}`);
  if (d.verdict.compliance === 'NON_COMPLIANT') {
    return {
      hookStatus: 'FAILED',
      errorCode: 'NonCompliant',
      message: truncate(`${head} breaks the Lambda runtime policy: ${listed.join(' ')}`, HOOK_MESSAGE_MAX),
      clientRequestToken,
    };
  }
  return success(clientRequestToken, `${head}: ${d.verdict.compliance}. ${listed.length > 0 ? listed.join(' ') : d.verdict.summary}`);
}
