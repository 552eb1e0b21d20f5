import { z } from 'zod';
import { InvalidEventError } from '../errors.js';
import { updateMode } from '../policy/schema.js';

// What the SSM Automation documents pass to the remediation functions (InputPayload). SSM
// passes parameters as strings; booleans and numbers are accepted in both forms.
const flag = z.union([z.boolean(), z.enum(['true', 'false']).transform((s) => s === 'true')]);
/**
 * A function name, or its full or partial ARN (Lambda API Reference, GetFunctionConfiguration,
 * FunctionName: at most 170 characters). A qualifier (`:3`, `:prod`) is refused: the remediation
 * acts on the function, and its runtime management configuration and tags belong to the function,
 * so reading a version while writing `$LATEST` would change what was not read.
 */
const FUNCTION_REFERENCE = /^(?:arn:aws[a-zA-Z-]*:lambda:[a-z]{2}(?:-gov|-iso[a-z]?)?-[a-z]+-\d:\d{12}:function:|\d{12}:function:)?([a-zA-Z0-9_.-]+)(?::(\$LATEST|[a-zA-Z0-9_-]+))?$/;
const functionName = z
  .string()
  .trim()
  .min(1, 'is required')
  .max(170)
  .superRefine((value, ctx) => {
    const m = FUNCTION_REFERENCE.exec(value);
    if (!m) ctx.addIssue({ code: 'custom', message: 'must be a Lambda function name or ARN' });
    else if (m[2] !== undefined) ctx.addIssue({ code: 'custom', message: `names ${m[2] === '$LATEST' ? '$LATEST' : `version or alias ${m[2]}`} of ${m[1]}: give the function's name or unqualified ARN (remediation acts on the function, not one of its versions)` });
  });

/** A non-negative whole number, or its decimal digits as SSM passes parameters; nothing else. */
const minutes = z.union([z.number().int().min(0), z.string().regex(/^\d{1,6}$/, 'must be a whole number of minutes').transform(Number)]).pipe(z.number().max(525_600));

export const notifyInputSchema = z
  .object({
    functionName,
    /** Minutes during which the same function with the same findings is not announced again. */
    quietPeriodMinutes: minutes.optional(),
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
