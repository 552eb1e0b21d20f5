import { getStringFromEnv } from '@aws-lambda-powertools/commons/utils/env';
import { Logger } from '@aws-lambda-powertools/logger';
import { DeleteObjectsCommand, ListObjectVersionsCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { SSMClient } from '@aws-sdk/client-ssm';
import { guardRules } from '../../shared/guard/generate.js';
import { messageAttributes, singleLine } from '../../shared/remediation/notification.js';
import { describeError } from '../../shared/io/awsErrors.js';
import { answerCustomResource, customResourceEvent, putResponse, type Outcome, type Respond } from '../../shared/io/customResource.js';
import { cachedCatalogLoader, policyWithCatalog } from '../../shared/io/catalogSource.js';
import { cachedPolicyLoader, isBundledPolicy, type PolicyLoader } from '../../shared/io/policySource.js';
import { guardRulesProblems } from './selfCheck.js';

// Publishes the Guard rules generated from the policy to the S3 object the Guard hook reads: as a
// CloudFormation custom resource (so the rules exist before the hook does, and go with the
// stack), and daily from a schedule, because the rules hold the allowed runtimes of one day.

export interface GuardRulesDependencies {
  readonly s3: Pick<S3Client, 'send'>;
  readonly bucket: string;
  readonly key: string;
  readonly loadPolicy: PolicyLoader;
  readonly policyName: string;
  readonly now: () => number;
  readonly logger: Logger;
  /** Sends the custom resource response to CloudFormation's pre-signed URL. */
  readonly respond: Respond;
  /** Tells the alert topic that the rules were not published. */
  readonly alert: (subject: string, message: string) => Promise<void>;
  /** The rules text for a policy (the generator; replaced in tests by one that goes wrong). */
  readonly generate?: typeof guardRules;
}

export type PublishResult =
  | { readonly uri: string; readonly published: true; readonly versionId?: string; readonly bytes: number }
  | { readonly uri: string; readonly published: false; readonly problems: readonly string[] };

export function createHandler(deps: GuardRulesDependencies): (event: unknown) => Promise<PublishResult | undefined> {
  const uri = `s3://${deps.bucket}/${deps.key}`;
  const { generate = guardRules } = deps;
  const publish = async (): Promise<PublishResult> => {
    const policy = await deps.loadPolicy();
    const { asOf, source } = policy.base.origin;
    const rules = generate(policy, deps.now(), `${deps.policyName}, runtime catalog as of ${asOf} (${source})`);
    // The object is left as it is: the Guard hook keeps reading the last rules that passed.
    const problems = guardRulesProblems(rules);
    if (problems.length > 0) {
      deps.logger.error('guard rules not published: the generated file fails its check', { uri, problems });
      await deps.alert(
        '[runtime-warden] SECURITY Guard rules not published: the generated file is malformed',
        [
          `runtime-warden generated Guard rules from ${deps.policyName} that fail their structural check, and did not publish them.`,
          `The Guard hook keeps reading the rules last published at ${uri}, which hold the allowed runtimes of the day they were published.`,
          'Find what in the policy produces them (a tier name, a waiver), correct it, and the next run publishes.',
          '',
          'Problems:',
          ...problems.map((p) => `- ${p}`),
        ]
          .map(singleLine)
          .join('\n'),
      );
      return { uri, published: false, problems };
    }
    const out = await deps.s3.send(new PutObjectCommand({ Bucket: deps.bucket, Key: deps.key, Body: rules, ContentType: 'text/plain; charset=utf-8' }));
    deps.logger.info('guard rules published', { uri, versionId: out.VersionId, bytes: rules.length });
    return { uri, published: true, bytes: rules.length, ...(out.VersionId && { versionId: out.VersionId }) };
  };

  return async (event) => {
    const cr = customResourceEvent.safeParse(event);
    if (!cr.success) return publish(); // the daily schedule
    const e = cr.data;
    const outcome = await answerCustomResource(
      e,
      deps.respond,
      async (): Promise<Outcome & { published?: PublishResult }> => {
        if (e.RequestType === 'Delete') {
          await deleteEveryVersion(deps);
          return { physicalResourceId: e.PhysicalResourceId ?? uri, data: { Uri: uri } };
        }
        const published = await publish();
        // A deployment that cannot publish fails, saying why (and the alert went out).
        if (!published.published) throw new Error(`the generated rules fail their check: ${published.problems.join('; ')}`);
        return { physicalResourceId: e.PhysicalResourceId ?? uri, data: { Uri: uri, ...(published.versionId && { VersionId: published.versionId }) }, published };
      },
      (error) => {
        deps.logger.error('guard rules not published', { error: error as Error });
        return `Could not ${e.RequestType === 'Delete' ? 'delete' : 'publish'} the Guard rules at ${uri}: ${describeError(error)}`;
      },
    );
    return outcome?.published;
  };
}

/**
 * The bucket is versioned: a plain DeleteObject only adds a delete marker, and a bucket that still
 * holds versions cannot be deleted (S3 User Guide, "Deleting object versions from a
 * versioning-enabled bucket"), which fails the stack's deletion. Every version and delete marker of
 * the rules object goes, page by page (ListObjectVersions pages hold up to 1,000 entries, as many
 * as one DeleteObjects call takes).
 */
async function deleteEveryVersion(deps: GuardRulesDependencies): Promise<void> {
  let KeyMarker: string | undefined;
  let VersionIdMarker: string | undefined;
  do {
    const page = await deps.s3.send(new ListObjectVersionsCommand({ Bucket: deps.bucket, Prefix: deps.key, KeyMarker, VersionIdMarker }));
    const objects = [...(page.Versions ?? []), ...(page.DeleteMarkers ?? [])].filter((v) => v.Key === deps.key).map((v) => ({ Key: v.Key!, VersionId: v.VersionId! }));
    if (objects.length > 0) {
      const out = await deps.s3.send(new DeleteObjectsCommand({ Bucket: deps.bucket, Delete: { Objects: objects, Quiet: true } }));
      const failed = out.Errors ?? [];
      if (failed.length > 0) throw new Error(`${failed.length} versions not deleted, e.g. ${failed[0]!.VersionId}: ${failed[0]!.Code} ${failed[0]!.Message}`);
    }
    ({ NextKeyMarker: KeyMarker, NextVersionIdMarker: VersionIdMarker } = page.IsTruncated ? page : { NextKeyMarker: undefined, NextVersionIdMarker: undefined });
  } while (KeyMarker !== undefined);
  deps.logger.info('guard rules deleted, every version', { bucket: deps.bucket, key: deps.key });
}

/** Publishes to the alert topic, as an error subscribers filtering on severity receive. */
export function topicAlert(sns: Pick<SNSClient, 'send'>, topicArn: string): GuardRulesDependencies['alert'] {
  return async (subject, message) => {
    await sns.send(new PublishCommand({ TopicArn: topicArn, Subject: subject, Message: message, MessageAttributes: messageAttributes({ severity: 'error' }) }));
  };
}

function fromEnvironment(): GuardRulesDependencies {
  const source = getStringFromEnv({ key: 'POLICY_SOURCE', defaultValue: 'default' });
  const ssm = new SSMClient({ retryMode: 'adaptive', maxAttempts: 4 });
  const logger = new Logger({ serviceName: 'runtime-warden-guard-rules' });
  return {
    s3: new S3Client({ retryMode: 'adaptive', maxAttempts: 4 }),
    bucket: getStringFromEnv({ key: 'RULES_BUCKET' }),
    key: getStringFromEnv({ key: 'RULES_KEY', defaultValue: 'runtime-warden.guard' }),
    // Read afresh on each run: the daily publication must follow policy and catalog changes in a
    // warm container (a catalog change starts a run: Parameter Store Change event).
    loadPolicy: () => policyWithCatalog(cachedPolicyLoader(source, () => ssm), cachedCatalogLoader(process.env.CATALOG_PARAMETER, () => ssm, { ttlMs: 0, onProblem: (m) => logger.error(m) }))(),
    policyName: isBundledPolicy(source) ? 'the bundled default policy' : `SSM parameter ${source}`,
    now: Date.now,
    logger,
    respond: putResponse,
    alert: topicAlert(new SNSClient({ retryMode: 'adaptive', maxAttempts: 4 }), getStringFromEnv({ key: 'ALERT_TOPIC_ARN' })),
  };
}

let configured: ReturnType<typeof createHandler> | undefined;
export const handler = async (event: unknown): Promise<PublishResult | undefined> => (configured ??= createHandler(fromEnvironment()))(event);
