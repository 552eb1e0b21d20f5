import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import {
  GetFunctionCommand,
  GetFunctionConfigurationCommand,
  GetPolicyCommand,
  GetRuntimeManagementConfigCommand,
  ListFunctionsCommand,
  ListTagsCommand,
  paginateListAliases,
  paginateListEventSourceMappings,
  paginateListFunctions,
  paginateListVersionsByFunction,
  type LambdaClient,
} from '@aws-sdk/client-lambda';
import { versionFacts, withQualifier, type LambdaFunctionConfiguration } from '../adapters/lambdaApi.js';
import { versionsBreakingPolicy, type UnreadSignal, type VersionUse } from '../config/decision.js';
import type { FunctionFacts } from '../facts/functionFacts.js';
import { globMatch } from '../policy/glob.js';
import type { Policy } from '../policy/policy.js';
import { UPDATE_MODES, type UpdateMode } from '../policy/schema.js';
import { awsError, describeError, isNotFound } from './awsErrors.js';
import { readVersionUsage } from './usageMetrics.js';

type Lambda = Pick<LambdaClient, 'send'>;

export interface InventoryFunction {
  readonly latest: LambdaFunctionConfiguration;
  /** Published versions (not `$LATEST`), when the listing asked for them. */
  readonly versions: readonly LambdaFunctionConfiguration[];
}

/** ListFunctions' largest page. */
export const LIST_FUNCTIONS_PAGE = 50;

/**
 * Every function of the account and region in ceil(entries / 50) ListFunctions calls; with
 * `includeVersions`, published versions come in the same listing (FunctionVersion=ALL).
 */
export async function listFunctions(lambda: Lambda, includeVersions: boolean): Promise<InventoryFunction[]> {
  const byName = new Map<string, { latest?: LambdaFunctionConfiguration; versions: LambdaFunctionConfiguration[] }>();
  const pages = paginateListFunctions(
    { client: lambda as LambdaClient, pageSize: LIST_FUNCTIONS_PAGE },
    { MaxItems: LIST_FUNCTIONS_PAGE, ...(includeVersions && { FunctionVersion: 'ALL' as const }) },
  );
  for await (const page of pages) {
    for (const fn of page.Functions ?? []) {
      if (!fn.FunctionName) continue;
      const entry = byName.get(fn.FunctionName) ?? { versions: [] };
      if (fn.Version === undefined || fn.Version === '$LATEST') entry.latest = fn;
      else entry.versions.push(fn);
      byName.set(fn.FunctionName, entry);
    }
  }
  return [...byName.values()].flatMap((e) => (e.latest ? [{ latest: e.latest, versions: e.versions }] : []));
}

/** The account's functions (`$LATEST`), page by page as ListFunctions returns them, 50 a call. */
export async function* listFunctionPages(lambda: Lambda): AsyncGenerator<LambdaFunctionConfiguration[]> {
  for await (const page of paginateListFunctions({ client: lambda as LambdaClient, pageSize: LIST_FUNCTIONS_PAGE }, { MaxItems: LIST_FUNCTIONS_PAGE })) {
    yield (page.Functions ?? []).filter((fn) => fn.FunctionName);
  }
}

/** Whether the account and region has a function at all: one ListFunctions call. */
export async function hasAnyFunction(lambda: Lambda): Promise<boolean> {
  const out = await lambda.send(new ListFunctionsCommand({ MaxItems: 1 }));
  return (out.Functions ?? []).length > 0;
}

export async function readTags(lambda: Lambda, functionArn: string): Promise<Record<string, string>> {
  const out = await lambda.send(new ListTagsCommand({ Resource: functionArn.split(':').slice(0, 7).join(':') }));
  return out.Tags ?? {};
}

/**
 * A function's tags as they are now, from GetFunction: it has its own 100 requests/s quota, where
 * ListTags shares the 15 requests/s of Lambda's other control-plane reads with the account's
 * deployments (Lambda Developer Guide, "Lambda quotas", Lambda API requests). GetFunction returns
 * tags only to a caller allowed lambda:ListTags, and reports a failure to read them in TagsError
 * (Lambda API Reference, GetFunction): that is an error here, never "no tags".
 */
export async function readTagsLive(lambda: Lambda, functionName: string): Promise<Record<string, string>> {
  const out = await lambda.send(new GetFunctionCommand({ FunctionName: functionName }));
  if (out.TagsError) throw Object.assign(new Error(`GetFunction could not read the tags of ${functionName}: ${out.TagsError.ErrorCode}: ${out.TagsError.Message}`), { name: 'TagsError' });
  return out.Tags ?? {};
}

