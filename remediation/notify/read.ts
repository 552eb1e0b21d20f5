import { GetFunctionCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import { factsFromFunctionConfiguration } from '../../shared/adapters/lambdaApi.js';
import { recommendedTarget, withLayers } from '../../shared/config/layers.js';
import { RemediationError } from '../../shared/errors.js';
import { evaluate } from '../../shared/evaluation/evaluate.js';
import type { FunctionFacts } from '../../shared/facts/functionFacts.js';
import { awsError, isNotFound } from '../../shared/io/awsErrors.js';
import type { LayerCache } from '../../shared/io/layerCache.js';
import type { Policy } from '../../shared/policy/policy.js';
import type { AlertFacts } from '../../shared/remediation/notification.js';

/** What the alert needs to say which layer versions block a move: the kept versions, and the policy that names the target. */
export interface AlertLayerReads {
  /** Kept versions first (BatchGetItem), one GetLayerVersion per version not kept. */
  readonly cache: LayerCache;
  readonly policy: Policy;
  readonly now: number;
}

/**
 * The function as an alert needs it, in ONE Lambda call: GetFunction returns the configuration
 * and the tags together (Lambda API Reference, GetFunction: `Configuration`, `Tags`, and
 * `TagsError` when the tags could not be read), and it has a bucket of its own, 100 requests per
 * second per account and region, apart from the 15 per second that Lambda's other control-plane
 * calls and the account's own deployments share (Lambda Developer Guide, "Lambda quotas", Lambda
 * API requests). A burst of alerts therefore never takes from the account's deployments.
 * GetFunction returns tags only to a caller also allowed lambda:ListTags (same reference, Tags):
 * the notify role has both.
 * The update mode is not read here: GetRuntimeManagementConfig spends the shared bucket, and the
 * mode has a rule and a remediation of its own (UpdateModeRule, switch-mode).
 * With `layers`, a function that must move (the policy names a target runtime) also gets what
 * its layer versions declare: the alert then names each that blocks the move.
 */
export async function readForAlert(lambda: Pick<LambdaClient, 'send'>, functionName: string, where: { accountId: string; region: string }, layers?: AlertLayerReads): Promise<AlertFacts> {
  let out;
  try {
    out = await lambda.send(new GetFunctionCommand({ FunctionName: functionName }));
  } catch (err) {
    if (isNotFound(err)) throw new RemediationError(`Function ${functionName} does not exist in account ${where.accountId}, region ${where.region}: nothing to remediate.`, { cause: err });
    const e = awsError(err);
    throw new RemediationError(`Cannot read function ${functionName}: ${e.name}: ${e.message}`, { cause: err });
  }
  // Tags decide the tier, the owner and waivers: unread tags are no tags only by mistake.
  if (out.TagsError) throw new RemediationError(`Cannot read the tags of ${functionName}: ${out.TagsError.ErrorCode}: ${out.TagsError.Message}`);
  if (!out.Configuration) throw new RemediationError(`Cannot read function ${functionName}: GetFunction returned no configuration.`);
  const facts: FunctionFacts = factsFromFunctionConfiguration(out.Configuration, { tags: out.Tags ?? {} });
  return layers ? withLayerReads(facts, layers) : facts;
}

/** The function's layer versions, read only when it must move: otherwise none of them blocks anything. */
async function withLayerReads(facts: FunctionFacts, { cache, policy, now }: AlertLayerReads): Promise<AlertFacts> {
  if (facts.layers.length === 0 || recommendedTarget(evaluate(facts, policy, now)) === undefined) return facts;
  let kept;
  try {
    kept = await cache.read(facts.layers);
  } catch (err) {
    // The state table unreadable: every layer is said unread; the alert still goes out.
    const e = awsError(err);
    return { ...facts, layerVersions: [], layerGaps: { notRead: [], unreadable: facts.layers.map((arn) => ({ arn, reason: `${e.name}: ${e.message}`.slice(0, 200) })) } };
  }
  const l = withLayers(facts, kept);
  return { ...l.facts, layerGaps: { notRead: l.notRead, unreadable: l.unreadable } };
}
