// Property-based tests (fast-check): whole classes of input, not examples. Fixed seeds keep a
// failure reproducible; fast-check prints the smallest counterexample it finds.
import { Logger } from '@aws-lambda-powertools/logger';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createHandler as createHook } from '../../hooks/runtime-hook/handler.js';
import { parseConfigRuleEvent } from '../../shared/adapters/configEvent.js';
import { factsFromConfigurationItem } from '../../shared/adapters/configItem.js';
import { notifyInputSchema, parseInput, switchModeInputSchema } from '../../shared/adapters/remediationInput.js';
import { RUNTIME_ROWS } from '../../shared/catalog/runtimeData.js';
import { DEFAULT_POLICY, InvalidEventError, PolicyValidationError, truncate } from '../../shared/index.js';
import { scanTemplateText } from '../../shared/template/scan.js';
import { hookEvent, NOW } from '../helpers/fixtures.js';

const params = (seed: number, numRuns = 300): fc.Parameters<unknown> => ({ seed, numRuns });
const logger = new Logger({ serviceName: 'properties', logLevel: 'SILENT' });
const hook = createHook({ loadPolicy: () => Promise.resolve(DEFAULT_POLICY), now: () => NOW, logger });
// Deprecated on NOW, whatever else is true of the function.
const DEPRECATED = RUNTIME_ROWS.filter((r) => r[3] !== null && Date.parse(`${r[3]}T00:00:00Z`) <= NOW).map((r) => r[0]);
const json = fc.jsonValue({ maxDepth: 4 });

/** Any property map a hook may see, without what legitimately lets a deprecated runtime pass. */
const otherProperties = fc
  .dictionary(fc.string({ maxLength: 12 }), json, { maxKeys: 6 })
  .chain((props) =>
    fc.record({
      props: fc.constant(props),
      packageType: fc.constantFrom(undefined, 'Zip', 'zip', 'Image ', 7),
      mode: fc.option(fc.record({ UpdateRuntimeOn: fc.oneof(fc.constantFrom('Auto', 'FunctionUpdate', 'Manual'), json) }, { requiredKeys: [] }), { nil: undefined }),
      tags: fc.option(fc.oneof(fc.array(fc.record({ Key: fc.string(), Value: fc.string() })), fc.dictionary(fc.string(), fc.string()), json), { nil: undefined }),
    }),
  )
  .map(({ props, packageType, mode, tags }) => {
    const out: Record<string, unknown> = { ...props };
    for (const k of ['PackageType', 'RuntimeManagementConfig', 'Tags', 'Runtime', 'FunctionName']) delete out[k];
    if (packageType !== undefined) out.PackageType = packageType;
    if (mode !== undefined) out.RuntimeManagementConfig = mode;
    // A waiver tag legitimately downgrades errors: the property is about everything else.
    if (tags !== undefined && !JSON.stringify(tags).includes('waiver')) out.Tags = tags;
    return out;
  });

describe('hook (property-based)', () => {
  const LIMITS = [1024, 4096];
  const validResponse = (res: Awaited<ReturnType<typeof hook>>): void => {
    expect(['SUCCESS', 'FAILED']).toContain(res.hookStatus);
    if (res.hookStatus === 'FAILED') expect(['NonCompliant', 'InternalFailure']).toContain(res.errorCode);
    else expect(res.errorCode).toBeUndefined();
    expect(typeof res.message).toBe('string');
    expect(res.message.length).toBeLessThanOrEqual(Math.max(...LIMITS));
    expect(() => encodeURIComponent(res.message)).not.toThrow();
    expect(typeof res.clientRequestToken).toBe('string');
  };

  it('never throws and always answers validly, whatever the event', async () => {
    await fc.assert(fc.asyncProperty(fc.anything(), async (event) => validResponse(await hook(event))), params(1));
  });

  it('never throws on a real event with any part replaced by anything', async () => {
    const paths = [['requestData'], ['requestData', 'targetModel'], ['requestData', 'targetModel', 'resourceProperties'], ['actionInvocationPoint'], ['clientRequestToken'], ['stackId'], ['requestData', 'targetType']];
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...paths), fc.anything(), async (path, value) => {
        const event = hookEvent('create-nodejs16') as unknown as Record<string, unknown>;
        let at: Record<string, unknown> = event;
        for (const k of path.slice(0, -1)) at = at[k] as Record<string, unknown>;
        at[path.at(-1)!] = value;
        validResponse(await hook(event));
      }),
      params(2),
    );
  });

  it('never lets a function on a deprecated literal runtime pass', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...DEPRECATED), otherProperties, fc.constantFrom('CREATE_PRE_PROVISION', 'UPDATE_PRE_PROVISION'), async (runtime, props, point) => {
        const event = hookEvent('create-nodejs16') as unknown as { actionInvocationPoint: string; requestData: { targetModel: { resourceProperties: Record<string, unknown> } } };
        event.actionInvocationPoint = point;
        event.requestData.targetModel.resourceProperties = { ...props, Runtime: runtime };
        const res = await hook(event);
        expect(res.hookStatus).toBe('FAILED');
      }),
      params(3),
    );
  });
});

