// The main job, run locally on its embedded defaults:
// 0. the catalog refresher reads a bundled copy of AWS's "Lambda runtimes" page into the catalog
//    parameter of moto's server on loopback, and everything below judges by that catalog;
// 1. the Lambda hook judges every function of the sample templates (as CloudFormation would send
//    them, one CREATE event each) and the sample hook events, and prints each decision as the
//    hook's failure mode turns it into an outcome (template.yaml's HookFailureMode default
//    unless --failure-mode says otherwise);
// 2. the Config rule's periodic evaluation runs over a sample fleet seeded into moto's server on
//    loopback, and prints a compliance table;
// 3. the notify remediation runs for every non-compliant function, as Config would start it, and
//    the alerts that reached the SNS topic are counted and one is shown.
// Usage: tsx scripts/run-local.ts [--policy FILE] [--now YYYY-MM-DD] [--fleet N] [--page FILE] [--failure-mode FAIL|WARN] [paths...]
import { Logger } from '@aws-lambda-powertools/logger';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { ConfigServiceClient } from '@aws-sdk/client-config-service';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { SSMClient } from '@aws-sdk/client-ssm';
import { createHandler as createRefresher } from '../catalog-refresher/handler.js';
import { cachedCatalogLoader, policyWithCatalog } from '../shared/io/catalogSource.js';
import { createHandler as createNotify } from '../remediation/notify/handler.js';
import { NotificationLog } from '../shared/io/notificationLog.js';
import { createAlerting } from './emulator/alerting.js';
import { createHandler as createConfigRule } from '../config-rules/runtime-compliance/handler.js';
import { createHandler } from '../hooks/runtime-hook/handler.js';
import type { HookResponse } from '../hooks/runtime-hook/response.js';
import { lambdaFunctionsOf } from '../shared/template/functions.js';
import { parseTemplate } from '../shared/template/parse.js';
import { CATALOG_DATA_AS_OF, DEFAULT_POLICY, type Policy } from '../shared/index.js';
import { dayStart } from '../shared/catalog/catalog.js';
import { parsePolicyText } from '../shared/policy/policyText.js';
import { sampleFleet, seedFleet, seedUsage } from './emulator/fleet.js';
import { startMoto } from './emulator/moto.js';

const BUNDLED_PAGE = 'examples/lambda-runtimes.html';

const { values, positionals } = parseArgs({
  options: {
    policy: { type: 'string' },
    now: { type: 'string' },
    fleet: { type: 'string', default: '36' },
    page: { type: 'string', default: BUNDLED_PAGE },
    'failure-mode': { type: 'string' },
  },
  allowPositionals: true,
});

/**
 * What CloudFormation does with each hook answer: a failed answer stops the operation under
 * FAIL and only warns under WARN (Hooks User Guide, "Hooks concepts", Failure mode).
 */
const OUTCOMES = {
  FAIL: { meaning: 'a failed answer stops the operation', nonCompliant: 'BLOCK', error: 'ERROR (blocks)', nonCompliantCount: 'blocked', errorCount: 'blocked' },
  WARN: {
    meaning: 'a failed answer is a warning in the stack events and the operation goes on; --failure-mode FAIL shows what FAIL would block',
    nonCompliant: 'WARN (would block under FAIL)',
    error: 'ERROR (warns; would block under FAIL)',
    nonCompliantCount: 'warned (would be blocked under FAIL)',
    errorCount: 'warned',
  },
} as const;
// The deployment's default, read from the template so that this output follows it.
const failureModeParameter = (parseTemplate(readFileSync('template.yaml', 'utf8')) as { Parameters: { HookFailureMode: { Default: string; AllowedValues: string[] } } }).Parameters.HookFailureMode;
const failureMode = values['failure-mode'] ?? failureModeParameter.Default;
if (!failureModeParameter.AllowedValues.includes(failureMode) || !(failureMode in OUTCOMES)) {
  throw new Error(`--failure-mode ${failureMode}: template.yaml's HookFailureMode allows ${failureModeParameter.AllowedValues.join(', ')}`);
}
const outcomes = OUTCOMES[failureMode as keyof typeof OUTCOMES];

const basePolicy: Policy = values.policy ? parsePolicyText(readFileSync(values.policy, 'utf8'), values.policy) : DEFAULT_POLICY;
const now = values.now ? Date.parse(`${values.now}T00:00:00Z`) : Date.now();
if (Number.isNaN(now)) throw new Error(`--now ${values.now} is not a date (YYYY-MM-DD)`);
const silent = new Logger({ logLevel: 'SILENT' });

