import type { Finding } from './types.js';

export type Compliance = 'COMPLIANT' | 'NON_COMPLIANT' | 'NOT_APPLICABLE';

export interface Verdict {
  readonly compliance: Compliance;
  /** At most 256 characters: fits a Config annotation and a stack event. */
  readonly summary: string;
  readonly ruleIds: readonly string[];
}

export const SUMMARY_MAX = 256;

/** At most `max` UTF-16 units, ending in an ellipsis when cut, never between a surrogate pair. */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  let end = max - 1;
  const last = text.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end--;
  return `${text.slice(0, end)}…`;
}

export function verdict(findings: readonly Finding[]): Verdict {
  const ruleIds = findings.map((f) => f.ruleId);
  if (findings.length > 0 && findings.every((f) => f.ruleId === 'RW000')) {
    return { compliance: 'NOT_APPLICABLE', summary: truncate(findings[0]!.message, SUMMARY_MAX), ruleIds };
  }
  const errors = findings.filter((f) => f.severity === 'error');
  if (errors.length > 0) {
    return { compliance: 'NON_COMPLIANT', summary: truncate(errors.map((f) => `${f.ruleId} ${f.message}`).join(' | '), SUMMARY_MAX), ruleIds };
  }
  const warnings = findings.filter((f) => f.severity === 'warning');
  // A waiver is what makes such a function compliant: said first, so that no cut hides it.
  const waivers = findings.filter((f) => f.ruleId === 'RW013');
  const summary =
    waivers.length > 0
      ? `Compliant under a waiver: ${[...waivers, ...warnings].map((f) => `${f.ruleId} ${f.message}`).join(' | ')}`
      : warnings.length > 0
        ? `Compliant with warnings: ${warnings.map((f) => `${f.ruleId} ${f.message}`).join(' | ')}`
        : 'Compliant: approved, supported runtime and allowed update mode.';
  return { compliance: 'COMPLIANT', summary: truncate(summary, SUMMARY_MAX), ruleIds };
}
