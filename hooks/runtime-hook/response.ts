import { truncate, type Finding, type Policy, type Verdict } from '../../shared/index.js';
import { ruleHelpUri } from '../../shared/evaluation/ruleHelp.js';
import { LAMBDA_FUNCTION_TYPES } from '../../shared/facts/functionFacts.js';
import { blockingRules, exceptionSentence } from '../../shared/policy/exceptions.js';
import { printable } from '../../shared/text/printable.js';
import type { ScannedFunction } from '../../shared/template/scan.js';
import type { StackReview } from '../../shared/template/stackReview.js';

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

/** The message as one line of our own (names and tag values come from the template), within the limit. */
const finish = (message: string, limit: number): string => truncate(printable(message), limit);

export function success(clientRequestToken: string, message: string, limit = HOOK_MESSAGE_MAX): HookResponse {
  return { hookStatus: 'SUCCESS', message: finish(message, limit), clientRequestToken };
}

export function internalFailure(clientRequestToken: string, error: unknown, limit = HOOK_MESSAGE_MAX): HookResponse {
  const detail = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return {
    hookStatus: 'FAILED',
    errorCode: 'InternalFailure',
    message: finish(`runtime-warden could not evaluate this resource. ${detail}`, limit),
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

/**
 * `body`, then `tail` whole (how to get an exception, the rule's page): the body is what gets cut,
 * so that a long list of findings never cuts off what to do about them. The rule's page is left
 * out when it does not fit whole.
 */
function withTail(body: string, tail: readonly string[], limit: number): string {
  let kept = [...tail];
  while (kept.length > 0 && kept.join(' ').length > limit / 2) kept = kept.slice(0, -1);
  const end = kept.length > 0 ? ` ${printable(kept.join(' '))}` : '';
  return `${finish(body, limit - end.length)}${end}`;
}

/** What ends a blocked message: how to get an exception, then the first blocking rule's page. */
function blockedTail(policy: Policy | undefined, findings: readonly Finding[]): string[] {
  const rules = blockingRules(findings);
  const exception = policy && exceptionSentence(policy, rules);
  return exception ? [exception, `Rule: ${ruleHelpUri([...rules].sort()[0]!)}`] : [];
}

const findingList = (findings: readonly Finding[]): string[] => findings.filter((f) => f.ruleId !== 'RW000').map((f) => `[${f.ruleId} ${f.severity}] ${f.message}`);

/** One stack-event line: which resource, what changed, and every finding with its rule id. */
export function decisionResponse(clientRequestToken: string, d: Decision, limit = HOOK_MESSAGE_MAX, policy?: Policy): HookResponse {
  const head = `${d.logicalId} (${d.runtime ?? 'no runtime'})${d.runtimeChange ? `, runtime change ${d.runtimeChange}` : ''}`;
  const listed = findingList(d.findings);
  if (d.verdict.compliance === 'NON_COMPLIANT') {
    return {
      hookStatus: 'FAILED',
      errorCode: 'NonCompliant',
      message: withTail(`${head} breaks the Lambda runtime policy: ${listed.join(' ')}`, blockedTail(policy, d.findings), limit),
      clientRequestToken,
    };
  }
  return success(clientRequestToken, `${head}: ${d.verdict.compliance}. ${listed.length > 0 ? listed.join(' ') : d.verdict.summary}`, limit);
}

const OPERATION = { STACK: 'this stack operation', CHANGE_SET: 'this change set' } as const;
const at = (fn: ScannedFunction): string => `${fn.logicalId}${fn.line ? ` (line ${fn.line})` : ''}`;
const names = (fns: readonly ScannedFunction[]): string => fns.map(at).join(', ');
const plural = (n: number, one: string): string => `${n} ${one}${n === 1 ? '' : 's'}`;

/**
 * One answer for a whole stack or change set: every offending function by name and line first (so
 * that a cut message still names them all), then each one's findings, then what is left to the
 * per-resource hook and what breaks the policy without being changed.
 */
export function stackDecisionResponse(clientRequestToken: string, kind: 'STACK' | 'CHANGE_SET', r: StackReview, limit = HOOK_MESSAGE_MAX, policy?: Policy): HookResponse {
  const op = OPERATION[kind];
  const tail = [
    r.deferred.length > 0 && `Judged per resource when deployed (the template leaves their runtime settings to parameters or imports): ${names(r.deferred)}.`,
    r.notInTemplate.length > 0 && `Judged per resource when deployed (not declared in the submitted template): ${r.notInTemplate.join(', ')}.`,
    r.untouchedBreaking.length > 0 && `Not changed by ${op}, and breaking the policy too: ${names(r.untouchedBreaking)}.`,
  ].filter(Boolean);
  if (r.breaking.length > 0) {
    // Functions that inherit one setting (SAM Globals) break the policy alike: said once for all.
    const byFindings = new Map<string, string[]>();
    for (const fn of r.breaking) {
      const key = `(${fn.runtime ?? 'no runtime'}): ${findingList(fn.findings).join(' ')}`;
      const ids = byFindings.get(key);
      if (ids) ids.push(fn.logicalId);
      else byFindings.set(key, [fn.logicalId]);
    }
    const details = [...byFindings].map(([findings, ids]) => `${ids.join(', ')} ${findings}`);
    const head = `${plural(r.breaking.length, 'Lambda function')} that ${op} creates or updates ${r.breaking.length === 1 ? 'breaks' : 'break'} the runtime policy: ${names(r.breaking)}.`;
    return { hookStatus: 'FAILED', errorCode: 'NonCompliant', message: withTail([head, ...details, ...tail].join(' '), blockedTail(policy, r.breaking.flatMap((fn) => fn.findings)), limit), clientRequestToken };
  }
  const warned = r.judged.filter((fn) => !r.deferred.includes(fn) && fn.findings.some((f) => f.severity === 'warning'));
  // A layer version with findings is judged beside the functions (its warnings below); it is not one of them.
  const functions = r.judged.filter((fn) => LAMBDA_FUNCTION_TYPES.includes(fn.type)).length;
  const head =
    functions === 0
      ? `No Lambda function declared in the template is created or updated by ${op}.`
      : `${plural(functions, 'Lambda function')} that ${op} creates or updates ${functions === 1 ? 'follows' : 'follow'} the runtime policy.`;
  const warnings = warned.map((fn) => `${at(fn)}: ${findingList(fn.findings.filter((f) => f.severity === 'warning')).join(' ')}`);
  return success(clientRequestToken, [head, ...warnings, ...tail].join(' '), limit);
}