describe('Config rule event parsing (property-based)', () => {
  const item = fc.record(
    {
      resourceType: fc.oneof(fc.constant('AWS::Lambda::Function'), json),
      resourceId: fc.oneof(fc.string({ maxLength: 800 }), json),
      configurationItemStatus: fc.constantFrom('OK', 'ResourceDiscovered', 'ResourceDeleted', undefined),
      configuration: fc.oneof(json, fc.string(), fc.dictionary(fc.constantFrom('functionName', 'runtime', 'packageType', 'layers'), json)),
      tags: fc.oneof(fc.dictionary(fc.string(), fc.string()), json),
    },
    { requiredKeys: [] },
  );
  const event = fc.record({
    invokingEvent: fc.oneof(
      fc.string(),
      fc.record({ messageType: fc.constantFrom('ConfigurationItemChangeNotification', 'OversizedConfigurationItemChangeNotification', 'ScheduledNotification', 'Other'), configurationItem: item, configurationItemSummary: item }, { requiredKeys: [] }).map((x) => JSON.stringify(x)),
    ),
    ruleParameters: fc.oneof(fc.string(), fc.dictionary(fc.string(), fc.string()).map((x) => JSON.stringify(x))),
    resultToken: fc.string(),
  });

  it('accepts or refuses with a typed error saying what is wrong; never anything else', () => {
    fc.assert(
      fc.property(fc.oneof(event, fc.anything()), (e) => {
        try {
          parseConfigRuleEvent(e);
        } catch (err) {
          expect(err instanceof InvalidEventError || err instanceof PolicyValidationError, String(err)).toBe(true);
        }
      }),
      params(4, 1000),
    );
  });

  it('gives no facts for an item whose configuration cannot be read', () => {
    const unreadable = fc.oneof(fc.constant(null), fc.array(json), fc.integer(), fc.boolean(), fc.constant('null'), fc.constant('[1]'), fc.string().filter((s) => !s.trim().startsWith('{')));
    fc.assert(
      fc.property(unreadable, fc.dictionary(fc.string(), fc.string()), (configuration, tags) => {
        expect(() => factsFromConfigurationItem({ resourceType: 'AWS::Lambda::Function', resourceId: 'f', configuration: configuration as never, tags })).toThrow(InvalidEventError);
      }),
      params(5),
    );
  });
});

describe('remediation inputs (property-based)', () => {
  it('are accepted as a function and a whole number of minutes, or refused with InvalidEventError', () => {
    fc.assert(
      fc.property(fc.oneof(fc.anything(), fc.record({ functionName: fc.oneof(fc.string(), json), quietPeriodMinutes: fc.oneof(json, fc.string()) }, { requiredKeys: [] })), (input) => {
        try {
          const out = parseInput(notifyInputSchema, input, 'notify');
          expect(out.functionName).toMatch(/^(?:[^:]+|.*:function:[^:]+)$/);
          if (out.quietPeriodMinutes !== undefined) expect(Number.isInteger(out.quietPeriodMinutes) && out.quietPeriodMinutes >= 0).toBe(true);
        } catch (err) {
          expect(err).toBeInstanceOf(InvalidEventError);
        }
        try {
          parseInput(switchModeInputSchema, input, 'switch-mode');
        } catch (err) {
          expect(err).toBeInstanceOf(InvalidEventError);
        }
      }),
      params(6, 1000),
    );
  });
});

describe('scanner (property-based)', () => {
  it('never throws on any text, answering a file error or functions', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.string({ unit: 'binary' }), json.map((v) => JSON.stringify(v))), (text) => {
        const file = scanTemplateText('x.yaml', text, DEFAULT_POLICY, NOW, false);
        expect(file.path).toBe('x.yaml');
      }),
      params(7, 1000),
    );
  });

  it('never throws on any template shape, and never passes a deprecated literal runtime', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.constantFrom('Parameters', 'Mappings', 'Conditions', 'Globals', 'Transform', 'Outputs'), json), fc.constantFrom(...DEPRECATED), otherProperties, (sections, runtime, props) => {
        const template = { ...sections, Resources: { F: { Type: 'AWS::Lambda::Function', Properties: { ...props, Runtime: runtime } } } };
        const file = scanTemplateText('x.json', JSON.stringify(template), DEFAULT_POLICY, NOW);
        // Either the file is refused as CloudFormation would refuse it, or the function fails.
        if (!file.error) expect(file.functions[0]!.verdict.compliance).toBe('NON_COMPLIANT');
      }),
      params(8),
    );
  });
});

describe('truncate (property-based)', () => {
  it('stays within the limit and never splits a surrogate pair', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 300 }), fc.integer({ min: 2, max: 300 }), (text, max) => {
        const out = truncate(text, max);
        expect(out.length).toBeLessThanOrEqual(max);
        expect(() => encodeURIComponent(out)).not.toThrow();
      }),
      params(9, 1000),
    );
  });
});
