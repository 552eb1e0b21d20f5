import type { Finding } from './types.js';

export type Compliance = 'COMPLIANT' | 'NON_COMPLIANT' | 'NOT_APPLICABLE';

export interface Verdict {
  readonly compliance: Compliance;
  /** At most 256 characters: fits a Config annotation and a stack event. */
  readonly summary: string;
  readonly ruleIds: readonly string[];
}

export const SUMMARY_MAX = 256;

export function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
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
  const summary = warnings.length > 0 ? `Compliant with warnings: ${warnings.map((f) => `${f.ruleId} ${f.message}`).join(' | ')}` : 'Compliant: approved, supported runtime and allowed update mode.';
  return { compliance: 'COMPLIANT', summary: truncate(summary, SUMMARY_MAX), ruleIds };
}
