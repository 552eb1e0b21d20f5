import { describe, expect, it } from 'vitest';
import { DEFAULT_POLICY, evaluate, parsePolicy, RULES, verdict, type Finding } from '../../shared/index.js';
import { factsFromResourceProperties } from '../../shared/adapters/cloudFormation.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { RULE_HELP } from '../../shared/evaluation/ruleHelp.js';
import { ROOT } from '../helpers/fixtures.js';
import { facts, NOW } from '../helpers/fixtures.js';

const DAY = 86_400_000;
const daysAgo = (n: number): string => new Date(NOW - n * DAY).toISOString();
const ids = (findings: readonly Finding[]): string[] => findings.map((f) => `${f.ruleId}:${f.severity}`);
const critical = { 'runtime-warden:tier': 'critical' };

describe('evaluate', () => {
  it('finds nothing wrong with a supported runtime on Auto in the default tier', () => {
    const findings = evaluate(facts(), DEFAULT_POLICY, NOW);
    expect(findings).toEqual([]);
    expect(verdict(findings)).toMatchObject({ compliance: 'COMPLIANT', summary: 'Compliant: approved, supported runtime and allowed update mode.' });
  });

  it('flags a deprecated runtime with its dates, days left and the target runtime', () => {
    const findings = evaluate(facts({ runtime: 'nodejs16.x' }), DEFAULT_POLICY, NOW);
    expect(findings).toEqual([
      {
        ruleId: 'RW004',
        rule: 'runtime-deprecated',
        severity: 'error',
        message:
          'nodejs16.x is deprecated since 2024-06-12 (no more security patches). AWS blocks creates from 2027-02-01 (70 days left) and updates from 2027-03-03 (100 days left). Upgrade to nodejs22.x (newest: nodejs26.x).',
        remediation: { kind: 'upgrade-runtime', targetRuntime: 'nodejs22.x' },
      },
    ]);
    expect(verdict(findings).compliance).toBe('NON_COMPLIANT');
  });

  it('flags a runtime whose function creation AWS blocks', () => {
    const [f] = evaluate(facts({ runtime: 'python3.7' }), DEFAULT_POLICY, NOW);
    expect(f).toMatchObject({ ruleId: 'RW005', severity: 'error', remediation: { targetRuntime: 'python3.11' } });
    expect(f!.message).toBe(
      'python3.7 is deprecated since 2023-12-04 and AWS blocks creating functions on it since 2024-01-09. AWS blocks updates from 2027-03-03 (100 days left). Upgrade to python3.11 (newest: python3.15).',
    );
  });

  it('flags a runtime whose function updates AWS blocks', () => {
    expect(ids(evaluate(facts({ runtime: 'nodejs12.x' }), DEFAULT_POLICY, NOW))).toEqual(['RW006:error']);
  });

  it('fails closed on an unknown runtime and on a Zip function without one', () => {
    const [unknown] = evaluate(facts({ runtime: 'nodejs99.x' }), DEFAULT_POLICY, NOW);
    expect(unknown).toMatchObject({ ruleId: 'RW001', severity: 'error' });
    expect(unknown!.message).toContain('"nodejs99.x" is not in the runtime catalog');
    expect(ids(evaluate(facts({ runtime: undefined }), DEFAULT_POLICY, NOW))).toEqual(['RW001:error']);
  });

  it('judges a runtime added through catalogOverrides by its lifecycle', () => {
    const policy = parsePolicy({ version: 1, catalogOverrides: [{ id: 'nodejs28.x', deprecation: '2030-04-30' }] });
    expect(evaluate(facts({ runtime: 'nodejs28.x' }), policy, NOW)).toEqual([]);
  });

  it('flags a denied runtime and recommends an allowed one', () => {
    const policy = parsePolicy({ version: 1, deniedRuntimes: ['nodejs22.x', 'nodejs26.x'] });
    expect(evaluate(facts(), policy, NOW)).toEqual([
      expect.objectContaining({ ruleId: 'RW002', severity: 'error', message: 'nodejs22.x is denied by policy. Upgrade to nodejs24.x.' }),
    ]);
  });

  it('flags a runtime missing from the approved list', () => {
    const policy = parsePolicy({ version: 1, approvedRuntimes: ['nodejs24.x', 'python3.13'] });
    expect(evaluate(facts(), policy, NOW)).toEqual([
      expect.objectContaining({ ruleId: 'RW003', message: 'nodejs22.x is not on the approved runtime list. Upgrade to nodejs24.x.', remediation: { kind: 'upgrade-runtime', targetRuntime: 'nodejs24.x' } }),
    ]);
  });

  it('says when no allowed runtime of the family is left', () => {
    const policy = parsePolicy({ version: 1, approvedRuntimes: ['python3.13'] });
    expect(evaluate(facts({ runtime: 'go1.x' }), policy, NOW).map((f) => f.message)).toEqual([
      'go1.x is not on the approved runtime list. No approved, supported runtime of the same family exists: move to another runtime family.',
      expect.stringMatching(/^go1\.x is deprecated since 2024-01-08 and AWS blocks creating functions on it since 2024-02-08\./),
    ]);
  });

  it("warns inside the tier's upgrade lead time and not before", () => {
    const important = evaluate(facts({ tags: { 'runtime-warden:tier': 'important' } }), DEFAULT_POLICY, NOW);
    const crit = evaluate(facts({ updateMode: 'FunctionUpdate', tags: critical }), DEFAULT_POLICY, NOW);
    expect(important).toEqual([]);
    expect(crit).toEqual([
      expect.objectContaining({
        ruleId: 'RW007',
        severity: 'warning',
        message: "nodejs22.x is deprecated on 2027-04-30 (158 days left), inside the critical tier's 180-day upgrade window. Upgrade to nodejs24.x (newest: nodejs26.x).",
      }),
    ]);
    expect(verdict(crit).compliance).toBe('COMPLIANT');
  });

  it('turns the lead-time warning into the deprecation error on the date', () => {
    const onTheDay = Date.parse('2027-04-30T00:00:00Z');
    expect(ids(evaluate(facts({ updateMode: 'FunctionUpdate', tags: critical }), DEFAULT_POLICY, onTheDay - 1))).toEqual(['RW007:warning']);
    expect(ids(evaluate(facts({ updateMode: 'FunctionUpdate', tags: critical }), DEFAULT_POLICY, onTheDay))).toEqual(['RW004:error']);
  });

  it('uses the organisation-wide warning window when it is longer than the tier lead', () => {
    const policy = parsePolicy({ version: 1, warnBeforeDeprecationDays: 200 });
    expect(ids(evaluate(facts(), policy, NOW))).toEqual(['RW007:warning']);
  });

  it('flags an update mode the tier does not allow', () => {
    expect(evaluate(facts({ tags: critical }), DEFAULT_POLICY, NOW)).toContainEqual(
      expect.objectContaining({
        ruleId: 'RW008',
        severity: 'error',
        message: 'Runtime update mode Auto is not allowed for the critical tier (allowed: Manual, FunctionUpdate). Set UpdateRuntimeOn to FunctionUpdate.',
        remediation: { kind: 'set-update-mode', mode: 'FunctionUpdate' },
      }),
    );
    expect(ids(evaluate(facts({ updateMode: 'Manual', runtimeVersionArn: 'arn:aws:lambda:eu-west-1::runtime:abc' }), DEFAULT_POLICY, NOW))).toEqual(['RW008:error']);
  });

  it('leaves the update mode alone when the source does not tell it', () => {
    expect(evaluate(facts({ updateMode: undefined, tags: critical }), DEFAULT_POLICY, NOW).map((f) => f.ruleId)).toEqual(['RW007']);
  });

  it('flags Manual mode without a runtime version ARN', () => {
    expect(ids(evaluate(facts({ updateMode: 'Manual', tags: critical }), DEFAULT_POLICY, NOW))).toEqual(['RW007:warning', 'RW009:error']);
  });

  it('flags a Manual pin older than the policy allows, and not a young one', () => {
    const pinned = { updateMode: 'Manual' as const, runtimeVersionArn: 'arn:aws:lambda:eu-west-1::runtime:0af1', tags: critical };
    const old = evaluate(facts({ ...pinned, lastModified: daysAgo(45) }), DEFAULT_POLICY, NOW);
    // The critical tier does not allow Auto: the pin goes to the tier's preferred mode.
    expect(old).toContainEqual(expect.objectContaining({ ruleId: 'RW010', remediation: { kind: 'set-update-mode', mode: 'FunctionUpdate' } }));
    expect(old.find((f) => f.ruleId === 'RW010')!.message).toMatch(/^Pinned to a runtime version \(Manual\) for 45 days, more than the 30 allowed: .* Switch to FunctionUpdate\.$/);
    const important = evaluate(facts({ ...pinned, tags: { 'runtime-warden:tier': 'important' }, lastModified: daysAgo(45) }), DEFAULT_POLICY, NOW);
    expect(important.find((f) => f.ruleId === 'RW010')).toMatchObject({ remediation: { kind: 'set-update-mode', mode: 'Auto' } });
    expect(evaluate(facts({ ...pinned, lastModified: daysAgo(10) }), DEFAULT_POLICY, NOW).map((f) => f.ruleId)).toEqual(['RW007']);
  });

  it('warns when a FunctionUpdate function has not been deployed within its tier window', () => {
    const stale = evaluate(facts({ runtime: 'python3.13', updateMode: 'FunctionUpdate', tags: critical, lastModified: daysAgo(40) }), DEFAULT_POLICY, NOW);
    expect(ids(stale)).toEqual(['RW011:warning']);
    // FunctionUpdate is already the critical tier's preferred mode: the way out is a deploy.
    expect(stale[0]).toMatchObject({ remediation: { kind: 'redeploy' }, message: expect.stringMatching(/Redeploy it\.$/) });
    const important = evaluate(facts({ runtime: 'python3.13', updateMode: 'FunctionUpdate', tags: { 'runtime-warden:tier': 'important' }, lastModified: daysAgo(100) }), DEFAULT_POLICY, NOW);
    expect(important).toEqual([expect.objectContaining({ ruleId: 'RW011', remediation: { kind: 'set-update-mode', mode: 'Auto' }, message: expect.stringMatching(/Switch to Auto\.$/) })]);
    expect(evaluate(facts({ runtime: 'python3.13', updateMode: 'FunctionUpdate', tags: critical, lastModified: daysAgo(20) }), DEFAULT_POLICY, NOW)).toEqual([]);
  });

  it('judges an unknown tier tag as the default tier and says so', () => {
    expect(evaluate(facts({ tags: { 'runtime-warden:tier': 'gold' } }), DEFAULT_POLICY, NOW)).toEqual([
      expect.objectContaining({ ruleId: 'RW012', severity: 'warning', message: 'Tag runtime-warden:tier="gold" names no tier (known: critical, important, non-critical); judged as non-critical.' }),
    ]);
    expect(evaluate(facts({ tags: { 'runtime-warden:tier': ' Critical ' }, updateMode: 'FunctionUpdate' }), DEFAULT_POLICY, NOW).map((f) => f.ruleId)).toEqual(['RW007']);
  });

  it('marks a container image function not applicable', () => {
    const findings = evaluate(facts({ packageType: 'Image', runtime: undefined }), DEFAULT_POLICY, NOW);
    expect(ids(findings)).toEqual(['RW000:info']);
    expect(verdict(findings)).toMatchObject({ compliance: 'NOT_APPLICABLE', summary: expect.stringContaining('Container image') });
  });
});

