import { parseFunctionArn } from '../adapters/lambdaApi.js';
import { RULES } from '../evaluation/rules.js';
import type { Finding } from '../evaluation/types.js';
import type { FunctionFacts } from '../facts/functionFacts.js';
import { tierOf, type Policy, type Tier } from '../policy/policy.js';
import type { UpdateMode } from '../policy/schema.js';
import { consoleUrl, singleLine } from '../remediation/notification.js';
import { appliedWaivers, waiverDaysLeft, type AppliedWaiver } from './applied.js';
import { snsSubject } from './text.js';

// The waiver ledger's decisions, apart from its storage: given a function's facts, its findings
// and what the ledger knew, what the ledger now knows and what must be announced. No I/O, no clock.

/** An announced waiver, as the ledger keeps it until it expires. */
export interface LedgerWaiver extends AppliedWaiver {
  /** The day it was announced (first applied). */
  readonly announcedOn: string;
  /** Whether it downgraded anything when the function was last judged: the digest lists these. */
  readonly active: boolean;
}

/** What the ledger knows about one function. */
export interface LedgerRecord {
  /** Unqualified: versions share their function's record. */
  readonly functionArn: string;
  readonly functionName: string;
  /**
   * The day a waiver tag was first seen on the function. Kept for good: re-tagging, or removing
   * and adding the tag again, does not move it; deleting the record (a security team's decision)
   * does.
   */
  readonly waiverTagSince?: string;
  /** The tier the function was last judged under, and the tier tag's value then (absent: none). */
  readonly tier?: string;
  readonly tierTag?: string;
  readonly waivers: readonly LedgerWaiver[];
  /** Bumped by every write; a write is conditional on the revision it read. */
  readonly revision: number;
}

export interface LedgerDecision {
  /** The record to write (with the revision it was decided from). */
  readonly record: LedgerRecord;
  /** False when the ledger already says all this: nothing to write, nothing to announce. */
  readonly changed: boolean;
  /** Waivers that apply for the first time: each is announced. */
  readonly newWaivers: readonly AppliedWaiver[];
  /** The tier tag now names a more lenient tier than the one last seen: announced. */
  readonly tierLowered?: { readonly from: Tier; readonly to: Tier };
}

const DAY_MS = 86_400_000;
const isoDay = (ms: number): string => new Date(ms).toISOString().slice(0, 10);

/** `arn:PARTITION:lambda:REGION:ACCOUNT:function:NAME` of a function or any of its versions. */
export function ledgerKey(facts: Pick<FunctionFacts, 'arn' | 'name'>): string {
  if (facts.arn === undefined) throw new Error(`Function ${facts.name} has no ARN: the waiver ledger cannot record it.`);
  return facts.arn.split(':').slice(0, 7).join(':');
}

function firstSighting(facts: FunctionFacts, record: LedgerRecord | undefined, policy: Policy, nowMs: number): string | undefined {
  const cfg = policy.document.waiverTag;
  const seenNow = cfg.enabled && cfg.key in facts.tags ? isoDay(nowMs) : undefined;
  const known = [record?.waiverTagSince, facts.waiverTagSince, seenNow].filter((d): d is string => d !== undefined);
  return known.length === 0 ? undefined : known.reduce((a, b) => (b < a ? b : a));
}

/**
 * The facts with the day a waiver tag was first seen on the function: from the ledger, or today
 * when the function carries a waiver tag the ledger has not seen. evaluate() then refuses a tag
 * waiver that reaches more than `waiverTag.maxDays` past that day.
 */
export function withWaiverTagSince<F extends FunctionFacts>(facts: F, record: LedgerRecord | undefined, policy: Policy, nowMs: number): F {
  const since = firstSighting(facts, record, policy, nowMs);
  return since === undefined || since === facts.waiverTagSince ? facts : { ...facts, waiverTagSince: since };
}

/** How lax an update mode is: Auto takes runtime patches at once, FunctionUpdate on a deploy, Manual never. */
const MODE_LAXITY: Readonly<Record<UpdateMode, number>> = { Auto: 0, FunctionUpdate: 1, Manual: 2 };

/**
 * A tier's strictness, compared in order: the upgrade lead (a longer lead asks for the move
 * earlier: stricter); then the redeploy bound (a shorter one is stricter, none the least
 * strict); then the laxest update mode the tier allows (allowing Manual is laxer than allowing
 * FunctionUpdate, which is laxer than Auto only). The lead decides first because it is what the
 * runtime policy asks of a function; with the seed tiers, critical > important > non-critical.
 */
function strictness(t: Tier): readonly number[] {
  return [t.upgradeLeadDays, -(t.redeployWithinDays ?? Number.POSITIVE_INFINITY), -Math.max(...t.allowedUpdateModes.map((m) => MODE_LAXITY[m]))];
}

