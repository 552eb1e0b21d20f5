// The same functions, met four ways, get the same answer. Documented exceptions (README,
// "Where the four sources differ"): age rules (RW010, RW011) need LastModified, which only Lambda
// and Config know; the policy used here has no account-scoped or logical-id waivers, the other two
// classes, so they cannot arise.
import { Logger } from '@aws-lambda-powertools/logger';
import { ConfigServiceClient, GetComplianceDetailsByConfigRuleCommand, PutEvaluationsCommand, type Evaluation } from '@aws-sdk/client-config-service';
import { GetRuntimeManagementConfigCommand, LambdaClient, ListFunctionsCommand, ListTagsCommand, ListVersionsByFunctionCommand } from '@aws-sdk/client-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeAll, describe, expect, it } from 'vitest';
import { createHandler as createConfigRule } from '../../config-rules/runtime-compliance/handler.js';
import { createHandler as createHook } from '../../hooks/runtime-hook/handler.js';
import { factsFromConfigurationItem } from '../../shared/adapters/configItem.js';
import { factsFromFunctionConfiguration } from '../../shared/adapters/lambdaApi.js';
import { evaluate, factsFromResourceProperties, type Finding } from '../../shared/index.js';
import type { ConfigurationItem } from '../../shared/adapters/configEvent.js';
import { scanTemplateText } from '../../shared/template/scan.js';
import { ACCOUNT, configurationItem, DIFFERENTIAL_POLICY as policy, generateFunctions, hookEventFor, lambdaAnswers, REGION, resourceProperties, type GeneratedFunction } from '../helpers/generatedFunctions.js';

const NOW = Date.parse('2026-11-23T00:00:00Z');
const COUNT = Number(process.env.DIFFERENTIAL_FUNCTIONS ?? 1000);
const AGE_RULES = new Set(['RW010', 'RW011']);
const logger = new Logger({ serviceName: 'differential', logLevel: 'SILENT' });

const ids = (findings: readonly Finding[]): string => [...new Set(findings.map((f) => f.ruleId))].sort().join(' ');
const withoutAge = (s: string): string => s.split(' ').filter((id) => id && !AGE_RULES.has(id) && id !== 'RW013' && id !== 'RW014').join(' ');

interface Answer {
  readonly compliance: string;
  readonly ruleIds: string;
}

