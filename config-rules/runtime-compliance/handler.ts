import { getNumberFromEnv, getStringFromEnv } from '@aws-lambda-powertools/commons/utils/env';
import { Logger } from '@aws-lambda-powertools/logger';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { ConfigServiceClient, GetResourceConfigHistoryCommand } from '@aws-sdk/client-config-service';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { SSMClient } from '@aws-sdk/client-ssm';
import pLimit from 'p-limit';
import { parseConfigRuleEvent, parseFetchedItem, type ConfigRuleRequest, type ConfigurationItem } from '../../shared/adapters/configEvent.js';
import { factsFromConfigurationItem } from '../../shared/adapters/configItem.js';
import { factsFromFunctionConfiguration, versionFacts, type LambdaFunctionConfiguration } from '../../shared/adapters/lambdaApi.js';
import {
  configEvaluation,
  DELETED_DURING_EVALUATION,
  evaluateFunction,
  evaluateUpdateMode,
  notApplicableReason,
  versionInUse,
  staleEvaluations,
  type ConfigEvaluation,
} from '../../shared/config/decision.js';
import type { FunctionFacts, Policy } from '../../shared/index.js';
import { isNotFound } from '../../shared/io/awsErrors.js';
import { recordedFunctionTags } from '../../shared/io/configInventory.js';
import { EvaluationReporter, previouslyEvaluated } from '../../shared/io/configReporter.js';
import {
  accountEventSourceMappings,
  listFunctions,
  listVersions,
  publishedVersionsInUse,
  readTags,
  readTagsLive,
  RuntimeManagementReader,
  versionEventSourceMappings,
  type EventSourceMappings,
} from '../../shared/io/lambdaInventory.js';
import { catalogLoaderFromEnvironment, policyWithCatalog } from '../../shared/io/catalogSource.js';
import { cachedPolicyLoader, type PolicyLoader } from '../../shared/io/policySource.js';
import { withDocumentOverrides } from '../../shared/policy/policy.js';
import { waiverWatchFromEnvironment } from '../../shared/waivers/environment.js';
import { WaiverWatch, type WaiverWatchDependencies } from '../../shared/waivers/watch.js';
import { verdictTurnsOnTags } from './tagsDecide.js';

type Lambda = Pick<LambdaClient, 'send'>;
type Config = Pick<ConfigServiceClient, 'send'>;

export interface ConfigRuleDependencies {
  readonly lambda: Lambda;
  readonly config: Config;
  /**
   * Reads the invocations of published versions whose runtime breaks the policy. Absent, they
   * cannot be read, and every such version counts as possibly in use.
   */
  readonly cloudWatch?: Pick<CloudWatchClient, 'send'> | undefined;
  /**
   * The waiver ledger and the security topic. Absent (tests, local runs): tag waivers are
   * judged without their first sighting, and nothing is announced.
   */
  readonly waivers?: WaiverWatchDependencies | undefined;
  /** The policy for a source named in the rule parameters, or the deployment's default source. */
  readonly policyLoader: (source: string | undefined) => PolicyLoader;
  readonly now: () => number;
  readonly logger: Logger;
  /** Time kept back from Lambda's deadline to report what was evaluated. */
  readonly deadlineReserveMs: number;
  readonly concurrency: number;
}

export interface LambdaContextLike {
  getRemainingTimeInMillis(): number;
}

/** One invocation's worth of state: the request, its policy, clients and the reporter. */
interface Run {
  readonly req: ConfigRuleRequest;
  readonly policy: Policy;
  readonly now: number;
  readonly deps: ConfigRuleDependencies;
  readonly modes: RuntimeManagementReader | undefined;
  readonly checkAliases: boolean;
  readonly updateModeScope: boolean;
  readonly mappings: EventSourceMappings;
  readonly waivers: WaiverWatch | undefined;
}

/**
 * parse -> facts -> evaluate -> report (PutEvaluations) -> return what was reported. Invalid
 * events or parameters throw after logging, so Config shows the rule as failing rather than
 * everything as compliant.
 */
