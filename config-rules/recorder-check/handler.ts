import { Logger } from '@aws-lambda-powertools/logger';
import { ConfigServiceClient, DescribeConfigurationRecordersCommand, DescribeConfigurationRecorderStatusCommand } from '@aws-sdk/client-config-service';
import { describeError } from '../../shared/io/awsErrors.js';
import { answerCustomResource, customResourceEvent, putResponse, type Respond } from '../../shared/io/customResource.js';

// A custom resource that the Config rules depend on: it fails the stack early, with the fix in
// its message, when AWS Config is not recording Lambda functions here. Without it the rules fail
// to create with NoAvailableConfigurationRecorderException (AWS Config API Reference,
// PutConfigRule), or, worse, are created and never receive an item. StackSets reach new accounts
// in any order, so a member account may get runtime-warden before its recorder.

export interface RecorderCheckDependencies {
  readonly config: Pick<ConfigServiceClient, 'send'>;
  readonly respond: Respond;
  readonly logger: Logger;
}

const LAMBDA = 'AWS::Lambda::Function';

/** AWS Config answered, and it does not record Lambda functions. */
class NotRecordingError extends Error {
  override readonly name = 'NotRecordingError';
}

/** Why Lambda functions are not being recorded, or undefined when they are. */
export async function notRecording(config: RecorderCheckDependencies['config']): Promise<string | undefined> {
  const { ConfigurationRecorders: recorders = [] } = await config.send(new DescribeConfigurationRecordersCommand({}));
  if (recorders.length === 0) return 'there is no configuration recorder';
  const { ConfigurationRecordersStatus: statuses = [] } = await config.send(new DescribeConfigurationRecorderStatusCommand({}));
  const reasons: string[] = [];
  for (const r of recorders) {
    const g = r.recordingGroup;
    const covers = g?.allSupported === true ? !(g.exclusionByResourceTypes?.resourceTypes ?? []).includes(LAMBDA) : (g?.resourceTypes ?? []).includes(LAMBDA);
    const recording = statuses.find((s) => s.name === r.name)?.recording === true;
    if (covers && recording) return undefined;
    reasons.push(`recorder ${r.name} ${covers ? 'is stopped' : `does not record ${LAMBDA}`}`);
  }
  return reasons.join('; ');
}

export function createHandler(deps: RecorderCheckDependencies): (event: unknown, context?: { invokedFunctionArn?: string }) => Promise<void> {
  return async (event, context) => {
    const e = customResourceEvent.parse(event);
    const [, , , region, account] = (context?.invokedFunctionArn ?? '').split(':');
    await answerCustomResource(
      e,
      deps.respond,
      async () => {
        if (e.RequestType !== 'Delete') {
          const reason = await notRecording(deps.config);
          if (reason) throw new NotRecordingError(reason);
        }
        return { physicalResourceId: `config-recorder-check-${account ?? 'account'}-${region ?? 'region'}` };
      },
      (error) => {
        // A check that could not ask (e.g. AccessDenied) says so, rather than claiming Config is off.
        const message =
          error instanceof NotRecordingError
            ? `AWS Config is not recording ${LAMBDA} in account ${account}, region ${region} (${error.message}). ` +
              "runtime-warden's Config rules need it: turn on recording in the AWS Config console (Settings), or with " +
              '`aws configservice put-configuration-recorder` and `aws configservice start-configuration-recorder`, then deploy again.'
            : `Could not check whether AWS Config records ${LAMBDA} in account ${account}, region ${region}: ${describeError(error)}.`;
        deps.logger.error('config recorder check failed', { message });
        return message;
      },
    );
  };
}

let configured: ReturnType<typeof createHandler> | undefined;
export const handler = async (event: unknown, context?: { invokedFunctionArn?: string }): Promise<void> =>
  (configured ??= createHandler({
    config: new ConfigServiceClient({ retryMode: 'adaptive', maxAttempts: 4 }),
    respond: putResponse,
    logger: new Logger({ serviceName: 'runtime-warden-config-recorder-check' }),
  }))(event, context);
