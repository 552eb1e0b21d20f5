// Runs a rollback or its undo against Lambda, for the CLI (`runtime-warden rollback`) and the
// switch-mode function's `rollback` action (the SSM document): reads the function, plans
// (shared/remediation/rollback.ts), and unless a dry run pins or unpins, tags and alerts. The
// clients are the caller's.
import type { ConfigServiceClient } from '@aws-sdk/client-config-service';
import { GetFunctionCommand, GetRuntimeManagementConfigCommand, PutRuntimeManagementConfigCommand, TagResourceCommand, UntagResourceCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import { RemediationError } from '../errors.js';
import { tierOf, type Policy } from '../policy/policy.js';
import type { UpdateMode } from '../policy/schema.js';
import { describeError } from '../io/awsErrors.js';
import { historyFromConfig, historyFromLogs, logGroupOf, type FilterLogEvents } from '../io/runtimeVersionHistory.js';
import { snsSubject } from './notification.js';
import { planRollback, planUndo, RollbackRefused, type RollbackPlan } from './rollback.js';

export interface RollbackOptions {
  readonly to?: string;
  readonly undo?: boolean;
  readonly dryRun?: boolean;
  readonly reason?: string;
  /** Who asks: the tag and the alert name them. */
  readonly by?: string;
  /** SNS topic to alert. */
  readonly topic?: string;
  /** How far back to read INIT_START lines, in days. */
  readonly sinceDays?: number;
}

export interface RollbackDependencies {
  readonly lambda: Pick<LambdaClient, 'send'>;
  readonly config?: Pick<ConfigServiceClient, 'send'>;
  /** CloudWatch Logs FilterLogEvents; absent: the INIT_START lines are not read. */
  readonly filterLogEvents?: FilterLogEvents;
  readonly sns?: Pick<SNSClient, 'send'>;
  readonly policy: Policy;
  readonly now: number;
}

export interface RollbackResult {
  readonly plan: RollbackPlan;
  readonly applied: boolean;
  readonly alerted: boolean;
  /** History sources that could not be read. */
  readonly problems: readonly string[];
}

const DEFAULT_SINCE_DAYS = 14;

async function call<T>(what: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    throw new RemediationError(`Could not ${what}: ${describeError(err)}`);
  }
}

/** Reads the function, plans, and (unless a dry run) pins or unpins, tags and alerts. */
export async function rollback(functionName: string, o: RollbackOptions, deps: RollbackDependencies): Promise<RollbackResult> {
  const fn = await call(`read ${functionName}`, () => deps.lambda.send(new GetFunctionCommand({ FunctionName: functionName })));
  const cfg = fn.Configuration ?? {};
  if (cfg.PackageType === 'Image') throw new RemediationError(`${functionName} is a container image function: its runtime is in the image, there is no runtime version to pin.`);
  const rmc = await call(`read the runtime update mode of ${functionName}`, () => deps.lambda.send(new GetRuntimeManagementConfigCommand({ FunctionName: functionName })));
  // Tags are returned only to a caller also allowed lambda:ListTags (Lambda API Reference,
  // GetFunction, TagsError): unread tags would pick the wrong tier and leave the rollback tags.
  if (fn.TagsError) throw new RemediationError(`Could not read the tags of ${functionName}: ${fn.TagsError.ErrorCode}: ${fn.TagsError.Message} (grant lambda:ListTags)`);
  const tags = fn.Tags ?? {};
  const name = cfg.FunctionName ?? functionName;
  const inUse = rmc.RuntimeVersionArn ?? cfg.RuntimeVersionConfig?.RuntimeVersionArn;
  const current = { updateMode: (rmc.UpdateRuntimeOn ?? 'Auto') as UpdateMode, ...(inUse && { runtimeVersionArn: inUse }) };
  const arn = (cfg.FunctionArn ?? functionName).split(':').slice(0, 7).join(':');

  const problems: string[] = [];
  let plan: RollbackPlan;
  try {
    if (o.undo) {
      plan = planUndo(name, current, tags, tierOf(tags, deps.policy).tier);
    } else {
      const reads = [];
      // The history is needed only to find the version before; --to names it.
      if (o.to === undefined) {
        // By name: Config's resource id and the default log group are the name, not an ARN given.
        if (deps.config) reads.push(historyFromConfig(deps.config, name));
        if (deps.filterLogEvents) reads.push(historyFromLogs(deps.filterLogEvents, logGroupOf(name, cfg.LoggingConfig?.LogGroup), deps.now - (o.sinceDays ?? DEFAULT_SINCE_DAYS) * 86_400_000, deps.now));
      }
      const history = await Promise.all(reads);
      problems.push(...history.flatMap((h) => h.problems));
      plan = planRollback({ functionName: name, current, history: history.flatMap((h) => h.sightings), ...(o.to && { to: o.to }), reason: o.reason ?? '', by: o.by ?? 'unknown', nowMs: deps.now });
    }
  } catch (err) {
    if (err instanceof RollbackRefused) throw new RemediationError(problems.length > 0 ? `${err.message} (${problems.join('; ')})` : err.message);
    throw err;
  }
  if (o.dryRun) return { plan, applied: false, alerted: false, problems };

  await apply(plan, arn, tags, deps);
  let alerted = false;
  if (o.topic && deps.sns) {
    const sns = deps.sns;
    await call(`alert ${o.topic}`, () =>
      sns.send(new PublishCommand({ TopicArn: o.topic, Subject: snsSubject(`runtime-warden: ${plan.kind === 'undo' ? 'rollback undone' : 'runtime rolled back'} on ${plan.functionName}`), Message: plan.description })),
    );
    alerted = true;
  }
  return { plan, applied: true, alerted, problems };
}

/**
 * Tags before the pin (so a pin is never without its when and why) and puts the old tags back
 * when the pin fails; an undo unpins first and removes the tags after.
 */
async function apply(plan: RollbackPlan, arn: string, tags: Readonly<Record<string, string>>, deps: RollbackDependencies): Promise<void> {
  const put = () => call(`set the runtime update mode of ${plan.functionName}`, () => deps.lambda.send(new PutRuntimeManagementConfigCommand({ FunctionName: plan.functionName, ...plan.put })));
  if (plan.kind === 'undo') {
    await put();
    if (plan.untag.length > 0) await call(`remove the rollback tags of ${plan.functionName}`, () => deps.lambda.send(new UntagResourceCommand({ Resource: arn, TagKeys: [...plan.untag] })));
    return;
  }
  await call(`tag ${plan.functionName}`, () => deps.lambda.send(new TagResourceCommand({ Resource: arn, Tags: { ...plan.tags } })));
  try {
    await put();
  } catch (err) {
    const before = Object.keys(plan.tags).filter((k) => tags[k] !== undefined);
    const added = Object.keys(plan.tags).filter((k) => tags[k] === undefined);
    if (added.length > 0) await deps.lambda.send(new UntagResourceCommand({ Resource: arn, TagKeys: added }));
    if (before.length > 0) await deps.lambda.send(new TagResourceCommand({ Resource: arn, Tags: Object.fromEntries(before.map((k) => [k, tags[k]!])) }));
    throw err;
  }
}