export function createHandler(deps: ConfigRuleDependencies): (event: unknown, context?: LambdaContextLike) => Promise<ConfigEvaluation[]> {
  const { logger } = deps;
  // Rule parameters rarely change: validate each policy-with-overrides once per container.
  const withOverrides = new WeakMap<Policy, Map<string, Policy>>();
  const overridden = (base: Policy, p: ConfigRuleRequest['parameters']): Policy => {
    const key = JSON.stringify([p.approvedRuntimes, p.deniedRuntimes]);
    const byKey = withOverrides.get(base) ?? new Map<string, Policy>();
    withOverrides.set(base, byKey);
    let policy = byKey.get(key);
    if (!policy) byKey.set(key, (policy = withDocumentOverrides(base, { approvedRuntimes: p.approvedRuntimes, deniedRuntimes: p.deniedRuntimes }, 'policy with rule parameter overrides')));
    return policy;
  };
  return async (event, context) => {
    const startedMs = Date.now();
    let req: ConfigRuleRequest;
    let policy: Policy;
    try {
      req = parseConfigRuleEvent(event);
      policy = overridden(await deps.policyLoader(req.parameters.policySource)(), req.parameters);
    } catch (error) {
      logger.error('config rule cannot run: nothing was evaluated', { error: error as Error });
      throw error;
    }
    logger.appendKeys({ rule: req.ruleName, messageType: req.invokingEvent.messageType });
    const now = deps.now();
    const run: Run = {
      req,
      policy,
      now,
      deps,
      modes: req.parameters.checkUpdateMode === false && req.parameters.scope !== 'update-mode' ? undefined : new RuntimeManagementReader(deps.lambda, (reason) => logger.warn('update-mode rules skipped', { reason })),
      checkAliases: req.parameters.checkAliasVersions !== false && req.parameters.scope !== 'update-mode',
      updateModeScope: req.parameters.scope === 'update-mode',
      // A pass lists the account's mappings once; a change looks up the versions of one function.
      mappings: req.invokingEvent.messageType === 'ScheduledNotification' ? accountEventSourceMappings(deps.lambda) : versionEventSourceMappings(deps.lambda),
      waivers: deps.waivers && new WaiverWatch(deps.waivers, policy, now),
    };
    const reporter = new EvaluationReporter(deps.config, req.resultToken);
    const failures: string[] = [];
    if (req.invokingEvent.messageType === 'ScheduledNotification') {
      const deadline = context ? startedMs + context.getRemainingTimeInMillis() - deps.deadlineReserveMs : Number.POSITIVE_INFINITY;
      await periodic(run, reporter, deadline, failures);
    } else {
      const evaluation = await change(run);
      if (evaluation) await reporter.add(evaluation);
    }
    await reporter.flush();
    logger.info('config rule reported', {
      catalogAsOf: policy.base.origin.asOf,
      evaluations: reporter.reported.length,
      nonCompliant: reporter.reported.filter((e) => e.ComplianceType === 'NON_COMPLIANT').length,
      putEvaluationsCalls: reporter.calls,
    });
    logger.removeKeys(['rule', 'messageType']);
    if (reporter.unreported.length > 0 || failures.length > 0) {
      const msg = [
        reporter.unreported.length > 0 && `${reporter.unreported.length} evaluations refused by PutEvaluations: ${reporter.unreported.map((e) => e.ComplianceResourceId).join(', ')}`,
        failures.length > 0 && `${failures.length} functions could not be evaluated: ${failures.join('; ')}`,
      ].filter(Boolean);
      logger.error('config rule run incomplete', { unreported: reporter.unreported.map((e) => e.ComplianceResourceId), failures });
      throw new Error(`Config rule run incomplete: ${msg.join('. ')}`);
    }
    return reporter.reported;
  };
}

async function fetchOversizedItem(config: Config, resourceType: string, resourceId: string): Promise<ConfigurationItem | null> {
  const out = await config.send(new GetResourceConfigHistoryCommand({ resourceType: resourceType as never, resourceId, limit: 1 }));
  const item = out.configurationItems?.[0];
  return item ? parseFetchedItem({ ...item, resourceType: item.resourceType ?? resourceType, resourceId: item.resourceId ?? resourceId }, resourceId) : null;
}

function captureTime(item: ConfigurationItem | null, fallback: number): Date {
  const t = item?.configurationItemCaptureTime;
  const d = t instanceof Date ? t : typeof t === 'string' ? new Date(t) : undefined;
  return d && !Number.isNaN(d.getTime()) ? d : new Date(fallback);
}

