import type { Finding } from '../evaluation/types.js';
import type { Policy } from './policy.js';

// How a blocked function gets an exception, as the policy allows it: said by the hook and the
// scanner alike.

/**
 * How to get an exception for the errors of `ruleIds`, in one sentence: the waiver tag and its
 * bound where a tag may waive them, else (and besides) a policy waiver from whoever owns the policy.
 */
export function exceptionSentence(policy: Policy, ruleIds: readonly string[]): string | undefined {
  const ids = [...new Set(ruleIds)].sort();
  if (ids.length === 0) return undefined;
  const { waiverTag, contact, exceptionsUrl } = policy.document;
  const byTag = waiverTag.enabled ? ids.filter((id) => policy.waivable(id, 'tag')) : [];
  const byPolicy = ids.filter((id) => policy.waivable(id, 'policy'));
  const never = ids.filter((id) => !byPolicy.includes(id));
  const owner = `${contact ?? "the policy's owner"}${exceptionsUrl ? ` (${exceptionsUrl})` : ''}`;
  const ways = [
    byTag.length > 0 && `tag ${waiverTag.key} = 'YYYY-MM-DD reason' (at most ${waiverTag.maxDays} days${byTag.length < ids.length ? `; only for ${byTag.join(', ')}` : ''})`,
    byPolicy.length > 0 && `${byTag.length > 0 ? 'or ' : ''}ask ${owner} for a policy waiver${byPolicy.length < ids.length ? ` (${byPolicy.join(', ')})` : ''}`,
  ].filter(Boolean);
  const none = never.length > 0 ? ` No waiver covers ${never.join(', ')} (the policy's unwaivableRules)${byPolicy.length === 0 ? `; ask ${owner}` : ''}.` : '';
  return `${ways.length > 0 ? `Exception: ${ways.join(' ')}.` : ''}${none}`.trim();
}

/** The error rules a blocked answer is about. */
export const blockingRules = (findings: readonly Finding[]): string[] => findings.filter((f) => f.severity === 'error').map((f) => f.ruleId);
