import { dayStart } from '../shared/catalog/catalog.js';
import type { Policy } from '../shared/index.js';
import { tierOf } from '../shared/policy/policy.js';
import type { ScannedFile, ScannedFunction } from '../shared/template/scan.js';
import { describeCatalog } from './scanReport.js';

const DAY_MS = 86_400_000;

/** The runtimes a function can take: its decided value and each value of its expression. */
function runtimesOf(fn: ScannedFunction): string[] {
  const ids = new Set<string>(fn.runtime ? [fn.runtime] : []);
  for (const c of fn.runtimeExpression?.candidates ?? []) if (typeof c.value === 'string') ids.add(c.value);
  return [...ids];
}

/** The function's tags as judged (CloudFormation's list of Key and Value). */
function tagsOf(fn: ScannedFunction): Record<string, string> {
  const tags = fn.hookProperties.Tags;
  if (!Array.isArray(tags)) return {};
  return Object.fromEntries(tags.filter((t): t is { Key: string; Value: string } => typeof t?.Key === 'string' && typeof t?.Value === 'string').map((t) => [t.Key, t.Value]));
}

/**
 * The one line that says the catalog is old, or undefined when its age cannot change a verdict
 * of this scan. AWS's runtimes page gives its dates "for planning purposes" and "subject to change"
 * (Lambda Developer Guide, "Lambda runtimes", Supported runtimes): a date the catalog holds may
 * have moved since its as-of day, and runtimes may have been added. So the catalog is stale for a
 * scan when it is older than `maxAgeDays` (0: never) and a scanned function's runtime either is not
 * in it, or has a deprecation or block date after the as-of day and on or before now plus that
 * function's warning window (its tier's upgrade lead time, or warnBeforeDeprecationDays if longer):
 * the dates its verdict looks at, passed ones and those RW007 warns of. A date already passed on
 * the as-of day was history then; one beyond the window cannot change today's verdict.
 */
export function staleCatalogNotice(files: readonly ScannedFile[], policy: Policy, nowMs: number, maxAgeDays: number): string | undefined {
  const catalog = policy.base;
  const age = catalog.ageDays(nowMs);
  if (maxAgeDays === 0 || age <= maxAgeDays) return undefined;
  const asOfMs = dayStart(catalog.origin.asOf);
  const reasons = new Map<string, string>();
  for (const fn of files.flatMap((f) => f.functions)) {
    const windowDays = Math.max(policy.document.warnBeforeDeprecationDays, tierOf(tagsOf(fn), policy).tier.upgradeLeadDays);
    const horizonMs = nowMs + windowDays * DAY_MS;
    for (const id of runtimesOf(fn)) {
      if (reasons.has(id)) continue;
      if (!policy.catalog.has(id)) {
        reasons.set(id, `${id} is not in it`);
        continue;
      }
      const info = catalog.get(id);
      if (!info) continue; // a runtime only the policy's catalogOverrides define: the organisation's dates
      const moved = (
        [
          ['deprecation', info.deprecation],
          ['create block', info.blockCreate],
          ['update block', info.blockUpdate],
        ] as const
      ).find(([, d]) => d !== null && dayStart(d) > asOfMs && dayStart(d) <= horizonMs);
      if (moved) reasons.set(id, `${id}'s ${moved[0]} (${moved[1]}) may have moved since`);
    }
  }
  if (reasons.size === 0) return undefined;
  const all = [...reasons.keys()].sort().map((id) => reasons.get(id)!);
  const listed = all.length > 3 ? [...all.slice(0, 3), `${all.length - 3} more`] : all;
  return `the ${describeCatalog(catalog.origin)} is ${age} days old and ${listed.join('; ')}: refresh it (\`runtime-warden catalog refresh --output catalog.json\`, then --catalog catalog.json).`;
}
