import { getStringFromEnv } from '@aws-lambda-powertools/commons/utils/env';
import { Logger } from '@aws-lambda-powertools/logger';
import { DeleteObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { SSMClient } from '@aws-sdk/client-ssm';
import { z } from 'zod';
import { guardRules } from '../../shared/guard/generate.js';
import { awsError } from '../../shared/io/awsErrors.js';
import { cachedPolicyLoader, isBundledPolicy, type PolicyLoader } from '../../shared/io/policySource.js';

// Publishes the Guard rules generated from the policy to the S3 object the Guard hook reads: as a
// CloudFormation custom resource (so the rules exist before the hook does, and go with the
// stack), and daily from a schedule, because the rules hold the allowed runtimes of one day.

const customResourceEvent = z.object({
  RequestType: z.enum(['Create', 'Update', 'Delete']),
  ResponseURL: z.string().url(),
  StackId: z.string(),
  RequestId: z.string(),
  LogicalResourceId: z.string(),
  PhysicalResourceId: z.string().optional(),
});

export interface GuardRulesDependencies {
  readonly s3: Pick<S3Client, 'send'>;
  readonly bucket: string;
  readonly key: string;
  readonly loadPolicy: PolicyLoader;
  readonly policyName: string;
  readonly now: () => number;
  readonly logger: Logger;
  /** Sends the custom resource response to CloudFormation's pre-signed URL. */
  readonly respond: (url: string, body: string) => Promise<void>;
}

export interface PublishResult {
  readonly uri: string;
  readonly versionId?: string;
  readonly bytes: number;
}

export function createHandler(deps: GuardRulesDependencies): (event: unknown) => Promise<PublishResult | undefined> {
  const uri = `s3://${deps.bucket}/${deps.key}`;
  const publish = async (): Promise<PublishResult> => {
    const rules = guardRules(await deps.loadPolicy(), deps.now(), deps.policyName);
    const out = await deps.s3.send(new PutObjectCommand({ Bucket: deps.bucket, Key: deps.key, Body: rules, ContentType: 'text/plain; charset=utf-8' }));
    deps.logger.info('guard rules published', { uri, versionId: out.VersionId, bytes: rules.length });
    return { uri, bytes: rules.length, ...(out.VersionId && { versionId: out.VersionId }) };
  };

  return async (event) => {
    const cr = customResourceEvent.safeParse(event);
    if (!cr.success) return publish(); // the daily schedule
    const e = cr.data;
    // Whatever happens, CloudFormation gets an answer: a custom resource left unanswered hangs the stack for an hour.
    let status: 'SUCCESS' | 'FAILED' = 'SUCCESS';
    let reason = '';
    let data: PublishResult | undefined;
    try {
      if (e.RequestType === 'Delete') await deps.s3.send(new DeleteObjectCommand({ Bucket: deps.bucket, Key: deps.key }));
      else data = await publish();
    } catch (err) {
      const x = awsError(err);
      status = 'FAILED';
      reason = `Could not ${e.RequestType === 'Delete' ? 'delete' : 'publish'} the Guard rules at ${uri}: ${x.name}: ${x.message}`;
      deps.logger.error('guard rules not published', { error: err as Error });
    }
    await deps.respond(
      e.ResponseURL,
      JSON.stringify({
        Status: status,
        Reason: reason || `Guard rules at ${uri}`,
        PhysicalResourceId: e.PhysicalResourceId ?? uri,
        StackId: e.StackId,
        RequestId: e.RequestId,
        LogicalResourceId: e.LogicalResourceId,
        Data: { Uri: uri, ...(data?.versionId && { VersionId: data.versionId }) },
      }),
    );
    return data;
  };
}

async function putResponse(url: string, body: string): Promise<void> {
  const res = await fetch(url, { method: 'PUT', body, headers: { 'content-type': '' } });
  if (!res.ok) throw new Error(`CloudFormation response refused: HTTP ${res.status}`);
}

function fromEnvironment(): GuardRulesDependencies {
  const source = getStringFromEnv({ key: 'POLICY_SOURCE', defaultValue: 'default' });
  const ssm = new SSMClient({ retryMode: 'adaptive', maxAttempts: 4 });
  return {
    s3: new S3Client({ retryMode: 'adaptive', maxAttempts: 4 }),
    bucket: getStringFromEnv({ key: 'RULES_BUCKET' }),
    key: getStringFromEnv({ key: 'RULES_KEY', defaultValue: 'runtime-warden.guard' }),
    // Read afresh on each run: the daily publication must follow policy changes in a warm container.
    loadPolicy: () => cachedPolicyLoader(source, () => ssm)(),
    policyName: isBundledPolicy(source) ? 'the bundled default policy' : `SSM parameter ${source}`,
    now: Date.now,
    logger: new Logger({ serviceName: 'runtime-warden-guard-rules' }),
    respond: putResponse,
  };
}

let configured: ReturnType<typeof createHandler> | undefined;
export const handler = async (event: unknown): Promise<PublishResult | undefined> => (configured ??= createHandler(fromEnvironment()))(event);
