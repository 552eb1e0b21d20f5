import type { LifecyclePhase, RuntimeInfo } from '../catalog/catalog.js';
import type { FunctionFacts } from '../facts/functionFacts.js';
import type { Policy, Tier } from '../policy/policy.js';
import type { UpdateMode } from '../policy/schema.js';

export type Severity = 'error' | 'warning' | 'info';

/** What to do about a finding; remediation documents and the CLI act on `kind`. */
export type RemediationAction =
  | { readonly kind: 'upgrade-runtime'; readonly targetRuntime?: string }
  | { readonly kind: 'set-update-mode'; readonly mode: UpdateMode }
  | { readonly kind: 'pin-runtime-version' }
  | { readonly kind: 'redeploy' }
  | { readonly kind: 'fix-tag'; readonly tagKey: string }
  | { readonly kind: 'renew-waiver' }
  | { readonly kind: 'none' };

export interface Finding {
  readonly ruleId: string;
  readonly rule: string;
  readonly severity: Severity;
  /** One line an on-call engineer can act on. */
  readonly message: string;
  readonly remediation: RemediationAction;
  /** Set when a waiver downgraded this finding from an error. */
  readonly waivedUntil?: string;
  /** Where to edit, when the finding comes from a template's text (the scanner sets it). */
  readonly location?: FindingLocation;
}

/**
 * The value in a template that decides a finding - the property, the Globals entry, the parameter's
 * Default or AllowedValues entry, the mapping entry - else the resource: 1-based lines and columns
 * (UTF-16 code units) from a map entry's key, as cfn-lint reports them, to the value's end.
 */
export interface FindingLocation {
  /** `Globals.Function.Runtime`, `Parameters.NodeRuntime.Default`, `Resources.Api`. */
  readonly path: string;
  readonly line: number;
  readonly column: number;
  readonly endLine: number;
  readonly endColumn: number;
}

export interface RuleMeta {
  readonly id: string;
  readonly name: string;
  readonly title: string;
  readonly severity: Severity;
}

/** Everything a check may look at, computed once per evaluation. */
export interface RuleContext {
  readonly facts: FunctionFacts;
  readonly policy: Policy;
  readonly nowMs: number;
  readonly runtime: string | undefined;
  readonly info: RuntimeInfo | undefined;
  readonly phase: LifecyclePhase;
  readonly tier: Tier;
  /** The tier tag's value when it names no tier. */
  readonly invalidTierTag: string | undefined;
}

/** Facts a source may leave undecided (a template expression); checks reading one are not run. */
export type DecidingFact = 'runtime' | 'updateMode' | 'runtimeVersionArn' | 'tier';

export interface Check extends RuleMeta {
  /** The facts the check's outcome depends on. */
  readonly reads: readonly DecidingFact[];
  readonly check: (ctx: RuleContext) => { message: string; remediation: RemediationAction } | undefined;
}
