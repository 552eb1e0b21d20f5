import { dayStart, daysBetween } from '../catalog/catalog.js';
import { layerLabel, type LayerVersionFacts } from '../facts/functionFacts.js';
import { deployAgeDays, pinAgeDays, rollbackTagAgeDays } from '../remediation/rollback.js';
import { didYouMean } from '../text/suggest.js';
import type { Check, RemediationAction, RuleContext, RuleMeta } from './types.js';

function daysLeft(ctx: RuleContext, date: string): string {
  const n = daysBetween(ctx.nowMs, dayStart(date));
  return n === 1 ? '1 day left' : `${n} days left`;
}

/** How far ahead a runtime must stay supported for the tier: RW007's window, so that a move never lands in it. */
const leadWindow = (ctx: RuleContext): number => Math.max(ctx.tier.upgradeLeadDays, ctx.policy.document.warnBeforeDeprecationDays);

function upgrade(ctx: RuleContext): { text: string; remediation: RemediationAction } {
  const t = ctx.runtime === undefined ? undefined : ctx.policy.catalog.upgradeTargets(ctx.runtime, ctx.nowMs, (r) => ctx.policy.allowsRuntime(r, ctx.nowMs), leadWindow(ctx));
  if (!t) return { text: 'No approved, supported runtime of the same family exists: move to another runtime family.', remediation: { kind: 'upgrade-runtime' } };
  const newest = t.newest.id === t.smallest.id ? '' : ` (newest: ${t.newest.id})`;
  return { text: `Upgrade to ${t.smallest.id}${newest}.`, remediation: { kind: 'upgrade-runtime', targetRuntime: t.smallest.id } };
}

/**
 * Where a function should move from a stale Manual pin or FunctionUpdate: Auto where the tier
 * allows it, else the tier's preferred mode; staying put means re-pinning or redeploying.
 */
function unstaleMode(ctx: RuleContext, same: RemediationAction): { text: string; remediation: RemediationAction } {
  const mode = ctx.tier.allowedUpdateModes.includes('Auto') ? 'Auto' : ctx.tier.preferredUpdateMode;
  if (mode === ctx.facts.updateMode) {
    return { text: same.kind === 'redeploy' ? 'Redeploy it.' : 'Pin a current runtime version.', remediation: same };
  }
  return { text: `Switch to ${mode}.`, remediation: { kind: 'set-update-mode', mode } };
}

const ageDays = (ctx: RuleContext): number | undefined => deployAgeDays(ctx.facts.lastModified, ctx.nowMs);

/** Lifecycle dates still ahead, for messages: `AWS blocks updates from 2027-03-03 (100 days left)`. */
function nextBlock(ctx: RuleContext): string {
  const { info } = ctx;
  if (!info) return '';
  const ahead: string[] = [];
  if (info.blockCreate && dayStart(info.blockCreate) > ctx.nowMs) ahead.push(`creates from ${info.blockCreate} (${daysLeft(ctx, info.blockCreate)})`);
  if (info.blockUpdate && dayStart(info.blockUpdate) > ctx.nowMs) ahead.push(`updates from ${info.blockUpdate} (${daysLeft(ctx, info.blockUpdate)})`);
  return ahead.length > 0 ? ` AWS blocks ${ahead.join(' and ')}.` : '';
}

/**
 * The runtime a function must move to, where it must move: its runtime is denied, not approved,
 * deprecated, or inside the tier's upgrade window (the runtime rules' own conditions).
 */
function requiredTarget(ctx: RuleContext): string | undefined {
  const r = ctx.runtime;
  if (r === undefined || ctx.phase === 'unknown') return undefined;
  const deprecation = ctx.info?.deprecation;
  const mustMove =
    ctx.policy.isDenied(r) || ctx.policy.isApprovedExplicitly(r) === false || ctx.phase !== 'active' || (deprecation != null && daysBetween(ctx.nowMs, dayStart(deprecation)) <= leadWindow(ctx));
  const move = mustMove ? upgrade(ctx).remediation : undefined;
  return move?.kind === 'upgrade-runtime' ? move.targetRuntime : undefined;
}

