import { Logger } from '@aws-lambda-powertools/logger';
import { evaluate, factsFromResourceProperties, InvalidEventError, verdict } from '../../shared/index.js';
import { parseHookEvent, requestTokenOf } from '../../shared/adapters/hookEvent.js';
import { policyLoaderFromEnvironment } from '../../shared/io/catalogSource.js';
import type { PolicyLoader } from '../../shared/io/policySource.js';
import { lazySsmClient } from '../../shared/io/ssmClient.js';
import { payloadFetcher } from '../../shared/io/hookPayload.js';
import { decisionResponse, internalFailure, messageLimitFor, stackDecisionResponse, success, type HookResponse } from './response.js';

export interface HookDependencies {
  readonly loadPolicy: PolicyLoader;
  readonly now: () => number;
  readonly logger: Logger;
  /** The text behind a STACK or CHANGE_SET payload URL (default: an HTTPS GET from S3 only). */
  readonly fetchPayload?: (url: string) => Promise<string>;
}

const getPayload = payloadFetcher();

/**
 * parse -> facts -> evaluate -> respond. Never throws: whatever goes wrong becomes
 * FAILED/InternalFailure with a message saying what, so a broken hook cannot pass silently.
 */
export function createHandler(deps: HookDependencies): (event: unknown) => Promise<HookResponse> {
  const { logger, fetchPayload = getPayload } = deps;
  return async (event) => {
    const token = requestTokenOf(event);
    const limit = messageLimitFor((event as { stackId?: unknown } | null)?.stackId);
    try {
      const req = parseHookEvent(event);
      const context = { stackId: req.stackId, logicalId: req.logicalId, targetType: req.targetType, action: req.action };
      if (req.stack && req.action !== 'DELETE') {
        // The template reader and scanner load only for these targets: resource events stay lean.
        const [{ parseStackPayload }, { reviewStack }] = await Promise.all([import('../../shared/adapters/stackPayload.js'), import('../../shared/template/stackReview.js')]);
        const [text, policy] = await Promise.all([fetchPayload(req.stack.payloadUrl), deps.loadPolicy()]);
        const review = reviewStack(parseStackPayload(req.stack.kind, text), policy, deps.now());
        if (review.error) throw new InvalidEventError(review.error);
        const response = stackDecisionResponse(token, req.stack.kind, review, limit, policy);
        logger.info('hook decision', {
          ...context,
          judged: review.judged.map((fn) => fn.logicalId),
          breaking: review.breaking.map((fn) => ({ logicalId: fn.logicalId, line: fn.line, runtime: fn.runtime, ruleIds: fn.verdict.ruleIds })),
          deferred: [...review.deferred.map((fn) => fn.logicalId), ...review.notInTemplate],
          hookStatus: response.hookStatus,
          catalogAsOf: policy.base.origin.asOf,
        });
        return response;
      }
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
      const response = decisionResponse(token, { logicalId: facts.logicalId!, runtime: facts.runtime, runtimeChange, findings, verdict: v }, limit, policy);
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
