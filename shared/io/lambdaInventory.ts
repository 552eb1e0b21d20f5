import {
  GetFunctionCommand,
  GetFunctionConfigurationCommand,
  GetRuntimeManagementConfigCommand,
  ListTagsCommand,
  paginateListAliases,
  paginateListFunctions,
  paginateListVersionsByFunction,
  type LambdaClient,
} from '@aws-sdk/client-lambda';
import { factsFromFunctionConfiguration, type LambdaFunctionConfiguration } from '../adapters/lambdaApi.js';
import { versionsBreakingPolicy, type AliasTarget } from '../config/decision.js';
import type { FunctionFacts } from '../facts/functionFacts.js';
import type { Policy } from '../policy/policy.js';
import { UPDATE_MODES, type UpdateMode } from '../policy/schema.js';
import { awsError, isNotFound } from './awsErrors.js';

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

/**
 * The aliases that route traffic to a published version breaking the policy. Aliases are read
 * only when such a version exists: most functions cost no ListAliases call.
 */
export async function aliasesServingBadVersions(lambda: Lambda, facts: FunctionFacts, versions: readonly LambdaFunctionConfiguration[], policy: Policy, now: number): Promise<AliasTarget[]> {
  const bad = versionsBreakingPolicy(
    versions.map((v) => factsFromFunctionConfiguration(v, { tags: facts.tags })),
    policy,
    now,
  );
  if (bad.length === 0) return [];
  const routes = await readAliasRoutes(lambda, facts.name);
  return routes.flatMap((r) => {
    const v = bad.find((b) => b.qualifier === r.version);
    return v ? [{ alias: r.alias, version: r.version, facts: v }] : [];
  });
}
