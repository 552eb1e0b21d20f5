import type { Announcement, LedgerRecord } from './announce.js';
import { waiverDaysLeft, type WaiverSource } from './applied.js';
import { singleLine } from '../remediation/notification.js';
import { SNS_MESSAGE_MAX_BYTES, snsSubject } from './text.js';

// The weekly digest of the waivers in force, from the waiver ledger. No I/O, no clock.

export interface ActiveWaiver {
  readonly functionName: string;
  readonly functionArn: string;
  readonly source: WaiverSource;
  readonly waiver?: string;
  readonly rules: readonly string[];
  readonly expires: string;
  readonly daysLeft: number;
  readonly reason: string;
}

/** Days ahead within which a waiver's expiry heads the digest. */
export const EXPIRING_SOON_DAYS = 14;

/**
 * Every waiver that downgraded a finding when its function was last judged and has not expired,
 * soonest expiry first (then by function).
 */
export function activeWaivers(records: Iterable<LedgerRecord>, nowMs: number): ActiveWaiver[] {
  const out: ActiveWaiver[] = [];
  for (const r of records) {
    for (const w of r.waivers) {
      const daysLeft = waiverDaysLeft(w.expires, nowMs);
      if (!w.active || daysLeft <= 0) continue;
      out.push({ functionName: r.functionName, functionArn: r.functionArn, source: w.source, ...(w.waiver !== undefined && { waiver: w.waiver }), rules: w.rules, expires: w.expires, daysLeft, reason: w.reason });
    }
  }
  return out.sort((a, b) => a.daysLeft - b.daysLeft || a.functionName.localeCompare(b.functionName) || a.source.localeCompare(b.source));
}

function line(w: ActiveWaiver): string {
  const source = w.source === 'tag' ? 'tag waiver' : `policy waiver "${w.waiver ?? ''}"`;
  // One line, whatever the name and reason hold.
  return singleLine(`- ${w.expires} (${w.daysLeft} ${w.daysLeft === 1 ? 'day' : 'days'} left)  ${w.functionName}  ${source}  ${w.rules.join(', ')}  reason: ${w.reason}`);
}

/** Room kept in a message for the lines that say what was left out. */
const TAIL_BYTES = 1024;

/** The digest as one SNS message: expiring within 14 days first, then the rest; cut to SNS's size with a count of what was left out. */
export function formatDigest(waivers: readonly ActiveWaiver[], where: { readonly account: string; readonly region: string; readonly table: string }, nowMs: number): Announcement {
  const today = new Date(nowMs).toISOString().slice(0, 10);
  const soon = waivers.filter((w) => w.daysLeft <= EXPIRING_SOON_DAYS);
  const later = waivers.filter((w) => w.daysLeft > EXPIRING_SOON_DAYS);
  const head = [
    `runtime-warden: waivers in force in account ${where.account}, region ${where.region}, on ${today}: ${waivers.length}. Each downgrades the errors of the rules named to warnings on its function.`,
    `Source: the waiver ledger (DynamoDB table ${where.table}), as each function was last judged by the runtime-warden Config rule.`,
  ];
  const section = (title: string, items: readonly ActiveWaiver[]): { text: string; item?: true }[] =>
    items.length === 0 ? [] : [{ text: '' }, { text: title }, ...items.map((w) => ({ text: line(w), item: true as const }))];
  const body = [...section(`Expiring within ${EXPIRING_SOON_DAYS} days (${soon.length}):`, soon), ...section(`Later (${later.length}):`, later)];
  const lines = [...head];
  let bytes = Buffer.byteLength(lines.join('\n'));
  let listed = 0;
  for (const { text, item } of body) {
    bytes += Buffer.byteLength(text) + 1;
    if (bytes > SNS_MESSAGE_MAX_BYTES - TAIL_BYTES) break;
    lines.push(text);
    if (item) listed++;
  }
  if (waivers.length === 0) lines.push('', 'No waiver is in force.');
  if (listed < waivers.length) lines.push('', `... and ${waivers.length - listed} more, left out to keep the message within SNS's 256 KB: run runtime-warden report, or read the table.`);
  return {
    subject: snsSubject(`[runtime-warden] Weekly waiver digest: ${waivers.length} in force, ${soon.length} expiring within ${EXPIRING_SOON_DAYS} days`),
    message: lines.join('\n'),
    attributes: { kind: 'waiver-digest', account: where.account },
  };
}
