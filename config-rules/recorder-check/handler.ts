import { Logger } from '@aws-lambda-powertools/logger';
import { ConfigServiceClient, DescribeConfigurationRecordersCommand, DescribeConfigurationRecorderStatusCommand, type RecordingGroup } from '@aws-sdk/client-config-service';
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
const PUT_RECORDER = '`aws configservice put-configuration-recorder`';

/** AWS Config answered, and it does not record Lambda functions. */
class NotRecordingError extends Error {
  override readonly name = 'NotRecordingError';
}

/**
 * How a recording group picks resource types. `recordingStrategy.useOnly` decides where present
 * (Config API Reference, RecordingGroup and RecordingStrategy). AWS makes it optional with
 * `allSupported: true` and with `resourceTypes` listed, and required for exclusions, so a group
 * without it is read the way those fields say: all supported types, the listed ones, or (neither)
 * no type at all. A recorder without a recording group records all supported types, Config's
 * default (Config Developer Guide, "Working with the configuration recorder").
 */
export function recordingStrategy(group: RecordingGroup | undefined): string | undefined {
  if (!group) return 'ALL_SUPPORTED_RESOURCE_TYPES';
  if (group.recordingStrategy?.useOnly) return group.recordingStrategy.useOnly;
  if (group.allSupported === true) return 'ALL_SUPPORTED_RESOURCE_TYPES';
  return (group.resourceTypes ?? []).length > 0 ? 'INCLUSION_BY_RESOURCE_TYPES' : undefined;
}

/** Why a recorder's group leaves Lambda functions out, with the fix; undefined when it takes them in. */
export function lambdaOutOfScope(name: string, group: RecordingGroup | undefined): string | undefined {
  const strategy = recordingStrategy(group);
  switch (strategy) {
    case 'ALL_SUPPORTED_RESOURCE_TYPES':
      return undefined;
    case 'INCLUSION_BY_RESOURCE_TYPES':
      return group?.resourceTypes?.includes(LAMBDA)
        ? undefined
        : `recorder ${name} records only the resource types it lists (INCLUSION_BY_RESOURCE_TYPES) and ${LAMBDA} is not one of them: add it to recordingGroup.resourceTypes (${PUT_RECORDER})`;
    case 'EXCLUSION_BY_RESOURCE_TYPES':
      return group?.exclusionByResourceTypes?.resourceTypes?.includes(LAMBDA)
        ? `recorder ${name} excludes ${LAMBDA} (EXCLUSION_BY_RESOURCE_TYPES): remove it from recordingGroup.exclusionByResourceTypes.resourceTypes (${PUT_RECORDER})`
        : undefined;
    case undefined:
      return `recorder ${name} records no resource type (allSupported false, no resourceTypes, no recordingStrategy): add ${LAMBDA} to recordingGroup.resourceTypes (${PUT_RECORDER})`;
    default:
      // A strategy newer than this check: refusing names it, where guessing could create rules that never get an item.
      return `recorder ${name} uses recording strategy ${strategy}, which this check does not know: use ALL_SUPPORTED_RESOURCE_TYPES, or list ${LAMBDA} with INCLUSION_BY_RESOURCE_TYPES (${PUT_RECORDER})`;
  }
}

export type RecorderCheck = { readonly records: true; readonly message: string } | { readonly records: false; readonly reason: string };

/**
 * Whether a customer managed recorder records Lambda functions and is recording. Service-linked
 * recorders (`servicePrincipal` set) do not count: the linked service sets and changes what they
 * record, with an INTERNAL scope their items are not delivered to the account, and AWS does not
 * document that Config rules evaluate what they record (Config API Reference,
 * PutServiceLinkedConfigurationRecorder; Config Developer Guide, "Working with the configuration
 * recorder"). Refusing costs the account a customer managed recorder; counting them could create
 * rules that never get an item. DescribeConfigurationRecorders without a name answers the
 * customer managed recorder only (Config API Reference); the filter keeps this true should it
 * ever answer more.
 */
export async function lambdaRecording(config: RecorderCheckDependencies['config']): Promise<RecorderCheck> {
  const { ConfigurationRecorders: recorders = [] } = await config.send(new DescribeConfigurationRecordersCommand({}));
  const own = recorders.filter((r) => !r.servicePrincipal);
  if (own.length === 0) {
    const linked = recorders.map((r) => `${r.name} (for ${r.servicePrincipal})`);
    return {
      records: false,
      reason:
        'there is no customer managed configuration recorder' +
        (linked.length > 0 ? ` (service-linked ${linked.join(', ')} does not count: the linked service sets what it records)` : '') +
        `: create one that records ${LAMBDA} and start it (${PUT_RECORDER}, \`aws configservice put-delivery-channel\`, \`aws configservice start-configuration-recorder\`)`,
    };
  }
  const { ConfigurationRecordersStatus: statuses = [] } = await config.send(new DescribeConfigurationRecorderStatusCommand({}));
  const reasons: string[] = [];
  for (const r of own) {
    const name = r.name ?? 'default';
    const outOfScope = lambdaOutOfScope(name, r.recordingGroup);
    const recording = statuses.find((s) => s.name === r.name)?.recording === true;
    if (!outOfScope && recording) return { records: true, message: `recorder ${name} records ${LAMBDA} (${recordingStrategy(r.recordingGroup)})` };
    if (outOfScope) reasons.push(outOfScope);
    if (!recording) reasons.push(`recorder ${name} is stopped: start it (\`aws configservice start-configuration-recorder --configuration-recorder-name ${name}\`)`);
  }
  return { records: false, reason: reasons.join('; ') };
}

export function createHandler(deps: RecorderCheckDependencies): (event: unknown, context?: { invokedFunctionArn?: string }) => Promise<void> {
  return async (event, context) => {
    const e = customResourceEvent.parse(event);
    const [, , , region, account] = (context?.invokedFunctionArn ?? '').split(':');
    await answerCustomResource(
      e,
      deps.respond,
      async () => {
        const physicalResourceId = `config-recorder-check-${account ?? 'account'}-${region ?? 'region'}`;
        if (e.RequestType === 'Delete') return { physicalResourceId };
        const check = await lambdaRecording(deps.config);
        if (!check.records) throw new NotRecordingError(check.reason);
        deps.logger.info('AWS Config records Lambda functions', { message: check.message });
        return { physicalResourceId, data: { Recording: check.message } };
      },
      (error) => {
        // A check that could not ask (e.g. AccessDenied) says so, rather than claiming Config is off.
        const message =
          error instanceof NotRecordingError
            ? `AWS Config is not recording ${LAMBDA} in account ${account}, region ${region}: ${error.message}. ` +
              "runtime-warden's Config rules need it: fix this (AWS Config console, Settings, or the command named), then deploy again."
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
