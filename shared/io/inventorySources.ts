import { paginateSelectAggregateResourceConfig, type ConfigServiceClient } from '@aws-sdk/client-config-service';
import type { LambdaClient } from '@aws-sdk/client-lambda';
import pLimit from 'p-limit';
import { AGGREGATOR_QUERY, factsFromAggregatorResult } from '../adapters/configItem.js';
import { factsFromFunctionConfiguration } from '../adapters/lambdaApi.js';
import type { FunctionFacts } from '../facts/functionFacts.js';
import { LayerInventory } from './layerInventory.js';
import { listFunctions, readTags } from './lambdaInventory.js';

export type Progress = (message: string) => void;

/**
 * Every function of the current account in each region, with its tags (ListTags, 8 at a time)
 * and what its layer versions declare (GetLayerVersion, once per distinct version, through the
 * region's client; a version that cannot be read there is said, and its functions' layers are
 * left unjudged).
 */
export async function readRegions(lambdaFor: (region: string) => Pick<LambdaClient, 'send'>, regions: readonly string[], progress: Progress): Promise<FunctionFacts[]> {
  const out: FunctionFacts[] = [];
  const limit = pLimit(8);
  for (const region of regions) {
    const lambda = lambdaFor(region);
    const functions = await listFunctions(lambda, false);
    progress(`${region}: ${functions.length} functions listed, reading tags`);
    let done = 0;
    const layers = new LayerInventory(lambda);
    const facts = await Promise.all(
      functions.map((fn) =>
        limit(async () => {
          const tags = await readTags(lambda, fn.latest.FunctionArn!);
          if (++done % 100 === 0) progress(`${region}: tags of ${done}/${functions.length}`);
          return factsFromFunctionConfiguration(fn.latest, { tags });
        }),
      ),
    );
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
    out.push(...withLayers.map((f) => ({ ...f, region: f.region ?? region })));
  }
  return out;
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