describe(`the same ${COUNT} generated functions as hook event, Config item, Lambda API answers and template`, () => {
  const functions = generateFunctions(COUNT, 20261123);
  const answers = new Map<string, Record<'hook' | 'config' | 'lambda' | 'template', Answer>>();

  beforeAll(async () => {
    const byName = new Map(functions.map((f) => [f.name, f]));
    const lambda = new LambdaClient({ region: REGION });
    const config = new ConfigServiceClient({ region: REGION });
    const lambdaMock = mockClient(lambda);
    const configMock = mockClient(config);
    const lambdaOf = (name: string): ReturnType<typeof lambdaAnswers> => lambdaAnswers(byName.get(name.split(':').pop()!)!, NOW);
    lambdaMock.on(ListFunctionsCommand).resolves({ Functions: functions.map((f) => lambdaAnswers(f, NOW).configuration as never) });
    lambdaMock.on(ListTagsCommand).callsFake((input: { Resource: string }) => ({ Tags: lambdaOf(input.Resource).tags }));
    lambdaMock.on(GetRuntimeManagementConfigCommand).callsFake((input: { FunctionName: string }) => lambdaOf(input.FunctionName).runtimeManagement);
    lambdaMock.on(ListVersionsByFunctionCommand).resolves({ Versions: [] });
    configMock.on(PutEvaluationsCommand).resolves({ FailedEvaluations: [] });
    configMock.on(GetComplianceDetailsByConfigRuleCommand).resolves({ EvaluationResults: [] });
    const configRule = createConfigRule({ lambda, config, policyLoader: () => () => Promise.resolve(policy), now: () => NOW, logger, deadlineReserveMs: 0, concurrency: 8 });
    const hook = createHook({ loadPolicy: () => Promise.resolve(policy), now: () => NOW, logger });
    const ruleEvent = (invokingEvent: unknown) => ({ invokingEvent: JSON.stringify(invokingEvent), ruleParameters: '{}', resultToken: 'TESTMODE', configRuleName: 'runtime-warden', accountId: ACCOUNT });

    // Lambda API answers: one periodic run over the whole fleet.
    const periodic = new Map((await configRule(ruleEvent({ messageType: 'ScheduledNotification', notificationCreationTime: new Date(NOW).toISOString() }))).map((e: Evaluation) => [e.ComplianceResourceId, e.ComplianceType]));
    // The template: every function in one file.
    const template = JSON.stringify({ Resources: Object.fromEntries(functions.map((f) => [f.logicalId, { Type: 'AWS::Lambda::Function', Properties: resourceProperties(f) }])) });
    const scanned = new Map(scanTemplateText('generated.json', template, policy, NOW).functions.map((s) => [s.logicalId, s]));

    for (const f of functions) {
      const res = await hook(hookEventFor(f));
      const hookCompliance = res.hookStatus === 'FAILED' ? (res.errorCode === 'NonCompliant' ? 'NON_COMPLIANT' : 'ERROR') : /: (COMPLIANT|NOT_APPLICABLE)\./.exec(res.message)?.[1] ?? 'UNREADABLE';
      const item = configurationItem(f, NOW);
      const [change] = await configRule(ruleEvent({ messageType: 'ConfigurationItemChangeNotification', configurationItem: item, notificationCreationTime: new Date(NOW).toISOString() }));
      const api = lambdaAnswers(f, NOW);
      const mode = { updateMode: api.runtimeManagement.UpdateRuntimeOn, pinnedRuntimeVersionArn: api.runtimeManagement.RuntimeVersionArn };
      const s = scanned.get(f.logicalId)!;
      answers.set(f.name, {
        hook: { compliance: hookCompliance, ruleIds: ids(evaluate(factsFromResourceProperties(resourceProperties(f), { logicalId: f.logicalId, accountId: ACCOUNT, region: REGION }), policy, NOW)) },
        config: { compliance: change!.ComplianceType, ruleIds: ids(evaluate(factsFromConfigurationItem(item as ConfigurationItem, mode), policy, NOW)) },
        lambda: { compliance: periodic.get(f.name) ?? 'MISSING', ruleIds: ids(evaluate(factsFromFunctionConfiguration(api.configuration, { tags: api.tags, ...mode }), policy, NOW)) },
        template: { compliance: s.verdict.compliance, ruleIds: ids(s.findings) },
      });
    }
  }, 120_000);

  const ageClass = (f: GeneratedFunction): boolean => answers.get(f.name)!.lambda.ruleIds.split(' ').some((id) => AGE_RULES.has(id));

  it('covers every verdict, and most functions fall outside the documented exceptions', () => {
    const all = [...answers.values()];
    expect(new Set(all.map((a) => a.hook.compliance))).toEqual(new Set(['COMPLIANT', 'NON_COMPLIANT', 'NOT_APPLICABLE']));
    expect(functions.filter(ageClass).length).toBeLessThan(COUNT / 4);
    const seen = [...new Set(all.flatMap((a) => [...a.hook.ruleIds.split(' '), ...a.config.ruleIds.split(' ')]))];
    expect(seen).toEqual(expect.arrayContaining(['RW000', 'RW001', 'RW002', 'RW003', 'RW004', 'RW005', 'RW006', 'RW008', 'RW009', 'RW010', 'RW011', 'RW012', 'RW013', 'RW014', 'RW015']));
  });

  it('hook and template agree on every function: compliance and rule ids', () => {
    const differ = functions.filter((f) => JSON.stringify(answers.get(f.name)!.hook) !== JSON.stringify(answers.get(f.name)!.template));
    expect(differ.map((f) => ({ f, ...answers.get(f.name) }))).toEqual([]);
  });

  it('Config item and Lambda API answers agree on every function: compliance and rule ids', () => {
    const differ = functions.filter((f) => JSON.stringify(answers.get(f.name)!.config) !== JSON.stringify(answers.get(f.name)!.lambda));
    expect(differ.map((f) => ({ f, ...answers.get(f.name) }))).toEqual([]);
  });

  it('deploy time and run time agree, except where age rules (which need LastModified) decide', () => {
    const differ = functions.filter((f) => {
      const a = answers.get(f.name)!;
      if (ageClass(f)) return withoutAge(a.hook.ruleIds) !== withoutAge(a.config.ruleIds);
      return a.hook.compliance !== a.config.compliance || a.hook.ruleIds !== a.config.ruleIds;
    });
    expect(differ.map((f) => ({ f, ...answers.get(f.name) }))).toEqual([]);
  });
});
