import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { ROOT } from './fixtures.js';

/** An API payload for botocore's model, or a resource property for its CloudFormation schema. */
export type ModelCheck =
  | { readonly id: string; readonly api: string; readonly params: unknown }
  | { readonly id: string; readonly resource: string; readonly property: string; readonly value: unknown };

export interface ModelResult {
  readonly id: string;
  readonly errors: string[];
}

/** Each check through test/aws-models/validate_payloads.py (botocore's ParamValidator, cfn-lint's schemas). */
export function validateModels(checks: readonly ModelCheck[]): ModelResult[] {
  const out = execFileSync(join(ROOT, '.venv', 'bin', 'python'), [join(ROOT, 'test', 'aws-models', 'validate_payloads.py')], { input: JSON.stringify(checks), encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  return JSON.parse(out) as ModelResult[];
}

/** Every error of every check, as `id: error`. */
export const modelErrors = (checks: readonly ModelCheck[]): string[] => validateModels(checks).flatMap((r) => r.errors.map((e) => `${r.id}: ${e}`));
