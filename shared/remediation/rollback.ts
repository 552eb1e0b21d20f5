import type { Tier } from '../policy/policy.js';
import type { UpdateMode } from '../policy/schema.js';

// Rolling back a runtime update: pin the runtime version the function ran before (Manual +
// RuntimeVersionArn), temporarily, and come back to the tier's mode once the code is fixed
// (Lambda Developer Guide, "Rolling back a Lambda runtime version": "change the runtime version
// update mode to Manual, and specify the ARN of the previous runtime version"). Pure: the plan
// from what was read; shared/io/runtimeVersionHistory.ts reads, cli/rollback.ts acts.

/** When, who and why a function was pinned: `2026-11-23T10:00:00Z by alice: pdf rendering broke`. */
export const ROLLBACK_TAG = 'runtime-warden:rollback';
/** The runtime version the rollback left, for the alert, the report and --undo's message. */
export const ROLLBACK_FROM_TAG = 'runtime-warden:rollback-from';

/** What `rollback` wrote in ROLLBACK_TAG. */
export interface RollbackTag {
  /** The instant of the pin; absent when the tag does not start with one. */
  readonly at?: string;
  readonly by?: string;
  /** The reason; the whole value when the tag is not in rollback's form. */
  readonly reason: string;
}

/** Reads `2026-11-23T10:00:00Z by alice: pdf rendering broke`, the one parser of the tag. */
export function parseRollbackTag(value: string): RollbackTag {
  const m = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z)\s(?:by (.*?): )?(.*)$/s.exec(value);
  if (!m || Number.isNaN(Date.parse(m[1]!))) return { reason: value };
  return { at: m[1]!, ...(m[2] !== undefined && { by: m[2] }), reason: m[3]! };
}

/** Whole days since the rollback tag's instant; undefined without a tag, or with one in the future. */
export function rollbackTagAgeDays(tags: Readonly<Record<string, string>>, nowMs: number): number | undefined {
  const value = tags[ROLLBACK_TAG];
  const at = value === undefined ? undefined : parseRollbackTag(value).at;
  const t = at === undefined ? Number.NaN : Date.parse(at);
  return Number.isNaN(t) || t > nowMs ? undefined : Math.floor((nowMs - t) / 86_400_000);
}

/** Whole days since the last deploy (LastModified, an ISO instant); undefined when unknown. */
export function deployAgeDays(lastModified: string | undefined, nowMs: number): number | undefined {
  const t = lastModified ? Date.parse(lastModified) : Number.NaN;
  return Number.isNaN(t) ? undefined : Math.floor((nowMs - t) / 86_400_000);
}

/**
 * How long a Manual pin has stood, as RW010 counts it: the older of the rollback tag's age and
 * the last deploy's, so a tag can only make RW010 stricter (it dates a pin the last deploy does
 * not, and retagging hides nothing).
 */
export const pinAgeDays = (tagAgeDays: number | undefined, deployAgeDays: number | undefined): number | undefined =>
  tagAgeDays === undefined ? deployAgeDays : Math.max(tagAgeDays, deployAgeDays ?? tagAgeDays);

/**
 * `arn:PARTITION:lambda:REGION::runtime:ID` (Lambda API Reference, "RuntimeVersionConfig":
 * RuntimeVersionArn pattern `arn:(aws[a-zA-Z-]*):lambda:[a-z]{2}((-gov)|(-iso(b?)))?-[a-z]+-\d{1}::runtime:.+`).
 */
export const RUNTIME_VERSION_ARN = /^arn:(aws[a-zA-Z-]*):lambda:[a-z]{2}((-gov)|(-iso(b?)))?-[a-z]+-\d{1}::runtime:.+$/;

/**
 * One runtime version the function was seen on: from an INIT_START log line or a Config record.
 * `version` is the readable name (`python:3.13.v14`) where the source gives it.
 */
export interface RuntimeVersionSighting {
  readonly arn: string;
  readonly version?: string;
  /** When it was seen (ms since the epoch). */
  readonly atMs: number;
}

