// Issue #22's remediation half: N functions break the policy at once (default 2,000, 7 owners).
// The real notify handler with real SDK clients: SNS, SQS and the DynamoDB notification log in
// moto's server, Lambda in a loopback stand-in that throttles GetFunction at 100/s and the rest of
// the control plane at 15/s (remediationStandIn.ts). AWS Config and SSM Automation are modelled
// with the settings template.yaml gives them: Config starts at most ConcurrentExecutionRatePercentage
// of the non-compliant resources at once, SSM runs at most 100 automations at a time ("By
// default, Automation lets you run up to 100 concurrent automations", Systems Manager User Guide,
// "Allowing Automation to adapt to your concurrency needs"), an invoke beyond the function's
// reserved concurrency is refused, a failed automation is retried up to MaximumAutomaticAttempts
// and then becomes a remediation exception, and SSM stops once ErrorPercentage have failed.
// The model starts each automation as soon as a slot is free (real automations take seconds to
// start and end): the Lambda request rate it sees is an upper bound. Prints figures; asserts nothing.
import { Logger } from '@aws-lambda-powertools/logger';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { createHandler, NOTIFY_CLIENT_CONFIG, type NotifyDependencies } from '../../remediation/notify/handler.js';
import { createAlerting, type AlertingFixture } from '../../scripts/emulator/alerting.js';
import { startMoto } from '../../scripts/emulator/moto.js';
import { DEFAULT_POLICY } from '../../shared/index.js';
import { NotificationLog } from '../../shared/io/notificationLog.js';
import { parseTemplate } from '../../shared/template/parse.js';
import { startLambdaStandIn, type StandInFunction } from './remediationStandIn.js';

const ROOT = join(fileURLToPath(import.meta.url), '..', '..', '..');
const SSM_CONCURRENT_AUTOMATIONS = 100;
const NOW = Date.parse('2026-11-23T12:00:00Z');

export interface RemediationSettings {
  readonly concurrentPercentage: number;
  readonly errorPercentage: number;
  readonly maximumAutomaticAttempts: number;
  readonly retryAttemptSeconds: number;
  /** The notify function's reserved concurrency; undefined: unreserved. */
  readonly reservedConcurrency: number | undefined;
}

type Resources = Record<string, { Properties: Record<string, unknown> }>;
type Template = { Parameters?: Record<string, { Default?: unknown }>; Resources: Resources };

/** A value of the template, a `!Ref` to a parameter read as its default. */
function valueOf(template: Template, v: unknown): number | undefined {
  const ref = (v as { Ref?: string } | undefined)?.Ref;
  const raw = ref !== undefined ? template.Parameters?.[ref]?.Default : v;
  return raw === undefined || raw === '' ? undefined : Number(raw);
}

/** The notify remediation's settings, as template.yaml has them now. */
export function remediationSettings(templatePath: string = join(ROOT, 'template.yaml')): RemediationSettings {
  const template = parseTemplate(readFileSync(templatePath, 'utf8')) as Template;
  const r = template.Resources.NotifyRemediation!.Properties;
  const ssm = (r.ExecutionControls as { SsmControls: Record<string, unknown> }).SsmControls;
  // A reserved concurrency behind !If [condition, value, NoValue] counts as set: the bench asks what it allows.
  const reserved = template.Resources.NotifyFunction!.Properties.ReservedConcurrentExecutions as unknown;
  const chosen = (reserved as { 'Fn::If'?: unknown[] } | undefined)?.['Fn::If']?.[1] ?? reserved;
  return {
    concurrentPercentage: valueOf(template, ssm.ConcurrentExecutionRatePercentage) ?? 10,
    errorPercentage: valueOf(template, ssm.ErrorPercentage) ?? 50,
    maximumAutomaticAttempts: valueOf(template, r.MaximumAutomaticAttempts) ?? 5,
    retryAttemptSeconds: valueOf(template, r.RetryAttemptSeconds) ?? 60,
    reservedConcurrency: valueOf(template, chosen),
  };
}