async function change(run: Run): Promise<ConfigEvaluation | undefined> {
  const { req, deps } = run;
  const inv = req.invokingEvent;
  let item: ConfigurationItem | null;
  if (inv.messageType === 'OversizedConfigurationItemChangeNotification') {
    const s = inv.configurationItemSummary;
    item = notApplicableReason(s, req.eventLeftScope) ? (s as ConfigurationItem) : await fetchOversizedItem(deps.config, s.resourceType, s.resourceId);
    if (!item) return configEvaluation(s.resourceId, 'NOT_APPLICABLE', 'AWS Config has no configuration history for the function.', captureTime(s as ConfigurationItem, run.now));
  } else if (inv.messageType === 'ConfigurationItemChangeNotification') {
    item = inv.configurationItem;
  } else {
    return undefined;
  }
  if (!item) {
    deps.logger.warn('change notification without a configuration item: nothing to evaluate');
    return undefined;
  }
  const ts = captureTime(item, run.now);
  const reason = notApplicableReason(item, req.eventLeftScope);
  if (reason) {
    // A deleted function's waivers leave the digest; its first sighting stays in the ledger.
    const arn = item.ARN ?? item.arn;
    if (run.waivers && arn && item.configurationItemStatus?.startsWith('ResourceDeleted')) await run.waivers.retire(arn);
    return configEvaluation(item.resourceId, 'NOT_APPLICABLE', reason, ts);
  }
  let plain: FunctionFacts;
  try {
    plain = factsFromConfigurationItem(item);
  } catch (error) {
    // No verdict on what could not be read: the invocation fails, saying what was wrong.
    deps.logger.error('configuration item cannot be read: nothing was evaluated', { resourceId: item.resourceId.slice(0, 100), error: error as Error });
    throw error;
  }
  try {
    const facts = plain.packageType === 'Image' || !run.modes ? plain : factsFromConfigurationItem(item, await run.modes.read(plain.name));
    const versions = run.checkAliases ? await listVersions(deps.lambda, facts.name) : [];
    return await judge(run, facts, versions, ts);
  } catch (err) {
    // Deleted between the notification and these reads: as on the periodic path.
    if (isNotFound(err)) return configEvaluation(item.resourceId, 'NOT_APPLICABLE', DELETED_DURING_EVALUATION, ts);
    throw err;
  }
}

/**
 * Judges a function with its waiver ledger: the facts get the day a waiver tag was first seen on
 * the function, and a waiver that first applies to it (or to a published version, which shares
 * its tags), or a tier tag lowered, is announced once.
 */
async function judge(run: Run, facts: FunctionFacts, versions: readonly LambdaFunctionConfiguration[], ts: Date): Promise<ConfigEvaluation> {
  if (!run.waivers) return judgeFacts(run, facts, versions, ts);
  return run.waivers.judged(facts, (f) => judgeFacts(run, f, versions, ts), versions.map((v) => versionFacts(v, facts)));
}

/** Judges `$LATEST` and every published version whose runtime breaks the policy, with what still runs it. */
async function judgeFacts(run: Run, facts: FunctionFacts, versions: readonly LambdaFunctionConfiguration[], ts: Date): Promise<ConfigEvaluation> {
  if (run.updateModeScope) return evaluateUpdateMode(facts, run.policy, run.now, ts);
  const { lambda, cloudWatch, logger } = run.deps;
  const uses = await publishedVersionsInUse({ lambda, cloudWatch, mappings: run.mappings }, facts, versions, run.policy, run.now);
  // The annotation names what fits in 256 characters; the log keeps every version and reference.
  if (uses.length > 0) {
    logger.info('published versions breaking the policy', {
      function: facts.name,
      versions: uses.map((u) => ({ version: u.version, runtime: u.facts.runtime, inUse: versionInUse(u), aliases: u.aliases, eventSourceMappings: u.eventSourceMappings, policyStatements: u.policyStatements, usage: u.usage, unread: u.unread })),
    });
  }
  return evaluateFunction(facts, uses, run.policy, run.now, ts);
}

