import { describe, expect, it } from 'vitest';
import { DEFAULT_POLICY, evaluate, parsePolicy } from '../../shared/index.js';
import { PolicyValidationError } from '../../shared/errors.js';
import type { DeploymentFacts } from '../../shared/facts/functionFacts.js';
import { facts, NOW } from '../helpers/fixtures.js';

const policy = parsePolicy({
  version: 1,
  tiers: {
    definitions: {
      critical: { allowedUpdateModes: ['Manual', 'FunctionUpdate'], preferredUpdateMode: 'FunctionUpdate', upgradeLeadDays: 180, deployment: { requireTrafficShifting: true, requireAlarms: 1 } },
      important: { allowedUpdateModes: ['FunctionUpdate', 'Auto'], preferredUpdateMode: 'Auto', upgradeLeadDays: 90, deployment: { requirePublishedVersions: ['FunctionUpdate'] } },
      'non-critical': { allowedUpdateModes: ['Auto'], upgradeLeadDays: 30 },
    },
  },
});
const tier = (t: string) => ({ 'runtime-warden:tier': t });
const rw020 = (deployment: DeploymentFacts | undefined, t: string, updateMode: 'Auto' | 'FunctionUpdate' | 'Manual' = 'FunctionUpdate', p = policy) =>
  evaluate(facts({ updateMode, tags: tier(t), ...(deployment && { deployment }) }), p, NOW).filter((f) => f.ruleId === 'RW020');

describe('RW020: deployment rules per tier', () => {
  it('says what a critical SAM function without DeploymentPreference must add', () => {
    expect(rw020({}, 'critical')).toEqual([
      {
        ruleId: 'RW020',
        rule: 'deployment-preference-missing',
        severity: 'warning',
        message: 'The critical tier requires how a function deploys: add AutoPublishAlias; a DeploymentPreference with a Canary or Linear Type; 1 more CloudWatch alarm(s) under DeploymentPreference.Alarms (has 0, needs 1).',
        remediation: { kind: 'redeploy' },
      },
    ]);
  });

  it('passes a critical function that shifts traffic gradually with an alarm', () => {
    expect(rw020({ autoPublishAlias: 'live', deploymentPreferenceType: 'Canary10Percent5Minutes', alarms: 1, publishesVersions: true }, 'critical')).toEqual([]);
    expect(rw020({ autoPublishAlias: 'live', deploymentPreferenceType: 'Linear10PercentEvery1Minute', alarms: 2 }, 'critical')).toEqual([]);
  });

  it('refuses AllAtOnce, which shifts nothing gradually', () => {
    expect(rw020({ autoPublishAlias: 'live', deploymentPreferenceType: 'AllAtOnce', alarms: 1 }, 'critical')[0]!.message).toBe(
      'The critical tier requires how a function deploys: add a Canary or Linear DeploymentPreference.Type (not AllAtOnce).',
    );
  });

  it('requires published versions of an important function only on FunctionUpdate', () => {
    expect(rw020({}, 'important', 'FunctionUpdate')[0]!.message).toBe(
      'The important tier requires how a function deploys: add AutoPublishAlias (or an AWS::Lambda::Version), so each deploy publishes a version to roll back to.',
    );
    expect(rw020({}, 'important', 'Auto')).toEqual([]);
    expect(rw020({ publishesVersions: true }, 'important', 'FunctionUpdate')).toEqual([]);
    expect(rw020({ autoPublishAlias: 'live' }, 'important', 'FunctionUpdate')).toEqual([]);
  });

  it('judges nothing where the source does not show how the function deploys', () => {
    expect(rw020(undefined, 'critical')).toEqual([]);
  });

  it('is off by default: the built-in tiers set no deployment rules', () => {
    for (const t of ['critical', 'important', 'non-critical']) expect(rw020({}, t, 'FunctionUpdate', DEFAULT_POLICY)).toEqual([]);
    expect([...DEFAULT_POLICY.tiers.values()].every((t) => t.deployment === undefined && t.adoptNewRuntimeWithinDays === undefined)).toBe(true);
  });

  it('requirePublishedVersions: true applies in every mode', () => {
    const p = parsePolicy({ version: 1, tiers: { definitions: { 'non-critical': { allowedUpdateModes: ['Auto'], upgradeLeadDays: 30, deployment: { requirePublishedVersions: true } } } } });
    expect(rw020({}, 'non-critical', 'Auto', p)).toHaveLength(1);
  });
});

describe('deployment rules in the policy document', () => {
  const bad = (deployment: unknown): string => {
    try {
      parsePolicy({ version: 1, tiers: { definitions: { 'non-critical': { allowedUpdateModes: ['Auto'], upgradeLeadDays: 30, deployment } } } });
    } catch (e) {
      expect(e).toBeInstanceOf(PolicyValidationError);
      return (e as Error).message;
    }
    throw new Error('accepted');
  };
  it('names the field and what is wrong', () => {
    expect(bad({ requireAlarms: 0 })).toContain('tiers.definitions.non-critical.deployment.requireAlarms');
    expect(bad({ requireAlarms: 1.5 })).toContain('deployment.requireAlarms');
    expect(bad({ requirePublishedVersions: ['Sometimes'] })).toContain('deployment.requirePublishedVersions: must be true, false or a non-empty list of update modes (Auto, FunctionUpdate, Manual)');
    expect(bad({ requireTrafficShifting: 'yes' })).toContain('deployment.requireTrafficShifting');
    expect(bad({ requireCanary: true })).toMatch(/requireCanary/);
  });
});