describe('waivers', () => {
  const waiver = { function: 'orders-*', match: 'glob', account: '123456789012', expires: '2026-12-31', reason: 'CHG-42 upgrade planned' } as const;

  it('downgrade the errors they cover to warnings, with the expiry', () => {
    const policy = parsePolicy({ version: 1, waivers: [waiver] });
    const findings = evaluate(facts({ runtime: 'nodejs16.x' }), policy, NOW);
    expect(ids(findings)).toEqual(['RW004:warning', 'RW013:info']);
    expect(findings[0]).toMatchObject({ waivedUntil: '2026-12-31', message: expect.stringMatching(/\(waived until 2026-12-31\)$/) });
    expect(findings[1]!.message).toBe('Policy waiver "orders-*" until 2026-12-31 (39 days left) downgrades RW004 to warnings: CHG-42 upgrade planned');
    expect(verdict(findings).compliance).toBe('COMPLIANT');
  });

  it('cover only the rules they list', () => {
    const policy = parsePolicy({ version: 1, waivers: [{ ...waiver, rules: ['RW008'] }] });
    expect(ids(evaluate(facts({ runtime: 'nodejs16.x', tags: critical }), policy, NOW))).toEqual(['RW004:error', 'RW008:warning', 'RW013:info']);
  });

  it('apply only in their account', () => {
    const policy = parsePolicy({ version: 1, waivers: [{ ...waiver, account: '999999999999' }] });
    expect(ids(evaluate(facts({ runtime: 'nodejs16.x' }), policy, NOW))).toEqual(['RW004:error']);
  });

  it('apply through the last day of their expiry date and say so once expired', () => {
    const policy = parsePolicy({ version: 1, waivers: [{ ...waiver, expires: '2026-11-23' }] });
    expect(ids(evaluate(facts({ runtime: 'nodejs16.x' }), policy, NOW))).toEqual(['RW004:warning', 'RW013:info']);
    const expired = evaluate(facts({ runtime: 'nodejs16.x' }), policy, Date.parse('2026-11-24T00:00:00Z'));
    expect(ids(expired)).toEqual(['RW004:error', 'RW014:warning']);
    expect(expired[1]!.message).toBe('Policy waiver "orders-*" expired on 2026-11-23 and no longer covers RW004 (CHG-42 upgrade planned).');
    expect(verdict(expired).compliance).toBe('NON_COMPLIANT');
  });

  it('stay quiet when expired but covering nothing', () => {
    const policy = parsePolicy({ version: 1, waivers: [{ ...waiver, expires: '2026-01-01' }] });
    expect(evaluate(facts(), policy, NOW)).toEqual([]);
  });

  it('come from the waiver tag of the function', () => {
    const findings = evaluate(facts({ runtime: 'nodejs16.x', tags: { 'runtime-warden:waiver': '2026-12-15 migrating in sprint 49' } }), DEFAULT_POLICY, NOW);
    expect(ids(findings)).toEqual(['RW004:warning', 'RW013:info']);
    expect(findings[1]!.message).toBe('Tag waiver until 2026-12-15 (23 days left) downgrades RW004 to warnings: migrating in sprint 49');
  });

  it('from a tag are refused when malformed or reaching too far', () => {
    const far = evaluate(facts({ runtime: 'nodejs16.x', tags: { 'runtime-warden:waiver': '2027-12-31 later' } }), DEFAULT_POLICY, NOW);
    expect(ids(far)).toEqual(['RW004:error', 'RW015:warning']);
    expect(far[1]!.message).toContain('more than 90 days ahead');
    expect(ids(evaluate(facts({ tags: { 'runtime-warden:waiver': 'soon' } }), DEFAULT_POLICY, NOW))).toEqual(['RW015:warning']);
    expect(ids(evaluate(facts({ tags: { 'runtime-warden:waiver': '2026-13-01 bad month' } }), DEFAULT_POLICY, NOW))).toEqual(['RW015:warning']);
  });

  it('by name match that name exactly unless they ask for a glob, which must name its account', () => {
    const exact = parsePolicy({ version: 1, waivers: [{ function: 'orders-*', expires: '2026-12-31', reason: 'r' }] });
    expect(ids(evaluate(facts({ name: 'orders-new', runtime: 'nodejs16.x' }), exact, NOW))).toEqual(['RW004:error']);
    expect(ids(evaluate(facts({ name: 'orders-*', runtime: 'nodejs16.x' }), exact, NOW))).toEqual(['RW004:warning', 'RW013:info']);
    expect(() => parsePolicy({ version: 1, waivers: [{ function: 'orders-*', match: 'glob', expires: '2026-12-31', reason: 'r' }] })).toThrow(
      /waivers\.0\.account: a glob waiver \(match: glob\) must name the account/,
    );
  });

  it('by ARN match that function, qualified or not, and a template function by account, region and name', () => {
    const arn = 'arn:aws:lambda:eu-west-1:123456789012:function:orders-api';
    const policy = parsePolicy({ version: 1, waivers: [{ function: arn, expires: '2026-12-31', reason: 'r' }] });
    expect(ids(evaluate(facts({ runtime: 'nodejs16.x', arn: `${arn}:7` }), policy, NOW))).toEqual(['RW004:warning', 'RW013:info']);
    expect(ids(evaluate(facts({ runtime: 'nodejs16.x' }), policy, NOW))).toEqual(['RW004:warning', 'RW013:info']);
    expect(ids(evaluate(facts({ runtime: 'nodejs16.x', arn: `${arn}-v2` }), policy, NOW))).toEqual(['RW004:error']);
    expect(ids(evaluate(facts({ runtime: 'nodejs16.x', accountId: '999999999999' }), policy, NOW))).toEqual(['RW004:error']);
  });

  it('by logical id never cover a template function that sets its own FunctionName', () => {
    const policy = parsePolicy({ version: 1, waivers: [{ function: 'LegacyBilling', expires: '2026-12-31', reason: 'r' }] });
    const renamed = factsFromResourceProperties({ FunctionName: 'brand-new-service', Runtime: 'nodejs16.x' }, { logicalId: 'LegacyBilling' });
    expect(ids(evaluate(renamed, policy, NOW))).toEqual(['RW004:error']);
    const unnamed = factsFromResourceProperties({ Runtime: 'nodejs16.x' }, { logicalId: 'LegacyBilling' });
    expect(ids(evaluate(unnamed, policy, NOW))).toEqual(['RW004:warning', 'RW013:info']);
  });

  it.each([
    ['an unknown runtime', 'nodejs99.x', 'RW001'],
    ['a denied runtime', 'nodejs20.x', 'RW002'],
    ['a create-blocked runtime', 'python3.7', 'RW005'],
    ['an update-blocked runtime', 'nodejs12.x', 'RW006'],
  ])('from a tag never cover %s, while a policy waiver may', (_, runtime, rule) => {
    const tagged = facts({ runtime, tags: { 'runtime-warden:waiver': '2026-12-15 blocked deploy' } });
    const policy = parsePolicy({ version: 1, deniedRuntimes: ['nodejs20.x'] });
    expect(ids(evaluate(tagged, policy, NOW))).toContain(`${rule}:error`);
    expect(verdict(evaluate(tagged, policy, NOW)).compliance).toBe('NON_COMPLIANT');
    const waived = parsePolicy({ version: 1, deniedRuntimes: ['nodejs20.x'], waivers: [{ function: 'orders-api', expires: '2026-12-31', reason: 'CHG-1' }] });
    expect(verdict(evaluate(facts({ runtime }), waived, NOW)).compliance).toBe('COMPLIANT');
  });

  it('never cover the rules the policy makes unwaivable, from a tag or from the policy', () => {
    const policy = parsePolicy({ version: 1, unwaivableRules: ['RW004'], waivers: [{ function: 'orders-api', expires: '2026-12-31', reason: 'CHG-1' }] });
    expect(ids(evaluate(facts({ runtime: 'nodejs16.x' }), policy, NOW))).toEqual(['RW004:error']);
    expect(ids(evaluate(facts({ runtime: 'nodejs16.x', tags: { 'runtime-warden:waiver': '2026-12-15 x' } }), policy, NOW))).toEqual(['RW004:error']);
    expect(() => parsePolicy({ version: 1, unwaivableRules: ['4'] })).toThrow(/unwaivableRules\.0: must be a rule id/);
  });

  it('from a tag cannot be renewed past maxDays from the day a waiver tag was first seen', () => {
    const tags = { 'runtime-warden:waiver': '2027-02-15 still migrating' };
    // 84 days ahead of NOW: within 90 days of today, but 2026-10-01 + 90 days is 2026-12-30.
    expect(ids(evaluate(facts({ runtime: 'nodejs16.x', tags }), DEFAULT_POLICY, NOW))).toEqual(['RW004:warning', 'RW013:info']);
    const renewed = evaluate(facts({ runtime: 'nodejs16.x', tags, waiverTagSince: '2026-10-01' }), DEFAULT_POLICY, NOW);
    expect(ids(renewed)).toEqual(['RW004:error', 'RW015:warning']);
    expect(renewed[1]!.message).toContain('more than 90 days after a waiver tag was first seen on this function (2026-10-01)');
    const inBound = facts({ runtime: 'nodejs16.x', tags: { 'runtime-warden:waiver': '2026-12-30 x' }, waiverTagSince: '2026-10-01' });
    expect(ids(evaluate(inBound, DEFAULT_POLICY, NOW))).toEqual(['RW004:warning', 'RW013:info']);
  });

  it('from a tag given twice apply only when every value is valid, until the earliest', () => {
    const props = (values: string[]) => ({ Runtime: 'nodejs16.x', Tags: values.map((Value) => ({ Key: 'runtime-warden:waiver', Value })) });
    const both = evaluate(factsFromResourceProperties(props(['2026-12-20 b', '2026-12-10 a']), { logicalId: 'F' }), DEFAULT_POLICY, NOW);
    expect(ids(both)).toEqual(['RW004:warning', 'RW013:info']);
    expect(both[0]!.waivedUntil).toBe('2026-12-10');
    const oneBad = evaluate(factsFromResourceProperties(props(['2026-12-20 b', '2026-02-30 impossible']), { logicalId: 'F' }), DEFAULT_POLICY, NOW);
    expect(ids(oneBad)).toEqual(['RW004:error', 'RW015:warning']);
  });

  it('from a tag are ignored when the policy turns them off', () => {
    const policy = parsePolicy({ version: 1, waiverTag: { enabled: false } });
    expect(ids(evaluate(facts({ runtime: 'nodejs16.x', tags: { 'runtime-warden:waiver': '2026-12-15 x' } }), policy, NOW))).toEqual(['RW004:error']);
  });
});

