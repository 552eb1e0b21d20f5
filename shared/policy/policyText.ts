import { PolicyValidationError } from '../errors.js';
import { loadYaml } from '../yaml.js';
import { parsePolicy, type Policy } from './policy.js';

// Apart from the policy itself: the YAML reader is needed only when a policy arrives as text, and
// the hook's default deployment judges by the bundled policy, so its cold start never loads it.

/** Parses policy text, JSON or YAML (JSON is YAML), then validates it. */
export function parsePolicyText(text: string, source = 'policy document'): Policy {
  let input: unknown;
  try {
    // A policy is a few kilobytes: far fewer nodes than a template may hold.
    input = loadYaml(text, undefined, 10_000);
  } catch (err) {
    throw new PolicyValidationError([`not valid JSON or YAML: ${(err as Error).message}`], source);
  }
  return parsePolicy(input, source);
}
