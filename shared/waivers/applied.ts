import { dayStart, daysBetween } from '../catalog/catalog.js';
import { WAIVER_APPLIED } from '../evaluation/rules.js';
import type { Finding } from '../evaluation/types.js';

// Which waivers an evaluation applied, read from its RW013 findings: what the ledger announces
// and the report shows. No I/O.

export type WaiverSource = 'tag' | 'policy';

/** A waiver that downgrades errors of a function now. */
export interface AppliedWaiver {
  /** Stable across evaluations: a new expiry or a new tag reason is a new waiver, announced again. */
  readonly id: string;
  readonly source: WaiverSource;
  /** For a policy waiver, its `function` (a name, an ARN or a glob). */
  readonly waiver?: string;
  readonly expires: string;
  readonly reason: string;
  /** The rules it downgrades on this function (its versions included), sorted. */
  readonly rules: readonly string[];
}

/** The RW013 message evaluate() writes: `Tag waiver until D (N days left) downgrades RW004, RW008 to warnings: reason`. */
const APPLIED = /^(?:Tag waiver|Policy waiver "(?<waiver>.*)") until (?<expires>\d{4}-\d{2}-\d{2}) \(-?\d+ days? left\) downgrades (?<rules>RW\d{3}(?:, RW\d{3})*) to warnings: (?<reason>.*)$/s;

/**
 * The waivers applied in `findings` (a function's `$LATEST` and versions together), one per waiver
 * with the rules it downgrades anywhere. A RW013 message of another shape throws: a waiver that
 * could not be read must not go unannounced.
 */
export function appliedWaivers(findings: readonly Finding[]): AppliedWaiver[] {
  const byId = new Map<string, AppliedWaiver>();
  for (const f of findings) {
    if (f.ruleId !== WAIVER_APPLIED.id) continue;
    const m = APPLIED.exec(f.message)?.groups;
    if (!m) throw new Error(`${WAIVER_APPLIED.id} finding not understood: ${f.message.slice(0, 200)}`);
    const source: WaiverSource = m.waiver === undefined ? 'tag' : 'policy';
    const id = source === 'tag' ? `tag ${m.expires} ${m.reason}` : `policy ${m.waiver} ${m.expires}`;
    const rules = new Set([...(byId.get(id)?.rules ?? []), ...m.rules!.split(', ')]);
    byId.set(id, { id, source, ...(m.waiver !== undefined && { waiver: m.waiver }), expires: m.expires!, reason: m.reason!, rules: [...rules].sort() });
  }
  return [...byId.values()].sort((a, b) => a.expires.localeCompare(b.expires) || a.id.localeCompare(b.id));
}

const DAY_MS = 86_400_000;

/** Days a waiver still applies, counting today: 1 on its last day, as RW013 counts them. */
export function waiverDaysLeft(expires: string, nowMs: number): number {
  return daysBetween(nowMs, dayStart(expires) + DAY_MS);
}
