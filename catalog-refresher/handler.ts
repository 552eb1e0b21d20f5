import { getStringFromEnv } from '@aws-lambda-powertools/commons/utils/env';
import { Logger } from '@aws-lambda-powertools/logger';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { SSMClient } from '@aws-sdk/client-ssm';
import { DEFAULT_CATALOG, type RuntimeCatalog } from '../shared/catalog/catalog.js';
import { catalogChanges, CatalogError, CatalogRegressionError, describeChanges, hasChanges, type CatalogChanges } from '../shared/catalog/catalogDocument.js';
import { catalogFromPage, RUNTIMES_PAGE_URL } from '../shared/catalog/runtimesPage.js';
import { fetchPage } from '../shared/io/fetchPage.js';
import { describeError } from '../shared/io/awsErrors.js';
import { readCatalogParameter, writeCatalogParameter, type CatalogTier } from '../shared/io/catalogSource.js';
import { answerCustomResource, customResourceEvent, putResponse, type Respond } from '../shared/io/customResource.js';
import { listFunctions } from '../shared/io/lambdaInventory.js';

// Keeps the runtime catalog current: reads AWS's "Lambda runtimes" page daily (and at once when
// AWS Health announces a Lambda lifecycle event, and at deployment as a custom resource), checks it,
// stores it in the SSM parameter every judging function reads, and tells the alert topic what
// changed and how many functions each change touches. A page that fails a check changes nothing:
// the last good catalog stays.

export interface RefresherDependencies {
  readonly fetchPage: (url: string) => Promise<string>;
  readonly ssm: Pick<SSMClient, 'send'>;
  readonly sns: Pick<SNSClient, 'send'>;
  readonly lambda: Pick<LambdaClient, 'send'>;
  readonly parameterName: string;
  /** Advanced when the parameter is shared with other accounts through AWS RAM. */
  readonly tier: CatalogTier;
  readonly topicArn: string;
  readonly sourceUrl: string;
  readonly now: () => number;
  readonly logger: Logger;
  /** Answers a CloudFormation custom resource request. */
  readonly respond: Respond;
}

export interface RefreshResult {
  readonly status: 'refreshed' | 'refused';
  /** The as-of date of the catalog in force after the run. */
  readonly asOf: string;
  readonly changes: readonly string[];
  readonly reasons?: readonly string[];
}

function triggerOf(event: unknown): string {
  if ((event as { source?: unknown } | null)?.source === 'aws.health') return 'an AWS Health lifecycle event';
  return customResourceEvent.safeParse(event).success ? 'the deployment' : 'the daily schedule';
}

/** How many functions of the account and region run each runtime. */
async function functionsByRuntime(lambda: RefresherDependencies['lambda']): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  for (const fn of await listFunctions(lambda, false)) {
    const runtime = fn.latest.Runtime;
    if (runtime) counts.set(runtime, (counts.get(runtime) ?? 0) + 1);
  }
  return counts;
}

function changeLines(changes: CatalogChanges, catalog: RuntimeCatalog, counts: ReadonlyMap<string, number>): string[] {
  return describeChanges(changes, catalog).map(({ id, line }) => {
    const n = counts.get(id) ?? 0;
    return `${line}: ${n} ${n === 1 ? 'function' : 'functions'}`;
  });
}

export function createHandler(deps: RefresherDependencies): (event: unknown) => Promise<RefreshResult | undefined> {
  const refresh = createRefresh(deps);
  return async (event) => {
    const cr = customResourceEvent.safeParse(event);
    if (!cr.success) return refresh(event);
    // At deployment, so that the parameter exists from the start. A page that cannot be read must
    // not fail the deployment (the daily run tries again): the answer is SUCCESS either way.
    const e = cr.data;
    const outcome = await answerCustomResource(
      e,
      deps.respond,
      async () => {
        const result = e.RequestType === 'Delete' ? undefined : await refresh(event);
        return { physicalResourceId: e.PhysicalResourceId ?? deps.parameterName, data: { Parameter: deps.parameterName, ...(result && { Status: result.status, AsOf: result.asOf }) }, result };
      },
      (error) => `The runtime catalog refresh failed: ${describeError(error)}`,
    );
    return outcome?.result;
  };
}

