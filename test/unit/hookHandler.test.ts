import { Logger } from '@aws-lambda-powertools/logger';
import { describe, expect, it, vi } from 'vitest';
import { createHandler } from '../../hooks/runtime-hook/handler.js';
import { CLOUD_CONTROL_MESSAGE_MAX, decisionResponse, HOOK_MESSAGE_MAX, stackDecisionResponse } from '../../hooks/runtime-hook/response.js';
import { exceptionSentence } from '../../shared/policy/exceptions.js';
import { reviewStack } from '../../shared/template/stackReview.js';
import { CATALOG_DATA_AS_OF, DEFAULT_POLICY, evaluate, parsePolicy, verdict, PolicySourceError, PolicyValidationError, type Policy } from '../../shared/index.js';
import { hookEvent, loadEvent, NOW } from '../helpers/fixtures.js';

const TOKEN = 'f3b2a9c4-5d6e-4f70-8a91-b2c3d4e5f601';

function setup(loadPolicy: () => Promise<Policy> = () => Promise.resolve(DEFAULT_POLICY)) {
  const logger = new Logger({ serviceName: 'test', logLevel: 'SILENT' });
  const info = vi.spyOn(logger, 'info');
  const error = vi.spyOn(logger, 'error');
  return { handler: createHandler({ loadPolicy, now: () => NOW, logger }), info, error };
}

