import { GetLayerVersionCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import type { LayerVersionFacts } from '../facts/functionFacts.js';
import { awsError, describeError, isNotFound } from './awsErrors.js';

// What each layer version a fleet uses declares. A layer version is immutable ("Lambda layers":
// a version's content and settings never change; a change publishes a new version), so each ARN
// is read once and kept, in memory and, through `snapshot`/`restore`, across runs.
//
// GetLayerVersion, not GetLayerVersionByArn: both return CompatibleRuntimes and
// CompatibleArchitectures (Lambda API Reference, "GetLayerVersion" and "GetLayerVersionByArn"),
// GetLayerVersion takes "the name or Amazon Resource Name (ARN) of the layer" with the version
// number, so it reads a layer of another account as well, and moto's server, which the tests
// run against, answers it (its GetLayerVersionByArn route is missing). Both are control-plane
// calls: the caller's `beforeCall` spends its Lambda budget (shared/io/rateLimit.ts).

/** `arn:PARTITION:lambda:REGION:ACCOUNT:layer:NAME:VERSION` (Lambda API Reference, "Layer": Arn pattern). */
const LAYER_VERSION_ARN = /^(arn:[a-zA-Z0-9-]+:lambda:[a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\d{1}:\d{12}:layer:[a-zA-Z0-9_-]+):([0-9]+)$/;

export const isLayerVersionArn = (arn: string): boolean => LAYER_VERSION_ARN.test(arn);

export interface LayerRecord {
  readonly arn: string;
  readonly compatibleRuntimes: readonly string[];
  readonly compatibleArchitectures: readonly string[];
}

/** Why a layer version could not be read: the function's layers stay unjudged, and the caller says so. */
export interface LayerReadFailure {
  readonly arn: string;
  readonly reason: string;
  /**
   * A throttle or a service error: worth asking again at once. Otherwise (not found, access
   * denied, not a layer version ARN) the answer stands until the layer's owner changes something.
   */
  readonly transient?: boolean;
}

/** Errors that say something about the layer version itself rather than about the moment. */
const LASTING = new Set(['ResourceNotFoundException', 'AccessDeniedException', 'InvalidParameterValueException']);

/**
 * What one layer version declares: one GetLayerVersion (after `beforeCall`, a limiter's take),
 * or why it cannot be read. A deleted version answers ResourceNotFoundException ("Deleted
 * versions can no longer be viewed", Lambda API Reference, DeleteLayerVersion), although the
 * functions that use it keep it; a version of another account that does not share it with this
 * one answers AccessDeniedException: both said, never taken as "declares nothing".
 */
export async function readLayerVersion(lambda: Pick<LambdaClient, 'send'>, arn: string, beforeCall?: () => Promise<void>): Promise<LayerRecord | LayerReadFailure> {
  const m = LAYER_VERSION_ARN.exec(arn);
  if (!m) return { arn, reason: 'not a layer version ARN (arn:aws:lambda:REGION:ACCOUNT:layer:NAME:VERSION)' };
  await beforeCall?.();
  try {
    const out = await lambda.send(new GetLayerVersionCommand({ LayerName: m[1], VersionNumber: Number(m[6]) }));
    return { arn, compatibleRuntimes: out.CompatibleRuntimes ?? [], compatibleArchitectures: out.CompatibleArchitectures ?? [] };
  } catch (err) {
    const reason = isNotFound(err) ? 'layer version not found (deleted, or not shared with this account)' : describeError(err);
    return { arn, reason, ...(!LASTING.has(awsError(err).name) && { transient: true }) };
  }
}

export interface LayerInventoryOptions {
  /** Awaited before every Lambda call: a rate limiter's `take`. */
  readonly beforeCall?: () => Promise<void>;
  /** Records kept from an earlier run (`snapshot()`). */
  readonly known?: readonly LayerRecord[];
}

export class LayerInventory {
  private readonly records = new Map<string, LayerRecord>();
  private readonly pending = new Map<string, Promise<LayerRecord | LayerReadFailure>>();
  /** Failures of this run: asked again, a version is not read twice (never persisted: it may be shared later). */
  private readonly failed = new Map<string, LayerReadFailure>();
  /** How many GetLayerVersion calls were made: a layer shared by many functions costs one. */
  public calls = 0;

  public constructor(
    private readonly lambda: Pick<LambdaClient, 'send'>,
    private readonly options: LayerInventoryOptions = {},
  ) {
    for (const r of options.known ?? []) this.records.set(r.arn, r);
  }

  /** The layer versions `arns` name, each read at most once however many functions share it. */
  public async read(arns: readonly string[]): Promise<{ layers: Map<string, LayerRecord>; failures: LayerReadFailure[] }> {
    const results = await Promise.all([...new Set(arns)].map((arn) => this.one(arn)));
    const layers = new Map<string, LayerRecord>();
    const failures: LayerReadFailure[] = [];
    for (const r of results) {
      if ('reason' in r) failures.push(r);
      else layers.set(r.arn, r);
    }
    return { layers, failures };
  }

  /** What a function's facts carry: undefined when any of its layers could not be read (not judged, not half-judged). */
  public async factsFor(layerArns: readonly string[]): Promise<LayerVersionFacts[] | undefined> {
    const { layers, failures } = await this.read(layerArns);
    if (failures.length > 0) return undefined;
    return layerArns.map((arn) => {
      const r = layers.get(arn)!;
      return { arn, compatibleRuntimes: r.compatibleRuntimes, compatibleArchitectures: r.compatibleArchitectures };
    });
  }

  /** Every record read or restored, to persist: they never go stale. */
  public snapshot(): LayerRecord[] {
    return [...this.records.values()];
  }

  private one(arn: string): Promise<LayerRecord | LayerReadFailure> {
    const known = this.records.get(arn) ?? this.failed.get(arn);
    if (known) return Promise.resolve(known);
    let p = this.pending.get(arn);
    if (!p) {
      p = this.fetch(arn).finally(() => this.pending.delete(arn));
      this.pending.set(arn, p);
    }
    return p;
  }

  private async fetch(arn: string): Promise<LayerRecord | LayerReadFailure> {
    if (isLayerVersionArn(arn)) this.calls++;
    const r = await readLayerVersion(this.lambda, arn, this.options.beforeCall);
    if ('reason' in r) return this.failure(arn, r.reason);
    this.records.set(arn, r);
    return r;
  }

  private failure(arn: string, reason: string): LayerReadFailure {
    const f = { arn, reason };
    this.failed.set(arn, f);
    return f;
  }
}
