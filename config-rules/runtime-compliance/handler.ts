import { getNumberFromEnv, getStringFromEnv } from '@aws-lambda-powertools/commons/utils/env';
import { Logger } from '@aws-lambda-powertools/logger';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { ConfigServiceClient, GetResourceConfigHistoryCommand } from '@aws-sdk/client-config-service';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { SSMClient } from '@aws-sdk/client-ssm';
import pLimit from 'p-limit';
import { parseConfigRuleEvent, parseFetchedItem, sweepRequest, type ConfigRuleRequest, type ConfigurationItem } from '../../shared/adapters/configEvent.js';
import { factsFromConfigurationItem } from '../../shared/adapters/configItem.js';
import { versionFacts, withRuntimeManagement, type LambdaFunctionConfiguration } from '../../shared/adapters/lambdaApi.js';
import {
  configEvaluation,
  DELETED_DURING_EVALUATION,
  evaluateFunction,
  evaluateUpdateMode,
  notApplicableReason,
  staleEvaluations,
  versionInUse,
  versionUsesFromState,
  withNote,
  type ConfigEvaluation,
} from '../../shared/config/decision.js';
import { layerNote, withLayers, type FunctionLayers, type KeptLayer } from '../../shared/config/layers.js';
import { evaluate, type FunctionFacts, type Policy } from '../../shared/index.js';
import { describeError, isNotFound } from '../../shared/io/awsErrors.js';
import { functionInventory } from '../../shared/io/configInventory.js';
import { EvaluationReporter, previouslyEvaluated } from '../../shared/io/configReporter.js';
import { DynamoFunctionState, MemoryFunctionState, versionConfigurations, type FunctionState, type FunctionStateStore } from '../../shared/io/functionState.js';
import { readTagsLive, RuntimeManagementReader } from '../../shared/io/lambdaInventory.js';
import { LayerCache } from '../../shared/io/layerCache.js';
import { lambdaRateBudget, limitLambdaClient } from '../../shared/io/rateLimit.js';
import { catalogLoaderFromEnvironment, policyWithCatalog } from '../../shared/io/catalogSource.js';
import { cachedPolicyLoader, type PolicyLoader } from '../../shared/io/policySource.js';
import { withDocumentOverrides } from '../../shared/policy/policy.js';
import { waiverWatchFromEnvironment } from '../../shared/waivers/environment.js';
import { WaiverWatch, type WaiverWatchDependencies } from '../../shared/waivers/watch.js';
import { readFunctionState, type FunctionReaders, type ReadParts } from './functionReads.js';
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
  /**
   * What was read of each function's update mode and versions (the state table). Absent (local
   * runs, tests): kept in memory for as long as the handler lives.
   */
  readonly state?: FunctionStateStore | undefined;
  /** The policy for a source named in the rule parameters, or the deployment's default source. */
  readonly policyLoader: (source: string | undefined) => PolicyLoader;
  /** The instant the policy judges at. */
  readonly now: () => number;
  /** What deadlines are measured on (a virtual clock in the scale bench); Date.now by default. */
  readonly clock?: (() => number) | undefined;
  readonly logger: Logger;
  /** Time kept back from Lambda's deadline to report what was evaluated. */
  readonly deadlineReserveMs: number;
  readonly concurrency: number;
  /** The sweep re-reads a function whose state is older than this; default 20 hours. */
  readonly refreshAfterMs?: number | undefined;
  /** Functions the sweep takes from the inventory at a time, after its cursor; default 1,000. */
  readonly sweepBatch?: number | undefined;
}

export interface LambdaContextLike {
  getRemainingTimeInMillis(): number;
}

/** A note on state older than this (two daily passes missed it): the verdict says how old. */
const STALE_NOTE_MS = 48 * 3_600_000;
const DEFAULT_REFRESH_AFTER_MS = 20 * 3_600_000;
const DEFAULT_SWEEP_BATCH = 1_000;