async function periodic(run: Run, reporter: EvaluationReporter, deadline: number, failures: string[]): Promise<void> {
  const { deps, req } = run;
  // Tags from Config's records (100 functions a call) where it has them; ListTags for the rest.
  const [listed, recorded] = await Promise.all([listFunctions(deps.lambda, run.checkAliases), recordedFunctionTags(deps.config)]);
  if (recorded.unavailable) deps.logger.warn('tags read from Lambda: the AWS Config advanced query failed', { rule: req.ruleName, reason: recorded.unavailable });
  // Each hour starts somewhere else in the list: in an account too large for one run, the
  // functions a run stops short of are the first ones of a later run.
  const start = listed.length === 0 ? 0 : Math.floor(run.now / 3_600_000) % listed.length;
  const functions = [...listed.slice(start), ...listed.slice(0, start)];
  // The ledger's records of every function, 100 a BatchGetItem call, before the pass judges them.
  await run.waivers?.prefetch(functions.flatMap((f) => (f.latest.FunctionArn ? [f.latest.FunctionArn] : [])));
  const limit = pLimit(deps.concurrency);
  const ts = new Date(run.now);
  const skipped: string[] = [];
  await Promise.all(
    functions.map((fn) =>
      limit(async () => {
        const name = fn.latest.FunctionName!;
        if (Date.now() >= deadline) {
          skipped.push(name);
          return;
        }
        try {
          const recordedTags = recorded.byName.get(name);
          const mode = fn.latest.PackageType !== 'Image' && run.modes ? await run.modes.read(name) : {};
          const factsWith = (tags: Record<string, string>) => factsFromFunctionConfiguration(fn.latest, { tags, ...mode });
          let facts = factsWith(recordedTags ?? (await readTags(deps.lambda, fn.latest.FunctionArn!)));
          // Config's tags trail the function (up to a day with daily recording): where a tier or
          // waiver tag decides the verdict, the tags are read again from Lambda, so that a waiver
          // removed since Config recorded it no longer counts. Other functions cost no call.
          if (recordedTags && verdictTurnsOnTags(facts, fn.versions, run.policy, run.now, run.updateModeScope)) {
            facts = factsWith(await readTagsLive(deps.lambda, name));
          }
          await reporter.add(await judge(run, facts, fn.versions, ts));
        } catch (err) {
          if (isNotFound(err)) await reporter.add(configEvaluation(name, 'NOT_APPLICABLE', DELETED_DURING_EVALUATION, ts));
          else failures.push(`${name}: ${(err as Error).name}: ${(err as Error).message}`);
        }
      }),
    ),
  );
  if (skipped.length > 0) {
    deps.logger.warn('periodic run stopped before the Lambda deadline; the rest keep their previous evaluation', { evaluated: functions.length - skipped.length, notEvaluated: skipped.length, functions: skipped.slice(0, 50) });
    return;
  }
  if (req.ruleName) {
    const before = await previouslyEvaluated(deps.config, req.ruleName, (reason) => deps.logger.warn('stale evaluations kept', { reason }));
    if (before) await reporter.add(...staleEvaluations(before, new Set(functions.map((f) => f.latest.FunctionName!)), ts));
  }
}

// AWS SDK clients, made once per container, with adaptive retry for throttling.
const clientConfig = { retryMode: 'adaptive', maxAttempts: 6 } as const;
const ssm = new SSMClient(clientConfig);
const loaders = new Map<string, PolicyLoader>();
const defaultSource = getStringFromEnv({ key: 'POLICY_SOURCE', defaultValue: 'default' });
const logger = new Logger({ serviceName: 'runtime-warden-config-rule' });
const catalog = catalogLoaderFromEnvironment(() => ssm, logger);

let waiverDeps: WaiverWatchDependencies | undefined;

export const handler = createHandler({
  lambda: new LambdaClient(clientConfig),
  config: new ConfigServiceClient(clientConfig),
  cloudWatch: new CloudWatchClient(clientConfig),
  // Read on first use: a missing setting fails the invocation, saying which, not the import.
  get waivers() {
    return (waiverDeps ??= waiverWatchFromEnvironment(clientConfig, logger));
  },
  policyLoader: (source) => {
    const s = source ?? defaultSource;
    let loader = loaders.get(s);
    if (!loader) loaders.set(s, (loader = policyWithCatalog(cachedPolicyLoader(s, () => ssm), catalog)));
    return loader;
  },
  now: Date.now,
  logger,
  deadlineReserveMs: getNumberFromEnv({ key: 'DEADLINE_RESERVE_MS', defaultValue: 20_000 }),
  concurrency: getNumberFromEnv({ key: 'CONCURRENCY', defaultValue: 8 }),
});

