import { issueLines } from '../schema/zod.js';
import { DEFAULT_CATALOG, dayStart, type RuntimeCatalog } from '../catalog/catalog.js';
import { PolicyValidationError } from '../errors.js';
import { globMatch } from './glob.js';
import { policySchema, type PolicyDocument, type TierDefinition, type UpdateMode, type Waiver } from './schema.js';

export interface CompiledWaiver extends Waiver {
  readonly source: 'policy' | 'tag';
  /** First instant at which the waiver no longer applies: the day after `expires`, 00:00 UTC. */
  readonly endMs: number;
  /** Whether the waiver names this function: by name, or by ARN when it gives one. */
  readonly matches: (fn: { readonly name: string; readonly arn?: string; readonly accountId?: string; readonly region?: string }) => boolean;
}

/** Rules a tag waiver never covers: a developer cannot exempt their own function from these. */
export const TAG_UNWAIVABLE_RULES: readonly string[] = ['RW001', 'RW002', 'RW005', 'RW006'];

export interface Tier extends TierDefinition {
  readonly name: string;
  readonly preferredUpdateMode: UpdateMode;
}

/** A validated policy, compiled once for fast repeated evaluation. */
export interface Policy {
  readonly document: PolicyDocument;
  /** The catalog before the policy's overrides: its origin is the data's date and source. */
  readonly base: RuntimeCatalog;
  readonly catalog: RuntimeCatalog;
  readonly tiers: ReadonlyMap<string, Tier>;
  readonly defaultTier: Tier;
  readonly waivers: readonly CompiledWaiver[];
  /** Whether any waiver of `source` may downgrade `ruleId`. */
  readonly waivable: (ruleId: string, source: CompiledWaiver['source']) => boolean;
  /** Whether policy lets a function use `runtime` at `nowMs` (before lifecycle rules). */
  readonly allowsRuntime: (runtime: string, nowMs: number) => boolean;
  readonly isDenied: (runtime: string) => boolean;
  readonly isApprovedExplicitly: (runtime: string) => boolean | undefined;
}

const DAY_MS = 86_400_000;

/** `arn:PARTITION:lambda:REGION:ACCOUNT:function:NAME`, without a qualifier. */
const FUNCTION_ARN = /^arn:[a-z-]+:lambda:([a-z0-9-]+):(\d{12}):function:([^:]+)$/;

export function compileWaiver(w: Waiver, source: CompiledWaiver['source']): CompiledWaiver {
  const endMs = dayStart(w.expires) + DAY_MS;
  const arn = FUNCTION_ARN.exec(w.function);
  if (arn) {
    const [, region, account, name] = arn;
    // A template's function has no ARN yet: its account, region and name stand for it. A
    // qualified ARN (`...:function:NAME:7`) names the same function.
    const matches: CompiledWaiver['matches'] = (fn) =>
      fn.arn !== undefined ? fn.arn.split(':').slice(0, 7).join(':') === w.function : fn.name === name && fn.accountId === account && fn.region === region;
    return { ...w, source, endMs, matches };
  }
  const byName = w.match === 'glob' ? (n: string) => globMatch(w.function, n) : (n: string) => n === w.function;
  return { ...w, source, endMs, matches: (fn) => byName(fn.name) };
}

/** Validates a policy document (already parsed from JSON or YAML) and compiles it over `base`. */
export function parsePolicy(input: unknown, source = 'policy document', base: RuntimeCatalog = DEFAULT_CATALOG): Policy {
  const result = policySchema.safeParse(input);
  if (!result.success) throw new PolicyValidationError(issueLines(result.error, '(document)'), source);
  return compilePolicy(result.data, base);
}

/**
 * Compiles a validated document over a runtime catalog: the built-in one, or one refreshed from
 * AWS's table. The policy's catalogOverrides still win over either.
 */
export function compilePolicy(document: PolicyDocument, base: RuntimeCatalog = DEFAULT_CATALOG): Policy {
  const catalog = base.withOverrides(document.catalogOverrides);
  // One normalisation, here: tag values are looked up lower-cased, so tier names are stored so.
  const tiers = new Map<string, Tier>(
    Object.entries(document.tiers.definitions).map(([given, t]) => {
      const name = given.toLowerCase();
      return [name, { ...t, name, preferredUpdateMode: t.preferredUpdateMode ?? t.allowedUpdateModes[0]! }];
    }),
  );
  const unwaivable = new Set(document.unwaivableRules);
  const approved = document.approvedRuntimes ? new Set(document.approvedRuntimes) : undefined;
  const denied = new Set(document.deniedRuntimes);
  return {
    document,
    base,
    catalog,
    tiers,
    defaultTier: tiers.get(document.tiers.defaultTier.toLowerCase())!,
    waivers: document.waivers.map((w) => compileWaiver(w, 'policy')),
    waivable: (ruleId, source) => !unwaivable.has(ruleId) && (source === 'policy' || !TAG_UNWAIVABLE_RULES.includes(ruleId)),
    isDenied: (r) => denied.has(r),
    isApprovedExplicitly: (r) => (approved ? approved.has(r) : undefined),
    allowsRuntime: (r, nowMs) => !denied.has(r) && (approved ? approved.has(r) : catalog.phase(r, nowMs) === 'active'),
  };
}

/** A function's tier from its tier tag (case-insensitive); the default tier when absent or unknown. */
export function tierOf(tags: Readonly<Record<string, string>>, policy: Policy): { tier: Tier; invalidTag: string | undefined } {
  const value = tags[policy.document.tiers.tagKey];
  const named = value === undefined ? undefined : policy.tiers.get(value.trim().toLowerCase());
  return { tier: named ?? policy.defaultTier, invalidTag: value !== undefined && named === undefined ? value : undefined };
}

export const DEFAULT_POLICY: Policy = parsePolicy({ version: 1 }, 'default policy');

/** The policy with some fields replaced (e.g. from Config rule parameters), validated again. */
export function withDocumentOverrides(policy: Policy, overrides: Partial<Pick<PolicyDocument, 'approvedRuntimes' | 'deniedRuntimes'>>, source: string): Policy {
  const defined = Object.fromEntries(Object.entries(overrides).filter(([, v]) => v !== undefined));
  return Object.keys(defined).length === 0 ? policy : parsePolicy({ ...policy.document, ...defined }, source, policy.base);
}

/** The same policy judged by another catalog (a refreshed one). */
export function withCatalog(policy: Policy, catalog: RuntimeCatalog): Policy {
  return catalog === policy.base ? policy : compilePolicy(policy.document, catalog);
}
