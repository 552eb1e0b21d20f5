import { dayStart, daysBetween } from '../catalog/catalog.js';
import type { FunctionFacts } from '../facts/functionFacts.js';
import { tierOf, type Policy } from '../policy/policy.js';
import { NO_OWNER, singleLine, snsSubject, type Notification } from './notification.js';

export { NO_OWNER };

// What goes into the daily digests, and what still pages on its own. No I/O.

/** A change worth a line in the next digest: what a notify run records instead of publishing. */
export interface DigestEvent {
  /** `account/region/function`: one function, one line. */
  readonly functionKey: string;
  readonly owner: string;
  /** The digest's line for the function, already on one line. */
  readonly line: string;
  readonly recordedAt: number;
}

/** A function's last announced state: its findings' fingerprint and deadline stage (epoch ms). */
export interface FunctionState {
  readonly fingerprint: string;
  readonly stage: number;
  readonly recordedAt: number;
}

/**
 * SNS Publish: "messages must be UTF-8 encoded strings and at most 256 KB in size (262,144
 * bytes, not 262,144 characters)", and message attributes count towards the same size (SNS API
 * Reference, Publish, Message; MessageAttributeValue).
 */
export const SNS_MESSAGE_MAX_BYTES = 262_144;

/**
 * A function still broken and unchanged is listed again after this many days, so nobody forgets
 * it. It also bounds what a fix that did not last costs: a function fixed and broken again with the
 * same findings and stage looks unchanged to the log (notify runs only for what breaks the policy),
 * and is listed again at the latest a week after it was last listed.
 */
export const REMIND_AFTER_DAYS = 7;
/** How long recorded changes and states stay in the table (its TTL): past the reminder, with a margin. */
export const DIGEST_RETAIN_DAYS = REMIND_AFTER_DAYS + 5;

const DAY_MS = 86_400_000;

/** The deadline stages of a runtime, in the order AWS reaches them. */
export const STAGES = ['breaks the policy', 'deprecation inside the upgrade window', 'deprecated', 'function creation blocked', 'function update blocked'] as const;

/** The tier's upgrade window, as the lead-time rule (RW007) reads it. */
const windowDays = (facts: FunctionFacts, policy: Policy): number => Math.max(tierOf(facts.tags, policy).tier.upgradeLeadDays, policy.document.warnBeforeDeprecationDays);

/** How far along AWS's deadlines the function's runtime is: an index into STAGES. */
export function deadlineStage(facts: FunctionFacts, policy: Policy, now: number): number {
  const info = facts.runtime ? policy.catalog.get(facts.runtime) : undefined;
  if (!info) return 0;
  const passed = (d: string | null): boolean => d !== null && dayStart(d) <= now;
  if (passed(info.blockUpdate)) return 4;
  if (passed(info.blockCreate)) return 3;
  if (passed(info.deprecation)) return 2;
  if (info.deprecation && daysBetween(now, dayStart(info.deprecation)) <= windowDays(facts, policy)) return 1;
  return 0;
}

/**
 * The AWS block date still ahead that falls inside the tier's upgrade window, if any: what makes
 * a change urgent enough to page on its own rather than wait for the digest. A block already in
 * force is a stage (it reaches the digest); one ahead and near is a deadline someone must act on.
 */
export function urgentBlock(facts: FunctionFacts, policy: Policy, now: number): { what: string; date: string; daysLeft: number } | undefined {
  const info = facts.runtime ? policy.catalog.get(facts.runtime) : undefined;
  if (!info) return undefined;
  const window = windowDays(facts, policy);
  for (const [what, date] of [['function creation blocked', info.blockCreate], ['function update blocked', info.blockUpdate]] as const) {
    if (!date) continue;
    const daysLeft = daysBetween(now, dayStart(date));
    if (daysLeft > 0 && daysLeft <= window) return { what, date, daysLeft };
  }
  return undefined;
}

export type Change = 'new' | 'closer to a deadline' | 'changed findings' | 'reminder';