function createRefresh(deps: RefresherDependencies): (event: unknown) => Promise<RefreshResult> {
  const { logger } = deps;
  const publish = (Subject: string, Message: string): Promise<unknown> => deps.sns.send(new PublishCommand({ TopicArn: deps.topicArn, Subject, Message }));
  return async (event) => {
    const trigger = triggerOf(event);
    let previous: RuntimeCatalog = DEFAULT_CATALOG;
    try {
      previous = (await readCatalogParameter(deps.ssm, deps.parameterName)) ?? DEFAULT_CATALOG;
    } catch (error) {
      // A parameter that fails its checks is replaced by the next good refresh.
      logger.error('stored runtime catalog unreadable: comparing with the built-in catalog', { parameter: deps.parameterName, error: error as Error });
    }
    let refreshed;
    try {
      refreshed = catalogFromPage(await deps.fetchPage(deps.sourceUrl), { source: deps.sourceUrl, fetchedAt: new Date(deps.now()) }, previous);
    } catch (error) {
      const reasons = error instanceof CatalogError ? [...error.problems] : [describeError(error)];
      const regression = error instanceof CatalogRegressionError;
      logger.error('runtime catalog refresh refused: the last good catalog stays', { trigger, source: deps.sourceUrl, reasons, asOf: previous.origin.asOf, regression });
      await publish(
        // Its own subject: a page that un-deprecates a runtime is tampering or AWS's error, never routine.
        regression ? '[runtime-warden] SECURITY: runtime catalog refused, it would un-deprecate runtimes' : '[runtime-warden] Runtime catalog refresh refused',
        [
          `The runtime catalog was not refreshed from ${deps.sourceUrl} (started by ${trigger}):`,
          ...reasons.map((r) => `- ${r}`),
          '',
          `The last good catalog stays in force: as of ${previous.origin.asOf} (${previous.origin.source}). Check the page; push a catalog by hand if it has changed its layout (see the README, "Keeping the runtime catalog current").`,
        ].join('\n'),
      );
      return { status: 'refused', asOf: previous.origin.asOf, changes: [], reasons };
    }
    const changes = catalogChanges(previous, refreshed.catalog);
    await writeCatalogParameter(deps.ssm, deps.parameterName, refreshed.catalog, refreshed.names, deps.tier);
    const lines = hasChanges(changes) ? changeLines(changes, refreshed.catalog, await functionsByRuntime(deps.lambda)) : [];
    logger.info('runtime catalog refreshed', { trigger, asOf: refreshed.catalog.origin.asOf, parameter: deps.parameterName, changes: lines });
    if (lines.length > 0) {
      await publish(
        `[runtime-warden] AWS changed the Lambda runtime lifecycle: ${lines.length} ${lines.length === 1 ? 'change' : 'changes'}`,
        [
          `AWS's Lambda runtimes page (${deps.sourceUrl}) changed since the catalog as of ${previous.origin.asOf}; functions in this account and region affected by each change:`,
          ...lines.map((l) => `- ${l}`),
          '',
          `The hook, the Config rule and remediation judge by the new catalog (as of ${refreshed.catalog.origin.asOf}) from now on, and the Guard rules are regenerated.`,
        ].join('\n'),
      );
    }
    return { status: 'refreshed', asOf: refreshed.catalog.origin.asOf, changes: lines };
  };
}

function fromEnvironment(): RefresherDependencies {
  const clientConfig = { retryMode: 'adaptive', maxAttempts: 4 } as const;
  return {
    fetchPage: (url) => fetchPage(url, 'runtime-warden-catalog-refresher'),
    ssm: new SSMClient(clientConfig),
    sns: new SNSClient(clientConfig),
    lambda: new LambdaClient(clientConfig),
    parameterName: getStringFromEnv({ key: 'CATALOG_PARAMETER' }),
    tier: getStringFromEnv({ key: 'CATALOG_TIER', defaultValue: 'Standard' }) === 'Advanced' ? 'Advanced' : 'Standard',
    topicArn: getStringFromEnv({ key: 'ALERT_TOPIC_ARN' }),
    sourceUrl: getStringFromEnv({ key: 'CATALOG_SOURCE_URL', defaultValue: RUNTIMES_PAGE_URL }),
    now: Date.now,
    logger: new Logger({ serviceName: 'runtime-warden-catalog-refresher' }),
    respond: putResponse,
  };
}

let configured: ReturnType<typeof createHandler> | undefined;
export const handler = async (event: unknown): Promise<RefreshResult | undefined> => (configured ??= createHandler(fromEnvironment()))(event);