// 0. The runtime catalog, refreshed into the emulator's parameter as the deployed refresher does.
const moto = await startMoto();
const ssm = new SSMClient(moto.clientConfig);
const sns = new SNSClient(moto.clientConfig);
const cloudWatch = new CloudWatchClient(moto.clientConfig);
const sqs = new SQSClient(moto.clientConfig);
const dynamo = new DynamoDBClient(moto.clientConfig);
const lambda = new LambdaClient(moto.clientConfig);
const config = new ConfigServiceClient({ ...moto.clientConfig, maxAttempts: 1 });
const alerting = await createAlerting(sns, sqs, dynamo);
const CATALOG_PARAMETER = '/runtime-warden/runtime-catalog';
const refreshed = await createRefresher({
  fetchPage: (path) => Promise.resolve(readFileSync(path, 'utf8')),
  ssm,
  sns,
  lambda,
  parameterName: CATALOG_PARAMETER,
  tier: 'Standard',
  topicArn: alerting.topicArn,
  sourceUrl: values.page!,
  // The bundled copy of AWS's page is the one the built-in catalog was read from, on its day: it
  // is "as of" that day, not today (the page prints no date of its own). A page given is as of now.
  now: () => (values.page === BUNDLED_PAGE ? dayStart(CATALOG_DATA_AS_OF) : Date.now()),
  logger: silent,
  respond: () => Promise.resolve(),
})({ source: 'aws.events' });
const loadPolicy = policyWithCatalog(() => Promise.resolve(basePolicy), cachedCatalogLoader(CATALOG_PARAMETER, () => ssm, { onProblem: (m) => console.error(m) }));
const policy = await loadPolicy();
if (!refreshed) throw new Error('the catalog refresher answered nothing');
const catalogLine = `runtime catalog as of ${policy.base.origin.asOf} (${policy.base.origin.source})`;
console.log(
  refreshed.status === 'refreshed'
    ? `runtime-warden catalog refresher: ${refreshed.changes.length === 0 ? 'no changes from the built-in catalog' : refreshed.changes.join('; ')}; stored in ${CATALOG_PARAMETER} (moto): ${catalogLine}\n`
    : `runtime-warden catalog refresher refused ${values.page}: ${refreshed.reasons!.join('; ')}; judging by the ${catalogLine}\n`,
);
const handler = createHandler({ loadPolicy, now: () => now, logger: silent });

function files(path: string): string[] {
  if (!statSync(path).isDirectory()) return [path];
  return readdirSync(path).sort().flatMap((f) => files(join(path, f)));
}

/** A CREATE event shaped like the ones CloudFormation sends for a resource. */
function createEvent(stack: string, logicalId: string, properties: Record<string, unknown>, n: number): unknown {
  return {
    clientRequestToken: `local-${n}`,
    awsAccountId: '123456789012',
    stackId: `arn:aws:cloudformation:eu-west-1:123456789012:stack/${stack}/local`,
    actionInvocationPoint: 'CREATE_PRE_PROVISION',
    requestData: { targetName: 'AWS::Lambda::Function', targetType: 'AWS::Lambda::Function', targetLogicalId: logicalId, targetModel: { resourceProperties: properties } },
    requestContext: { invocation: 1, callbackContext: null },
  };
}

const counts = { allowed: 0, nonCompliant: 0, error: 0 };
function print(source: string, res: HookResponse): void {
  const kind = res.hookStatus === 'SUCCESS' ? 'allowed' : res.errorCode === 'NonCompliant' ? 'nonCompliant' : 'error';
  counts[kind]++;
  console.log(`${kind === 'allowed' ? 'ALLOW' : outcomes[kind]}  ${source}\n       ${res.message}`);
}

const roots = positionals.length > 0 ? positionals : ['examples/templates', 'examples/events'];
console.log(`runtime-warden hook, policy ${values.policy ?? '(bundled default)'}, ${catalogLine}, judged at ${new Date(now).toISOString()}`);
console.log(`failure mode ${failureMode}${values['failure-mode'] ? '' : " (template.yaml's HookFailureMode default)"}: ${outcomes.meaning}\n`);
let n = 0;
for (const file of roots.flatMap(files)) {
  const text = readFileSync(file, 'utf8');
  const rel = relative(process.cwd(), file);
  if (file.endsWith('.json') && text.includes('"actionInvocationPoint"')) {
    print(`${rel} (hook event)`, await handler(JSON.parse(text)));
    continue;
  }
  const stack = rel.replace(/[^A-Za-z0-9-]/g, '-');
  for (const fn of lambdaFunctionsOf(parseTemplate(text))) {
    print(`${rel} ${fn.logicalId}`, await handler(createEvent(stack, fn.logicalId, fn.properties, ++n)));
  }
}
console.log(`\n${counts.allowed} allowed, ${counts.nonCompliant} ${outcomes.nonCompliantCount}, ${counts.error} could not be evaluated (${outcomes.errorCount})`);

