import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import type { LambdaClient } from '@aws-sdk/client-lambda';
import type { FunctionFacts } from '../../shared/facts/functionFacts.js';
import { versionsState, type FunctionState } from '../../shared/io/functionState.js';
import { listVersions, publishedVersionsInUse, versionEventSourceMappings, type RuntimeManagementReader } from '../../shared/io/lambdaInventory.js';
import type { Policy } from '../../shared/policy/policy.js';
import { withRuntimeManagement } from '../../shared/adapters/lambdaApi.js';

// The one reader of what only the Lambda API knows about a function: its update mode, its
// published versions and what invokes those that break the policy. The change-triggered path,
// the sweep and a pass meeting a function without state all read through it, and what it read is
// stored at once, for both rules.

export interface FunctionReaders {
  readonly lambda: Pick<LambdaClient, 'send'>;
  readonly cloudWatch?: Pick<CloudWatchClient, 'send'> | undefined;
  /** Absent: update modes are not read (checkUpdateMode false). */
  readonly modes: RuntimeManagementReader | undefined;
}

export interface ReadParts {
  readonly mode: boolean;
  readonly versions: boolean;
}

/**
 * Reads the parts asked for. The versions' signals are read for those breaking the policy now,
 * judged with the function's tags and the mode just read; one function's versions are held only
 * while it is read.
 */
export async function readFunctionState(readers: FunctionReaders, facts: FunctionFacts, parts: ReadParts, policy: Policy, now: number): Promise<FunctionState> {
  const at = new Date(now).toISOString();
  let mode: FunctionState['mode'];
  if (parts.mode && readers.modes) {
    mode = facts.packageType === 'Image' ? { at, unread: 'container image: no runtime update mode' } : { at, ...(await readers.modes.read(facts.name)) };
  }
  let versions: FunctionState['versions'];
  if (parts.versions) {
    const listed = await listVersions(readers.lambda, facts.name);
    const withMode = withRuntimeManagement(facts, mode);
    const uses = await publishedVersionsInUse({ lambda: readers.lambda, cloudWatch: readers.cloudWatch, mappings: versionEventSourceMappings(readers.lambda) }, withMode, listed, policy, now);
    versions = versionsState(at, listed, uses);
  }
  return { name: facts.name, ...(mode && { mode }), ...(versions && { versions }) };
}
