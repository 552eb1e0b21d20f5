import { Logger } from '@aws-lambda-powertools/logger';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHandler } from '../../hooks/runtime-hook/handler.js';
import { cachedPolicyLoader } from '../../shared/io/policySource.js';
import { loadEvent, NOW } from '../helpers/fixtures.js';
import { startMoto, type MotoServer } from '../../scripts/emulator/moto.js';

// The hook reading its policy from a real SSM API (moto's server on loopback).
describe('runtime hook with its policy in SSM', () => {
  let moto: MotoServer;
  let ssm: SSMClient;
  const logger = new Logger({ serviceName: 'test', logLevel: 'SILENT' });

  beforeAll(async () => {
    moto = await startMoto();
    ssm = new SSMClient(moto.clientConfig);
  });
  afterAll(async () => {
    ssm?.destroy();
    await moto?.stop();
  });

  it('enforces the policy stored in the parameter', async () => {
    await ssm.send(new PutParameterCommand({ Name: '/runtime-warden/policy', Type: 'String', Value: 'version: 1\ndeniedRuntimes: [nodejs22.x]' }));
    const handler = createHandler({ loadPolicy: cachedPolicyLoader('/runtime-warden/policy', () => ssm), now: () => NOW, logger });
    const res = await handler(loadEvent('hook', 'create-nodejs22'));
    expect(res).toMatchObject({ hookStatus: 'FAILED', errorCode: 'NonCompliant', message: expect.stringContaining('[RW002 error] nodejs22.x is denied by policy') });
  });

  it('answers InternalFailure when the parameter does not exist', async () => {
    const handler = createHandler({ loadPolicy: cachedPolicyLoader('/runtime-warden/missing', () => ssm), now: () => NOW, logger });
    const res = await handler(loadEvent('hook', 'create-nodejs22'));
    expect(res).toMatchObject({ hookStatus: 'FAILED', errorCode: 'InternalFailure' });
    expect(res.message).toContain('Cannot read policy from SSM parameter /runtime-warden/missing: ParameterNotFound');
  });

  it('answers InternalFailure naming the field when the stored policy is invalid', async () => {
    await ssm.send(new PutParameterCommand({ Name: '/runtime-warden/broken', Type: 'String', Value: '{"version": 1, "tiers": {"defaultTier": "gold"}}' }));
    const handler = createHandler({ loadPolicy: cachedPolicyLoader('/runtime-warden/broken', () => ssm), now: () => NOW, logger });
    const res = await handler(loadEvent('hook', 'create-nodejs22'));
    expect(res).toMatchObject({ hookStatus: 'FAILED', errorCode: 'InternalFailure' });
    expect(res.message).toContain('Invalid policy in SSM parameter /runtime-warden/broken: tiers.defaultTier: defaultTier must name one of the tier definitions');
  });
});
