import { paginateSelectAggregateResourceConfig, type ConfigServiceClient } from '@aws-sdk/client-config-service';
import type { LambdaClient } from '@aws-sdk/client-lambda';
import pLimit from 'p-limit';
import { AGGREGATOR_QUERY, factsFromAggregatorResult } from '../adapters/configItem.js';
import { factsFromFunctionConfiguration } from '../adapters/lambdaApi.js';
import type { FunctionFacts } from '../facts/functionFacts.js';
import { LayerInventory } from './layerInventory.js';
import { isNotFound } from './awsErrors.js';
import { listFunctions, readTagsLive } from './lambdaInventory.js';

export type Progress = (message: string) => void;

/**
 * Every function of the current account in each region, with its tags and what its layer
 * versions declare. Regions are read at once: each has Lambda quotas of its own. The tags come
 * from GetFunction (8 at a time), whose 100 requests/s quota is apart from the 15/s that the
 * account's deploys share (readTagsLive); a function deleted since the listing is left out and
 * said. Layer versions are read once per distinct version (GetLayerVersion) through the region's
 * client; a version that cannot be read there is said, and its functions' layers are left
 * unjudged. The caller's client sets the rate (cli/report.ts: --lambda-calls-per-second).
 */
export async function readRegions(lambdaFor: (region: string) => Pick<LambdaClient, 'send'>, regions: readonly string[], progress: Progress): Promise<FunctionFacts[]> {
  const perRegion = await Promise.all(regions.map((region) => readRegion(lambdaFor(region), region, progress)));
  return perRegion.flat();
}

async function readRegion(lambda: Pick<LambdaClient, 'send'>, region: string, progress: Progress): Promise<FunctionFacts[]> {
  const limit = pLimit(8);
  const functions = await listFunctions(lambda, false);
  progress(`${region}: ${functions.length} functions listed, reading tags`);
  let done = 0;
  const layers = new LayerInventory(lambda);
  const read = await Promise.all(
    functions.map((fn) =>
      limit(async () => {
        let tags: Record<string, string>;
        try {
          tags = await readTagsLive(lambda, fn.latest.FunctionArn!);
        } catch (err) {
          if (!isNotFound(err)) throw err;
          progress(`${region}: ${fn.latest.FunctionName} was deleted while the report read it: left out`);
          return undefined;
        }
        if (++done % 100 === 0) progress(`${region}: tags of ${done}/${functions.length}`);
        return factsFromFunctionConfiguration(fn.latest, { tags });
      }),
    ),
  );
  const facts = read.filter((f): f is FunctionFacts => f !== undefined);
  const unread = new Set<string>();
  const withLayers = await Promise.all(
    facts.map((f) =>
      limit(async () => {
        if (f.layers.length === 0) return f;
        const { failures } = await layers.read(f.layers);
        for (const x of failures) unread.add(`${x.arn}: ${x.reason}`);
        const layerVersions = await layers.factsFor(f.layers);
        return layerVersions ? { ...f, layerVersions } : f;
      }),
    ),
  );
  if (layers.calls > 0) progress(`${region}: ${layers.calls} layer versions read`);
  // A layer not read leaves its functions' layers unjudged (RW018), never judged as declaring nothing.
  for (const u of unread) progress(`${region}: layer version not read, its functions' layers not judged: ${u}`);
  return withLayers.map((f) => ({ ...f, region: f.region ?? region }));
}

/** Every function an AWS Config aggregator knows, across accounts and regions, 100 per page. */
export async function readAggregator(config: Pick<ConfigServiceClient, 'send'>, aggregatorName: string, progress: Progress): Promise<FunctionFacts[]> {
  const out: FunctionFacts[] = [];
  const pages = paginateSelectAggregateResourceConfig({ client: config as ConfigServiceClient, pageSize: 100 }, { ConfigurationAggregatorName: aggregatorName, Expression: AGGREGATOR_QUERY, Limit: 100 });
  for await (const page of pages) {
    out.push(...(page.Results ?? []).map(factsFromAggregatorResult));
    progress(`aggregator ${aggregatorName}: ${out.length} functions`);
  }
  return out;
}
