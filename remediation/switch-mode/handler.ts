import { getStringFromEnv } from '@aws-lambda-powertools/commons/utils/env';
import { Logger } from '@aws-lambda-powertools/logger';
import { LambdaClient, PutRuntimeManagementConfigCommand, TagResourceCommand, UntagResourceCommand } from '@aws-sdk/client-lambda';
import { CloudWatchLogsClient, FilterLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { ConfigServiceClient } from '@aws-sdk/client-config-service';
import { SNSClient } from '@aws-sdk/client-sns';
import { SSMClient } from '@aws-sdk/client-ssm';
import * as z from '../../shared/schema/zod.js';
import { parseInput, switchModeInputSchema } from '../../shared/adapters/remediationInput.js';
import { evaluate, RemediationError, tierOf, type UpdateMode } from '../../shared/index.js';
import { awsError } from '../../shared/io/awsErrors.js';
import { remediationFacts } from '../../shared/io/functionReader.js';
import { RuntimeManagementReader } from '../../shared/io/lambdaInventory.js';
import { policyLoaderFromEnvironment } from '../../shared/io/catalogSource.js';
import type { PolicyLoader } from '../../shared/io/policySource.js';
import type { FilterLogEvents } from '../../shared/io/runtimeVersionHistory.js';
import { plannedModeChange } from '../../shared/remediation/modeChange.js';
import { ROLLBACK_FROM_TAG, ROLLBACK_TAG } from '../../shared/remediation/rollback.js';
import { rollback, type RollbackResult } from '../../shared/remediation/rollbackRun.js';

/** The tag that records the configuration before a switch, so that it can be undone. */
export const PREVIOUS_MODE_TAG = 'runtime-warden:previous-update-mode';

export interface SwitchModeDependencies {
  readonly lambda: Pick<LambdaClient, 'send'>;
  readonly region: string;
  readonly loadPolicy: PolicyLoader;
  readonly now: () => number;
  readonly logger: Logger;
  /** AWS Config, for the runtime version history a rollback reads; absent: the input must name the ARN. */
  readonly config?: Pick<ConfigServiceClient, 'send'>;
  /** CloudWatch Logs FilterLogEvents, for the INIT_START lines a rollback reads beside Config's history. */
  readonly filterLogEvents?: FilterLogEvents;
  /** Where a rollback alerts on-call (template: the alert topic), as the CLI's `--topic`. */
  readonly alert?: { readonly sns: Pick<SNSClient, 'send'>; readonly topicArn: string };
}

/**
 * The `rollback` action (RollbackDocument): pins the runtime version before the current one, or
 * `undo` returns to the tier's mode (shared/remediation/rollback.ts). SSM passes strings: an
 * empty `to` means "find the previous version".
 */
export const rollbackInputSchema = z.strictObject({
  action: z.literal('rollback'),
  functionName: switchModeInputSchema.shape.functionName,
  to: z.optional(z.string().check(z.maxLength(2048))),
  reason: z._default(z.string().check(z.maxLength(1000)), ''),
  requestedBy: z.string().check(z.minLength(1), z.maxLength(200)),
  undo: switchModeInputSchema.shape.dryRun,
  dryRun: switchModeInputSchema.shape.dryRun,
});

export interface RollbackActionResult {
  readonly functionName: string;
  readonly action: 'rolled-back' | 'undone' | 'dry-run';
  readonly reason: string;
  readonly applied: RollbackResult['plan']['put'];
  readonly tags: Readonly<Record<string, string>>;
  readonly problems: readonly string[];
}

const isRollback = (event: unknown): boolean => typeof event === 'object' && event !== null && (event as { action?: unknown }).action === 'rollback';

interface RuntimeManagementConfig {
  readonly UpdateRuntimeOn: UpdateMode | undefined;
  readonly RuntimeVersionArn?: string;
}

export interface SwitchModeResult {
  readonly functionName: string;
  readonly action: 'changed' | 'unchanged' | 'dry-run' | 'refused';
  readonly reason: string;
  readonly previous: RuntimeManagementConfig;
  readonly applied?: RuntimeManagementConfig;
  readonly ruleId?: string;
}

/**
 * parse -> facts (read live) -> evaluate -> switch. Applies the update mode the policy asks for
 * with PutRuntimeManagementConfig, after recording the previous configuration in a tag; leaves
 * critical-tier functions alone unless the input allows it; changes nothing in a dry run or when
 * the mode is already right (so a second run is a no-op).
 */
export function createHandler(deps: SwitchModeDependencies): (event: unknown, context?: { invokedFunctionArn?: string }) => Promise<SwitchModeResult | RollbackActionResult> {
  return async (event, context) => {
    if (isRollback(event)) return rollbackAction(deps, event);
    const input = parseInput(switchModeInputSchema, event, 'switch-mode');
    const policy = await deps.loadPolicy();
    const now = deps.now();
    const where = { accountId: context?.invokedFunctionArn?.split(':')[4] ?? 'unknown', region: deps.region };
    const modes = new RuntimeManagementReader(deps.lambda, (reason) => {
      throw new RemediationError(`Cannot read the runtime update mode of ${input.functionName}: ${reason}`);
    });
    const { facts, runtimeVersionInUse } = await remediationFacts(deps.lambda, input.functionName, modes, where);
    if (facts.packageType === 'Image') throw new RemediationError(`${facts.name} is a container image function: it has no runtime update mode.`);
    const previous: RuntimeManagementConfig = { UpdateRuntimeOn: facts.updateMode, ...(facts.runtimeVersionArn && { RuntimeVersionArn: facts.runtimeVersionArn }) };
    const { tier } = tierOf(facts.tags, policy);
    const base = { functionName: facts.name, previous };

    let change = plannedModeChange(facts, evaluate(facts, policy, now));
    if (input.mode !== 'Policy') {
      if (!tier.allowedUpdateModes.includes(input.mode)) {
        throw new RemediationError(`Mode ${input.mode} is not allowed for the ${tier.name} tier of ${facts.name} (allowed: ${tier.allowedUpdateModes.join(', ')}).`);
      }
      change = input.mode === facts.updateMode ? undefined : { from: facts.updateMode, to: input.mode, ruleId: 'input', reason: `Mode ${input.mode} asked for in the input.` };
    }
    if (!change) return { ...base, action: 'unchanged', reason: `The update mode ${facts.updateMode ?? 'unknown'} is already what the policy asks for.` };
    if (tier.name === 'critical' && !input.allowCritical) {
      return { ...base, action: 'refused', ruleId: change.ruleId, reason: `${facts.name} is in the critical tier: set AllowCritical to true to switch it from ${change.from} to ${change.to}. ${change.reason}` };
    }
    const applied: RuntimeManagementConfig = { UpdateRuntimeOn: change.to, ...(change.to === 'Manual' && runtimeVersionInUse && { RuntimeVersionArn: runtimeVersionInUse }) };
    if (change.to === 'Manual' && !applied.RuntimeVersionArn) throw new RemediationError(`Cannot pin ${facts.name}: Lambda does not report the runtime version it uses.`);
    if (input.dryRun) return { ...base, action: 'dry-run', applied, ruleId: change.ruleId, reason: `Would switch from ${change.from} to ${change.to}: ${change.reason}` };

    const arn = facts.arn!.split(':').slice(0, 7).join(':');
    const oldTag = facts.tags[PREVIOUS_MODE_TAG];
    const record = [previous.UpdateRuntimeOn ?? 'unknown', previous.RuntimeVersionArn, new Date(now).toISOString()].filter(Boolean).join(' ');
    await send(deps, new TagResourceCommand({ Resource: arn, Tags: { [PREVIOUS_MODE_TAG]: record } }), `record the previous mode of ${facts.name}`);
    try {
      await deps.lambda.send(new PutRuntimeManagementConfigCommand({ FunctionName: facts.name, UpdateRuntimeOn: change.to, ...(applied.RuntimeVersionArn && { RuntimeVersionArn: applied.RuntimeVersionArn }) }));
    } catch (err) {
      // Nothing half-applied: put the record tag back as it was.
      await send(
        deps,
        oldTag === undefined ? new UntagResourceCommand({ Resource: arn, TagKeys: [PREVIOUS_MODE_TAG] }) : new TagResourceCommand({ Resource: arn, Tags: { [PREVIOUS_MODE_TAG]: oldTag } }),
        `restore the tag of ${facts.name}`,
      );
      const e = awsError(err);
      throw new RemediationError(`Could not switch ${facts.name} to ${change.to}: ${e.name}: ${e.message}`, { cause: err });
    }
    // A pin left is no pin: its rollback tags go with it, or the report and the watch would still count it pinned.
    const rollbackTags = change.from === 'Manual' && change.to !== 'Manual' ? [ROLLBACK_TAG, ROLLBACK_FROM_TAG].filter((k) => facts.tags[k] !== undefined) : [];
    if (rollbackTags.length > 0) await send(deps, new UntagResourceCommand({ Resource: arn, TagKeys: rollbackTags }), `remove the rollback tags of ${facts.name} (now ${change.to})`);
    deps.logger.info('switch-mode: update mode changed', { functionName: facts.name, from: previous, to: applied, ruleId: change.ruleId, tier: tier.name });
    return { ...base, action: 'changed', applied, ruleId: change.ruleId, reason: change.reason };
  };
}

async function rollbackAction(deps: SwitchModeDependencies, event: unknown): Promise<RollbackActionResult> {
  const input = parseInput(rollbackInputSchema, event, 'rollback');
  const r = await rollback(
    input.functionName,
    { undo: input.undo, dryRun: input.dryRun, reason: input.reason, by: input.requestedBy, ...(input.to && { to: input.to }), ...(deps.alert && { topic: deps.alert.topicArn }) },
    {
      lambda: deps.lambda,
      ...(deps.config && { config: deps.config }),
      ...(deps.filterLogEvents && { filterLogEvents: deps.filterLogEvents }),
      ...(deps.alert && { sns: deps.alert.sns }),
      policy: await deps.loadPolicy(),
      now: deps.now(),
    },
  );
  const action = !r.applied ? 'dry-run' : r.plan.kind === 'undo' ? 'undone' : 'rolled-back';
  deps.logger.info(`switch-mode: rollback ${action}`, { functionName: r.plan.functionName, from: r.plan.from, to: r.plan.put, tags: r.plan.tags, requestedBy: input.requestedBy, problems: r.problems });
  return { functionName: r.plan.functionName, action, reason: r.plan.description, applied: r.plan.put, tags: r.plan.tags, problems: r.problems };
}

async function send(deps: SwitchModeDependencies, command: TagResourceCommand | UntagResourceCommand, what: string): Promise<void> {
  try {
    if (command instanceof TagResourceCommand) await deps.lambda.send(command);
    else await deps.lambda.send(command);
  } catch (err) {
    const e = awsError(err);
    throw new RemediationError(`Could not ${what}: ${e.name}: ${e.message}`, { cause: err });
  }
}

const clientConfig = { retryMode: 'adaptive', maxAttempts: 4 } as const;

function fromEnvironment(): SwitchModeDependencies {
  const logger = new Logger({ serviceName: 'runtime-warden-switch-mode' });
  const ssm = new SSMClient(clientConfig);
  const logs = new CloudWatchLogsClient(clientConfig);
  const topicArn = getStringFromEnv({ key: 'ALERT_TOPIC_ARN', defaultValue: '' });
  return {
    lambda: new LambdaClient(clientConfig),
    config: new ConfigServiceClient(clientConfig),
    filterLogEvents: (i) => logs.send(new FilterLogEventsCommand(i)),
    ...(topicArn && { alert: { sns: new SNSClient(clientConfig), topicArn } }),
    region: getStringFromEnv({ key: 'AWS_REGION' }),
    loadPolicy: policyLoaderFromEnvironment(() => ssm, logger),
    now: Date.now,
    logger,
  };
}

// Built on first use, once per container: a missing setting fails the invocation, saying which.
let configured: ReturnType<typeof createHandler> | undefined;
export const handler = async (event: unknown, context?: { invokedFunctionArn?: string }): Promise<SwitchModeResult | RollbackActionResult> => (configured ??= createHandler(fromEnvironment()))(event, context);