/** What changed since the function's last recorded state, or undefined when nothing did. */
export function changeSince(state: FunctionState | undefined, fingerprint: string, stage: number, now: number): Change | undefined {
  if (!state) return 'new';
  if (stage > state.stage) return 'closer to a deadline';
  if (state.fingerprint !== fingerprint) return 'changed findings';
  if (now - state.recordedAt >= REMIND_AFTER_DAYS * DAY_MS) return 'reminder';
  return undefined;
}

/** One digest line: the function and its lead finding (as the alert's subject), its runtime and stage, and what changed. */
export function digestLine(n: Notification, facts: FunctionFacts, stage: number, change: Change, urgent: ReturnType<typeof urgentBlock>): string {
  const lead = n.subject.replace(/^\[runtime-warden\] NON_COMPLIANT /, '');
  const deadline = urgent ? `; ${urgent.what} ${urgent.date} (${urgent.daysLeft} days left)` : '';
  return singleLine(`- ${lead}; ${facts.runtime ?? '(container image)'}: ${STAGES[stage]}${deadline} (${change})`);
}

export interface Digest {
  readonly subject: string;
  readonly message: string;
  readonly attributes: Readonly<Record<string, string>>;
  /** How many functions the message names (the rest are counted in its "and N more" line). */
  readonly listed: number;
  readonly total: number;
}

const bytes = (s: string): number => Buffer.byteLength(s, 'utf8');

/** A part of a message: its heading lines, always sent, then as many of its lines as fit. */
export interface Section {
  readonly head: readonly string[];
  readonly lines: readonly string[];
  /** The line that says how many lines did not fit, of how many. */
  readonly more: (more: number, all: number) => string;
  /** The largest share of the message's room its lines may take; without one, what the sections before it left. */
  readonly share?: number;
  /** How many the lines stand for when some were counted but never given a line; the lines' number by default. */
  readonly all?: number;
}

/**
 * The sections' heads, then as many of each section's lines as fit in SNS's size with the subject
 * and attributes, then "and N more" where lines were cut: a message that would not fit is refused
 * by SNS, and a digest that is not sent tells nobody anything. `listed` counts each section's lines sent.
 */
export function fitSections(subject: string, attributes: Readonly<Record<string, string>>, sections: readonly Section[], max: number): { message: string; listed: number[] } {
  const attributeBytes = Object.entries(attributes).reduce((sum, [k, v]) => sum + bytes(k) + bytes('String') + bytes(v), 0);
  // Room for each section's "and N more" line, whatever N.
  const room = max - bytes(subject) - attributeBytes - 200 * sections.length - bytes(sections.flatMap((s) => s.head).join('\n'));
  let left = room;
  const parts = sections.map((section) => {
    const cap = Math.min(left, section.share === undefined ? left : Math.floor(room * section.share));
    let used = 0;
    let listed = 0;
    for (const line of section.lines) {
      const size = bytes(line) + 1;
      if (used + size > cap) break;
      used += size;
      listed++;
    }
    left -= used;
    const all = section.all ?? section.lines.length;
    const more = all - listed;
    return { text: [...section.head, ...section.lines.slice(0, listed), ...(more > 0 ? [section.more(more, all)] : [])], listed };
  });
  return { message: parts.flatMap((p) => p.text).join('\n'), listed: parts.map((p) => p.listed) };
}

const CONFIG_MORE = (more: number, all: number): string => `... and ${more} more (${all} in all; every one is in AWS Config's compliance results of the rule)`;

const byLine = (a: DigestEvent, b: DigestEvent): number => (a.line < b.line ? -1 : a.line > b.line ? 1 : 0);
const plural = (n: number, one: string): string => `${n} ${one}${n === 1 ? '' : 's'}`;

/** The day's message to one owner: every function of theirs that newly broke the policy or moved closer to a deadline. */
export function ownerDigest(owner: string, events: readonly DigestEvent[], where: { accountId: string; region: string }, day: string, max = SNS_MESSAGE_MAX_BYTES): Digest {
  const n = events.length;
  const subject = snsSubject(`[runtime-warden] digest ${day} ${owner}: ${plural(n, 'function')} to upgrade`);
  const attributes = { kind: 'digest', owner, account: where.accountId, region: where.region, functions: String(n) };
  const head = [
    singleLine(`runtime-warden daily digest for ${owner}: ${plural(n, 'function')} newly broke the runtime policy or moved closer to an AWS deadline since the last digest.`),
    '',
    `Account:      ${where.accountId}`,
    `Region:       ${where.region}`,
    `Day:          ${day} (UTC)`,
    '',
    'Functions (function and lead finding; runtime: deadline stage (what changed)):',
  ];
  const { message, listed } = fitSections(subject, attributes, [{ head, lines: [...events].sort(byLine).map((e) => e.line), more: CONFIG_MORE }], max);
  return { subject, message, attributes, listed: listed[0]!, total: n };
}