/** Whether `a` asks less of a function than `b` (see strictness). Tiers alike in all three are equal. */
export function moreLenient(a: Tier, b: Tier): boolean {
  const [x, y] = [strictness(a), strictness(b)];
  const i = x.findIndex((v, k) => v !== y[k]);
  return i >= 0 && x[i]! < y[i]!;
}

/** The record's content in one fixed order, whatever order its fields were built or read in. */
function canonical(r: LedgerRecord): string {
  const waivers = r.waivers.map((w) => [w.id, w.source, w.waiver, w.expires, w.reason, w.rules, w.announcedOn, w.active]);
  return JSON.stringify([r.functionArn, r.functionName, r.waiverTagSince, r.tier, r.tierTag, waivers]);
}

/** The record judged under `tier`, with `tierTag` (absent: no tier tag). */
function withTier(r: LedgerRecord, tier: string | undefined, tierTag: string | undefined): LedgerRecord {
  const { tier: _tier, tierTag: _tag, ...rest } = r;
  return { ...rest, ...(tier !== undefined && { tier }), ...(tierTag !== undefined && { tierTag }) };
}

/**
 * What the ledger learns from one judgement of a function: `facts` as judged (with
 * waiverTagSince), `findings` of its `$LATEST` and of the versions judged with it. A waiver not
 * in the record is new; one that no longer applies stays, inactive, until it expires, so that
 * removing a tag and adding it again is not a new waiver. A tier change is announced only when the
 * tier tag changed (not when the policy's default did) to a tier more lenient than the last one.
 */
export function decide(facts: FunctionFacts, findings: readonly Finding[], record: LedgerRecord | undefined, policy: Policy, nowMs: number): LedgerDecision {
  const today = isoDay(nowMs);
  const applied = appliedWaivers(findings);
  const appliedIds = new Set(applied.map((a) => a.id));
  const known = new Map((record?.waivers ?? []).map((w) => [w.id, w]));
  const waivers: LedgerWaiver[] = [
    ...applied.map((a) => ({ ...a, announcedOn: known.get(a.id)?.announcedOn ?? today, active: true })),
    ...(record?.waivers ?? []).filter((w) => !appliedIds.has(w.id) && waiverDaysLeft(w.expires, nowMs) > 0).map((w) => ({ ...w, active: false })),
  ].sort((a, b) => a.id.localeCompare(b.id));
  const { tier } = tierOf(facts.tags, policy);
  const tierTag = facts.tags[policy.document.tiers.tagKey];
  const previous = record?.tier === undefined ? undefined : policy.tiers.get(record.tier);
  const since = firstSighting(facts, record, policy, nowMs);
  const next: LedgerRecord = {
    functionArn: ledgerKey(facts),
    functionName: facts.name,
    ...(since !== undefined && { waiverTagSince: since }),
    tier: tier.name,
    ...(tierTag !== undefined && { tierTag }),
    waivers,
    revision: record?.revision ?? 0,
  };
  const lowered = previous !== undefined && record!.tierTag !== tierTag && moreLenient(tier, previous);
  return {
    record: next,
    changed: record === undefined || canonical(next) !== canonical(record),
    newWaivers: applied.filter((a) => !known.has(a.id)),
    ...(lowered && { tierLowered: { from: previous, to: tier } }),
  };
}

/**
 * The record with a claim given back after its announcement could not be sent, so that the next
 * judgement announces again: the waivers announced today that failed leave it, and a failed tier
 * announcement restores the tier it was lowered from.
 */
export function unclaim(current: LedgerRecord, claimed: LedgerDecision, failedWaiverIds: ReadonlySet<string>, tierFailed: boolean, previous: LedgerRecord | undefined, nowMs: number): LedgerRecord {
  const today = isoDay(nowMs);
  const waivers = current.waivers.filter((w) => !(failedWaiverIds.has(w.id) && w.announcedOn === today));
  const restoreTier = tierFailed && previous !== undefined && current.tier === claimed.record.tier && current.tierTag === claimed.record.tierTag;
  const back = restoreTier ? withTier(current, previous.tier, previous.tierTag) : current;
  return { ...back, waivers };
}

/** The record of a function that is gone: its waivers apply to nothing any more. The first sighting stays. */
export function retired(record: LedgerRecord): LedgerRecord {
  return { ...record, waivers: record.waivers.map((w) => ({ ...w, active: false })) };
}

/** An SNS message to the security topic. */
export interface Announcement {
  readonly subject: string;
  readonly message: string;
  /** String message attributes a subscription can filter on: `kind` always. */
  readonly attributes: Readonly<Record<string, string>>;
}

const RULE_NAMES = new Map(RULES.map((r) => [r.id, r.name]));

function where(facts: FunctionFacts): { arn: string; account: string; region: string } {
  const arn = ledgerKey(facts);
  const parsed = parseFunctionArn(arn);
  return { arn, account: facts.accountId ?? parsed.accountId ?? 'unknown', region: facts.region ?? parsed.region ?? 'unknown' };
}

