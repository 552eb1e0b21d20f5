import type { LambdaClient } from '@aws-sdk/client-lambda';
import { factsFromFunctionConfiguration, type LambdaFunctionConfiguration } from '../adapters/lambdaApi.js';
import { RemediationError } from '../errors.js';
import type { FunctionFacts } from '../facts/functionFacts.js';
import { awsError, isNotFound } from './awsErrors.js';
import { listVersions, readFunction, type RuntimeManagementReader } from './lambdaInventory.js';

/**
 * Reads one function for a remediation and turns what can go wrong into a message the automation
 * step can show: the function is gone, or a permission is missing.
 */
export async function remediationFacts(
  lambda: Pick<LambdaClient, 'send'>,
  functionName: string,
  modes: RuntimeManagementReader | undefined,
  where: { accountId: string; region: string },
  options: { withVersions?: boolean } = {},
): Promise<{ facts: FunctionFacts; runtimeVersionInUse: string | undefined; versions: LambdaFunctionConfiguration[] }> {
  try {
    const { configuration, tags, management } = await readFunction(lambda, functionName, modes);
    return {
      facts: factsFromFunctionConfiguration(configuration, { tags, ...management }),
      runtimeVersionInUse: configuration.RuntimeVersionConfig?.RuntimeVersionArn,
      versions: options.withVersions ? await listVersions(lambda, configuration.FunctionName!) : [],
    };
  } catch (err) {
    if (err instanceof RemediationError) throw err;
    if (isNotFound(err)) throw new RemediationError(`Function ${functionName} does not exist in account ${where.accountId}, region ${where.region}: nothing to remediate.`, { cause: err });
    const e = awsError(err);
    throw new RemediationError(`Cannot read function ${functionName}: ${e.name}: ${e.message}`, { cause: err });
  }
}
