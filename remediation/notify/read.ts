import { GetFunctionCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import { factsFromFunctionConfiguration } from '../../shared/adapters/lambdaApi.js';
import { RemediationError } from '../../shared/errors.js';
import type { FunctionFacts } from '../../shared/facts/functionFacts.js';
import { awsError, isNotFound } from '../../shared/io/awsErrors.js';

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
 */
export async function readForAlert(lambda: Pick<LambdaClient, 'send'>, functionName: string, where: { accountId: string; region: string }): Promise<FunctionFacts> {
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
  return factsFromFunctionConfiguration(out.Configuration, { tags: out.Tags ?? {} });
}