function ownerOf(facts: FunctionFacts, policy: Policy): string {
  const owner = policy.document.ownerTagKeys.map((k) => facts.tags[k]).find((x) => x !== undefined);
  return owner ?? '(no owner tag)';
}

/**
 * Who set a tag is not in the Lambda API; CloudTrail records the call (TagResource, or
 * CreateFunction with tags) with the caller's identity, and its Event history keeps 90 days
 * (Lambda Developer Guide, "Logging AWS Lambda API calls using AWS CloudTrail").
 */
const TAG_SET_BY = 'not known to the Lambda API: see CloudTrail TagResource (or CreateFunction) events for this function; Event history keeps 90 days';

const describeTier = (t: Tier): string =>
  `${t.name}: upgrade at least ${t.upgradeLeadDays} days before deprecation; ${t.redeployWithinDays === undefined ? 'no redeploy bound' : `redeploy within ${t.redeployWithinDays} days`}; update modes ${t.allowedUpdateModes.join(', ')}`;

/** The announcement of a waiver that applies to a function for the first time. */
export function waiverAnnouncement(w: AppliedWaiver, facts: FunctionFacts, policy: Policy, nowMs: number): Announcement {
  const { arn, account, region } = where(facts);
  const cfg = policy.document.waiverTag;
  const left = waiverDaysLeft(w.expires, nowMs);
  const since = facts.waiverTagSince;
  const bound = since === undefined ? undefined : isoDay(Date.parse(`${since}T00:00:00Z`) + cfg.maxDays * DAY_MS);
  const lines = [
    `runtime-warden: a waiver now applies to Lambda function ${facts.name}. The errors of the rules below count as warnings, and the function as compliant for them, until the waiver expires.`,
    '',
    `Function:     ${arn}`,
    `Account:      ${account}`,
    `Region:       ${region}`,
    `Source:       ${w.source === 'tag' ? `tag ${cfg.key} on the function` : `policy waiver "${w.waiver ?? ''}"`}`,
    `Rules:        ${w.rules.map((r) => `${r} ${RULE_NAMES.get(r) ?? ''}`.trim()).join(', ')}`,
    `Expires:      ${w.expires} (${left} ${left === 1 ? 'day' : 'days'} left)`,
    `Reason:       ${w.reason}`,
    `Set by:       ${w.source === 'tag' ? TAG_SET_BY : 'whoever changed the runtime-warden policy: see the history of its source'}`,
    ...(w.source === 'tag' && since !== undefined ? [`First seen:   a waiver tag was first seen on this function on ${since}; no tag waiver on it can reach past ${bound} (waiverTag.maxDays ${cfg.maxDays})`] : []),
    `Owner:        ${ownerOf(facts, policy)}`,
    `Console:      ${consoleUrl(region, facts.name)}`,
    '',
    w.source === 'tag' ? `To revoke it: remove the tag ${cfg.key} from the function.` : 'To revoke it: remove the waiver from the runtime-warden policy.',
  ];
  return {
    subject: snsSubject(`[runtime-warden] Waiver applied: ${facts.name}`),
    // Each entry is one line, whatever the tag values, names and reasons in it hold.
    message: lines.map(singleLine).join('\n'),
    attributes: { kind: 'waiver-applied', account, function: facts.name },
  };
}

/** The announcement of a tier tag that now names a more lenient tier. */
export function tierAnnouncement(from: Tier, to: Tier, previousTag: string | undefined, facts: FunctionFacts, policy: Policy): Announcement {
  const { arn, account, region } = where(facts);
  const key = policy.document.tiers.tagKey;
  const tag = facts.tags[key];
  const shown = (v: string | undefined): string => (v === undefined ? 'absent (the default tier)' : `"${v}"`);
  const lines = [
    `runtime-warden: Lambda function ${facts.name} is now judged under a more lenient tier: the runtime policy asks less of it. A tier tag is self-service, so the change is announced like a waiver.`,
    '',
    `Function:     ${arn}`,
    `Account:      ${account}`,
    `Region:       ${region}`,
    `Tier tag:     ${key} is ${shown(tag)}, was ${shown(previousTag)}`,
    `Before:       ${describeTier(from)}`,
    `Now:          ${describeTier(to)}`,
    `Set by:       ${TAG_SET_BY}`,
    `Owner:        ${ownerOf(facts, policy)}`,
    `Console:      ${consoleUrl(region, facts.name)}`,
    '',
    `If the change was not agreed: set ${key} back.`,
  ];
  return {
    subject: snsSubject(`[runtime-warden] Tier lowered: ${facts.name} ${from.name} -> ${to.name}`),
    message: lines.map(singleLine).join('\n'),
    attributes: { kind: 'tier-lowered', account, function: facts.name },
  };
}
