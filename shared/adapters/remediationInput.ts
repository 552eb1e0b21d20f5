import { z } from 'zod';
import { InvalidEventError } from '../errors.js';
import { updateMode } from '../policy/schema.js';

// What the SSM Automation documents pass to the remediation functions (InputPayload). SSM
// passes parameters as strings; booleans and numbers are accepted in both forms.
const flag = z.union([z.boolean(), z.enum(['true', 'false']).transform((s) => s === 'true')]);
const functionName = z
  .string()
  .trim()
  .min(1, 'is required')
  .max(170)
  .regex(/^[a-zA-Z0-9-_:.]+$/, 'must be a Lambda function name or ARN');

export const notifyInputSchema = z
  .object({
    functionName,
    /** Minutes during which the same function with the same findings is not announced again. */
    quietPeriodMinutes: z.coerce.number().int().min(0).max(525_600).optional(),
  })
  .strict();

export const switchModeInputSchema = z
  .object({
    functionName,
    dryRun: flag.default(false),
    /** Critical-tier functions are left alone unless this says otherwise. */
    allowCritical: flag.default(false),
    /** An explicit mode instead of the one the policy asks for ("Policy" = the policy decides). */
    mode: z.union([z.literal('Policy'), updateMode]).default('Policy'),
  })
  .strict();

export type NotifyInput = z.output<typeof notifyInputSchema>;
export type SwitchModeInput = z.output<typeof switchModeInputSchema>;

export function parseInput<T extends z.ZodType>(schema: T, input: unknown, what: string): z.output<T> {
  const r = schema.safeParse(input);
  if (!r.success) throw new InvalidEventError(`Invalid ${what} input: ${r.error.issues.map((i) => `${i.path.join('.') || '(input)'}: ${i.message}`).join('; ')}`);
  return r.data;
}
