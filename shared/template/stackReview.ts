import { EXPRESSION_UNRESOLVED } from '../evaluation/rules.js';
import { LAMBDA_FUNCTION_TYPES } from '../facts/functionFacts.js';
import type { Policy } from '../policy/policy.js';
import { isRecord } from './intrinsics.js';
import { scanTemplateText, type ScannedFunction } from './scan.js';

/** What a stack- or change-set-level hook receives, once its payload is fetched and read. */
export interface StackOperation {
  readonly kind: 'STACK' | 'CHANGE_SET';
  /** The template as submitted, before any transform; empty on delete-stack. */
  readonly template: string;
  /** STACK updates: the stack's template before this operation. */
  readonly previousTemplate?: string;
  /** CHANGE_SET: the resources it creates, updates or deletes. */
  readonly changedResources?: readonly { readonly action: string; readonly logicalResourceId: string; readonly resourceType?: string }[];
}

export interface StackReview {
  /** Functions this operation creates or changes, as the scanner judges them, in template order. */
  readonly judged: readonly ScannedFunction[];
  readonly breaking: readonly ScannedFunction[];
  /** Judged functions whose decisive properties the template leaves to deploy time (parameters, imports). */
  readonly deferred: readonly ScannedFunction[];
  /** Changed Lambda functions the submitted template does not declare (made by a macro): judged per resource. */
  readonly notInTemplate: readonly string[];
  /** Functions the operation leaves alone that break the policy: named, never blocking. */
  readonly untouchedBreaking: readonly ScannedFunction[];
  /** Why the template could not be judged. */
  readonly error?: string;
}

const REMOVALS: ReadonlySet<string> = new Set(['DELETE', 'REMOVE']);
/** RW020, deployment-preference-missing (shared/evaluation/rules.ts). */
const DEPLOYMENT_RULE = 'RW020';

/** JSON with sorted keys: two spellings of the same properties compare equal. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (isRecord(value)) return `{${Object.keys(value).sort().map((k) => `${JSON.stringify(k)}:${canonical(value[k])}`).join(',')}}`;
  return JSON.stringify(value) ?? 'null';
}

/**
 * What a function is, for deciding whether a stack update changes it: its properties as the scanner
 * judged them, Globals merged and expressions resolved (a Mappings or Conditions edit changes a
 * function without touching its own lines).
 */
const fingerprint = (fn: ScannedFunction): string => canonical(fn.hookProperties);

/**
 * A function whose runtime this operation moves, where its tier asks for gradual deployment it
 * lacks (RW020): the warning says so, since a new runtime is the change a canary is for. Only
 * where the previous template is known (a stack update; a change set payload carrying one).
 */
function withRuntimeMoves(judged: readonly ScannedFunction[], previous: readonly ScannedFunction[]): ScannedFunction[] {
  const before = new Map(previous.map((fn) => [fn.logicalId, fn.runtime]));
  return judged.map((fn) => {
    const was = before.get(fn.logicalId);
    if (was === undefined || fn.runtime === undefined || was === fn.runtime || !fn.findings.some((f) => f.ruleId === DEPLOYMENT_RULE)) return fn;
    const findings = fn.findings.map((f) => (f.ruleId === DEPLOYMENT_RULE ? { ...f, message: `This operation moves ${fn.logicalId} from ${was} to ${fn.runtime} without the deployment its tier requires. ${f.message}` } : f));
    return { ...fn, findings };
  });
}

/**
 * Judges a whole submitted template at once with the scanner's engine: every function the
 * operation creates or changes, so that one answer names every offending function with its line.
 * A change set changes what its resource changes list; a stack update what differs from the
 * previous template; a stack creation everything. Pure: the caller fetched the payload.
 */
export function reviewStack(op: StackOperation, policy: Policy, now: number): StackReview {
  const empty = { judged: [], breaking: [], deferred: [], notInTemplate: [], untouchedBreaking: [] };
  // The hook names each function by its line: no second parse for where each value is.
  const scanned = scanTemplateText('template', op.template, policy, now, true, { locate: false });
  if (scanned.error) return { ...empty, error: `The submitted template cannot be judged: ${scanned.error}` };
  let changed: (fn: ScannedFunction) => boolean;
  let notInTemplate: string[] = [];
  // An unreadable previous template (or none: a creation) leaves every function counted as changed.
  const previous = op.previousTemplate?.trim() ? scanTemplateText('previous template', op.previousTemplate, policy, now, true, { locate: false }).functions : [];
  // A change set payload without its change list: judge every function rather than none.
  if (op.kind === 'CHANGE_SET' && op.changedResources) {
    // Only a removal is not judged: the hook payload documents CREATE, UPDATE and DELETE, and the
    // change set API names actions Add, Modify, Remove, Import and Dynamic (CloudFormation API
    // Reference, ResourceChange): any other word is judged rather than passed.
    const touched = op.changedResources.filter((c) => !REMOVALS.has(c.action.toUpperCase()));
    const ids = new Set(touched.map((c) => c.logicalResourceId));
    const declared = new Set(scanned.functions.map((f) => f.logicalId));
    notInTemplate = touched.filter((c) => LAMBDA_FUNCTION_TYPES.includes(c.resourceType ?? '') && !declared.has(c.logicalResourceId)).map((c) => c.logicalResourceId);
    changed = (fn) => ids.has(fn.logicalId);
  } else {
    const before = new Map(previous.map((fn) => [fn.logicalId, fingerprint(fn)]));
    changed = (fn) => before.get(fn.logicalId) !== fingerprint(fn);
  }
  const breaks = (fn: ScannedFunction): boolean => fn.verdict.compliance === 'NON_COMPLIANT';
  const judged = withRuntimeMoves(scanned.functions.filter(changed), previous);
  return {
    judged,
    breaking: judged.filter(breaks),
    deferred: judged.filter((fn) => !breaks(fn) && fn.findings.some((f) => f.ruleId === EXPRESSION_UNRESOLVED.id)),
    notInTemplate,
    untouchedBreaking: scanned.functions.filter((fn) => !changed(fn) && breaks(fn)),
  };
}