/**
 * Reads an INIT_START line, in either of Lambda's log formats:
 * - text: Lambda Developer Guide, "Identifying Lambda runtime version changes":
 *   `INIT_START Runtime Version: python:3.13.v14    Runtime Version ARN: arn:aws:lambda:eu-south-1::runtime:7b62...`
 *   (the fields are tab- or space-separated);
 * - JSON (LoggingConfig LogFormat JSON): the system log event `{"type": "platform.initStart",
 *   "record": {"runtimeVersion", "runtimeVersionArn", ...}}`, the Telemetry API's schema (Lambda
 *   Developer Guide, "Lambda Telemetry API Event schema reference", platform.initStart).
 * A function logging JSON would otherwise show no runtime version at all.
 */
export function parseInitStart(line: string): { version: string; arn: string } | undefined {
  if (line.trimStart().startsWith('{')) return parseInitStartRecord(line);
  const m = /INIT_START\s+Runtime Version:\s*(\S+)\s+Runtime Version ARN:\s*(\S+)/.exec(line);
  return m && RUNTIME_VERSION_ARN.test(m[2]!) ? { version: m[1]!, arn: m[2]! } : undefined;
}

function parseInitStartRecord(line: string): { version: string; arn: string } | undefined {
  let event: unknown;
  try {
    event = JSON.parse(line);
  } catch {
    return undefined;
  }
  const { type, record } = (event ?? {}) as { type?: unknown; record?: { runtimeVersion?: unknown; runtimeVersionArn?: unknown } | null };
  const version = record?.runtimeVersion;
  const arn = record?.runtimeVersionArn;
  if (type !== 'platform.initStart' || typeof version !== 'string' || typeof arn !== 'string' || !RUNTIME_VERSION_ARN.test(arn)) return undefined;
  return { version, arn };
}

/**
 * FilterLogEvents' pattern for both formats: either quoted term (CloudWatch Logs User Guide,
 * "Filter pattern syntax": `?term ?term` matches events holding any of them; a quoted term
 * matches events containing it), so only those lines travel.
 */
export const INIT_START_FILTER_PATTERN = '?"INIT_START" ?"platform.initStart"';

/**
 * The runtime versions in the order the function moved through them, oldest first: each change
 * once, at the first sighting after the previous version (A, A, B, A -> A, B, A).
 */
export function versionTimeline(sightings: readonly RuntimeVersionSighting[]): RuntimeVersionSighting[] {
  // A Config record has no readable name: take it from a log line of the same ARN.
  const names = new Map(sightings.filter((s) => s.version !== undefined).map((s) => [s.arn, s.version!]));
  const out: RuntimeVersionSighting[] = [];
  for (const s of [...sightings].sort((a, b) => a.atMs - b.atMs)) {
    if (out.at(-1)?.arn === s.arn) continue;
    const version = names.get(s.arn);
    out.push(version === undefined ? { arn: s.arn, atMs: s.atMs } : { arn: s.arn, version, atMs: s.atMs });
  }
  return out;
}

export interface CurrentRuntimeConfig {
  readonly updateMode: UpdateMode;
  /** The pinned ARN (Manual) or the version Lambda reports in use. */
  readonly runtimeVersionArn?: string;
}

export interface RollbackRequest {
  readonly functionName: string;
  readonly current: CurrentRuntimeConfig;
  readonly history: readonly RuntimeVersionSighting[];
  /** `--to`: the ARN to pin, instead of the one before the current. */
  readonly to?: string;
  readonly reason: string;
  readonly by: string;
  readonly nowMs: number;
}

export interface RuntimeManagementChange {
  readonly UpdateRuntimeOn: UpdateMode;
  readonly RuntimeVersionArn?: string;
}

export interface RollbackPlan {
  readonly kind: 'rollback' | 'undo';
  readonly functionName: string;
  readonly from: CurrentRuntimeConfig;
  readonly put: RuntimeManagementChange;
  readonly tags: Readonly<Record<string, string>>;
  readonly untag: readonly string[];
  /** What it does, in one paragraph: printed by a dry run and after the change, and in the alert. */
  readonly description: string;
}

export class RollbackRefused extends Error {
  public constructor(message: string) {
    super(message);
    this.name = 'RollbackRefused';
  }
}

/**
 * A tag value AWS accepts: letters, numbers, spaces and `+ - = . _ : / @`, at most 256
 * characters ("Tagging AWS resources", tag naming limits and requirements). Anything else
 * becomes a space, so the reason survives in words.
 */