// 2. The Config rule over an emulated account.
const size = Number(values.fleet);
console.log(`\nruntime-warden Config rule, periodic evaluation of ${size} functions in moto's server, ${catalogLine}\n`);
try {
  const fleet = sampleFleet(size);
  await seedFleet(moto.clientConfig, fleet);
  // Invocations for the alerts' usage line (emulator-only seeding: scripts/emulator/fleet.ts).
  await seedUsage(moto.clientConfig, fleet, now);
  const rule = createConfigRule({
    lambda,
    config,
    cloudWatch,
    policyLoader: () => loadPolicy,
    now: () => now,
    logger: silent,
    deadlineReserveMs: 5_000,
    concurrency: 8,
  });
  const scheduled = {
    version: '1.0',
    invokingEvent: JSON.stringify({ messageType: 'ScheduledNotification', awsAccountId: '123456789012', notificationCreationTime: new Date(now).toISOString() }),
    ruleParameters: '{}',
    // moto's PutEvaluations works in test mode only
    resultToken: 'TESTMODE',
    eventLeftScope: false,
    configRuleName: 'runtime-warden-runtime-compliance',
    accountId: '123456789012',
  };
  const evaluations = await rule(scheduled, { getRemainingTimeInMillis: () => 900_000 });
  const specs = new Map(fleet.map((f) => [f.name, f]));
  const width = Math.max(...fleet.map((f) => f.name.length));
  console.log(`${'FUNCTION'.padEnd(width)}  ${'RUNTIME'.padEnd(15)} ${'TIER'.padEnd(12)} ${'COMPLIANCE'.padEnd(14)} ANNOTATION`);
  // Most urgent first: what breaks the policy, then what is compliant only with warnings or a
  // waiver, then the rest; the annotation whole (Config keeps 256 characters).
  const urgency = (e: (typeof evaluations)[number]): number =>
    e.ComplianceType === 'NON_COMPLIANT' ? 0 : e.ComplianceType === 'COMPLIANT' && /^Compliant (with warnings|under a waiver)/.test(e.Annotation) ? 1 : e.ComplianceType === 'COMPLIANT' ? 2 : 3;
  for (const e of [...evaluations].sort((a, b) => urgency(a) - urgency(b) || a.ComplianceResourceId.localeCompare(b.ComplianceResourceId))) {
    const spec = specs.get(e.ComplianceResourceId);
    const annotation = e.Annotation;
    console.log(`${e.ComplianceResourceId.padEnd(width)}  ${(spec?.runtime ?? 'image').padEnd(15)} ${(spec?.tags['runtime-warden:tier'] ?? '(default)').padEnd(12)} ${e.ComplianceType.padEnd(14)} ${annotation}`);
  }
  const by = (t: string): number => evaluations.filter((e) => e.ComplianceType === t).length;
  console.log(`\n${evaluations.length} functions: ${by('COMPLIANT')} compliant, ${by('NON_COMPLIANT')} non-compliant, ${by('NOT_APPLICABLE')} not applicable (${catalogLine})`);

  // 3. Remediation: notify, twice, to show the quiet period.
  const notify = createNotify({ lambda, snsFor: () => sns, log: new NotificationLog(dynamo, alerting.tableName), topicArn: alerting.topicArn, region: 'eu-west-1', defaultQuietPeriodMinutes: 1440, loadPolicy, now: () => now, logger: silent, cloudWatch });
  const nonCompliant = evaluations.filter((e) => e.ComplianceType === 'NON_COMPLIANT').map((e) => e.ComplianceResourceId);
  const context = { invokedFunctionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:runtime-warden-notify' };
  const first = await Promise.all(nonCompliant.map((name) => notify({ functionName: name }, context)));
  const again = await Promise.all(nonCompliant.map((name) => notify({ functionName: name }, context)));
  const alerts = [];
  for (let batch = await alerting.received(); batch.length > 0; batch = await alerting.received()) alerts.push(...batch);
  console.log(`\nruntime-warden notify remediation over the ${nonCompliant.length} non-compliant functions`);
  console.log(`${first.filter((r) => r.published).length} alerts published (${first.filter((r) => !r.published).length} functions compliant by now), ${alerts.length} received on the topic; a second run within the quiet period published ${again.filter((r) => r.published).length}.`);
  if (alerts[0]) console.log(`\nSubject: ${alerts[0].Subject}\n${alerts[0].Message}`);
} finally {
  for (const c of [lambda, config, sns, sqs, dynamo, ssm, cloudWatch]) c.destroy();
  await moto.stop();
}
