import type { Finding } from '../evaluation/types.js';
import type { FunctionFacts } from '../facts/functionFacts.js';
import type { UpdateMode } from '../policy/schema.js';

export interface ModeChange {
  readonly from: UpdateMode | undefined;
  readonly to: UpdateMode;
  /** The finding that asks for it. */
  readonly ruleId: string;
  readonly reason: string;
}

/**
 * The runtime update mode the policy asks for, from the first finding whose remediation is a
 * mode change and that no waiver covers; undefined when the mode is as the policy wants it.
 */
export function plannedModeChange(facts: FunctionFacts, findings: readonly Finding[]): ModeChange | undefined {
  for (const f of findings) {
    if (f.remediation.kind !== 'set-update-mode' || f.waivedUntil !== undefined || f.remediation.mode === facts.updateMode) continue;
    return { from: facts.updateMode, to: f.remediation.mode, ruleId: f.ruleId, reason: f.message };
  }
  return undefined;
}
