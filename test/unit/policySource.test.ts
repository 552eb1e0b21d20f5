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

  it('reads the SSM parameter once per container', async () => {
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
