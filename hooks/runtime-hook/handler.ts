import { Logger } from '@aws-lambda-powertools/logger';
import { evaluate, factsFromResourceProperties, verdict } from '../../shared/index.js';
import { parseHookEvent, requestTokenOf } from '../../shared/adapters/hookEvent.js';
import { policyLoaderFromEnvironment } from '../../shared/io/catalogSource.js';
import type { PolicyLoader } from '../../shared/io/policySource.js';
import { lazySsmClient } from '../../shared/io/ssmClient.js';
import { decisionResponse, internalFailure, messageLimitFor, success, type HookResponse } from './response.js';

export interface HookDependencies {
  readonly loadPolicy: PolicyLoader;
  readonly now: () => number;
  readonly logger: Logger;
}

/**
 * parse -> facts -> evaluate -> respond. Never throws: whatever goes wrong becomes
 * FAILED/InternalFailure with a message saying what, so a broken hook cannot pass silently.
 */
export function createHandler(deps: HookDependencies): (event: unknown) => Promise<HookResponse> {
  const { logger } = deps;
  return async (event) => {
    const token = requestTokenOf(event);
    const limit = messageLimitFor((event as { stackId?: unknown } | null)?.stackId);
    try {
      const req = parseHookEvent(event);
      const context = { stackId: req.stackId, logicalId: req.logicalId, targetType: req.targetType, action: req.action };
      if (req.action === 'DELETE' || !req.resource) {
        logger.info('hook decision', { ...context, verdict: 'NOT_EVALUATED' });
        return success(token, `${req.logicalId ?? req.targetType}: ${req.action} of ${req.targetType} is not subject to the runtime policy.`, limit);
      }
      const policy = await deps.loadPolicy();
      const facts = factsFromResourceProperties(req.resource.properties, {
        // A Cloud Control API request names no logical id: the function's name stands in.
        logicalId: req.logicalId || String(req.resource.properties.FunctionName ?? 'the function'),
        accountId: req.accountId,
        region: req.region,
      });
      const findings = evaluate(facts, policy, deps.now());
      const v = verdict(findings);
      const previous = req.resource.previousProperties?.Runtime;
      const runtimeChange =
        req.action === 'UPDATE' && previous !== facts.runtime ? `${typeof previous === 'string' ? previous : 'none'} -> ${facts.runtime ?? 'none'}` : undefined;
      const response = decisionResponse(token, { logicalId: facts.logicalId!, runtime: facts.runtime, runtimeChange, findings, verdict: v }, limit);
      logger.info('hook decision', {
        ...context,
        functionName: facts.name,
        runtime: facts.runtime,
        runtimeChange,
        verdict: v.compliance,
        ruleIds: v.ruleIds,
        hookStatus: response.hookStatus,
        catalogAsOf: policy.base.origin.asOf,
      });
      return response;
    } catch (error) {
      logger.error('hook could not evaluate the request', { error: error as Error, clientRequestToken: token });
      return internalFailure(token, error, limit);
    }
  };
}

const logger = new Logger({ serviceName: 'runtime-warden-hook' });

export const handler = createHandler({
  loadPolicy: policyLoaderFromEnvironment(lazySsmClient(), logger),
  now: Date.now,
  logger,
});