/** One invocation's worth of state: the request, its policy, clients and the reporter. */
interface Run {
  readonly req: ConfigRuleRequest;
  readonly policy: Policy;
  readonly now: number;
  readonly deps: ConfigRuleDependencies;
  readonly store: FunctionStateStore;
  readonly readers: FunctionReaders;
  readonly checkAliases: boolean;
  readonly updateModeScope: boolean;
  readonly waivers: WaiverWatch | undefined;
  /** What each layer version declares: the state table first, Lambda only off the periodic pass. */
  readonly layers: LayerCache;
}

type Kept = ReadonlyMap<string, KeptLayer>;
const NONE_KEPT: Kept = new Map();

/**
 * parse -> facts -> evaluate -> report (PutEvaluations) -> return what was reported. Invalid
 * events or parameters throw after logging, so Config shows the rule as failing rather than
 * everything as compliant. The sweep's scheduled event refreshes the state instead.
 */
export function createHandler(deps: ConfigRuleDependencies): (event: unknown, context?: LambdaContextLike) => Promise<ConfigEvaluation[]> {
  const { logger } = deps;
  const clock = deps.clock ?? Date.now;
  const memory = new MemoryFunctionState();
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
  const modeReader = () => new RuntimeManagementReader(deps.lambda, (reason) => logger.warn('update-mode rules skipped', { reason }));
  // Through deps.lambda, so a layer read waits for the same token bucket as every other Lambda call.
  const layerCache = (store: FunctionStateStore): LayerCache =>
    new LayerCache(deps.lambda, store, { now: deps.now, onUnreadable: (l) => logger.warn('layer version could not be read: its functions say so, asked again in a day', { layer: l.arn, reason: l.unreadable }) });
  return async (event, context) => {
    const startedMs = clock();
    // Read once an event is known to need it: a missing table setting fails that invocation, saying which.
    const storeOf = (): FunctionStateStore => deps.state ?? memory;
    const deadline = context ? startedMs + context.getRemainingTimeInMillis() - deps.deadlineReserveMs : Number.POSITIVE_INFINITY;
    const sweepReq = sweepRequest(event);
    if (sweepReq) {
      const policy = await loadOrFail(deps, () => deps.policyLoader(sweepReq.policySource)());
      const store = storeOf();
      await sweep({ deps, store, policy, clock, deadline, readers: { lambda: deps.lambda, cloudWatch: deps.cloudWatch, modes: modeReader() }, layers: layerCache(store) });
      return [];
    }
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
    const updateModeScope = req.parameters.scope === 'update-mode';
    const store = storeOf();
    const run: Run = {
      req,
      policy,
      now,
      deps,
      store,
      layers: layerCache(store),
      readers: { lambda: deps.lambda, cloudWatch: deps.cloudWatch, modes: req.parameters.checkUpdateMode === false && !updateModeScope ? undefined : modeReader() },
      checkAliases: req.parameters.checkAliasVersions !== false && !updateModeScope,
      updateModeScope,
      waivers: deps.waivers && new WaiverWatch(deps.waivers, policy, now),
    };
    const reporter = new EvaluationReporter(deps.config, req.resultToken);
    const failures: string[] = [];
    if (req.invokingEvent.messageType === 'ScheduledNotification') {
      await periodic(run, reporter, { startedMs, deadline, clock }, failures);
    } else {
      const evaluation = await change(run);
      if (evaluation) await reporter.add(evaluation);
    }
    await reporter.flush();
    logger.info('config rule reported', { catalogAsOf: policy.base.origin.asOf, evaluations: reporter.count, nonCompliant: reporter.nonCompliant, putEvaluationsCalls: reporter.calls });
    logger.removeKeys(['rule', 'messageType']);
    if (reporter.unreported.length > 0 || failures.length > 0) {
      const msg = [
        reporter.unreported.length > 0 && `${reporter.unreported.length} evaluations refused by PutEvaluations: ${reporter.unreported.map((e) => e.ComplianceResourceId).join(', ')}`,
        failures.length > 0 && `${failures.length} functions could not be evaluated: ${failures.slice(0, 20).join('; ')}${failures.length > 20 ? `; and ${failures.length - 20} more` : ''}`,
      ].filter(Boolean);
      logger.error('config rule run incomplete', { unreported: reporter.unreported.map((e) => e.ComplianceResourceId), failures: failures.slice(0, 100), failureCount: failures.length });
      throw new Error(`Config rule run incomplete: ${msg.join('. ')}`);
    }
    return reporter.reported;
  };
}

