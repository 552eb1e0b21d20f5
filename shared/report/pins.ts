import type { FunctionFacts } from '../facts/functionFacts.js';
import { deployAgeDays, parseRollbackTag, pinAgeDays, rollbackTagAgeDays, ROLLBACK_FROM_TAG, ROLLBACK_TAG } from '../remediation/rollback.js';
import type { InventoryRow } from './inventory.js';

// Every runtime version pin of the fleet (issue #24): a Manual update mode holds the function on
// one runtime version, which misses security patches, and RW010 bounds how long it may stay. The
// report lists each with the version it holds, its age and who pinned it and why (the rollback
// tag), and the days left before RW010's limit. Pure: facts and their rows in.


export interface PinRow {
  readonly accountId: string;
  readonly region: string;
  readonly name: string;
  readonly owner: string;
  readonly tier: string;
  readonly runtime: string;
  /** `mode`: the update mode was read (Manual); `tag`: it was not, and the rollback tag says the function was pinned. */
  readonly known: 'mode' | 'tag';
  /** The runtime version ARN it holds; null when the mode was not read. */
  readonly runtimeVersionArn: string | null;
  /** The version the rollback left (`runtime-warden:rollback-from`), where tagged. */
  readonly rolledBackFrom: string | null;
  /** The rollback tag's instant, who and why; null without a rollback tag. */
  readonly pinnedAt: string | null;
  readonly pinnedBy: string | null;
  readonly reason: string | null;
  /** Whole days since the rollback tag's instant; null without one (or one in the future). */
  readonly ageDays: number | null;
  /** The age RW010 judges: the older of the tag's and the last deploy's; null when neither is known. */
  readonly ruleAgeDays: number | null;
  /** The policy's manualPinMaxAgeDays. */
  readonly maxAgeDays: number;
  /** Days before RW010 fires (0: on its last allowed day; negative: past it); null when the age is unknown. */
  readonly daysToLimit: number | null;
}

/**
 * How old a pin is as RW010 counts it (pinAgeDays, shared/remediation/rollback.ts): the older of
 * the rollback tag's instant and the last deploy, a tag in the future not counting.
 */
export const ruleAgeDays = (tagAgeDays: number | undefined, lastModified: string | undefined, now: number): number | undefined => pinAgeDays(tagAgeDays, deployAgeDays(lastModified, now));

/**
 * The fleet's pins, closest to RW010's limit first (unknown ages last). A function is pinned when
 * its update mode is Manual; where the mode was not read (an aggregator's items do not carry it,
 * or the endpoint lacks the API), when it carries the rollback tag. A function whose mode was read
 * and is not Manual is not pinned, whatever its tags. `rows[i]` is `facts[i]`'s inventory row.
 */
export function pinRows(facts: readonly FunctionFacts[], rows: readonly InventoryRow[], maxAgeDays: number, now: number): PinRow[] {
  const out: PinRow[] = [];
  facts.forEach((f, i) => {
    const tag = f.tags[ROLLBACK_TAG];
    const known = f.updateMode === 'Manual' ? 'mode' : f.updateMode === undefined && tag !== undefined && f.packageType !== 'Image' ? 'tag' : undefined;
    if (known === undefined) return;
    const row = rows[i]!;
    const parsed = tag === undefined ? undefined : parseRollbackTag(tag);
    const age = rollbackTagAgeDays(f.tags, now);
    const judged = ruleAgeDays(age, f.lastModified, now);
    out.push({
      accountId: row.accountId,
      region: row.region,
      name: row.name,
      owner: row.owner,
      tier: row.tier,
      runtime: row.runtime,
      known,
      runtimeVersionArn: f.runtimeVersionArn ?? null,
      rolledBackFrom: f.tags[ROLLBACK_FROM_TAG] ?? null,
      pinnedAt: parsed?.at ?? null,
      pinnedBy: parsed?.by ?? null,
      reason: parsed?.reason ?? null,
      ageDays: age ?? null,
      ruleAgeDays: judged ?? null,
      maxAgeDays,
      daysToLimit: judged === undefined ? null : maxAgeDays - judged,
    });
  });
  const rank = (p: PinRow): number => p.daysToLimit ?? Number.POSITIVE_INFINITY;
  return out.sort((a, b) => (rank(a) !== rank(b) ? (rank(a) < rank(b) ? -1 : 1) : a.accountId.localeCompare(b.accountId) || a.region.localeCompare(b.region) || a.name.localeCompare(b.name)));
}

/** The pin's age as the report says it: `12 days`, or why it is unknown. */
export function describeAge(p: PinRow): string {
  if (p.ageDays !== null) return `${p.ageDays} ${p.ageDays === 1 ? 'day' : 'days'}`;
  if (p.pinnedAt === null) return 'unknown: no rollback tag';
  return 'unknown: the rollback tag is dated in the future';
}

/** Where the pin stands against RW010: `18 days left`, `3 days over the 30 allowed`, or unknown. */
export function describeLimit(p: PinRow): string {
  if (p.daysToLimit === null) return `unknown (limit ${p.maxAgeDays} days; no rollback tag, last deploy not known)`;
  if (p.daysToLimit < 0) return `${-p.daysToLimit} ${p.daysToLimit === -1 ? 'day' : 'days'} over the ${p.maxAgeDays} allowed (RW010)`;
  return `${p.daysToLimit} ${p.daysToLimit === 1 ? 'day' : 'days'} left of ${p.maxAgeDays}`;
}
