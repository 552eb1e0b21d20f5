import { fitSections, SNS_MESSAGE_MAX_BYTES, type AccountDigestContent, type Digest, type DigestedFunction } from './digest.js';
import { singleLine, snsSubject } from './notification.js';

// The organisation's one daily digest, added up from the member accounts' digests. No I/O.

/** The message attribute `kind` of the organisation digest: what human subscribers of the central topic keep. */
export const ORGANISATION_DIGEST_KIND = 'organisation-digest';

/**
 * How many functions the tally keeps for the "most urgent" list. SNS's 256 KB hold about 1,500
 * digest lines; keeping a few more than fit costs little and the rest are only counted, so memory
 * does not grow with the organisation's functions.
 */
export const URGENT_KEPT = 2_000;

export interface UrgentFunction extends DigestedFunction {
  readonly account: string;
  readonly region: string;
}

/** Further along AWS's deadlines first; then the nearest block date; then by account, region and line, so the order is the same on every run. */
const text = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
export function byUrgency(a: UrgentFunction, b: UrgentFunction): number {
  return b.stage - a.stage || (a.daysLeft ?? Number.MAX_SAFE_INTEGER) - (b.daysLeft ?? Number.MAX_SAFE_INTEGER) || text(a.account, b.account) || text(a.region, b.region) || text(a.text, b.text);
}

/**
 * The account digests of one run, added up: counts per account and region and per owner, and the
 * most urgent functions, at most `kept` of them (the others are counted). What it holds grows with
 * accounts, regions and owners, never with functions.
 */
export class OrganisationTally {
  /** Account digests added. */
  digests = 0;
  /** The same account, region and day again (SNS delivers at least once): not counted twice. */
  duplicates = 0;
  functions = 0;
  readonly byAccount = new Map<string, Map<string, number>>();
  readonly byOwner = new Map<string, number>();
  readonly days = new Set<string>();
  private readonly seen = new Set<string>();
  private urgent: UrgentFunction[] = [];

  constructor(private readonly kept = URGENT_KEPT) {}

  /** Adds one account digest; false when the account's digest for that region and day was already added. */
  add(d: AccountDigestContent): boolean {
    const key = `${d.account}/${d.region}/${d.day}`;
    if (this.seen.has(key)) {
      this.duplicates++;
      return false;
    }
    this.seen.add(key);
    this.digests++;
    this.functions += d.total;
    this.days.add(d.day);
    const regions = this.byAccount.get(d.account) ?? this.byAccount.set(d.account, new Map()).get(d.account)!;
    regions.set(d.region, (regions.get(d.region) ?? 0) + d.total);
    for (const [owner, n] of d.owners) this.byOwner.set(owner, (this.byOwner.get(owner) ?? 0) + n);
    for (const f of d.functions) this.urgent.push({ ...f, account: d.account, region: d.region });
    // Sorted and cut only past twice the cap: linear on average, whatever the number of functions.
    if (this.urgent.length > 2 * this.kept) this.urgent = this.urgent.sort(byUrgency).slice(0, this.kept);
    return true;
  }

  /** The most urgent functions kept, most urgent first. */
  mostUrgent(): readonly UrgentFunction[] {
    this.urgent = this.urgent.sort(byUrgency).slice(0, this.kept);
    return this.urgent;
  }
}

const plural = (n: number, one: string): string => `${n.toLocaleString('en-US')} ${one}${n === 1 ? '' : 's'}`;
const sum = (m: ReadonlyMap<string, number>): number => [...m.values()].reduce((a, b) => a + b, 0);
const byCount = <T>(entries: [string, T][], count: (t: T) => number): [string, T][] => entries.sort(([a, x], [b, y]) => count(y) - count(x) || text(a, b));

export interface OrganisationDigestInput {
  readonly tally: OrganisationTally;
  /** The UTC day of the run. */
  readonly day: string;
  /** Messages on the queue that were not account digests: left there, and named in the log. */
  readonly unreadable: number;
}

/**
 * The organisation's one message of the day: totals, every account (with its regions) and every
 * owner by count, then the most urgent functions, each part cut to its share of SNS's 256 KB with
 * "and N more".
 */
export function organisationDigest({ tally, day, unreadable }: OrganisationDigestInput, max = SNS_MESSAGE_MAX_BYTES): Digest {
  const accounts = byCount([...tally.byAccount.entries()], sum);
  const owners = byCount([...tally.byOwner.entries()], (n) => n);
  const days = [...tally.days].sort();
  const span = days.length === 0 ? day : days.length === 1 ? days[0]! : `${days[0]} to ${days.at(-1)}`;
  const subject = snsSubject(`[runtime-warden] organisation digest ${day}: ${plural(tally.functions, 'function')}, ${plural(accounts.length, 'account')}`);
  const attributes = { kind: ORGANISATION_DIGEST_KIND, day, functions: String(tally.functions), accounts: String(accounts.length) };
  const head = [
    `runtime-warden organisation digest: ${plural(tally.functions, 'function')} in ${plural(accounts.length, 'account')} newly broke the runtime policy or moved closer to an AWS deadline, from ${plural(tally.digests, 'account digest')} of ${span} (UTC).`,
    ...(unreadable > 0 ? [`${plural(unreadable, 'message')} on the digest queue could not be read as account digests: left on the queue (its dead-letter queue after a few runs); the digest function's log names each.`] : []),
    '',
    'By account (functions; per region):',
  ];
  const urgent = tally.mostUrgent();
  const { message, listed } = fitSections(
    subject,
    attributes,
    [
      {
        head,
        lines: accounts.map(([account, regions]) => `- ${account}: ${plural(sum(regions), 'function')} (${byCount([...regions.entries()], (n) => n).map(([r, n]) => `${r} ${n.toLocaleString('en-US')}`).join(', ')})`),
        more: (more) => `... and ${more} more accounts`,
        share: 0.25,
      },
      { head: ['', 'By owner (all accounts):'], lines: owners.map(([owner, n]) => singleLine(`- ${owner}: ${plural(n, 'function')}`)), more: (more) => `... and ${more} more owners`, share: 0.25 },
      {
        head: ['', 'Most urgent (account region function and lead finding; runtime: deadline stage (what changed); owner):'],
        lines: urgent.map((f) => singleLine(`- ${f.account} ${f.region} ${f.text}; owner ${f.owner}`)),
        // Past what fits, what the tally kept and what the account digests had room for: counted, each in Config's results.
        all: tally.functions,
        more: (more, all) => `... and ${more.toLocaleString('en-US')} more (${all.toLocaleString('en-US')} in all; every one is in AWS Config's compliance results: runtime-warden report --aggregator)`,
      },
    ],
    max,
  );
  return { subject, message, attributes, listed: listed[2]!, total: tally.functions };
}