async function loadOrFail(deps: ConfigRuleDependencies, load: () => Promise<Policy>): Promise<Policy> {
  try {
    return await load();
  } catch (error) {
    deps.logger.error('state sweep cannot run: the policy cannot be loaded', { error: error as Error });
    throw error;
  }
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

/** The parts of a function's state this rule judges by. */
const partsOf = (run: Run): ReadParts => ({ mode: run.readers.modes !== undefined, versions: run.checkAliases });

/** Reads a function's parts live and stores them for every later pass, of either rule. */
async function readAndStore(run: Run, facts: FunctionFacts): Promise<FunctionState> {
  const state = await readFunctionState(run.readers, facts, partsOf(run), run.policy, run.now);
  await run.store.put(state);
  return state;
}

/**
 * For a change: a part stored at or after the change was captured is as new as the change, so it
 * is not read again. A change notification reaches both rules, one function: whichever runs
 * second takes what the first read (one GetRuntimeManagementConfig per change, not two, when they
 * do not run at once). A part read before the capture is read again.
 */
async function readChanged(run: Run, facts: FunctionFacts, capturedAt: Date): Promise<FunctionState> {
  const stored = (await run.store.getMany([facts.name])).get(facts.name);
  const since = (part: { at: string } | undefined): boolean => part !== undefined && Date.parse(part.at) >= capturedAt.getTime();
  const wanted = partsOf(run);
  const fresh = { mode: wanted.mode && since(stored?.mode), versions: wanted.versions && since(stored?.versions) };
  const toRead = { mode: wanted.mode && !fresh.mode, versions: wanted.versions && !fresh.versions };
  const read = toRead.mode || toRead.versions ? await readFunctionState(run.readers, facts, toRead, run.policy, run.now) : { name: facts.name };
  if (toRead.mode || toRead.versions) await run.store.put(read);
  return { ...read, ...(fresh.mode && { mode: stored!.mode }), ...(fresh.versions && { versions: stored!.versions }) };
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
  let facts: FunctionFacts;
  try {
    facts = factsFromConfigurationItem(item);
  } catch (error) {
    // No verdict on what could not be read: the invocation fails, saying what was wrong.
    deps.logger.error('configuration item cannot be read: nothing was evaluated', { resourceId: item.resourceId.slice(0, 100), error: error as Error });
    throw error;
  }
  try {
    const state = await readChanged(run, facts, ts);
    // A change reads its function's layer versions not kept yet, live: at most once each, ever.
    const kept = run.updateModeScope || facts.layers.length === 0 ? NONE_KEPT : await run.layers.read(facts.layers);
    return await judge(run, facts, state, ts, kept);
  } catch (err) {
    // Deleted between the notification and these reads: as on the periodic path.
    if (isNotFound(err)) return configEvaluation(item.resourceId, 'NOT_APPLICABLE', DELETED_DURING_EVALUATION, ts);
    throw err;
  }
}

/** The facts with the stored update mode, the stored versions, and what is pending or old. */
function withState(run: Run, facts: FunctionFacts, state: FunctionState | undefined): { facts: FunctionFacts; versions: LambdaFunctionConfiguration[]; stored: FunctionState['versions']; note: string | undefined; modePending: boolean } {
  const parts = partsOf(run);
  const mode = parts.mode ? state?.mode : undefined;
  const stored = parts.versions ? state?.versions : undefined;
  const modePending = parts.mode && !mode && facts.packageType !== 'Image';
  const pending = [modePending && 'update mode', parts.versions && !stored && 'versions'].filter(Boolean);
  const oldest = Math.min(...[mode?.at, stored?.at].flatMap((t) => (t ? [Date.parse(t)] : [])));
  const ageDays = Number.isFinite(oldest) && run.now - oldest > STALE_NOTE_MS ? Math.floor((run.now - oldest) / 86_400_000) : undefined;
  const note = pending.length > 0 ? `${pending.join(', ')} not read yet` : ageDays !== undefined ? `mode and versions as read ${ageDays} days ago` : undefined;
  return {
    facts: withRuntimeManagement(facts, mode),
    versions: stored ? versionConfigurations(facts.arn, facts.name, stored) : [],
    stored,
    note,
    modePending,
  };
}

/**
 * Judges a function from its facts and state, with its waiver ledger: the facts get the day a
 * waiver tag was first seen on the function, and a waiver that first applies to it (or to a
 * published version, which shares its tags), or a tier tag lowered, is announced once.
 */
async function judge(run: Run, latest: FunctionFacts, state: FunctionState | undefined, ts: Date, kept: Kept): Promise<ConfigEvaluation> {
  const layers = run.updateModeScope ? undefined : withLayers(latest, kept);
  const s = withState(run, layers?.facts ?? latest, state);
  // The update-mode verdict on a mode not read yet says so itself.
  const note = run.updateModeScope && s.modePending ? undefined : s.note;
  const judgeFacts = (facts: FunctionFacts): Promise<ConfigEvaluation> => Promise.resolve(withNote(verdictOf(run, facts, s, ts), joinNotes(layersSaid(run, facts, layers), note)));
  if (!run.waivers) return judgeFacts(s.facts);
  return run.waivers.judged(s.facts, judgeFacts, s.versions.map((v) => versionFacts(v, s.facts)));
}

const joinNotes = (...notes: (string | undefined)[]): string | undefined => notes.filter(Boolean).join(' | ') || undefined;

/**
 * What the annotation says of the layers: the layer findings are warnings and change no verdict,
 * but a function that must move is told which layer version blocks the move, and any function
 * which layers could not be judged.
 */
function layersSaid(run: Run, facts: FunctionFacts, layers: FunctionLayers | undefined): string | undefined {
  if (!layers || facts.layers.length === 0) return undefined;
  return layerNote({ ...layers, facts }, evaluate(facts, run.policy, run.now));
}

/** `$LATEST` and every published version whose runtime breaks the policy, with what the last read found invoking it. */
function verdictOf(run: Run, facts: FunctionFacts, s: ReturnType<typeof withState>, ts: Date): ConfigEvaluation {
  if (run.updateModeScope) return evaluateUpdateMode(facts, run.policy, run.now, ts, s.modePending);
  const uses = versionUsesFromState(s.versions.map((v) => versionFacts(v, facts)), s.stored?.uses ?? [], run.policy, run.now);
  // The annotation names what fits in 256 characters; the log keeps every version and reference.
  if (uses.length > 0) {
    run.deps.logger.info('published versions breaking the policy', {
      function: facts.name,
      versionsReadAt: s.stored?.at,
      versions: uses.map((u) => ({ version: u.version, runtime: u.facts.runtime, inUse: versionInUse(u), aliases: u.aliases, eventSourceMappings: u.eventSourceMappings, policyStatements: u.policyStatements, usage: u.usage, unread: u.unread })),
    });
  }
  if (s.stored && s.stored.omitted > 0) run.deps.logger.warn('versions left out of the state item (400 KB item limit): judged on the next change', { function: facts.name, omitted: s.stored.omitted });
  return evaluateFunction(facts, uses, run.policy, run.now, ts);
}

interface Timing {
  readonly startedMs: number;
  readonly deadline: number;
  readonly clock: () => number;
}

/**
 * Every function of Config's inventory, page by page: its runtime verdict from what Config
 * recorded, its update mode and versions from the state. A function without state yet is read now
 * while the first half of the run lasts (a new deployment, a wiped table), else judged on what is
 * known, saying what is pending; the sweep reads it later. Only the function names are kept for
 * the whole pass (to retire stale results): memory grows with functions, not versions.
 */
async function periodic(run: Run, reporter: EvaluationReporter, timing: Timing, failures: string[]): Promise<void> {
  const { deps, req } = run;
  const ts = new Date(run.now);
  const seen = new Set<string>();
  const limit = pLimit(deps.concurrency);
  const readUntil = timing.startedMs + (timing.deadline - timing.startedMs) / 2;
  // Live tag reads wait on GetFunction's budget: past three quarters of the run, Config's recorded
  // tags judge, so that the pass still reaches every function.
  const liveTagsUntil = timing.startedMs + ((timing.deadline - timing.startedMs) * 3) / 4;
  const tally = { fromState: 0, readNow: 0, pending: 0, notEvaluated: 0, recordedTagsOnly: 0 };
  const inventory = functionInventory({ config: deps.config, lambda: deps.lambda, onFallback: (reason) => deps.logger.error("AWS Config's inventory cannot serve the periodic pass: functions are listed from Lambda, on its control-plane quota", { reason }) });
  try {
    for await (const page of inventory) {
      const entries = page.flatMap((e) => (e.facts ? [e] : []));
      for (const e of page) {
        if (e.deleted) await reporter.add(configEvaluation(e.name, 'NOT_APPLICABLE', DELETED_DURING_EVALUATION, ts));
        else if (!e.facts) failures.push(`${e.name ?? '(unnamed)'}: ${e.unreadable}`);
      }
      for (const e of entries) seen.add(e.name);
      if (timing.clock() >= timing.deadline) {
        tally.notEvaluated += entries.length;
        continue;
      }
      const states = await run.store.getMany(entries.map((e) => e.name));
      // The kept layer versions only: the pass makes no Lambda call for layers (the sweep and changes read them).
      const layerArns = run.updateModeScope ? [] : entries.flatMap((e) => e.facts.layers);
      const kept = layerArns.length > 0 ? await run.layers.cached(layerArns) : NONE_KEPT;
      await run.waivers?.prefetch(entries.flatMap((e) => (e.facts.arn ? [e.facts.arn] : [])));
      await Promise.all(
        entries.map((e) =>
          limit(async () => {
            if (timing.clock() >= timing.deadline) return void tally.notEvaluated++;
            try {
              let state = states.get(e.name);
              const missing = (partsOf(run).mode && e.facts.packageType !== 'Image' && !state?.mode) || (run.checkAliases && !state?.versions);
              if (missing && timing.clock() < readUntil) {
                state = await readAndStore(run, e.facts);
                tally.readNow++;
              } else if (missing) tally.pending++;
              else tally.fromState++;
              const live = !e.liveTags && timing.clock() < liveTagsUntil;
              if (!e.liveTags && !live) tally.recordedTagsOnly++;
              await reporter.add(await (live ? judgeWithLiveTags(run, e.facts, state, ts, kept) : judge(run, e.facts, state, ts, kept)));
            } catch (err) {
              if (isNotFound(err)) await reporter.add(configEvaluation(e.name, 'NOT_APPLICABLE', DELETED_DURING_EVALUATION, ts));
              else failures.push(`${e.name}: ${(err as Error).name}: ${(err as Error).message}`);
            }
          }),
        ),
      );
    }
  } catch (err) {
    failures.push(`the inventory stopped: ${describeError(err)}`);
  }
  deps.logger.info('periodic pass', { functions: seen.size, ...tally });
  if (tally.recordedTagsOnly > 0) deps.logger.warn("periodic pass judged the last functions on AWS Config's recorded tags, without the live read of a deciding tier or waiver tag: GetFunction's budget ran short", { functions: tally.recordedTagsOnly });
  if (tally.notEvaluated > 0 || failures.length > 0) {
    if (tally.notEvaluated > 0) deps.logger.warn('periodic run stopped before the Lambda deadline; the rest keep their previous evaluation', { evaluated: seen.size - tally.notEvaluated, notEvaluated: tally.notEvaluated });
    return;
  }
  if (req.ruleName) {
    const before = await previouslyEvaluated(deps.config, req.ruleName, (reason) => deps.logger.warn('stale evaluations kept', { reason }));
    if (before) await reporter.add(...staleEvaluations(before, seen, ts));
  }
}

/**
 * Config's tags trail the function (up to a day with daily recording): where a tier or waiver tag
 * decides the verdict, the tags are read again from Lambda (GetFunction, its own 100/s quota), so
 * that a waiver removed since Config recorded it no longer counts. Other functions cost no call.
 */
async function judgeWithLiveTags(run: Run, facts: FunctionFacts, state: FunctionState | undefined, ts: Date, kept: Kept): Promise<ConfigEvaluation> {
  const s = withState(run, facts, state);
  if (!verdictTurnsOnTags(s.facts, s.versions, run.policy, run.now, run.updateModeScope)) return judge(run, facts, state, ts, kept);
  return judge(run, { ...facts, tags: await readTagsLive(run.deps.lambda, facts.name) }, state, ts, kept);
}

interface Sweep {
  readonly deps: ConfigRuleDependencies;
  readonly store: FunctionStateStore;
  readonly policy: Policy;
  readonly clock: () => number;
  readonly deadline: number;
  readonly readers: FunctionReaders;
  readonly layers: LayerCache;
}

/** The `size` first entries by name after `after` (or from the start), whatever order the inventory comes in. */
class NextByName {
  public readonly entries: { name: string; facts: FunctionFacts }[] = [];

  public constructor(
    private readonly size: number,
    private readonly accepts: (name: string) => boolean,
  ) {}

  public offer(e: { name: string; facts: FunctionFacts }): void {
    if (!this.accepts(e.name)) return;
    const last = this.entries.at(-1);
    if (this.entries.length >= this.size && last && last.name <= e.name) return;
    let lo = 0;
    let hi = this.entries.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.entries[mid]!.name < e.name) lo = mid + 1;
      else hi = mid;
    }
    this.entries.splice(lo, 0, e);
    if (this.entries.length > this.size) this.entries.pop();
  }
}

