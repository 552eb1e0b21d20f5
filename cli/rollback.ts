// `runtime-warden rollback FUNCTION`: pins the runtime version a function ran before a runtime
// update broke it, and `--undo` returns it to its tier's mode. Loaded only for that command.
import { CloudWatchLogsClient, FilterLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { ConfigServiceClient } from '@aws-sdk/client-config-service';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { SNSClient } from '@aws-sdk/client-sns';
import { RemediationError } from '../shared/errors.js';
import type { Policy } from '../shared/index.js';
import { rollback, type RollbackOptions, type RollbackResult } from '../shared/remediation/rollbackRun.js';
import { InputError } from './common.js';

/** What the command prints: the plan, whether it was done, and what could not be read. */
export function rollbackText(r: RollbackResult): string {
  const head = r.applied ? 'Done' : 'Dry run, nothing changed';
  const lines = [`${head}: ${r.plan.description}`, ...(r.alerted ? ['Alert sent.'] : []), ...r.problems.map((p) => `Not read: ${p}`)];
  return `${lines.join('\n')}\n`;
}

const clientConfig = { retryMode: 'adaptive', maxAttempts: 4 } as const;

/** The command with real clients, for cli/main.ts. Returns the exit code. */
export async function rollbackCommand(functionName: string, o: RollbackOptions, policy: Policy, now: number, out: (text: string) => void): Promise<number> {
  const lambda = new LambdaClient(clientConfig);
  const config = new ConfigServiceClient(clientConfig);
  // INIT_START lines name each runtime version a function ran: the history Config may not have.
  const logs = new CloudWatchLogsClient(clientConfig);
  const sns = o.topic ? new SNSClient({ ...clientConfig, region: o.topic.split(':')[3] }) : undefined;
  try {
    out(rollbackText(await rollback(functionName, { ...o, by: o.by ?? process.env.USER ?? 'unknown' }, { lambda, config, filterLogEvents: (i) => logs.send(new FilterLogEventsCommand(i)), ...(sns && { sns }), policy, now })));
    return 0;
  } catch (err) {
    // What the operator must change (a refusal, an AWS error): one line, exit 1.
    if (err instanceof RemediationError) throw new InputError(err.message);
    throw err;
  } finally {
    lambda.destroy();
    config.destroy();
    logs.destroy();
    sns?.destroy();
  }
}
