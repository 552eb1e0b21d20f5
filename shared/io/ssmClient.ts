import type { SSMClient, SSMClientConfig } from '@aws-sdk/client-ssm';

export type Ssm = Pick<SSMClient, 'send'>;
/** Where a reader gets its SSM client: created on first use, or given (tests, the CLI). */
export type SsmSource = () => Ssm | Promise<Ssm>;

/**
 * An SSM client created on first use. The SDK is loaded then, not at module init: the hook's
 * cold start stays at its own code, and a deployment whose policy and catalog are both bundled
 * never loads it.
 */
export function lazySsmClient(config: SSMClientConfig = {}): () => Promise<SSMClient> {
  let client: Promise<SSMClient> | undefined;
  return () => (client ??= import('@aws-sdk/client-ssm').then((m) => new m.SSMClient(config)));
}
