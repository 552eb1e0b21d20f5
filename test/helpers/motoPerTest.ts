import { LambdaClient } from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import { startMoto, type MotoServer } from '../../scripts/emulator/moto.js';

export interface MotoPerTest {
  readonly moto: MotoServer;
  /** A Lambda client on the emulator, new for each test (a test may add middleware to it). */
  readonly lambda: LambdaClient;
}

/**
 * One moto server for the test file, emptied before each test so no test sees another's
 * resources. Call it at the top of a `describe`: its `beforeEach` runs before the file's own, so
 * those can seed the emptied emulator. Read the fields inside hooks and tests only.
 */
export function motoPerTest(): MotoPerTest {
  let moto: MotoServer | undefined;
  let lambda: LambdaClient | undefined;
  beforeAll(async () => {
    moto = await startMoto();
  });
  afterAll(async () => {
    lambda?.destroy();
    await moto?.stop();
  });
  beforeEach(async () => {
    await moto!.reset();
    lambda?.destroy();
    lambda = new LambdaClient(moto!.clientConfig);
  });
  return {
    get moto() {
      return moto!;
    },
    get lambda() {
      return lambda!;
    },
  };
}
