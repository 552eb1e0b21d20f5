import { paginateGetComplianceDetailsByConfigRule, PutEvaluationsCommand, type ConfigServiceClient } from '@aws-sdk/client-config-service';
import type { ConfigEvaluation } from '../config/decision.js';
import { awsError } from './awsErrors.js';

type Config = Pick<ConfigServiceClient, 'send'>;

/** PutEvaluations takes at most 100 evaluations per call. */
export const PUT_EVALUATIONS_MAX = 100;
export const TEST_MODE_TOKEN = 'TESTMODE';

/**
 * Evaluations a reporter keeps to return, past which it only counts: a pass over 50,000 functions
 * holds no list of them all, and the handler's return value (which Config ignores) stays small.
 */
export const RETAINED_MAX = 1_000;

export interface ReporterOptions {
  /** Attempts per evaluation that comes back in FailedEvaluations. */
  readonly maxAttempts?: number;
  readonly sleep?: (ms: number) => Promise<void>;
}

const key = (e: { ComplianceResourceType?: string | undefined; ComplianceResourceId?: string | undefined }): string => `${e.ComplianceResourceType}/${e.ComplianceResourceId}`;

/**
 * Reports evaluations in full batches of 100 as they come, and the rest on `flush`. Entries that
 * come back in FailedEvaluations are sent again with backoff; those that still fail are kept in
 * `unreported`, never dropped silently. With the TESTMODE token, AWS checks and stores nothing.
 */
export class EvaluationReporter {
  /** The first RETAINED_MAX evaluations reported; `count` counts them all. */
  public readonly reported: ConfigEvaluation[] = [];
  public readonly unreported: ConfigEvaluation[] = [];
  public calls = 0;
  public count = 0;
  public nonCompliant = 0;
  private buffer: ConfigEvaluation[] = [];
  private queue: Promise<void> = Promise.resolve();
  private readonly maxAttempts: number;
  private readonly sleep: (ms: number) => Promise<void>;

  public constructor(
    private readonly config: Config,
    private readonly resultToken: string,
    options: ReporterOptions = {},
  ) {
    this.maxAttempts = options.maxAttempts ?? 4;
    this.sleep = options.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
  }

  public add(...evaluations: ConfigEvaluation[]): Promise<void> {
    this.buffer.push(...evaluations);
    while (this.buffer.length >= PUT_EVALUATIONS_MAX) this.enqueue(this.buffer.splice(0, PUT_EVALUATIONS_MAX));
    return this.queue;
  }

  public flush(): Promise<void> {
    while (this.buffer.length > 0) this.enqueue(this.buffer.splice(0, PUT_EVALUATIONS_MAX));
    return this.queue;
  }

  // One PutEvaluations call at a time, whoever adds: the API is rate-limited per account.
  private enqueue(batch: ConfigEvaluation[]): void {
    this.queue = this.queue.then(() => this.send(batch));
  }

  private async send(batch: ConfigEvaluation[]): Promise<void> {
    let pending = batch;
    for (let attempt = 1; pending.length > 0; attempt++) {
      this.calls++;
      const out = await this.config.send(
        new PutEvaluationsCommand({ Evaluations: pending, ResultToken: this.resultToken, ...(this.resultToken === TEST_MODE_TOKEN && { TestMode: true }) }),
      );
      const failed = new Set((out.FailedEvaluations ?? []).map(key));
      for (const e of pending) {
        if (failed.has(key(e))) continue;
        this.count++;
        if (e.ComplianceType === 'NON_COMPLIANT') this.nonCompliant++;
        if (this.reported.length < RETAINED_MAX) this.reported.push(e);
      }
      pending = pending.filter((e) => failed.has(key(e)));
      if (pending.length > 0 && attempt >= this.maxAttempts) {
        this.unreported.push(...pending);
        return;
      }
      if (pending.length > 0) await this.sleep(Math.min(10_000, 200 * 2 ** attempt) * (0.5 + Math.random() / 2));
    }
  }
}

/**
 * Functions this rule reported on before (COMPLIANT or NON_COMPLIANT), to retire the ones that
 * are gone. Undefined when Config cannot tell, in which case nothing is retired this run.
 */
export async function previouslyEvaluated(config: Config, ruleName: string, onError: (reason: string) => void): Promise<string[] | undefined> {
  const ids: string[] = [];
  try {
    const pages = paginateGetComplianceDetailsByConfigRule(
      { client: config as ConfigServiceClient },
      { ConfigRuleName: ruleName, ComplianceTypes: ['COMPLIANT', 'NON_COMPLIANT'], Limit: 100 },
    );
    for await (const page of pages) {
      for (const r of page.EvaluationResults ?? []) {
        const id = r.EvaluationResultIdentifier?.EvaluationResultQualifier?.ResourceId;
        if (id) ids.push(id);
      }
    }
    return ids;
  } catch (err) {
    const e = awsError(err);
    onError(`GetComplianceDetailsByConfigRule failed (${e.name}: ${e.message.split('\n')[0]}): stale results are not retired this run`);
    return undefined;
  }
}
