import * as z from '../schema/zod.js';
import { issueLines } from '../schema/zod.js';
import { InvalidEventError } from '../errors.js';
import { LAMBDA_FUNCTION_TYPES } from '../facts/functionFacts.js';


const nonEmpty = z.string().check(z.minLength(1));
const envelope = z.object({
  clientRequestToken: nonEmpty,
  awsAccountId: z.optional(z.string()),
  stackId: z.optional(z.string()),
  hookTypeName: z.optional(z.string()),
  actionInvocationPoint: z.enum(['CREATE_PRE_PROVISION', 'UPDATE_PRE_PROVISION', 'DELETE_PRE_PROVISION']),
  requestData: z.looseObject({ targetType: nonEmpty, targetLogicalId: z.optional(z.string()) }),
});

const properties = z.nullish(z.record(z.string(), z.unknown()));
const resourceRequest = z.object({
  targetName: z.optional(z.string()),
  targetType: z.string(),
  // Blank for a Cloud Control API operation, which has no stack.
  targetLogicalId: z.optional(z.string()),
  targetModel: z.object({ resourceProperties: properties, previousResourceProperties: properties }),
});

export type HookAction = 'CREATE' | 'UPDATE' | 'DELETE';

export interface HookRequest {
  readonly clientRequestToken: string;
  readonly action: HookAction;
  readonly accountId: string | undefined;
  readonly region: string | undefined;
  readonly stackId: string | undefined;
  readonly targetType: string;
  readonly logicalId: string | undefined;
  /** Present for a Lambda function target (RESOURCE operations). */
  readonly resource?: {
    readonly properties: Record<string, unknown>;
    readonly previousProperties: Record<string, unknown> | undefined;
  };
  /** Present for STACK and CHANGE_SET targets: where CloudFormation put the template. */
  readonly stack?: { readonly kind: StackTargetType; readonly payloadUrl: string };
}

export const STACK_TARGET_TYPES = ['STACK', 'CHANGE_SET'] as const;
export type StackTargetType = (typeof STACK_TARGET_TYPES)[number];

// A presigned S3 URL (Hooks User Guide, "Create Lambda functions to evaluate resources for Lambda
// Hooks", stack and change set sections); http is accepted for S3-compatible emulators.
const stackRequest = z.object({
  payload: z.url({ protocol: /^https?$/, error: 'must be the http(s) URL of the hook payload' }),
});

const describe = (error: z.core.$ZodError): string => issueLines(error, '(event)').join('; ');

/** The request token of any event that has one, so that even a rejected event gets it echoed. */
export function requestTokenOf(event: unknown): string {
  const token = (event as { clientRequestToken?: unknown } | null)?.clientRequestToken;
  return typeof token === 'string' ? token : '';
}

/** Parses a CloudFormation Lambda hook invocation. Throws InvalidEventError saying what is wrong. */
export function parseHookEvent(event: unknown): HookRequest {
  const env = envelope.safeParse(event);
  if (!env.success) throw new InvalidEventError(`Not a CloudFormation hook event: ${describe(env.error)}`);
  const e = env.data;
  const base = {
    clientRequestToken: e.clientRequestToken,
    action: e.actionInvocationPoint.replace('_PRE_PROVISION', '') as HookAction,
    accountId: e.awsAccountId,
    // arn:aws:cloudformation:REGION:ACCOUNT:stack/NAME/ID
    region: e.stackId?.split(':')[3] || undefined,
    stackId: e.stackId,
    targetType: e.requestData.targetType,
    logicalId: e.requestData.targetLogicalId,
  };
  const targetType = e.requestData.targetType;
  if ((STACK_TARGET_TYPES as readonly string[]).includes(targetType)) {
    const req = stackRequest.safeParse(e.requestData);
    if (!req.success) throw new InvalidEventError(`Malformed requestData for ${targetType}: ${describe(req.error)}`);
    return { ...base, stack: { kind: targetType as StackTargetType, payloadUrl: req.data.payload } };
  }
  if (!LAMBDA_FUNCTION_TYPES.includes(targetType)) return base;
  const req = resourceRequest.safeParse(e.requestData);
  if (!req.success) throw new InvalidEventError(`Malformed requestData for ${e.requestData.targetType}: ${describe(req.error)}`);
  const model = req.data.targetModel;
  return {
    ...base,
    resource: { properties: model.resourceProperties ?? {}, previousProperties: model.previousResourceProperties ?? undefined },
  };
}