/** The message attribute `kind` of the account digests, which the organisation's digest queue subscribes to. */
export const ACCOUNT_DIGEST_KIND = 'account-digest';

const OWNERS_HEADING = 'By owner:';
const FUNCTIONS_HEADING = 'Functions:';
const OWNER_LINE = /^- (.*): (\d+) functions?$/;
const MORE_OWNERS = /^\.\.\. and (\d+) more owners \((\d+) functions?\)$/;
const MORE_LINES = /^\.\.\. and (\d+) more \(/;

/**
 * The day's one message from the account to the organisation's central topic: each owner's count,
 * then the functions. The organisation's digest function reads it back (`readAccountDigest`) into
 * the one organisation digest; its format is this module's and is read only here.
 */
export function accountDigest(byOwner: ReadonlyMap<string, readonly DigestEvent[]>, where: { accountId: string; region: string }, day: string, max = SNS_MESSAGE_MAX_BYTES): Digest {
  const owners = [...byOwner.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const total = owners.reduce((sum, [, e]) => sum + e.length, 0);
  const subject = snsSubject(`[runtime-warden] digest ${day} account ${where.accountId} ${where.region}: ${plural(total, 'function')}, ${plural(owners.length, 'owner')}`);
  const attributes = { kind: ACCOUNT_DIGEST_KIND, account: where.accountId, region: where.region, day, functions: String(total) };
  const head = [
    `runtime-warden daily digest of account ${where.accountId}, ${where.region}: ${plural(total, 'function')} of ${plural(owners.length, 'owner')} newly broke the runtime policy or moved closer to an AWS deadline since the last digest.`,
    `Day:          ${day} (UTC)`,
    '',
    OWNERS_HEADING,
  ];
  const ownerLines = owners.map(([owner, e]) => singleLine(`- ${owner}: ${plural(e.length, 'function')}`));
  const counts = owners.map(([, e]) => e.length);
  // The owners cut from the list: how many, and how many functions they own between them.
  const moreOwners = (more: number): string => `... and ${more} more owners (${plural(counts.slice(counts.length - more).reduce((a, b) => a + b, 0), 'function')})`;
  const lines = owners.flatMap(([owner, e]) => [...e].sort(byLine).map((x) => singleLine(`${x.line} owner ${owner}`)));
  const { message, listed } = fitSections(
    subject,
    attributes,
    [
      { head, lines: ownerLines, more: moreOwners, share: 0.5 },
      { head: ['', FUNCTIONS_HEADING], lines, more: CONFIG_MORE },
    ],
    max,
  );
  return { subject, message, attributes, listed: listed[1]!, total };
}

/** One function line of an account digest, read back. */
export interface DigestedFunction {
  /** The digest line without its leading "- " and owner: function and lead finding; runtime: stage. */
  readonly text: string;
  readonly owner: string;
  readonly stage: number;
  /** Days to the AWS block date inside the tier's window, when the line names one. */
  readonly daysLeft?: number | undefined;
}

/** An account digest, read back: what the organisation digest adds up. */
export interface AccountDigestContent {
  readonly account: string;
  readonly region: string;
  readonly day: string;
  readonly total: number;
  /** Functions per owner; the owners the account digest had no room for are NOT_LISTED_OWNERS. */
  readonly owners: ReadonlyMap<string, number>;
  /** The functions the account digest listed (the others are counted in total only). */
  readonly functions: readonly DigestedFunction[];
}

/** Where an account digest had no room to name every owner. */
export const NOT_LISTED_OWNERS = '(owners not listed in their account digest)';

const escapeRegExp = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const CHANGES: readonly Change[] = ['new', 'closer to a deadline', 'changed findings', 'reminder'];
// The end of digestLine's text: "<runtime>: <stage>[; <block> <date> (<n> days left)] (<change>)".
const LINE_END = new RegExp(`: (${STAGES.map(escapeRegExp).join('|')})(?:; (?:function creation blocked|function update blocked) \\d{4}-\\d{2}-\\d{2} \\((\\d+) days left\\))? \\((?:${CHANGES.map(escapeRegExp).join('|')})\\)$`);

/** The owner a line ends with (` owner <owner>`): the longest of the owners the digest named, as an owner name may hold " owner ". */
function ownerSuffix(line: string, owners: ReadonlyMap<string, number>): { text: string; owner: string } | undefined {
  for (let i = line.indexOf(' owner '); i >= 0; i = line.indexOf(' owner ', i + 1)) {
    const owner = line.slice(i + ' owner '.length);
    if (owners.has(owner)) return { text: line.slice(2, i), owner };
  }
  return undefined;
}

/**
 * An account digest's message attributes and body, read back; a string says why it is not one.
 * Only what accountDigest writes is read: anything else is refused rather than half-counted.
 */
export function readAccountDigest(attributes: Readonly<Record<string, string | undefined>>, body: string): AccountDigestContent | string {
  const { kind, account, region, day, functions } = attributes;
  if (kind !== ACCOUNT_DIGEST_KIND) return `message attribute kind is ${JSON.stringify(kind)}, not ${ACCOUNT_DIGEST_KIND}`;
  if (!account || !/^\d{12}$/.test(account) || !region || !day || !/^\d{4}-\d{2}-\d{2}$/.test(day) || !functions || !/^\d+$/.test(functions)) return 'message attributes account (12 digits), region, day (YYYY-MM-DD) and functions (a count) are required';
  const lines = body.split('\n');
  const ownersAt = lines.indexOf(OWNERS_HEADING);
  const functionsAt = lines.indexOf(FUNCTIONS_HEADING, ownersAt + 1);
  if (ownersAt < 0 || functionsAt < 0) return `the body has no "${OWNERS_HEADING}" and "${FUNCTIONS_HEADING}" sections`;
  const owners = new Map<string, number>();
  for (const line of lines.slice(ownersAt + 1, functionsAt - 1)) {
    const listed = OWNER_LINE.exec(line);
    const more = MORE_OWNERS.exec(line);
    if (listed) owners.set(listed[1]!, (owners.get(listed[1]!) ?? 0) + Number(listed[2]));
    else if (more) owners.set(NOT_LISTED_OWNERS, (owners.get(NOT_LISTED_OWNERS) ?? 0) + Number(more[2]));
    else return `unreadable owner line ${JSON.stringify(line.slice(0, 120))}`;
  }
  const total = Number(functions);
  const counted = [...owners.values()].reduce((a, b) => a + b, 0);
  if (counted !== total) return `the owners' counts add up to ${counted}, the functions attribute says ${total}`;
  const out: DigestedFunction[] = [];
  for (const line of lines.slice(functionsAt + 1)) {
    if (MORE_LINES.test(line)) break;
    const split = ownerSuffix(line, owners);
    const end = split && LINE_END.exec(split.text);
    if (!split || !end) return `unreadable function line ${JSON.stringify(line.slice(0, 120))}`;
    out.push({ text: split.text, owner: split.owner, stage: STAGES.indexOf(end[1] as (typeof STAGES)[number]), ...(end[2] !== undefined && { daysLeft: Number(end[2]) }) });
  }
  if (out.length > total) return `the body lists ${out.length} functions, the functions attribute says ${total}`;
  return { account, region, day, total, owners, functions: out };
}

/** Events by owner; an owner tag that is missing is an owner of its own, so those functions are seen too. */
export function groupByOwner(events: readonly DigestEvent[]): Map<string, DigestEvent[]> {
  const out = new Map<string, DigestEvent[]>();
  for (const e of events) {
    const owner = e.owner || NO_OWNER;
    const list = out.get(owner);
    if (list) list.push(e);
    else out.set(owner, [e]);
  }
  return out;
}
