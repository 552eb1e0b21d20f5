import type { Waiver } from '../policy/schema.js';
import { EXPIRING_SOON_DAYS } from '../waivers/digest.js';
import { waiverDaysLeft } from '../waivers/applied.js';
import { waiversInForce, type InventoryRow } from './inventory.js';

// The waivers a security lead audits: every waiver in force on a function (tag or policy, rules,
// until, why, who granted it where that is known), those expiring within 14 days, and the policy's
// waivers that apply to no function of the fleet (granted, unused: a candidate for removal). Which
// waivers apply is decided by evaluate() and read back by appliedWaivers(): nothing is re-decided here.

export type AuditedWaiver = ReturnType<typeof waiversInForce>[number] & { readonly expiringSoon: boolean };

export interface UnusedPolicyWaiver {
  readonly function: string;
  readonly account?: string;
  readonly rules: readonly string[] | 'all';
  readonly expires: string;
  readonly daysLeft: number;
  readonly reason: string;
}

export interface WaiverAudit {
  readonly inForce: readonly AuditedWaiver[];
  readonly expiringSoon: number;
  readonly unusedPolicyWaivers: readonly UnusedPolicyWaiver[];
}

/** `policyWaivers`: the policy's `waivers`, to find those that apply to nothing. */
export function waiverAudit(rows: readonly InventoryRow[], policyWaivers: readonly Waiver[], nowMs: number): WaiverAudit {
  const inForce = waiversInForce(rows).map((w) => ({ ...w, expiringSoon: w.daysLeft <= EXPIRING_SOON_DAYS }));
  const used = new Set(inForce.filter((w) => w.source === 'policy').map((w) => `${w.waiver}\u0000${w.expires}`));
  const unusedPolicyWaivers = policyWaivers
    .filter((w) => waiverDaysLeft(w.expires, nowMs) > 0 && !used.has(`${w.function}\u0000${w.expires}`))
    .map((w) => ({ function: w.function, ...(w.account !== undefined && { account: w.account }), rules: w.rules ?? ('all' as const), expires: w.expires, daysLeft: waiverDaysLeft(w.expires, nowMs), reason: w.reason }));
  return { inForce, expiringSoon: inForce.filter((w) => w.expiringSoon).length, unusedPolicyWaivers };
}
