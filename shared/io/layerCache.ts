import type { LambdaClient } from '@aws-sdk/client-lambda';
import type { CachedLayer, FunctionStateStore } from './functionState.js';
import { isLayerVersionArn, readLayerVersion } from './layerInventory.js';

// What every layer version the fleet uses declares, read ONCE EVER and kept in the state table
// (shared/io/functionState.ts: immutable, so no expiry). A reader asks the table first
// (BatchGetItem, 100 keys a call) and Lambda only for what the table lacks: one GetLayerVersion
// per version, through the caller's Lambda client and so its token bucket (shared/io/rateLimit.ts).
// GetLayerVersion rather than GetLayerVersionByArn: the same answer and the same IAM action
// (lambda:GetLayerVersion on the layer version), and moto, which the tests run against, lacks
// the latter's route (see layerInventory.ts).

/** A version that could not be read is asked again after this long, not at every pass. */
export const UNREADABLE_RETRY_MS = 86_400_000;

export interface LayerCacheOptions {
  readonly now: () => number;
  /** Write what was read live back to the table; off for a reader without write access (the alert). */
  readonly persist?: boolean;
  /** Told of each version read live that could not be read, and why. */
  readonly onUnreadable?: (layer: CachedLayer) => void;
}

type Store = Pick<FunctionStateStore, 'getLayers' | 'putLayer'>;

export class LayerCache {
  /** Lambda calls made: a version shared by many functions costs one, and a cached one none. */
  public calls = 0;
  /** This invocation's reads and lookups: a version is asked of the table or Lambda once per invocation. */
  private readonly seen = new Map<string, CachedLayer>();
  private readonly pending = new Map<string, Promise<CachedLayer | undefined>>();

  public constructor(
    private readonly lambda: Pick<LambdaClient, 'send'>,
    private readonly store: Store,
    private readonly options: LayerCacheOptions,
  ) {}

  /** The kept versions among `arns`, from the table only: no Lambda call. */
  public async cached(arns: readonly string[]): Promise<Map<string, CachedLayer>> {
    const missing = [...new Set(arns)].filter((a) => !this.seen.has(a));
    if (missing.length > 0) for (const [arn, l] of await this.store.getLayers(missing)) this.seen.set(arn, l);
    return new Map(arns.flatMap((a) => (this.seen.has(a) ? [[a, this.seen.get(a)!] as const] : [])));
  }

  /**
   * The versions `arns` name: kept ones from the table, the rest (and unreadable ones a day old)
   * read live and kept. `stop` is asked before each live read: once it says so (a deadline),
   * the rest stay unread, for the next reader. A throttle or service error is not kept.
   */
  public async read(arns: readonly string[], stop: () => boolean = () => false): Promise<Map<string, CachedLayer>> {
    const known = await this.cached(arns);
    const now = this.options.now();
    const due = [...new Set(arns)].filter((a) => {
      const k = known.get(a);
      return !k || (k.unreadable !== undefined && now - Date.parse(k.at) >= UNREADABLE_RETRY_MS);
    });
    await Promise.all(due.map((arn) => this.readLive(arn, stop)));
    return new Map(arns.flatMap((a) => (this.seen.has(a) ? [[a, this.seen.get(a)!] as const] : [])));
  }

  private readLive(arn: string, stop: () => boolean): Promise<CachedLayer | undefined> {
    let p = this.pending.get(arn);
    if (!p) {
      p = this.fetch(arn, stop);
      this.pending.set(arn, p);
    }
    return p;
  }

  private async fetch(arn: string, stop: () => boolean): Promise<CachedLayer | undefined> {
    if (stop()) return undefined;
    if (isLayerVersionArn(arn)) this.calls++;
    const r = await readLayerVersion(this.lambda, arn);
    if ('reason' in r && r.transient) return undefined;
    const at = new Date(this.options.now()).toISOString();
    const layer: CachedLayer = 'reason' in r ? { arn, at, unreadable: r.reason.slice(0, 300) } : { arn, at, runtimes: [...r.compatibleRuntimes], architectures: [...r.compatibleArchitectures] };
    if (layer.unreadable !== undefined) this.options.onUnreadable?.(layer);
    if (this.options.persist !== false) await this.store.putLayer(layer);
    this.seen.set(arn, layer);
    return layer;
  }
}