/**
 * Refreshes the state of the functions after the persisted cursor, in name order, wrapping at
 * the end, until the run's deadline: one reader for both rules. A function read within
 * `refreshAfterMs` is skipped, so a small account is read about daily and a large one as fast
 * as the Lambda budget allows. The cursor is stored every batch of `concurrency` functions, so a
 * run cut short loses at most that much. A function that cannot be read is logged and left for
 * the next lap; the run then fails, naming them.
 */
async function sweep(sw: Sweep): Promise<void> {
  const { deps, store } = sw;
  const refreshAfter = deps.refreshAfterMs ?? DEFAULT_REFRESH_AFTER_MS;
  const batchSize = deps.sweepBatch ?? DEFAULT_SWEEP_BATCH;
  const failures: string[] = [];
  let cursor = await store.getCursor();
  const tally = { read: 0, fresh: 0, gone: 0, laps: 0, layersRead: 0 };
  const onFallback = (reason: string) => deps.logger.error("AWS Config's inventory cannot serve the sweep: functions are listed from Lambda, on its control-plane quota", { reason });
  /** Moves the cursor past `last`; passing the end of the inventory completes a lap. */
  const advance = async (last: string): Promise<void> => {
    const now = deps.now();
    const lapStartedAt = cursor?.lapStartedAt ?? new Date(now).toISOString();
    if (cursor && last <= cursor.after) {
      tally.laps++;
      const lastLapHours = Math.round(((now - Date.parse(lapStartedAt)) / 3_600_000) * 10) / 10;
      deps.logger.info('state sweep lap complete: every function re-read', { lapHours: lastLapHours });
      cursor = { after: last, lapStartedAt: new Date(now).toISOString(), lastLapHours };
    } else cursor = { after: last, lapStartedAt, ...(cursor?.lastLapHours !== undefined && { lastLapHours: cursor.lastLapHours }) };
    await store.putCursor(cursor);
  };
  while (sw.clock() < sw.deadline) {
    const after = cursor?.after ?? '';
    const ahead = new NextByName(batchSize, (n) => n > after);
    const fromStart = new NextByName(batchSize, (n) => n <= after);
    for await (const page of functionInventory({ config: deps.config, lambda: deps.lambda, onFallback })) {
      for (const e of page) if (e.facts) (e.name > after ? ahead : fromStart).offer({ name: e.name, facts: e.facts });
    }
    const batch = [...ahead.entries, ...fromStart.entries.slice(0, batchSize - ahead.entries.length)];
    if (batch.length === 0) break;
    // The batch's layer versions not kept yet, before its functions: one call each, ever, so the
    // periodic pass can judge every function's layers from the table.
    const before = sw.layers.calls;
    await sw.layers.read(batch.flatMap((e) => e.facts.layers), () => sw.clock() >= sw.deadline);
    tally.layersRead += sw.layers.calls - before;
    const states = await store.getMany(batch.map((e) => e.name));
    const todo = batch.filter((e) => {
      const s = states.get(e.name);
      const at = Math.min(...[s?.mode?.at, s?.versions?.at].map((t) => (t ? Date.parse(t) : Number.NEGATIVE_INFINITY)));
      return !(deps.now() - at < refreshAfter);
    });
    tally.fresh += batch.length - todo.length;
    // Every function of the batch read within refreshAfterMs: nothing to do until some age, and
    // the cursor stays, so that a lap is timed by when functions are read, not skipped.
    if (todo.length === 0) break;
    let i = 0;
    for (; i < todo.length && sw.clock() < sw.deadline; i += deps.concurrency) {
      const chunk = todo.slice(i, i + deps.concurrency);
      await Promise.all(
        chunk.map(async (e) => {
          try {
            await store.put(await readFunctionState(sw.readers, e.facts, { mode: true, versions: true }, sw.policy, deps.now()));
            tally.read++;
          } catch (err) {
            if (isNotFound(err)) tally.gone++;
            else failures.push(`${e.name}: ${describeError(err)}`);
          }
        }),
      );
      await advance(chunk.at(-1)!.name);
    }
    // A run goes round the fleet at most once, however much time it has left.
    if (i < todo.length || tally.laps > 0) break;
  }
  deps.logger.info('state sweep', { ...tally, cursor: cursor?.after, lastLapHours: cursor?.lastLapHours, failureCount: failures.length });
  if (failures.length > 0) {
    deps.logger.error('state sweep could not read some functions; they keep their previous state', { failures: failures.slice(0, 100), failureCount: failures.length });
    throw new Error(`State sweep incomplete: ${failures.length} functions could not be read: ${failures.slice(0, 20).join('; ')}`);
  }
}