const declares = (l: LayerVersionFacts): boolean => (l.compatibleRuntimes?.length ?? 0) > 0;

/** What stands between one declared layer version and the runtimes the function needs. */
function layerProblem(l: LayerVersionFacts, ctx: RuleContext, target: string | undefined): string | undefined {
  const runtimes = l.compatibleRuntimes ?? [];
  const missing = [ctx.runtime, target].filter((r): r is string => r !== undefined && !runtimes.includes(r));
  const archs = ctx.facts.architectures;
  const layerArchs = l.compatibleArchitectures ?? [];
  const badArch = archs !== undefined && layerArchs.length > 0 ? archs.filter((a) => !layerArchs.includes(a)) : [];
  if (missing.length === 0 && badArch.length === 0) return undefined;
  const name = layerLabel(l).replace(/:\d+$/, '');
  const wants = [...new Set(missing)];
  const parts = [
    ...(wants.length > 0 ? [`declares ${runtimes.join(', ')}, not ${wants.join(' or ')}: publish a version of \`${name}\` compatible with ${wants.at(-1)} first`] : []),
    ...(badArch.length > 0 ? [`declares architectures ${layerArchs.join(', ')}, not ${badArch.join(', ')}`] : []),
  ];
  return `Layer ${layerLabel(l)} ${parts.join('; ')}`;
}

/** SAM's gradual types (AWS SAM Developer Guide, "Deploying serverless applications gradually"): Canary* and Linear*. */
const shiftsTraffic = (type: string | undefined): boolean => type !== undefined && /^(Canary|Linear)/.test(type);

function publishedVersionsRequired(ctx: RuleContext): boolean {
  const rule = ctx.tier.deployment?.requirePublishedVersions;
  if (rule === undefined || rule === false) return false;
  if (rule === true) return true;
  return ctx.facts.updateMode !== undefined && rule.includes(ctx.facts.updateMode);
}

/**
 * The policy's checks: each a small pure unit with a stable id. Order is the order of findings.
 * Lifecycle checks (RW004-RW006) are exclusive: a runtime is in one phase at a time.
 */
