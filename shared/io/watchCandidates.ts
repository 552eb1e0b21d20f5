import type { LambdaClient } from '@aws-sdk/client-lambda';
import { paginateGetResources, type ResourceGroupsTaggingAPIClient } from '@aws-sdk/client-resource-groups-tagging-api';
import { tierOf, type Policy, type Tier } from '../policy/policy.js';
import type { WatchSettings } from '../policy/schema.js';
import { ROLLBACK_TAG } from '../remediation/rollback.js';
import { listFunctionPages } from './lambdaInventory.js';
import { logGroupOf } from './runtimeVersionHistory.js';
import { parseFunctionArn } from '../adapters/lambdaApi.js';

// Which functions the watch looks at: those whose tier has `watch`. A tier named by the tier tag
// is found with the Resource Groups Tagging API's GetResources (its own quota, not Lambda's
// shared 15/s), filtered on the tag key; only when the default tier watches must every function
// be listed, with Lambda's ListFunctions (50 a page, Lambda API Reference), which spends the
// shared quota: give a client limited to a share of it (rateLimit.ts). A function carrying the rollback tag is pinned (Manual) by a
// rollback: already rolled back, not watched.

type Tagging = Pick<ResourceGroupsTaggingAPIClient, 'send'>;
type Lambda = Pick<LambdaClient, 'send'>;

export interface WatchCandidate {
  readonly name: string;
  readonly tier: Tier & { readonly watch: WatchSettings };
  readonly logGroup: string;
}

export interface CandidateList {
  /** At most `limit`, those with a tier tag first, then by name. */
  readonly candidates: WatchCandidate[];
  /** Functions of a watching tier pinned by a rollback. */
  readonly pinned: string[];
  /** Functions of a watching tier beyond the limit: not watched this run. */
  readonly notWatched: string[];
}

/** `arn:aws:lambda:REGION:ACCOUNT:function:NAME` -> NAME. */
/** A function's name from its unqualified ARN (a qualified one names a version or alias, not a function). */
const nameOf = (arn: string): string | undefined => {
  const a = parseFunctionArn(arn);
  return a.qualifier === undefined ? a.name : undefined;
};

/** Lambda functions carrying `key`, by name, with all their tags (GetResources returns every tag of a match). */
async function taggedWith(tagging: Tagging, key: string): Promise<Map<string, Record<string, string>>> {
  const out = new Map<string, Record<string, string>>();
  // ResourcesPerPage: at most 100 (Resource Groups Tagging API Reference, GetResources).
  for await (const page of paginateGetResources({ client: tagging as ResourceGroupsTaggingAPIClient }, { ResourceTypeFilters: ['lambda:function'], TagFilters: [{ Key: key }], ResourcesPerPage: 100 })) {
    for (const r of page.ResourceTagMappingList ?? []) {
      const name = r.ResourceARN && nameOf(r.ResourceARN);
      if (name) out.set(name, Object.fromEntries((r.Tags ?? []).map((t) => [t.Key ?? '', t.Value ?? ''])));
    }
  }
  return out;
}

export interface CandidateSources {
  readonly tagging: Tagging;
  /** For ListFunctions only when the default tier watches. */
  readonly lambda: Lambda;
}

/** ListFunctions' entries carry the function's log group when it is not the default one. */
type Logged = { readonly LoggingConfig?: { readonly LogGroup?: string | undefined } | undefined };

/** The candidates of this run. Throws when a listing fails (the run has nothing to watch then). */
export async function findCandidates(src: CandidateSources, policy: Policy, limit: number): Promise<CandidateList> {
  const watching = (t: Tier): t is WatchCandidate['tier'] => t.watch !== undefined;
  if (![...policy.tiers.values()].some(watching)) return { candidates: [], pinned: [], notWatched: [] };
  const tierKey = policy.document.tiers.tagKey;
  const tagged = await taggedWith(src.tagging, tierKey);
  const all: { name: string; tags: Record<string, string>; logGroup: string }[] = [];
  if (watching(policy.defaultTier)) {
    // Untagged functions are on the default tier; their rollback tag is found apart.
    const rolledBack = await taggedWith(src.tagging, ROLLBACK_TAG);
    for await (const page of listFunctionPages(src.lambda)) {
      for (const f of page) {
        const name = f.FunctionName!;
        all.push({ name, tags: tagged.get(name) ?? rolledBack.get(name) ?? {}, logGroup: logGroupOf(name, (f as Logged).LoggingConfig?.LogGroup) });
      }
    }
  } else {
    for (const [name, tags] of tagged) all.push({ name, tags, logGroup: logGroupOf(name) });
  }
  const pinned: string[] = [];
  const eligible: { name: string; tier: WatchCandidate['tier']; logGroup: string; tagged: boolean }[] = [];
  for (const f of all) {
    const { tier } = tierOf(f.tags, policy);
    if (!watching(tier)) continue;
    if (f.tags[ROLLBACK_TAG] !== undefined) pinned.push(f.name);
    else eligible.push({ name: f.name, tier, logGroup: f.logGroup, tagged: f.tags[tierKey] !== undefined });
  }
  eligible.sort((a, b) => Number(b.tagged) - Number(a.tagged) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return {
    candidates: eligible.slice(0, limit).map(({ name, tier, logGroup }) => ({ name, tier, logGroup })),
    pinned: pinned.sort(),
    notWatched: eligible.slice(limit).map((e) => e.name),
  };
}