export function tagValue(text: string): string {
  return text.replace(/[^\p{L}\p{Z}\p{N}_.:/=+\-@]/gu, ' ').replace(/\s+/g, ' ').trim().slice(0, 256);
}

const shortArn = (arn: string): string => `…${arn.slice(-12)}`;
const named = (s: RuntimeVersionSighting | undefined, arn: string): string => (s?.version ? `${s.version} (${shortArn(arn)})` : arn);

/** The pin: which ARN, the tags saying when, who and why, and what it will say. */
export function planRollback(r: RollbackRequest): RollbackPlan {
  if (r.reason.trim() === '') throw new RollbackRefused('Say why (--reason): the tag and the alert carry it, and RW010 bounds how long the pin may stay.');
  if (r.to !== undefined && !RUNTIME_VERSION_ARN.test(r.to)) {
    throw new RollbackRefused(`--to ${r.to} is not a runtime version ARN (arn:aws:lambda:REGION::runtime:ID, as the INIT_START log line gives it).`);
  }
  const timeline = versionTimeline(r.history);
  const inUse = r.current.runtimeVersionArn ?? timeline.at(-1)?.arn;
  let target = r.to;
  if (target === undefined) {
    if (inUse === undefined) throw new RollbackRefused(`No runtime version of ${r.functionName} is known (no INIT_START line, no Config record): pass --to ARN.`);
    const at = timeline.map((s) => s.arn).lastIndexOf(inUse);
    target = at > 0 ? timeline[at - 1]!.arn : undefined;
    if (target === undefined) {
      throw new RollbackRefused(`${r.functionName} has run only on ${named(timeline.at(-1), inUse)} in the history read: no earlier runtime version to go back to; pass --to ARN.`);
    }
  }
  if (r.current.updateMode === 'Manual' && r.current.runtimeVersionArn === target) {
    throw new RollbackRefused(`${r.functionName} is already pinned to ${target}: nothing to do.`);
  }
  const when = new Date(r.nowMs).toISOString().replace(/\.\d{3}Z$/, 'Z');
  const tags = { [ROLLBACK_TAG]: tagValue(`${when} by ${r.by}: ${r.reason}`), ...(inUse && { [ROLLBACK_FROM_TAG]: inUse }) };
  const targetSeen = timeline.find((s) => s.arn === target);
  return {
    kind: 'rollback',
    functionName: r.functionName,
    from: r.current,
    put: { UpdateRuntimeOn: 'Manual', RuntimeVersionArn: target },
    tags,
    untag: [],
    description:
      `Pin ${r.functionName} to runtime version ${named(targetSeen, target)} (Manual)` +
      `${inUse ? `, off ${named(timeline.find((s) => s.arn === inUse), inUse)}` : ''}, was ${r.current.updateMode}. ` +
      `Tag ${ROLLBACK_TAG}="${tags[ROLLBACK_TAG]}". A pin misses security patches: fix the code, then run rollback --undo.`,
  };
}

/**
 * Back from a pin to the tier's mode: its preferred mode, which remediation moves functions to.
 * A tier preferring Manual has no mode to come back to without a version to pin: refused.
 */
export function planUndo(functionName: string, current: CurrentRuntimeConfig, tags: Readonly<Record<string, string>>, tier: Tier): RollbackPlan {
  const mode = tier.preferredUpdateMode;
  if (mode === 'Manual') throw new RollbackRefused(`The ${tier.name} tier prefers Manual: pin a current runtime version instead of undoing the rollback.`);
  const pinned = tags[ROLLBACK_TAG];
  if (current.updateMode === mode && pinned === undefined) throw new RollbackRefused(`${functionName} is on ${mode}, the ${tier.name} tier's mode, with no rollback recorded: nothing to undo.`);
  return {
    kind: 'undo',
    functionName,
    from: current,
    put: { UpdateRuntimeOn: mode },
    tags: {},
    untag: [ROLLBACK_TAG, ROLLBACK_FROM_TAG].filter((k) => tags[k] !== undefined),
    description:
      `Return ${functionName} to ${mode}, the ${tier.name} tier's mode, from ${current.updateMode}${current.runtimeVersionArn ? ` on ${current.runtimeVersionArn}` : ''}` +
      `${pinned ? ` (pinned ${pinned})` : ''}. Lambda moves it to the latest runtime version${mode === 'FunctionUpdate' ? ' at its next deploy' : ''}.`,
  };
}
