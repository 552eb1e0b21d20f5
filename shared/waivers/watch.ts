import type { Logger } from '@aws-lambda-powertools/logger';
import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import { evaluate } from '../evaluation/evaluate.js';
import type { FunctionFacts } from '../facts/functionFacts.js';
import { describeError } from '../io/awsErrors.js';
import type { WaiverLedger } from '../io/waiverLedger.js';
import type { Policy } from '../policy/policy.js';
import { messageAttributes } from '../remediation/notification.js';
import { decide, ledgerKey, retired, tierAnnouncement, unclaim, waiverAnnouncement, withWaiverTagSince, type Announcement, type LedgerDecision, type LedgerRecord } from './announce.js';

// The waiver ledger at work in one Config rule run: each function judged with the day a waiver
// tag was first seen on it, and every waiver that first applies, and every tier tag lowered,
// announced once to the security topic.

export interface WaiverWatchDependencies {
  readonly ledger: Pick<WaiverLedger, 'get' | 'getMany' | 'put' | 'tableName'>;
  /** An SNS client in the security topic's region (SNS Publish reaches a topic only there). */
  readonly sns: Pick<SNSClient, 'send'>;
  /** The security topic; the alert topic where the deployment names none. */
  readonly topicArn: string;
  readonly logger?: Pick<Logger, 'info'>;
}

/** An announcement that could not be published; its claim was given back, so the next run sends it. */
export class WaiverAnnouncementError extends Error {
  public constructor(message: string, cause: unknown) {
    super(message, { cause });
    this.name = 'WaiverAnnouncementError';
  }
}

/** Conditional writes tried before a judgement gives up: each lost race re-reads the record. */
const WRITE_ATTEMPTS = 5;

/** Publishes to one topic, with string message attributes a subscription can filter on. */
export async function publish(sns: Pick<SNSClient, 'send'>, topicArn: string, a: Announcement): Promise<void> {
  await sns.send(new PublishCommand({ TopicArn: topicArn, Subject: a.subject, Message: a.message, MessageAttributes: messageAttributes(a.attributes) }));
}

export class WaiverWatch {
  /** Records read ahead for a periodic pass (null: none yet); each is used once. */
  private readonly ahead = new Map<string, LedgerRecord | null>();

  public constructor(
    private readonly deps: WaiverWatchDependencies,
    private readonly policy: Policy,
    private readonly nowMs: number,
  ) {}

  /** Reads the records of many functions at once (BatchGetItem, 100 a call), for a periodic pass. */
  public async prefetch(functionArns: Iterable<string>): Promise<void> {
    const arns = [...functionArns].map((arn) => ledgerKey({ arn, name: arn }));
    const found = await this.deps.ledger.getMany(arns);
    for (const arn of arns) this.ahead.set(arn, found.get(arn) ?? null);
  }

  private async record(key: string): Promise<LedgerRecord | undefined> {
    const ahead = this.ahead.get(key);
    if (ahead !== undefined) {
      this.ahead.delete(key);
      return ahead ?? undefined;
    }
    return this.deps.ledger.get(key);
  }

  /**
   * Judges a function with its ledger: `judge` gets the facts with `waiverTagSince`; then the
   * ledger learns what the judgement showed (evaluated again here, `$LATEST` and `versions`, which
   * share the function's tags) and what is new is announced. Throws when the ledger cannot be
   * read or written, or an announcement not sent: a waiver must not apply unrecorded or unannounced.
   */
  public async judged<T>(facts: FunctionFacts, judge: (facts: FunctionFacts) => Promise<T>, versions: readonly FunctionFacts[] = []): Promise<T> {
    const key = ledgerKey(facts);
    const record = await this.record(key);
    const result = await judge(withWaiverTagSince(facts, record, this.policy, this.nowMs));
    await this.settle(key, facts, versions, record);
    return result;
  }

  private async settle(key: string, facts: FunctionFacts, versions: readonly FunctionFacts[], first: LedgerRecord | undefined): Promise<void> {
    let record = first;
    for (let attempt = 1; attempt <= WRITE_ATTEMPTS; attempt++) {
      const latest = withWaiverTagSince(facts, record, this.policy, this.nowMs);
      const findings = [latest, ...versions].flatMap((f) => evaluate(withWaiverTagSince(f, record, this.policy, this.nowMs), this.policy, this.nowMs));
      const decision = decide(latest, findings, record, this.policy, this.nowMs);
      if (!decision.changed) return;
      const written = await this.deps.ledger.put(decision.record, record);
      if (written) return this.announce(latest, decision, record, written);
      record = await this.deps.ledger.get(key);
    }
    throw new Error(`Waiver ledger ${this.deps.ledger.tableName}: ${key} changed under ${WRITE_ATTEMPTS} attempts to record it.`);
  }

  private async announce(facts: FunctionFacts, decision: LedgerDecision, previous: LedgerRecord | undefined, written: LedgerRecord): Promise<void> {
    const failedWaivers = new Set<string>();
    let tierFailed = false;
    const errors: string[] = [];
    let cause: unknown;
    const send = async (a: Announcement, onFailure: () => void): Promise<void> => {
      try {
        await publish(this.deps.sns, this.deps.topicArn, a);
        this.deps.logger?.info('waiver ledger: announced', { subject: a.subject, kind: a.attributes.kind });
      } catch (err) {
        onFailure();
        cause ??= err;
        errors.push(`${a.subject}: ${describeError(err)}`);
      }
    };
    for (const w of decision.newWaivers) await send(waiverAnnouncement(w, facts, this.policy, this.nowMs), () => failedWaivers.add(w.id));
    const lowered = decision.tierLowered;
    if (lowered) await send(tierAnnouncement(lowered.from, lowered.to, previous?.tierTag, facts, this.policy), () => (tierFailed = true));
    if (errors.length === 0) return;
    await this.update(written.functionArn, written, (current) => unclaim(current, decision, failedWaivers, tierFailed, previous, this.nowMs));
    throw new WaiverAnnouncementError(`Could not announce to ${this.deps.topicArn}: ${errors.join('; ')}`, cause);
  }

  /** Applies `change` to the stored record, re-reading it after each lost race. */
  private async update(key: string, known: LedgerRecord | undefined, change: (r: LedgerRecord) => LedgerRecord): Promise<void> {
    let current = known;
    for (let attempt = 1; attempt <= WRITE_ATTEMPTS; attempt++) {
      if (current === undefined) return;
      if (await this.deps.ledger.put(change(current), current)) return;
      current = await this.deps.ledger.get(key);
    }
    throw new Error(`Waiver ledger ${this.deps.ledger.tableName}: ${key} changed under ${WRITE_ATTEMPTS} attempts to update it.`);
  }

  /**
   * A function that is gone (deleted, or out of the rule's scope): its waivers leave the digest.
   * Its first sighting stays, so deleting and re-creating a function grants no fresh waiver period.
   */
  public async retire(functionArn: string): Promise<void> {
    const key = ledgerKey({ arn: functionArn, name: functionArn });
    const record = await this.deps.ledger.get(key);
    if (record === undefined || record.waivers.every((w) => !w.active)) return;
    await this.update(key, record, retired);
  }
}
