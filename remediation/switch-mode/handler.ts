import { getStringFromEnv } from '@aws-lambda-powertools/commons/utils/env';
import { Logger } from '@aws-lambda-powertools/logger';
import { LambdaClient, PutRuntimeManagementConfigCommand, TagResourceCommand, UntagResourceCommand } from '@aws-sdk/client-lambda';
import { SSMClient } from '@aws-sdk/client-ssm';
import { parseInput, switchModeInputSchema } from '../../shared/adapters/remediationInput.js';
import { evaluate, RemediationError, tierOf, type UpdateMode } from '../../shared/index.js';
import { awsError } from '../../shared/io/awsErrors.js';
import { remediationFacts } from '../../shared/io/functionReader.js';
import { RuntimeManagementReader } from '../../shared/io/lambdaInventory.js';
import { policyLoaderFromEnvironment } from '../../shared/io/catalogSource.js';
import type { PolicyLoader } from '../../shared/io/policySource.js';
import { plannedModeChange } from '../../shared/remediation/modeChange.js';

/** The tag that records the configuration before a switch, so that it can be undone. */
export const PREVIOUS_MODE_TAG = 'runtime-warden:previous-update-mode';

export interface SwitchModeDependencies {
  readonly lambda: Pick<LambdaClient, 'send'>;
  readonly region: string;
  readonly loadPolicy: PolicyLoader;
  readonly now: () => number;
  readonly logger: Logger;
}

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
export function createHandler(deps: SwitchModeDependencies): (event: unknown, context?: { invokedFunctionArn?: string }) => Promise<SwitchModeResult> {
  return async (event, context) => {
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
    deps.logger.info('switch-mode: update mode changed', { functionName: facts.name, from: previous, to: applied, ruleId: change.ruleId, tier: tier.name });
    return { ...base, action: 'changed', applied, ruleId: change.ruleId, reason: change.reason };
  };
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
  return {
    lambda: new LambdaClient(clientConfig),
    region: getStringFromEnv({ key: 'AWS_REGION' }),
    loadPolicy: policyLoaderFromEnvironment(() => ssm, logger),
    now: Date.now,
    logger,
  };
}

// Built on first use, once per container: a missing setting fails the invocation, saying which.
let configured: ReturnType<typeof createHandler> | undefined;
export const handler = async (event: unknown, context?: { invokedFunctionArn?: string }): Promise<SwitchModeResult> => (configured ??= createHandler(fromEnvironment()))(event, context);
