import { PolicySourceError } from '../errors.js';
import { DEFAULT_POLICY, type Policy } from '../policy/policy.js';
import type { Ssm, SsmSource } from './ssmClient.js';

export type PolicyLoader = () => Promise<Policy>;

/** `default` (or nothing) selects the bundled policy; anything else names an SSM parameter. */
export function isBundledPolicy(source: string | undefined): boolean {
  return source === undefined || source.trim() === '' || source.trim().toLowerCase() === 'default';
}

export interface PolicyLoaderOptions {
  /**
   * How long a read policy is kept. A revoked waiver or a tightened rule reaches every warm
   * container within this bound (default 5 minutes, as the catalog).
   */
  readonly ttlMs?: number;
  readonly now?: () => number;
  /** Told when a re-read fails or the parameter now holds an invalid policy: the last good one stays. */
  readonly onProblem?: (message: string) => void;
}

export const POLICY_TTL_MS = 300_000;

/**
 * Loads the policy at most once per `ttlMs` per container. The first load's failure is thrown
 * (and not kept: the next invocation tries again); a later re-read that fails, or finds a policy
 * that does not validate, keeps the last good policy and is reported, so that a broken or
 * tampered parameter neither stops every deployment nor loosens the control.
 */
export function cachedPolicyLoader(source: string | undefined, ssm: SsmSource, options: PolicyLoaderOptions = {}): PolicyLoader {
  if (isBundledPolicy(source)) return () => Promise.resolve(DEFAULT_POLICY);
  const name = source!.trim();
  const { ttlMs = POLICY_TTL_MS, now = Date.now, onProblem = (message: string) => console.error(JSON.stringify({ level: 'ERROR', message })) } = options;
  let good: Policy | undefined;
  let readAt = Number.NEGATIVE_INFINITY;
  let pending: Promise<Policy> | undefined;
  return () => {
    if (good && now() - readAt < ttlMs) return Promise.resolve(good);
    pending ??= Promise.resolve(ssm())
      .then((client) => loadFromSsm(name, client))
      .then(
        (policy) => {
          readAt = now();
          return (good = policy);
        },
        (err: unknown) => {
          if (!good) throw err;
          onProblem(`policy in SSM parameter ${name} not re-read (${(err as Error).message}); judging by the policy read before`);
          return good;
        },
      )
      .finally(() => (pending = undefined));
    return pending;
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