/** Each alias and the versions it routes to (its version, and any weighted extra versions). */
export async function readAliasRoutes(lambda: Lambda, functionName: string): Promise<{ alias: string; version: string }[]> {
  const routes: { alias: string; version: string }[] = [];
  for await (const page of paginateListAliases({ client: lambda as LambdaClient }, { FunctionName: functionName })) {
    for (const a of page.Aliases ?? []) {
      if (!a.Name) continue;
      if (a.FunctionVersion) routes.push({ alias: a.Name, version: a.FunctionVersion });
      for (const v of Object.keys(a.RoutingConfig?.AdditionalVersionWeights ?? {})) routes.push({ alias: a.Name, version: v });
    }
  }
  return routes;
}

export interface RuntimeManagement {
  readonly updateMode?: UpdateMode;
  readonly pinnedRuntimeVersionArn?: string;
}

/**
 * Reads runtime update modes. An endpoint that does not offer the API (a 404 that is not a
 * missing function, as emulators answer) turns the reads off for the rest of the run, once, with
 * `onUnsupported` told why; the mode then stays unknown and mode rules are skipped.
 */
export class RuntimeManagementReader {
  private supported = true;

  public constructor(
    private readonly lambda: Lambda,
    private readonly onUnsupported: (reason: string) => void,
  ) {}

  public async read(functionName: string, qualifier?: string): Promise<RuntimeManagement> {
    if (!this.supported) return {};
    try {
      const out = await this.lambda.send(new GetRuntimeManagementConfigCommand({ FunctionName: functionName, ...(qualifier && { Qualifier: qualifier }) }));
      const mode = UPDATE_MODES.find((m) => m === out.UpdateRuntimeOn);
      return { ...(mode && { updateMode: mode }), ...(out.RuntimeVersionArn && { pinnedRuntimeVersionArn: out.RuntimeVersionArn }) };
    } catch (err) {
      const e = awsError(err);
      if (e.status === 404 && !isNotFound(err)) {
        this.supported = false;
        this.onUnsupported(`GetRuntimeManagementConfig is not available at this endpoint (${e.name}: ${e.message.split('\n')[0]})`);
        return {};
      }
      throw err;
    }
  }
}

/** One function as the policy sees it, read live: configuration, tags and update mode. */
export async function readFunction(lambda: Lambda, functionName: string, modes: RuntimeManagementReader | undefined): Promise<{ configuration: LambdaFunctionConfiguration & { RuntimeVersionConfig?: { RuntimeVersionArn?: string | undefined } | undefined }; tags: Record<string, string>; management: RuntimeManagement }> {
  const configuration = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: functionName }));
  const tags = await readTags(lambda, configuration.FunctionArn!);
  const management = configuration.PackageType === 'Image' || !modes ? {} : await modes.read(functionName);
  return { configuration, tags, management };
}

/** The published versions of a function (not `$LATEST`). */
export async function listVersions(lambda: Lambda, functionName: string): Promise<LambdaFunctionConfiguration[]> {
  const out: LambdaFunctionConfiguration[] = [];
  for await (const page of paginateListVersionsByFunction({ client: lambda as LambdaClient }, { FunctionName: functionName })) {
    out.push(...(page.Versions ?? []).filter((v) => v.Version !== '$LATEST'));
  }
  return out;
}

/** The published versions, as the policy sees them (with the function's tags), whose own verdict is NON_COMPLIANT. */
function breakingVersions(facts: FunctionFacts, versions: readonly LambdaFunctionConfiguration[], policy: Policy, now: number): FunctionFacts[] {
  return versionsBreakingPolicy(
    versions.map((v) => versionFacts(v, facts)),
    policy,
    now,
  );
}

/** The event source mappings that invoke a published version. */
export interface EventSourceMappings {
  /** UUIDs of the mappings whose function is this version (its qualified ARN). */
  invoking(versionArn: string): Promise<string[]>;
}

// ListEventSourceMappings: "returns a maximum of 100 items in each response, even if you set the
// number higher" (Lambda API Reference, ListEventSourceMappings, MaxItems).
const MAPPINGS_PAGE = 100;

/**
 * The mappings of one version, filtered by Lambda (FunctionName takes a "Version or Alias ARN",
 * Lambda API Reference, ListEventSourceMappings): one call for each version that breaks the
 * policy and no alias or invocation shows in use, rather than the account's whole listing, which
 * a pass would hold in memory and spend ceil(mappings / 100) calls on whatever it judges. Whatever Lambda returns
 * for the filter counts, so that a broader answer errs towards "in use".
 */
export function versionEventSourceMappings(lambda: Lambda): EventSourceMappings {
  return {
    invoking: async (versionArn) => {
      const out: string[] = [];
      for await (const page of paginateListEventSourceMappings({ client: lambda as LambdaClient, pageSize: MAPPINGS_PAGE }, { FunctionName: versionArn })) {
        out.push(...(page.EventSourceMappings ?? []).map((m) => m.UUID ?? '(no UUID)'));
      }
      return out;
    },
  };
}