export interface RemediationFigures {
  readonly settings: RemediationSettings;
  readonly automationConcurrency: number;
  readonly automationsStarted: number;
  readonly automationsFailed: number;
  readonly remediationExceptions: number;
  readonly lambdaCallsPerAlert: number;
  readonly lambdaCalls: Record<string, { answered: number; throttled: number }>;
  readonly messages: { readonly ownerDigests: number; readonly organisationDigests: number; readonly individual: number; readonly centralIndividual: number };
  readonly seconds: number;
}

/** Every message that reached a topic's SQS listener. */
export async function drain(topic: AlertingFixture): Promise<Awaited<ReturnType<AlertingFixture['received']>>> {
  const out: Awaited<ReturnType<AlertingFixture['received']>> = [];
  for (let batch = await topic.received(); batch.length > 0; batch = await topic.received()) out.push(...batch);
  return out;
}

/**
 * The notify handler with daily digests at instant `at`, as deployed in eu-west-1 with the
 * organisation's central topic in us-east-1 (the bench's and the digest test's set-up).
 */
export function digestNotify(
  clients: { lambda: LambdaClient; sns: SNSClient; snsEast: SNSClient; dynamo: DynamoDBClient },
  onCall: AlertingFixture,
  central: AlertingFixture,
  overrides: Partial<NotifyDependencies> = {},
): (at: number) => ReturnType<typeof createHandler> {
  const logger = new Logger({ serviceName: 'bench', logLevel: 'SILENT' });
  return (at) =>
    createHandler({
      lambda: clients.lambda,
      snsFor: (region) => (region === 'us-east-1' ? clients.snsEast : clients.sns),
      log: new NotificationLog(clients.dynamo, onCall.tableName),
      topicArn: onCall.topicArn,
      centralTopicArn: central.topicArn,
      region: 'eu-west-1',
      defaultQuietPeriodMinutes: 1440,
      digest: true,
      loadPolicy: () => Promise.resolve(DEFAULT_POLICY),
      now: () => at,
      logger,
      ...overrides,
    });
}