describe('runtime hook handler', () => {
  it('fails a CREATE on nodejs16.x as NonCompliant, naming the deprecation date', async () => {
    const { handler } = setup();
    const res = await handler(loadEvent('hook', 'create-nodejs16'));
    expect(res).toEqual({ hookStatus: 'FAILED', errorCode: 'NonCompliant', clientRequestToken: TOKEN, message: expect.any(String) });
    expect(res.message).toMatch(/^OrdersFunction \(nodejs16\.x\) breaks the Lambda runtime policy: \[RW004 error\] nodejs16\.x is deprecated since 2024-06-12/);
    expect(res.message).toContain('Upgrade to nodejs22.x (newest: nodejs26.x).');
  });

  it('judges a Cloud Control API request (no stack, no logical id) by the function name, within 1,024 characters', async () => {
    const { handler } = setup();
    const event = hookEvent('create-nodejs16', { FunctionName: `orders-api${'-x'.repeat(450)}` }) as Record<string, any>;
    delete event.stackId;
    delete event.requestData.targetLogicalId;
    // Act
    const res = await handler(event);
    // Assess
    expect(res).toMatchObject({ hookStatus: 'FAILED', errorCode: 'NonCompliant', clientRequestToken: TOKEN });
    // The 910-character name is cut so that the way to an exception still fits.
    expect(res.message).toMatch(/^orders-api(-x)+…/);
    expect(res.message).toContain('Exception:');
    expect(res.message).toHaveLength(1024);
  });

  it.each([
    ['an empty Code.ImageUri beside S3Bucket/S3Key', { Code: { S3Bucket: 'b', S3Key: 'k', ImageUri: '' } }],
    ['ImageUri: null', { ImageUri: null }],
    ['PackageType Zip beside an ImageUri', { PackageType: 'Zip', Code: { ImageUri: 'repo:1' } }],
  ])('decides image-ness by PackageType as Lambda does, not by %s (#10.16)', async (_, props) => {
    const res = await setup().handler(hookEvent('create-nodejs16', props));
    expect(res).toMatchObject({ hookStatus: 'FAILED', errorCode: 'NonCompliant' });
    expect(res.message).toContain('[RW004 error] nodejs16.x is deprecated');
  });

  it('never cuts a message inside a surrogate pair (#10.17)', async () => {
    for (let pad = 0; pad < 4; pad++) {
      const event = hookEvent('create-nodejs16', { FunctionName: `${'x'.repeat(pad)}${'🦄'.repeat(600)}` }) as Record<string, any>;
      delete event.stackId;
      delete event.requestData.targetLogicalId;
      const { message } = await setup().handler(event);
      expect(message.length).toBeLessThanOrEqual(1024);
      expect(message).toContain('… Exception:');
      expect(() => encodeURIComponent(message)).not.toThrow();
    }
  });

  it('answers on one line whatever the template puts in names and tags (no forged stack-event line)', async () => {
    const event = hookEvent('create-nodejs16', {
      FunctionName: 'orders\nSUCCESS: all clear\u2028\u001b[32mok',
      Tags: [{ Key: 'runtime-warden:waiver', Value: 'soon\r\nWaived by security\u2029' }],
    }) as Record<string, any>;
    delete event.stackId;
    delete event.requestData.targetLogicalId;
    const res = await setup().handler(event);
    expect(res).toMatchObject({ hookStatus: 'FAILED', errorCode: 'NonCompliant' });
    expect(res.message).not.toMatch(/[\u0000-\u001f\u2028\u2029]/);
    expect(res.message).toMatch(/^orders\\nSUCCESS: all clear\\u2028\\u001b\[32mok \(nodejs16\.x\) breaks the Lambda runtime policy/);
    expect(res.message).toContain('soon\\u000d\\nWaived by security\\u2029');
  });

  it('lets a CREATE on nodejs22.x succeed', async () => {
    const { handler } = setup();
    expect(await handler(loadEvent('hook', 'create-nodejs22'))).toEqual({
      hookStatus: 'SUCCESS',
      clientRequestToken: TOKEN,
      message: 'OrdersFunction (nodejs22.x): COMPLIANT. Compliant: approved, supported runtime and allowed update mode.',
    });
  });

  it('lets a container image function succeed as not applicable', async () => {
    const { handler } = setup();
    const res = await handler(loadEvent('hook', 'create-image'));
    expect(res).toMatchObject({ hookStatus: 'SUCCESS', clientRequestToken: TOKEN });
    expect(res.message).toMatch(/^OrdersFunction \(no runtime\): NOT_APPLICABLE\. Container image function/);
  });

  it('judges the new properties of an UPDATE and tells the runtime change', async () => {
    const { handler } = setup();
    const res = await handler(loadEvent('hook', 'update-nodejs18-to-nodejs22'));
    expect(res).toMatchObject({ hookStatus: 'SUCCESS' });
    expect(res.message).toMatch(/^OrdersFunction \(nodejs22\.x\), runtime change nodejs18\.x -> nodejs22\.x: COMPLIANT/);
  });

  it('fails an UPDATE that stays on a deprecated runtime, without claiming a change', async () => {
    const { handler } = setup();
    const res = await handler(loadEvent('hook', 'update-stays-nodejs18'));
    expect(res).toMatchObject({ hookStatus: 'FAILED', errorCode: 'NonCompliant' });
    expect(res.message).toMatch(/^OrdersFunction \(nodejs18\.x\) breaks the Lambda runtime policy: \[RW004 error\] nodejs18\.x is deprecated since 2025-09-01/);
  });

  it('fails Manual mode without a runtime version ARN', async () => {
    const { handler } = setup();
    const res = await handler(loadEvent('hook', 'create-critical-manual-without-arn'));
    expect(res).toMatchObject({ hookStatus: 'FAILED', errorCode: 'NonCompliant' });
    expect(res.message).toContain('[RW009 error] UpdateRuntimeOn is Manual but no RuntimeVersionArn is set');
    expect(res.message).toContain('[RW007 warning]');
  });

  it('fails an update mode the tier forbids, and passes it once the mode is right', async () => {
    const { handler } = setup();
    const tags = [{ Key: 'runtime-warden:tier', Value: 'critical' }];
    expect(await handler(hookEvent('create-nodejs22', { Tags: tags, Runtime: 'python3.13' }))).toMatchObject({ hookStatus: 'FAILED', message: expect.stringContaining('[RW008 error]') });
    expect(
      await handler(hookEvent('create-nodejs22', { Tags: tags, Runtime: 'python3.13', RuntimeManagementConfig: { UpdateRuntimeOn: 'FunctionUpdate' } })),
    ).toMatchObject({ hookStatus: 'SUCCESS' });
  });

  it('honours an approved list and a denied list', async () => {
    const policy = parsePolicy({ version: 1, approvedRuntimes: ['nodejs24.x', 'python3.13'], deniedRuntimes: ['python3.12'] });
    const { handler } = setup(() => Promise.resolve(policy));
    expect((await handler(loadEvent('hook', 'create-nodejs22'))).message).toContain('[RW003 error] nodejs22.x is not on the approved runtime list. Upgrade to nodejs24.x.');
    expect((await handler(hookEvent('create-nodejs22', { Runtime: 'python3.12' }))).message).toContain('[RW002 error] python3.12 is denied by policy');
    expect(await handler(hookEvent('create-nodejs22', { Runtime: 'nodejs24.x' }))).toMatchObject({ hookStatus: 'SUCCESS' });
  });

  it('lets a valid waiver through with a warning, and blocks once it has expired', async () => {
    const { handler } = setup();
    const waived = await handler(hookEvent('create-nodejs16', { Tags: [{ Key: 'runtime-warden:waiver', Value: '2026-12-15 CHG-77 moving to nodejs22.x' }] }));
    expect(waived).toMatchObject({ hookStatus: 'SUCCESS' });
    expect(waived.message).toContain('[RW004 warning]');
    expect(waived.message).toContain('[RW013 info] Tag waiver until 2026-12-15');
    const expired = await handler(hookEvent('create-nodejs16', { Tags: [{ Key: 'runtime-warden:waiver', Value: '2026-11-01 CHG-77' }] }));
    expect(expired).toMatchObject({ hookStatus: 'FAILED', errorCode: 'NonCompliant' });
    expect(expired.message).toContain('[RW014 warning] Tag waiver expired on 2026-11-01');
  });

  it('fails closed on an unknown runtime', async () => {
    const { handler } = setup();
    expect(await handler(hookEvent('create-nodejs22', { Runtime: 'nodejs99.x' }))).toMatchObject({ hookStatus: 'FAILED', errorCode: 'NonCompliant', message: expect.stringContaining('[RW001 error]') });
  });

  it('lets DELETE and other resource types through without judging them', async () => {
    const { handler } = setup();
    expect(await handler(loadEvent('hook', 'delete'))).toMatchObject({ hookStatus: 'SUCCESS', message: 'OrdersFunction: DELETE of AWS::Lambda::Function is not subject to the runtime policy.' });
    expect(await handler(loadEvent('hook', 'create-s3-bucket'))).toMatchObject({ hookStatus: 'SUCCESS', clientRequestToken: TOKEN });
  });

  it.each([
    ['null', null],
    ['a number', 42],
    ['a string', 'CREATE'],
    ['an array', []],
    ['an empty object', {}],
    ['an event without requestData', { clientRequestToken: 'tok-1', actionInvocationPoint: 'CREATE_PRE_PROVISION' }],
    ['an unknown invocation point', { ...loadEvent('hook', 'create-nodejs22'), actionInvocationPoint: 'CREATE_POST_PROVISION' }],
  ])('answers %s with FAILED/InternalFailure without throwing', async (_, event) => {
    const { handler, error } = setup();
    const res = await handler(event);
    expect(res).toMatchObject({ hookStatus: 'FAILED', errorCode: 'InternalFailure' });
    expect(res.message).toMatch(/^runtime-warden could not evaluate this resource\. InvalidEventError: Not a CloudFormation hook event: /);
    expect(res.clientRequestToken).toBe((event as { clientRequestToken?: string } | null)?.clientRequestToken ?? '');
    expect(error).toHaveBeenCalledOnce();
  });

  it('answers malformed function properties with InternalFailure naming the property', async () => {
    const { handler } = setup();
    const intrinsic = await handler(hookEvent('create-nodejs22', { Runtime: { 'Fn::Sub': '${Lang}22.x' } }));
    expect(intrinsic).toMatchObject({ hookStatus: 'FAILED', errorCode: 'InternalFailure', clientRequestToken: TOKEN });
    expect(intrinsic.message).toContain('Resource OrdersFunction has invalid Lambda function properties: Runtime: Runtime must be a string');
    const badMode = await handler(hookEvent('create-nodejs22', { RuntimeManagementConfig: { UpdateRuntimeOn: 'Sometimes' } }));
    expect(badMode.message).toContain('RuntimeManagementConfig.UpdateRuntimeOn');
  });

  it('answers a broken policy with InternalFailure naming the bad field', async () => {
    const { handler } = setup(() => Promise.reject(new PolicyValidationError(['deniedRuntimes.0: must be a Lambda runtime identifier'], 'policy in SSM parameter /rw/policy')));
    const res = await handler(loadEvent('hook', 'create-nodejs22'));
    expect(res).toEqual({
      hookStatus: 'FAILED',
      errorCode: 'InternalFailure',
      clientRequestToken: TOKEN,
      message: 'runtime-warden could not evaluate this resource. PolicyValidationError: Invalid policy in SSM parameter /rw/policy: deniedRuntimes.0: must be a Lambda runtime identifier',
    });
  });

  it('answers a policy source failure with InternalFailure', async () => {
    const { handler } = setup(() => Promise.reject(new PolicySourceError('Cannot read policy from SSM parameter /rw/policy: AccessDeniedException: no')));
    expect(await handler(loadEvent('hook', 'create-nodejs22'))).toMatchObject({ hookStatus: 'FAILED', errorCode: 'InternalFailure', message: expect.stringContaining('AccessDeniedException') });
  });

  it('keeps the message within the hook limit', async () => {
    const { handler } = setup();
    const res = await handler(hookEvent('create-nodejs22', { Runtime: `nodejs${'9'.repeat(10_000)}.x` }));
    expect(res.hookStatus).toBe('FAILED');
    expect(res.message.length).toBeLessThanOrEqual(HOOK_MESSAGE_MAX);
    // The findings are cut; the way to an exception, which follows them, is not.
    expect(res.message).toContain('… Exception:');
  });

  it('logs one structured line per decision with the operator context', async () => {
    const { handler, info } = setup();
    await handler(loadEvent('hook', 'update-stays-nodejs18'));
    expect(info).toHaveBeenCalledOnce();
    expect(info).toHaveBeenCalledWith('hook decision', {
      stackId: 'arn:aws:cloudformation:eu-west-1:123456789012:stack/orders-service/1a2b3c4d-0000-11ef-9f2a-0a1b2c3d4e5f',
      logicalId: 'OrdersFunction',
      targetType: 'AWS::Lambda::Function',
      action: 'UPDATE',
      functionName: 'orders-api',
      runtime: 'nodejs18.x',
      runtimeChange: undefined,
      verdict: 'NON_COMPLIANT',
      ruleIds: ['RW004'],
      hookStatus: 'FAILED',
      catalogAsOf: CATALOG_DATA_AS_OF,
    });
  });
});

describe('how to get an exception, in a blocked hook message (#21.5)', () => {
  const owned = parsePolicy({ version: 1, contact: 'platform-team@example.com', exceptionsUrl: 'https://wiki.example.com/runtime-exceptions' });
  const blocked = (runtime: string, logicalId = 'OrdersFunction', now = NOW) => {
    const findings = evaluate({ logicalId, name: logicalId, runtime, packageType: 'Zip', tags: {} } as never, owned, now);
    return { logicalId, runtime, runtimeChange: undefined, findings, verdict: verdict(findings) };
  };

  it("ends with the waiver tag and its bound, the policy's contact and page, and the rule's documentation", () => {
    const res = decisionResponse(TOKEN, blocked('nodejs16.x'), HOOK_MESSAGE_MAX, owned);
    expect(res).toMatchObject({ hookStatus: 'FAILED', errorCode: 'NonCompliant' });
    expect(res.message).toMatch(
      / Exception: tag runtime-warden:waiver = 'YYYY-MM-DD reason' \(at most 90 days\) or ask platform-team@example\.com \(https:\/\/wiki\.example\.com\/runtime-exceptions\) for a policy waiver\. Rule: https:\/\/\S+\/docs\/rules\.md#rw004$/,
    );
  });

  it('ends a blocked stack answer with it, once for all the functions', () => {
    const template = 'Resources:\n  One:\n    Type: AWS::Lambda::Function\n    Properties: { Runtime: nodejs16.x, Handler: i.h, Role: r, Code: { ZipFile: x } }\n  Two:\n    Type: AWS::Lambda::Function\n    Properties: { Runtime: python3.8, Handler: i.h, Role: r, Code: { ZipFile: x } }\n';
    const res = stackDecisionResponse(TOKEN, 'STACK', reviewStack({ kind: 'STACK', template }, owned, NOW), HOOK_MESSAGE_MAX, owned);
    expect(res).toMatchObject({ hookStatus: 'FAILED', errorCode: 'NonCompliant' });
    expect(res.message.match(/Exception: /g)).toHaveLength(1);
    expect(res.message).toMatch(/for a policy waiver\. Rule: \S+#rw004$/);
  });

  it('keeps the sentence whole when the findings are cut (1,024 characters for Cloud Control)', () => {
    const res = decisionResponse(TOKEN, blocked('nodejs16.x', `orders${'-x'.repeat(600)}`), CLOUD_CONTROL_MESSAGE_MAX, owned);
    expect(res.message).toHaveLength(CLOUD_CONTROL_MESSAGE_MAX);
    expect(res.message).toContain('… Exception: tag runtime-warden:waiver');
    expect(res.message).toContain('ask platform-team@example.com');
  });

  it('names only the policy waiver for what a tag may not waive (an AWS block), and what nothing may waive', () => {
    expect(exceptionSentence(owned, ['RW005'])).toBe('Exception: ask platform-team@example.com (https://wiki.example.com/runtime-exceptions) for a policy waiver.');
    expect(exceptionSentence(owned, ['RW004', 'RW005'])).toBe(
      "Exception: tag runtime-warden:waiver = 'YYYY-MM-DD reason' (at most 90 days; only for RW004) or ask platform-team@example.com (https://wiki.example.com/runtime-exceptions) for a policy waiver.",
    );
    const strict = parsePolicy({ version: 1, unwaivableRules: ['RW004'], waiverTag: { enabled: false } });
    expect(exceptionSentence(strict, ['RW004', 'RW003'])).toBe("Exception: ask the policy's owner for a policy waiver (RW003). No waiver covers RW004 (the policy's unwaivableRules).");
    expect(exceptionSentence(strict, ['RW004'])).toBe("No waiver covers RW004 (the policy's unwaivableRules); ask the policy's owner.");
  });
});
