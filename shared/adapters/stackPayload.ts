import * as z from '../schema/zod.js';
import { issueLines } from '../schema/zod.js';
import { InvalidEventError } from '../errors.js';
import type { StackOperation } from '../template/stackReview.js';
import type { StackTargetType } from './hookEvent.js';

// The payload's shape: Hooks User Guide, "Create Lambda functions to evaluate resources for Lambda
// Hooks" (stack and change set sections). Fields we do not read are let through.
const changedResource = z.looseObject({
  action: z.string(),
  logicalResourceId: z.string(),
  resourceType: z.optional(z.string()),
});
const payloadSchema = z.looseObject({
  template: z.optional(z.nullable(z.string())),
  previousTemplate: z.optional(z.nullable(z.string())),
  changedResources: z.optional(z.nullable(z.array(changedResource))),
});

/** Reads the JSON document a stack or change set hook fetched from its payload URL. */
export function parseStackPayload(kind: StackTargetType, text: string): StackOperation {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new InvalidEventError(`The ${kind} hook payload is not JSON: ${(err as Error).message}`);
  }
  const p = payloadSchema.safeParse(json);
  if (!p.success) throw new InvalidEventError(`Malformed ${kind} hook payload: ${issueLines(p.error, '(payload)').join('; ')}`);
  return {
    kind,
    template: p.data.template ?? '',
    ...(p.data.previousTemplate && { previousTemplate: p.data.previousTemplate }),
    ...(p.data.changedResources && { changedResources: p.data.changedResources }),
  };
}
