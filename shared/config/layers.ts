import { truncate } from '../evaluation/verdict.js';
import type { Finding } from '../evaluation/types.js';
import { layerLabel, type FunctionFacts, type LayerVersionFacts } from '../facts/functionFacts.js';
import { listWithin } from './decision.js';

// A function's layers as the deployed detection knows them: what each kept layer version
// declares (shared/io/layerCache.ts), which versions are not read yet, and which could not be
// read. What the policy judges (RW018, RW022) is the versions read; the rest is said, so that no
// layer reads as compatible for want of a read. No I/O.

/** One kept layer version: what it declares, or why it could not be read. */
export interface KeptLayer {
  readonly arn: string;
  readonly runtimes?: readonly string[] | undefined;
  readonly architectures?: readonly string[] | undefined;
  readonly unreadable?: string | undefined;
}

export interface FunctionLayers {
  /** The facts, with `layerVersions` for the versions read (absent: the function has no layers). */
  readonly facts: FunctionFacts;
  /** Versions no reader has reached yet. */
  readonly notRead: readonly string[];
  /** Versions that could not be read, with why. */
  readonly unreadable: readonly { readonly arn: string; readonly reason: string }[];
}

/** The facts with what is kept of their layer versions, and what is not known of the others. */
export function withLayers(facts: FunctionFacts, kept: ReadonlyMap<string, KeptLayer>): FunctionLayers {
  if (facts.layers.length === 0) return { facts, notRead: [], unreadable: [] };
  const read: LayerVersionFacts[] = [];
  const notRead: string[] = [];
  const unreadable: { arn: string; reason: string }[] = [];
  for (const arn of facts.layers) {
    const k = kept.get(arn);
    if (!k) notRead.push(arn);
    else if (k.unreadable !== undefined) unreadable.push({ arn, reason: k.unreadable });
    else read.push({ arn, compatibleRuntimes: k.runtimes ?? [], compatibleArchitectures: k.architectures ?? [] });
  }
  return { facts: { ...facts, layerVersions: read }, notRead, unreadable };
}

/** The runtime the findings tell the function to move to, if any: the alert's "Recommended". */
export function recommendedTarget(findings: readonly Finding[]): string | undefined {
  for (const f of findings) if (f.remediation.kind === 'upgrade-runtime' && f.remediation.targetRuntime) return f.remediation.targetRuntime;
  return undefined;
}

/** Room for the layers in a 256-character annotation, leaving the verdict the rest. */
export const LAYER_NOTE_MAX = 160;

const label = (arn: string): string => layerLabel({ arn });
/** `AccessDeniedException` from `AccessDeniedException: User ... is not authorized ...`. */
const shortReason = (reason: string): string => truncate(reason.split(':')[0]!.trim(), 60);

/** What the layers mean for a function's move to `target`, one phrase per kind, in the order they matter. */
export interface LayerStanding {
  /** Versions declaring runtimes, none of them the target: each must be republished first. */
  readonly blocking: readonly LayerVersionFacts[];
  /** Versions declaring no runtime: compatibility unknown (said once, never an error). */
  readonly unknown: readonly LayerVersionFacts[];
}

const declaresRuntimes = (l: LayerVersionFacts): boolean => (l.compatibleRuntimes?.length ?? 0) > 0;

/** The versions that declare runtimes, `target` not among them: each must be republished before a move to `target` (also `fix`'s warning). */
export const blockingLayers = (versions: readonly LayerVersionFacts[], target: string): LayerVersionFacts[] => versions.filter((l) => declaresRuntimes(l) && !l.compatibleRuntimes!.includes(target));

export function layerStanding(layers: FunctionLayers, target: string | undefined): LayerStanding {
  const read = layers.facts.layerVersions ?? [];
  return {
    blocking: target === undefined ? [] : blockingLayers(read, target),
    unknown: target === undefined ? [] : read.filter((l) => !declaresRuntimes(l)),
  };
}

/**
 * The annotation's note on layers: for a function that must move, the versions that block the
 * move, then those declaring nothing; for every function, those unreadable or not read yet, kept
 * whole (only the advice is cut to fit). At most LAYER_NOTE_MAX characters; undefined when there
 * is nothing to say.
 */
export function layerNote(layers: FunctionLayers, findings: readonly Finding[]): string | undefined {
  const target = recommendedTarget(findings);
  const { blocking, unknown } = layerStanding(layers, target);
  const names = (ls: readonly { arn?: string | undefined }[], max: number): string => listWithin(ls.map((l) => label(l.arn ?? '')), max);
  // What could not be judged is said whole; what to do about the rest gets the room left.
  const gaps: string[] = [];
  const u = layers.unreadable;
  if (u.length === 1) gaps.push(`layer ${label(u[0]!.arn)} could not be read (${shortReason(u[0]!.reason)})`);
  else if (u.length > 1) gaps.push(`layers ${names(u, 60)} could not be read`);
  if (layers.notRead.length > 0) gaps.push('layers not read yet');
  const advice: string[] = [];
  if (blocking.length === 1) {
    const l = blocking[0]!;
    advice.push(`layer ${label(l.arn ?? '')} declares ${l.compatibleRuntimes!.join(', ')} only: publish a version compatible with ${target} first`);
  } else if (blocking.length > 1) advice.push(`layers ${names(blocking, 60)} lack ${target}: publish versions compatible with it first`);
  if (unknown.length > 0) advice.push(`${unknown.length === 1 ? 'layer' : 'layers'} ${names(unknown, 50)} unknown (${unknown.length === 1 ? 'declares' : 'declare'} no runtimes)`);
  const tail = gaps.join('; ');
  if (advice.length === 0) return tail || undefined;
  const room = LAYER_NOTE_MAX - (tail ? tail.length + 2 : 0);
  const head = truncate(advice.join('; '), room);
  return tail ? `${head}; ${tail}` : head;
}
