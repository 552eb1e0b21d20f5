// runtime-warden's policy module. It makes no network calls and reads no clock: callers pass the
// facts, the policy and `now`, so the hook, the Config rule, remediation and the CLI agree.
// Policy text (YAML) is read by shared/policy/policyText.ts, outside this index: the Lambda
// bundles load the YAML reader only when a policy arrives as text.
export { DEFAULT_CATALOG, RuntimeCatalog, type LifecyclePhase, type RuntimeInfo, type RuntimeOverride } from './catalog/catalog.js';
export { CATALOG_DATA_AS_OF } from './catalog/runtimeData.js';
export * from './errors.js';
export type { FunctionFacts } from './facts/functionFacts.js';
export { factsFromResourceProperties, type ResourceContext } from './adapters/cloudFormation.js';
export { DEFAULT_POLICY, compilePolicy, parsePolicy, tierOf, type Policy, type Tier } from './policy/policy.js';
export { policySchema, UPDATE_MODES, type PolicyDocument, type PolicyDocumentInput, type UpdateMode } from './policy/schema.js';
export { evaluate } from './evaluation/evaluate.js';
export { CHECKS, RULES } from './evaluation/rules.js';
export type { Finding, FindingLocation, RemediationAction, RuleMeta, Severity } from './evaluation/types.js';
export { SUMMARY_MAX, truncate, verdict, type Compliance, type Verdict } from './evaluation/verdict.js';