describe('verdict', () => {
  it('keeps the summary within 256 characters and leads with the errors', () => {
    const policy = parsePolicy({ version: 1, approvedRuntimes: ['python3.13'] });
    const findings = evaluate(facts({ runtime: 'nodejs16.x', updateMode: 'Manual', tags: { ...critical, 'runtime-warden:waiver': 'x' } }), policy, NOW);
    const v = verdict(findings);
    expect(v.compliance).toBe('NON_COMPLIANT');
    expect(v.summary.length).toBeLessThanOrEqual(256);
    expect(v.summary).toMatch(/^RW003 nodejs16\.x is not on the approved runtime list/);
    expect(v.ruleIds).toEqual(['RW003', 'RW004', 'RW009', 'RW015']);
  });

  it('leads with the waiver when one makes the function compliant, so a cut summary still shows it', () => {
    const findings = evaluate(facts({ runtime: 'nodejs16.x', tags: { 'runtime-warden:waiver': `2026-12-15 ${'long reason '.repeat(30)}` } }), DEFAULT_POLICY, NOW);
    const v = verdict(findings);
    expect(v.compliance).toBe('COMPLIANT');
    expect(v.summary).toMatch(/^Compliant under a waiver: RW013 Tag waiver until 2026-12-15 \(23 days left\) downgrades RW004 to warnings: long reason/);
    expect(v.summary.length).toBeLessThanOrEqual(256);
  });

  it('holds for every catalog runtime, update mode and tier without throwing', () => {
    for (const runtime of DEFAULT_POLICY.catalog.all().map((r) => r.id)) {
      for (const updateMode of ['Auto', 'FunctionUpdate', 'Manual'] as const) {
        for (const tier of ['critical', 'important', 'non-critical', 'unknown']) {
          const findings = evaluate(facts({ runtime, updateMode, tags: { 'runtime-warden:tier': tier }, lastModified: daysAgo(400) }), DEFAULT_POLICY, NOW);
          const v = verdict(findings);
          expect(v.summary.length).toBeLessThanOrEqual(256);
          expect(findings.every((f) => RULES.some((r) => r.id === f.ruleId))).toBe(true);
        }
      }
    }
  });
});