export const CHECKS: readonly Check[] = [
  {
    id: 'RW001',
    name: 'runtime-unknown',
    title: 'Runtime is not in the runtime catalog',
    severity: 'error',
    reads: ['runtime'],
    check: (ctx) => {
      if (ctx.runtime === undefined) {
        return { message: 'Zip-packaged function with no Runtime: set a supported runtime.', remediation: { kind: 'upgrade-runtime' } };
      }
      if (ctx.phase !== 'unknown') return undefined;
      return {
        message: `Runtime "${ctx.runtime}" is not in the runtime catalog, so its lifecycle is unknown (fail closed)${didYouMean(ctx.runtime, ctx.policy.catalog.all().map((r) => r.id))}: use a known runtime or add it under catalogOverrides.`,
        remediation: { kind: 'upgrade-runtime' },
      };
    },
  },
  {
    id: 'RW002',
    name: 'runtime-denied',
    title: 'Runtime is denied by policy',
    severity: 'error',
    reads: ['runtime'],
    check: (ctx) => {
      if (ctx.runtime === undefined || !ctx.policy.isDenied(ctx.runtime)) return undefined;
      const u = upgrade(ctx);
      return { message: `${ctx.runtime} is denied by policy. ${u.text}`, remediation: u.remediation };
    },
  },
  {
    id: 'RW003',
    name: 'runtime-not-approved',
    title: 'Runtime is not on the approved list',
    severity: 'error',
    reads: ['runtime'],
    check: (ctx) => {
      const r = ctx.runtime;
      if (r === undefined || ctx.phase === 'unknown' || ctx.policy.isDenied(r) || ctx.policy.isApprovedExplicitly(r) !== false) return undefined;
      const u = upgrade(ctx);
      return { message: `${r} is not on the approved runtime list. ${u.text}`, remediation: u.remediation };
    },
  },
  {
    id: 'RW004',
    name: 'runtime-deprecated',
    title: 'Runtime is deprecated by AWS',
    severity: 'error',
    reads: ['runtime'],
    check: (ctx) => {
      if (ctx.phase !== 'deprecated') return undefined;
      const u = upgrade(ctx);
      return {
        message: `${ctx.runtime} is deprecated since ${ctx.info!.deprecation} (no more security patches).${nextBlock(ctx)} ${u.text}`,
        remediation: u.remediation,
      };
    },
  },
  {
    id: 'RW005',
    name: 'runtime-create-blocked',
    title: 'AWS blocks creating functions on this runtime',
    severity: 'error',
    reads: ['runtime'],
    check: (ctx) => {
      if (ctx.phase !== 'create-blocked') return undefined;
      const u = upgrade(ctx);
      return {
        message: `${ctx.runtime} is deprecated since ${ctx.info!.deprecation} and AWS blocks creating functions on it since ${ctx.info!.blockCreate}.${nextBlock(ctx)} ${u.text}`,
        remediation: u.remediation,
      };
    },
  },
  {
    id: 'RW006',
    name: 'runtime-update-blocked',
    title: 'AWS blocks updating functions on this runtime',
    severity: 'error',
    reads: ['runtime'],
    check: (ctx) => {
      if (ctx.phase !== 'update-blocked') return undefined;
      const u = upgrade(ctx);
      return {
        message: `${ctx.runtime} is deprecated since ${ctx.info!.deprecation} and AWS blocks updating functions on it since ${ctx.info!.blockUpdate}: the function can no longer be changed in place. ${u.text}`,
        remediation: u.remediation,
      };
    },
  },
  {
    id: 'RW007',
    name: 'deprecation-approaching',
    title: "Runtime deprecation falls within the tier's upgrade lead time",
    severity: 'warning',
    reads: ['runtime', 'tier'],
    check: (ctx) => {
      const date = ctx.info?.deprecation;
      if (ctx.phase !== 'active' || !date) return undefined;
      const window = leadWindow(ctx);
      if (daysBetween(ctx.nowMs, dayStart(date)) > window) return undefined;
      const u = upgrade(ctx);
      return {
        message: `${ctx.runtime} is deprecated on ${date} (${daysLeft(ctx, date)}), inside the ${ctx.tier.name} tier's ${window}-day upgrade window. ${u.text}`,
        remediation: u.remediation,
      };
    },
  },
  {
    id: 'RW008',
    name: 'update-mode-not-allowed',
    title: 'Runtime update mode is not allowed for the tier',
    severity: 'error',
    reads: ['updateMode', 'tier'],
    check: (ctx) => {
      const mode = ctx.facts.updateMode;
      if (mode === undefined || ctx.tier.allowedUpdateModes.includes(mode)) return undefined;
      return {
        message: `Runtime update mode ${mode} is not allowed for the ${ctx.tier.name} tier (allowed: ${ctx.tier.allowedUpdateModes.join(', ')}). Set UpdateRuntimeOn to ${ctx.tier.preferredUpdateMode}.`,
        remediation: { kind: 'set-update-mode', mode: ctx.tier.preferredUpdateMode },
      };
    },
  },
  {
    id: 'RW009',
    name: 'manual-without-version-arn',
    title: 'Manual update mode without a runtime version ARN',
    severity: 'error',
    reads: ['updateMode', 'runtimeVersionArn'],
    check: (ctx) => {
      if (ctx.facts.updateMode !== 'Manual' || ctx.facts.runtimeVersionArn) return undefined;
      return {
        message: 'UpdateRuntimeOn is Manual but no RuntimeVersionArn is set: pin a runtime version ARN, or switch back to Auto.',
        remediation: { kind: 'pin-runtime-version' },
      };
    },
  },
  {
    id: 'RW010',
    name: 'manual-pin-too-old',
    title: 'Manual runtime version pin is older than the policy allows',
    severity: 'error',
    reads: ['updateMode', 'tier'],
    check: (ctx) => {
      const age = pinAgeDays(rollbackTagAgeDays(ctx.facts.tags, ctx.nowMs), ageDays(ctx));
      const max = ctx.policy.document.manualPinMaxAgeDays;
      if (ctx.facts.updateMode !== 'Manual' || age === undefined || age <= max) return undefined;
      const next = unstaleMode(ctx, { kind: 'pin-runtime-version' });
      return {
        message: `Pinned to a runtime version (Manual) for ${age} days, more than the ${max} allowed: a pin is a temporary rollback and misses security patches. ${next.text}`,
        remediation: next.remediation,
      };
    },
  },
  {
    id: 'RW011',
    name: 'function-update-stale',
    title: 'FunctionUpdate mode but the function has not been deployed recently',
    severity: 'warning',
    reads: ['updateMode', 'tier'],
    check: (ctx) => {
      const age = ageDays(ctx);
      const max = ctx.tier.redeployWithinDays;
      if (ctx.facts.updateMode !== 'FunctionUpdate' || age === undefined || max === undefined || age <= max) return undefined;
      const next = unstaleMode(ctx, { kind: 'redeploy' });
      return {
        message: `UpdateRuntimeOn is FunctionUpdate but the function was last deployed ${age} days ago (the ${ctx.tier.name} tier expects a deploy every ${max} days), so it misses runtime patches. ${next.text}`,
        remediation: next.remediation,
      };
    },
  },
  {
    id: 'RW012',
    name: 'tier-tag-invalid',
    title: 'Tier tag names no tier',
    severity: 'warning',
    reads: ['tier'],
    check: (ctx) => {
      if (ctx.invalidTierTag === undefined) return undefined;
      const key = ctx.policy.document.tiers.tagKey;
      return {
        message: `Tag ${key}="${ctx.invalidTierTag}" names no tier (known: ${[...ctx.policy.tiers.keys()].join(', ')}); judged as ${ctx.tier.name}.`,
        remediation: { kind: 'fix-tag', tagKey: key },
      };
    },
  },
  {
    id: 'RW018',
    name: 'layer-incompatible',
    title: 'A layer does not declare the runtime the function runs on or must move to',
    severity: 'warning',
    reads: ['runtime', 'tier'],
    check: (ctx) => {
      const layers = ctx.facts.layerVersions;
      if (layers === undefined || ctx.runtime === undefined) return undefined;
      const target = requiredTarget(ctx);
      const problems = layers.filter(declares).map((l) => layerProblem(l, ctx, target)).filter((p): p is string => p !== undefined);
      if (problems.length === 0) return undefined;
      return { message: `${problems.join('. ')}.`, remediation: target ? { kind: 'upgrade-runtime', targetRuntime: target } : { kind: 'none' } };
    },
  },
  {
    id: 'RW020',
    name: 'deployment-preference-missing',
    title: "The function does not deploy as its tier requires",
    severity: 'warning',
    reads: ['tier', 'updateMode'],
    check: (ctx) => {
      const rules = ctx.tier.deployment;
      const d = ctx.facts.deployment;
      if (rules === undefined || d === undefined) return undefined;
      const add: string[] = [];
      if (rules.requireTrafficShifting && !d.autoPublishAlias) add.push('AutoPublishAlias');
      if (rules.requireTrafficShifting && !shiftsTraffic(d.deploymentPreferenceType)) {
        add.push(d.deploymentPreferenceType ? `a Canary or Linear DeploymentPreference.Type (not ${d.deploymentPreferenceType})` : 'a DeploymentPreference with a Canary or Linear Type');
      }
      const alarms = d.alarms ?? 0;
      if (rules.requireAlarms !== undefined && alarms < rules.requireAlarms) add.push(`${rules.requireAlarms - alarms} more CloudWatch alarm(s) under DeploymentPreference.Alarms (has ${alarms}, needs ${rules.requireAlarms})`);
      if (publishedVersionsRequired(ctx) && !d.publishesVersions && !d.autoPublishAlias) add.push('AutoPublishAlias (or an AWS::Lambda::Version), so each deploy publishes a version to roll back to');
      if (add.length === 0) return undefined;
      return { message: `The ${ctx.tier.name} tier requires how a function deploys: add ${[...new Set(add)].join('; ')}.`, remediation: { kind: 'redeploy' } };
    },
  },
  {
    id: 'RW021',
    name: 'new-runtime-not-adopted',
    title: "A newer runtime of the family has been available longer than the tier allows",
    severity: 'warning',
    reads: ['runtime', 'tier'],
    check: (ctx) => {
      const within = ctx.tier.adoptNewRuntimeWithinDays;
      if (within === undefined || ctx.runtime === undefined || ctx.phase !== 'active') return undefined;
      const { catalog } = ctx.policy;
      // Whole days elapsed: a runtime released today has been available 0 days.
      const availableDays = (id: string): number | undefined => {
        const since = catalog.released(id);
        return since === undefined ? undefined : Math.floor((ctx.nowMs - dayStart(since)) / 86_400_000);
      };
      const overdue = catalog
        .newerInFamily(ctx.runtime)
        .find((n) => (availableDays(n.id) ?? -1) > within && ctx.policy.allowsRuntime(n.id, ctx.nowMs) && catalog.phase(n.id, ctx.nowMs) === 'active');
      if (!overdue) return undefined;
      return {
        message: `${overdue.id} has been available since ${catalog.released(overdue.id)!} (${availableDays(overdue.id)!} days), more than the ${ctx.tier.name} tier's ${within} days to adopt a new runtime: move from ${ctx.runtime} to ${overdue.id}.`,
        remediation: { kind: 'upgrade-runtime', targetRuntime: overdue.id },
      };
    },
  },
  {
    id: 'RW022',
    name: 'layer-compatibility-unknown',
    title: 'A layer declares no compatible runtimes',
    severity: 'info',
    reads: [],
    check: (ctx) => {
      const silent = (ctx.facts.layerVersions ?? []).filter((l) => !declares(l));
      if (silent.length === 0) return undefined;
      return {
        message: `Layer${silent.length === 1 ? '' : 's'} ${silent.map(layerLabel).join(', ')} declare${silent.length === 1 ? 's' : ''} no compatible runtimes: compatibility unknown, test the function with ${silent.length === 1 ? 'it' : 'them'} before a runtime move.`,
        remediation: { kind: 'none' },
      };
    },
  },
];