interface PolicyStatement {
  readonly Sid?: string;
  readonly Effect?: string;
  readonly Action?: string | readonly string[];
}

const INVOKE = 'lambda:invokefunction';

/**
 * The statements of a version's resource-based policy that allow invoking it: a service (SNS,
 * EventBridge, API Gateway, S3) or another account can invoke a version only through such a
 * statement on that version (GetPolicy with Qualifier: "Specify a version or alias to get the
 * policy for that resource", Lambda API Reference). GetPolicy has its own 15 requests/s quota
 * (Lambda Developer Guide, "Lambda quotas"). A version without a policy answers
 * ResourceNotFoundException; so does a version deleted meanwhile, which runs nothing either.
 */
async function invokeStatements(lambda: Lambda, functionName: string, version: string): Promise<string[]> {
  let policy: string | undefined;
  try {
    policy = (await lambda.send(new GetPolicyCommand({ FunctionName: functionName, Qualifier: version }))).Policy;
  } catch (err) {
    if (isNotFound(err)) return [];
    throw err;
  }
  const doc = JSON.parse(policy ?? '{}') as { Statement?: PolicyStatement | PolicyStatement[] };
  const statements = Array.isArray(doc.Statement) ? doc.Statement : doc.Statement ? [doc.Statement] : [];
  // IAM action names are case-insensitive and may carry wildcards (lambda:*, lambda:Invoke*).
  const invokes = (s: PolicyStatement): boolean => s.Effect === 'Allow' && [s.Action ?? []].flat().some((a) => globMatch(a.toLowerCase(), INVOKE));
  return statements.filter(invokes).map((s, i) => s.Sid ?? `#${i + 1}`);
}

export interface VersionUseReaders {
  readonly lambda: Lambda;
  /** Absent: invocations are unread, and every version breaking the policy counts as possibly in use. */
  readonly cloudWatch?: Pick<CloudWatchClient, 'send'> | undefined;
  readonly mappings: EventSourceMappings;
}

/**
 * What can still run each published version whose runtime breaks the policy. Versions that do
 * not break it cost nothing; for those that do, the signals are read cheapest first and only as
 * far as the verdict needs them: the aliases (one ListAliases for the function), the invocations
 * by qualified ARN (one GetMetricData for all its versions; not Lambda's quota), then, for a
 * version neither aliased nor invoked, its event source mappings and then its resource policy.
 * A function URL needs no read: it points to `$LATEST` or an alias, never to a version ("You
 * can't add a function URL to any other function version", Lambda Developer Guide, "Lambda
 * function URLs"). A signal that cannot be read is recorded as unread, which counts as in use.
 */
export async function publishedVersionsInUse(readers: VersionUseReaders, facts: FunctionFacts, versions: readonly LambdaFunctionConfiguration[], policy: Policy, now: number): Promise<VersionUse[]> {
  const bad = breakingVersions(facts, versions, policy, now);
  if (bad.length === 0) return [];
  const routes = await readAliasRoutes(readers.lambda, facts.name);
  const targets = bad.map((b) => {
    const arn = b.arn ?? facts.arn;
    return { version: b.qualifier!, facts: b, arn: arn ? withQualifier(arn, b.qualifier!) : undefined };
  });
  let invocations: Awaited<ReturnType<typeof readVersionUsage>> | undefined;
  let usageError = readers.cloudWatch ? 'CloudWatch did not complete the query' : 'no CloudWatch client was given';
  try {
    if (readers.cloudWatch) invocations = await readVersionUsage(readers.cloudWatch, facts.name, targets, now);
  } catch (err) {
    usageError = describeError(err);
  }
  const out: VersionUse[] = [];
  for (const t of targets) {
    const usage = invocations?.get(t.version);
    const unread: UnreadSignal[] = usage ? [] : [{ signal: 'invocations', api: 'GetMetricData', error: usageError }];
    const use = { version: t.version, facts: t.facts, aliases: [...new Set(routes.filter((r) => r.version === t.version).map((r) => r.alias))], eventSourceMappings: [] as string[], policyStatements: [] as string[], usage, unread };
    // In use already: another read would only add a name, at the cost of the account's quota.
    if (use.aliases.length === 0 && !usage?.lastInvoked) {
      try {
        use.eventSourceMappings = t.arn ? await readers.mappings.invoking(t.arn) : [];
      } catch (err) {
        unread.push({ signal: 'event source mappings', api: 'ListEventSourceMappings', error: describeError(err) });
      }
      if (use.eventSourceMappings.length === 0) {
        try {
          use.policyStatements = await invokeStatements(readers.lambda, facts.name, t.version);
        } catch (err) {
          unread.push({ signal: 'resource policy', api: 'GetPolicy', error: describeError(err) });
        }
      }
    }
    out.push(use);
  }
  return out;
}
