import { PolicySourceError } from '../errors.js';
import { DEFAULT_POLICY, type Policy } from '../policy/policy.js';
import type { Ssm, SsmSource } from './ssmClient.js';

export type PolicyLoader = () => Promise<Policy>;

/** `default` (or nothing) selects the bundled policy; anything else names an SSM parameter. */
export function isBundledPolicy(source: string | undefined): boolean {
  return source === undefined || source.trim() === '' || source.trim().toLowerCase() === 'default';
}

/**
 * Loads the policy once per container and keeps it. A failure is not kept, so the next
 * invocation tries again instead of failing until the container is recycled.
 */
export function cachedPolicyLoader(source: string | undefined, ssm: SsmSource): PolicyLoader {
  if (isBundledPolicy(source)) return () => Promise.resolve(DEFAULT_POLICY);
  const name = source!.trim();
  let cached: Promise<Policy> | undefined;
  return () => {
    cached ??= Promise.resolve(ssm()).then((client) => loadFromSsm(name, client)).catch((err: unknown) => {
      cached = undefined;
      throw err;
    });
    return cached;
  };
}

async function loadFromSsm(name: string, ssm: Ssm): Promise<Policy> {
  // Loaded on first use: a deployment that judges by the bundled policy never pays for them.
  const [{ GetParameterCommand }, { parsePolicyText }] = await Promise.all([import('@aws-sdk/client-ssm'), import('../policy/policyText.js')]);
  let text: string | undefined;
  try {
    const out = await ssm.send(new GetParameterCommand({ Name: name, WithDecryption: true }));
    text = out.Parameter?.Value;
  } catch (err) {
    const e = err as { name?: string; message?: string };
    throw new PolicySourceError(`Cannot read policy from SSM parameter ${name}: ${e.name ?? 'Error'}: ${e.message ?? String(err)}`, { cause: err });
  }
  if (text === undefined) throw new PolicySourceError(`SSM parameter ${name} has no value`);
  return parsePolicyText(text, `policy in SSM parameter ${name}`);
}