/** Findings that `evaluate` itself emits rather than a check. */
export const NOT_APPLICABLE: RuleMeta = { id: 'RW000', name: 'not-applicable', title: 'Container image: runtime is out of reach', severity: 'info' };
export const WAIVER_APPLIED: RuleMeta = { id: 'RW013', name: 'waiver-applied', title: 'A waiver downgrades errors to warnings', severity: 'info' };
export const WAIVER_EXPIRED: RuleMeta = { id: 'RW014', name: 'waiver-expired', title: 'A matching waiver has expired and has no effect', severity: 'warning' };
export const WAIVER_TAG_INVALID: RuleMeta = { id: 'RW015', name: 'waiver-tag-invalid', title: 'Waiver tag is malformed or reaches too far', severity: 'warning' };
/** Template scanning only: what the template alone cannot decide, and properties it cannot read. */
export const EXPRESSION_UNRESOLVED: RuleMeta = { id: 'RW016', name: 'expression-unresolved', title: 'Runtime is an expression the template alone does not decide', severity: 'warning' };
export const PROPERTIES_INVALID: RuleMeta = { id: 'RW017', name: 'properties-invalid', title: 'Function properties cannot be read', severity: 'error' };
/** A layer version itself (a LayerVersion resource, an inventoried layer), not a function: evaluateLayerVersion. */
export const LAYER_RUNTIMES_DEPRECATED: RuleMeta = { id: 'RW019', name: 'layer-runtimes-deprecated', title: 'A layer version declares only deprecated runtimes', severity: 'warning' };

/** The whole rule catalogue, for documentation, SARIF rule lists and the test that pins the ids. */
export const RULES: readonly RuleMeta[] = [NOT_APPLICABLE, ...CHECKS, WAIVER_APPLIED, WAIVER_EXPIRED, WAIVER_TAG_INVALID, EXPRESSION_UNRESOLVED, PROPERTIES_INVALID, LAYER_RUNTIMES_DEPRECATED]
  .map(({ id, name, title, severity }) => ({ id, name, title, severity }))
  // RWnnn ids sort by code unit; localeCompare would load ICU's collator at every cold start.
  .sort((a, b) => (a.id < b.id ? -1 : 1));