// AWS SDK clients, made once per container, with adaptive retry for throttling.
const clientConfig = { retryMode: 'adaptive', maxAttempts: 6 } as const;
const ssm = new SSMClient(clientConfig);
const loaders = new Map<string, PolicyLoader>();
const defaultSource = getStringFromEnv({ key: 'POLICY_SOURCE', defaultValue: 'default' });
const logger = new Logger({ serviceName: 'runtime-warden-config-rule' });
const catalog = catalogLoaderFromEnvironment(() => ssm, logger);
// Every Lambda call of this container waits for its share of the account's budget: the budget
// (LambdaCallsPerSecond) divided by the containers that may run at once (the reserved concurrency).
const lambda = limitLambdaClient(
  new LambdaClient(clientConfig),
  lambdaRateBudget(getNumberFromEnv({ key: 'LAMBDA_CALLS_PER_SECOND', defaultValue: 5 }), getNumberFromEnv({ key: 'RESERVED_CONCURRENCY', defaultValue: 1 })),
);

let waiverDeps: WaiverWatchDependencies | undefined;
let stateStore: DynamoFunctionState | undefined;

export const handler = createHandler({
  lambda,
  config: new ConfigServiceClient(clientConfig),
  cloudWatch: new CloudWatchClient(clientConfig),
  // Read on first use: a missing setting fails the invocation, saying which, not the import.
  get waivers() {
    return (waiverDeps ??= waiverWatchFromEnvironment(clientConfig, logger));
  },
  get state() {
    return (stateStore ??= new DynamoFunctionState(new DynamoDBClient(clientConfig), getStringFromEnv({ key: 'FUNCTION_STATE_TABLE' }), (error) => logger.error('function state item unreadable: judged as not read yet, re-read by the sweep', { error })));
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
