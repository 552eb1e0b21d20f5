import { truncate, type Finding, type Verdict } from '../../shared/index.js';

/** The answer CloudFormation expects from a Lambda hook. */
export interface HookResponse {
  readonly hookStatus: 'SUCCESS' | 'FAILED';
  readonly errorCode?: 'NonCompliant' | 'InternalFailure';
  readonly message: string;
  readonly clientRequestToken: string;
}

/**
 * Hooks cut messages at 4,096 characters for CloudFormation operations and at 1,024 for Cloud
 * Control API operations (Hooks User Guide, "Create Lambda functions to evaluate resources for
 * Lambda Hooks", response `message`); we cut first so the end is ours.
 */
export const HOOK_MESSAGE_MAX = 4096;
export const CLOUD_CONTROL_MESSAGE_MAX = 1024;

/** A Cloud Control API operation comes without a stack (its StackId is blank). */
export const messageLimitFor = (stackId: unknown): number => (typeof stackId === 'string' && stackId !== '' ? HOOK_MESSAGE_MAX : CLOUD_CONTROL_MESSAGE_MAX);

export function success(clientRequestToken: string, message: string, limit = HOOK_MESSAGE_MAX): HookResponse {
  return { hookStatus: 'SUCCESS', message: truncate(message, limit), clientRequestToken };
}

export function internalFailure(clientRequestToken: string, error: unknown, limit = HOOK_MESSAGE_MAX): HookResponse {
  const detail = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return {
    hookStatus: 'FAILED',
    errorCode: 'InternalFailure',
    message: truncate(`runtime-warden could not evaluate this resource. ${detail}`, limit),
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
export function decisionResponse(clientRequestToken: string, d: Decision, limit = HOOK_MESSAGE_MAX): HookResponse {
  const head = `${d.logicalId} (${d.runtime ?? 'no runtime'})${d.runtimeChange ? `, runtime change ${d.runtimeChange}` : ''}`;
  const listed = d.findings.filter((f) => f.severity !== 'info' || f.ruleId !== 'RW000').map((f) => `[${f.ruleId} ${f.severity}] ${f.message}`);
  if (d.verdict.compliance === 'NON_COMPLIANT') {
    return {
      hookStatus: 'FAILED',
      errorCode: 'NonCompliant',
      message: truncate(`${head} breaks the Lambda runtime policy: ${listed.join(' ')}`, limit),
      clientRequestToken,
    };
  }
  return success(clientRequestToken, `${head}: ${d.verdict.compliance}. ${listed.length > 0 ? listed.join(' ') : d.verdict.summary}`, limit);
}
