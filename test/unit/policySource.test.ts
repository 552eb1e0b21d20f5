import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_POLICY, PolicySourceError, PolicyValidationError } from '../../shared/index.js';
import { cachedPolicyLoader } from '../../shared/io/policySource.js';

const ssm = new SSMClient({ region: 'eu-west-1' });
const ssmMock = mockClient(ssm);

describe('policy source', () => {
  beforeEach(() => ssmMock.reset());

  it.each([undefined, '', 'default', 'DEFAULT'])('uses the bundled policy for %j without calling SSM', async (source) => {
    expect(await cachedPolicyLoader(source, () => ssm)()).toBe(DEFAULT_POLICY);
    expect(ssmMock.calls()).toHaveLength(0);
  });

  it('reads the SSM parameter once per TTL, so a revoked waiver reaches warm containers within it', async () => {
    ssmMock
      .on(GetParameterCommand)
      .resolvesOnce({ Parameter: { Value: 'version: 1\nwaivers: [{function: orders-api, expires: 2099-12-31, reason: r}]' } })
      .resolves({ Parameter: { Value: 'version: 1' } });
    let clock = 0;
    const load = cachedPolicyLoader('/rw/policy', () => ssm, { ttlMs: 1000, now: () => clock });
    expect((await load()).waivers).toHaveLength(1);
    clock = 999;
    expect((await load()).waivers).toHaveLength(1);
    clock = 1000;
    expect((await load()).waivers).toHaveLength(0);
    expect(ssmMock.calls()).toHaveLength(2);
  });

  it('keeps the last good policy when a re-read fails or finds an invalid document, and says so', async () => {
    ssmMock
      .on(GetParameterCommand)
      .resolvesOnce({ Parameter: { Value: 'version: 1\ndeniedRuntimes: [nodejs20.x]' } })
      .rejectsOnce(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }))
      .resolvesOnce({ Parameter: { Value: 'version: 1\nwaivers: [{function: "*", expires: 2099-02-30, reason: x}]' } });
    let clock = 0;
    const problems: string[] = [];
    const load = cachedPolicyLoader('/rw/policy', () => ssm, { ttlMs: 1000, now: () => clock, onProblem: (m) => problems.push(m) });
    const first = await load();
    clock = 2000;
    expect(await load()).toBe(first);
    expect(await load()).toBe(first);
    expect(problems).toEqual([
      expect.stringMatching(/^policy in SSM parameter \/rw\/policy not re-read \(Cannot read policy from SSM parameter \/rw\/policy: ThrottlingException: Rate exceeded\); judging by the policy read before$/),
      expect.stringMatching(/^policy in SSM parameter \/rw\/policy not re-read \(Invalid policy in SSM parameter \/rw\/policy: waivers\.0\.expires: is not a calendar date/),
    ]);
  });

  it('reads the SSM parameter once per container within the TTL', async () => {
    ssmMock.on(GetParameterCommand, { Name: '/rw/policy', WithDecryption: true }).resolves({ Parameter: { Value: 'version: 1\ndeniedRuntimes: [nodejs20.x]' } });
    const load = cachedPolicyLoader('/rw/policy', () => ssm);
    const [a, b] = [await load(), await load()];
    expect(a).toBe(b);
    expect(a.isDenied('nodejs20.x')).toBe(true);
    expect(ssmMock.calls()).toHaveLength(1);
  });

  it('does not keep a failure: the next invocation tries again', async () => {
    ssmMock
      .on(GetParameterCommand)
      .rejectsOnce(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }))
      .resolves({ Parameter: { Value: '{"version": 1}' } });
    const load = cachedPolicyLoader('/rw/policy', () => ssm);
    await expect(load()).rejects.toThrow(new PolicySourceError('Cannot read policy from SSM parameter /rw/policy: ThrottlingException: Rate exceeded'));
    expect((await load()).document.version).toBe(1);
    expect(ssmMock.calls()).toHaveLength(2);
  });

  it('reports an invalid policy document naming the parameter and the field', async () => {
    ssmMock.on(GetParameterCommand).resolves({ Parameter: { Value: 'version: 1\nwarnBeforeDeprecationDays: -5' } });
    const err = await cachedPolicyLoader('/rw/policy', () => ssm)().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PolicyValidationError);
    expect((err as Error).message).toMatch(/^Invalid policy in SSM parameter \/rw\/policy: warnBeforeDeprecationDays: /);
  });

  it('reports a parameter without a value', async () => {
    ssmMock.on(GetParameterCommand).resolves({ Parameter: {} });
    await expect(cachedPolicyLoader('/rw/policy', () => ssm)()).rejects.toThrow('SSM parameter /rw/policy has no value');
  });
});
