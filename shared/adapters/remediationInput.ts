import * as z from '../schema/zod.js';
import { issueLines } from '../schema/zod.js';
import { InvalidEventError } from '../errors.js';
import { updateMode } from '../policy/schema.js';

// What the SSM Automation documents pass to the remediation functions (InputPayload). SSM
// passes parameters as strings; booleans and numbers are accepted in both forms.
const flag = z.union([z.boolean(), z.pipe(z.enum(['true', 'false']), z.transform((s) => s === 'true'))]);
/**
 * A function name, or its full or partial ARN (Lambda API Reference, GetFunctionConfiguration,
 * FunctionName: at most 170 characters). A qualifier (`:3`, `:prod`) is refused: the remediation
 * acts on the function, and its runtime management configuration and tags belong to the function,
 * so reading a version while writing `$LATEST` would change what was not read.
 */
const FUNCTION_REFERENCE = /^(?:arn:aws[a-zA-Z-]*:lambda:[a-z]{2}(?:-gov|-iso[a-z]?)?-[a-z]+-\d:\d{12}:function:|\d{12}:function:)?([a-zA-Z0-9_.-]+)(?::(\$LATEST|[a-zA-Z0-9_-]+))?$/;
const functionName = z.string().check(
  z.trim(),
  z.minLength(1, 'is required'),
  z.maxLength(170),
  z.superRefine((value, ctx) => {
    const m = FUNCTION_REFERENCE.exec(value);
    if (!m) ctx.addIssue({ code: 'custom', message: 'must be a Lambda function name or ARN' });
    else if (m[2] !== undefined) ctx.addIssue({ code: 'custom', message: `names ${m[2] === '$LATEST' ? '$LATEST' : `version or alias ${m[2]}`} of ${m[1]}: give the function's name or unqualified ARN (remediation acts on the function, not one of its versions)` });
  }),
);

/** A non-negative whole number, or its decimal digits as SSM passes parameters; nothing else. */
const minutes = z.pipe(
  z.union([z.number().check(z.int(), z.gte(0)), z.pipe(z.string().check(z.regex(/^\d{1,6}$/, 'must be a whole number of minutes')), z.transform(Number))]),
  z.number().check(z.lte(525_600)),
);

export const notifyInputSchema = z.strictObject({
  functionName,
  /** Minutes during which the same function with the same findings is not announced again. */
  quietPeriodMinutes: z.optional(minutes),
});

export const switchModeInputSchema = z.strictObject({
  functionName,
  dryRun: z._default(flag, false),
  /** Critical-tier functions are left alone unless this says otherwise. */
  allowCritical: z._default(flag, false),
  /** An explicit mode instead of the one the policy asks for ("Policy" = the policy decides). */
  mode: z._default(z.union([z.literal('Policy'), updateMode]), 'Policy'),
});

export type NotifyInput = z.output<typeof notifyInputSchema>;
export type SwitchModeInput = z.output<typeof switchModeInputSchema>;

export function parseInput<T extends z.ZodMiniType>(schema: T, input: unknown, what: string): z.output<T> {
  const r = schema.safeParse(input);
  if (!r.success) throw new InvalidEventError(`Invalid ${what} input: ${issueLines(r.error, '(input)').join('; ')}`);
  return r.data;
}