describe('rule catalogue', () => {
  it('pins the stable rule ids', () => {
    expect(RULES.map((r) => `${r.id} ${r.name} ${r.severity}`)).toEqual([
      'RW000 not-applicable info',
      'RW001 runtime-unknown error',
      'RW002 runtime-denied error',
      'RW003 runtime-not-approved error',
      'RW004 runtime-deprecated error',
      'RW005 runtime-create-blocked error',
      'RW006 runtime-update-blocked error',
      'RW007 deprecation-approaching warning',
      'RW008 update-mode-not-allowed error',
      'RW009 manual-without-version-arn error',
      'RW010 manual-pin-too-old error',
      'RW011 function-update-stale warning',
      'RW012 tier-tag-invalid warning',
      'RW013 waiver-applied info',
      'RW014 waiver-expired warning',
      'RW015 waiver-tag-invalid warning',
      'RW016 expression-unresolved warning',
      'RW017 properties-invalid error',
      'RW018 layer-incompatible warning',
      'RW019 layer-runtimes-deprecated warning',
      'RW020 deployment-preference-missing warning',
      'RW021 new-runtime-not-adopted warning',
      'RW022 layer-compatibility-unknown info',
    ]);
  });
});

describe('an unknown runtime', () => {
  it('suggests the runtime meant when one is close, and nothing when many are', () => {
    expect(evaluate(facts({ runtime: 'nodejs22' }), DEFAULT_POLICY, NOW)[0]!.message).toContain('(did you mean nodejs22.x?)');
    expect(evaluate(facts({ runtime: 'pyhton3.13' }), DEFAULT_POLICY, NOW)[0]!.message).toContain('(did you mean python3.13?)');
    expect(evaluate(facts({ runtime: 'nodejs99.x' }), DEFAULT_POLICY, NOW)[0]!.message).not.toContain('did you mean');
  });
});

describe('rule help', () => {
  const plain = (t: string): string => t.replace(/\[([^\]]+)\]\([^)]+\)/g, '$1').replace(/\s+/g, ' ').trim();
  const docs = readFileSync(join(ROOT, 'docs', 'rules.md'), 'utf8');
  it.each(RULES.map((r) => r.id))('for %s is the text of its docs/rules.md section, with its fix', (id) => {
    const section = new RegExp(`^## ${id}\\n\\n([\\s\\S]*?)(?=^## |(?![\\s\\S]))`, 'm').exec(docs)?.[1];
    expect(section, `docs/rules.md has no section ## ${id}`).toBeDefined();
    const paragraphs = section!.trim().split(/\n\n/).map(plain);
    const help = RULE_HELP[id]!;
    expect(paragraphs.some((p) => p.startsWith(help.description))).toBe(true);
    if (id !== 'RW000') expect(paragraphs).toContain(`Fix: ${help.fix[0]!.toLowerCase()}${help.fix.slice(1)}`);
  });
});
