import * as z from '../schema/zod.js';

// CloudFormation custom resources: the request, and the answer PUT to its pre-signed ResponseURL
// (CloudFormation User Guide, "Custom resources": request and response objects). Whatever
// happens, CloudFormation gets an answer: a custom resource left unanswered hangs the stack for
// an hour.

export const customResourceEvent = z.object({
  RequestType: z.enum(['Create', 'Update', 'Delete']),
  ResponseURL: z.url(),
  StackId: z.string(),
  RequestId: z.string(),
  LogicalResourceId: z.string(),
  PhysicalResourceId: z.optional(z.string()),
});
export type CustomResourceEvent = z.output<typeof customResourceEvent>;

export type Respond = (url: string, body: string) => Promise<void>;

export interface Outcome {
  readonly physicalResourceId: string;
  readonly data?: Record<string, string>;
}

/** Runs `work` for the request and answers CloudFormation: SUCCESS with its data, or FAILED with `failure(error)`. */
export async function answerCustomResource<T extends Outcome>(e: CustomResourceEvent, respond: Respond, work: () => Promise<T>, failure: (error: unknown) => string): Promise<T | undefined> {
  let outcome: T | undefined;
  let reason = '';
  try {
    outcome = await work();
  } catch (error) {
    reason = failure(error);
  }
  await respond(
    e.ResponseURL,
    JSON.stringify({
      Status: outcome ? 'SUCCESS' : 'FAILED',
      Reason: reason || `${e.LogicalResourceId}: ${e.RequestType} done`,
      PhysicalResourceId: outcome?.physicalResourceId ?? e.PhysicalResourceId ?? e.LogicalResourceId,
      StackId: e.StackId,
      RequestId: e.RequestId,
      LogicalResourceId: e.LogicalResourceId,
      ...(outcome?.data && { Data: outcome.data }),
    }),
  );
  return outcome;
}

/** PUT to the pre-signed URL; S3 refuses a content type it did not sign. */
export async function putResponse(url: string, body: string): Promise<void> {
  const res = await fetch(url, { method: 'PUT', body, headers: { 'content-type': '' } });
  if (!res.ok) throw new Error(`CloudFormation response refused: HTTP ${res.status}`);
}