/** Runs the burst and prints its figures. */
export async function remediationBench(options: { functions?: number; owners?: number; template?: string } = {}): Promise<RemediationFigures> {
  const size = options.functions ?? 2000;
  const owners = options.owners ?? 7;
  const settings = remediationSettings(options.template);
  // nodejs16.x on 2026-11-23: every function breaks the policy; 1 in 100 is critical-tier, whose
  // 180-day window holds the creation block 70 days ahead: urgent, alerted on its own as well.
  const fleet: StandInFunction[] = Array.from({ length: size }, (_, i) => ({ name: `fn-${String(i).padStart(5, '0')}`, runtime: 'nodejs16.x', tags: { owner: `team-${(i % owners) + 1}`, ...(i % 100 === 0 && { 'runtime-warden:tier': 'critical' }) } }));
  const standIn = await startLambdaStandIn(fleet);
  const moto = await startMoto();
  const east = { ...moto.clientConfig, region: 'us-east-1' };
  const clients = { sns: new SNSClient(moto.clientConfig), sqs: new SQSClient(moto.clientConfig), dynamo: new DynamoDBClient(moto.clientConfig), snsEast: new SNSClient(east), sqsEast: new SQSClient(east) };
  const lambda = new LambdaClient({ ...NOTIFY_CLIENT_CONFIG, endpoint: standIn.endpoint, region: 'eu-west-1', credentials: moto.clientConfig.credentials });
  try {
    const onCall = await createAlerting(clients.sns, clients.sqs, clients.dynamo);
    const central = await createAlerting(clients.snsEast, clients.sqsEast, clients.dynamo, 'org-runtime-alerts');
    const handler = digestNotify({ lambda, sns: clients.sns, snsEast: clients.snsEast, dynamo: clients.dynamo }, onCall, central);
    const context = { invokedFunctionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:runtime-warden-notify' };
    const notify = handler(NOW);

    // Config and SSM: at most this many automations at once; an invoke past the reserved concurrency is refused.
    const automationConcurrency = Math.min(Math.max(1, Math.floor((settings.concurrentPercentage / 100) * size)), SSM_CONCURRENT_AUTOMATIONS);
    const invokeSlots = settings.reservedConcurrency ?? Number.POSITIVE_INFINITY;
    let running = 0;
    let started = 0;
    let failed = 0;
    let exceptions = 0;
    const errorBudget = Math.floor((settings.errorPercentage / 100) * size);
    const attempt = async (name: string): Promise<boolean> => {
      started++;
      if (running >= invokeSlots) return false;
      running++;
      try {
        await notify({ functionName: name }, context);
        return true;
      } catch {
        return false;
      } finally {
        running--;
      }
    };
    const queue = [...fleet.map((f) => f.name)];
    const t0 = performance.now();
    const worker = async (): Promise<void> => {
      for (let name = queue.shift(); name !== undefined && failed <= errorBudget; name = queue.shift()) {
        let attempts = 0;
        let ok = false;
        while (!ok && attempts < settings.maximumAutomaticAttempts) {
          attempts++;
          ok = await attempt(name);
          if (!ok) failed++;
        }
        if (!ok) exceptions++;
      }
    };
    await Promise.all(Array.from({ length: automationConcurrency }, worker));
    const seconds = (performance.now() - t0) / 1000;
    await handler(NOW + 19 * 3_600_000)({ 'detail-type': 'Scheduled Event', source: 'aws.events', detail: {} }, context);

    const toOnCall = await drain(onCall);
    const toCentral = await drain(central);
    const answered = [...standIn.calls.values()].reduce((s, c) => s + c.answered - c.throttled, 0);
    const figures: RemediationFigures = {
      settings,
      automationConcurrency,
      automationsStarted: started,
      automationsFailed: failed,
      remediationExceptions: exceptions,
      lambdaCallsPerAlert: answered / size,
      lambdaCalls: Object.fromEntries(standIn.calls),
      messages: {
        ownerDigests: toOnCall.filter((m) => m.MessageAttributes.kind?.Value === 'digest').length,
        organisationDigests: toCentral.filter((m) => m.MessageAttributes.kind?.Value === 'account-digest').length,
        individual: toOnCall.filter((m) => m.MessageAttributes.kind === undefined).length,
        centralIndividual: toCentral.filter((m) => m.MessageAttributes.kind === undefined).length,
      },
      seconds,
    };
    print(size, owners, figures);
    return figures;
  } finally {
    lambda.destroy();
    for (const c of Object.values(clients)) c.destroy();
    await moto.stop();
    await standIn.close();
  }
}

function print(size: number, owners: number, f: RemediationFigures): void {
  const s = f.settings;
  console.log(`\nremediation: ${size.toLocaleString('en')} non-compliant functions at once, ${owners} owners (notify with daily digests)`);
  console.log(
    `  settings (template.yaml): ConcurrentExecutionRatePercentage ${s.concurrentPercentage}, ErrorPercentage ${s.errorPercentage}, MaximumAutomaticAttempts ${s.maximumAutomaticAttempts}, RetryAttemptSeconds ${s.retryAttemptSeconds}, notify reserved concurrency ${s.reservedConcurrency ?? 'none'}`,
  );
  console.log(`  automations at once:        ${f.automationConcurrency}`);
  console.log(`  automations started:        ${f.automationsStarted.toLocaleString('en')} (failed ${f.automationsFailed}, remediation exceptions ${f.remediationExceptions})`);
  console.log(`  Lambda calls per alert:     ${f.lambdaCallsPerAlert.toFixed(2)}`);
  for (const [api, c] of Object.entries(f.lambdaCalls)) console.log(`    ${api}: ${c.answered.toLocaleString('en')} requests, ${c.throttled} throttled (retried by the SDK)`);
  console.log(`  messages: ${f.messages.ownerDigests} owner digests, ${f.messages.organisationDigests} account digest to the central topic (org/central.yaml adds them up into one organisation digest), ${f.messages.individual} individual alerts on the alert topic (${f.messages.centralIndividual} on the central topic)`);
  console.log(`  wall time of the burst:     ${f.seconds.toFixed(1)} s (automations back to back; SSM's own start-up not modelled)`);
}

// Usage: tsx bench/scale/remediation.ts [functions] [template]
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await remediationBench({ ...(process.argv[2] && { functions: Number(process.argv[2]) }), ...(process.argv[3] && { template: process.argv[3] }) });
