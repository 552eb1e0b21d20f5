import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/fixtures.js';

const exec = promisify(execFile);

describe('make run (scripts/run-local.ts)', () => {
  it('refreshes the catalog from the bundled page into the emulator and judges everything by it, saying so', async () => {
    const { stdout } = await exec('npx', ['tsx', 'scripts/run-local.ts', '--fleet', '8', '--now', '2026-11-23'], { cwd: ROOT, env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' }, maxBuffer: 16 * 1024 * 1024 });
    const today = new Date().toISOString().slice(0, 10);
    const catalog = `runtime catalog as of ${today} (examples/lambda-runtimes.html)`;
    expect(stdout).toContain(`runtime-warden catalog refresher: no changes from the built-in catalog; stored in /runtime-warden/runtime-catalog (moto): ${catalog}`);
    expect(stdout).toContain(`runtime-warden hook, policy (bundled default), ${catalog}, judged at 2026-11-23`);
    expect(stdout).toMatch(new RegExp(`^8 functions: \\d+ compliant, \\d+ non-compliant, \\d+ not applicable \\(${catalog.replace(/[().]/g, '\\$&')}\\)$`, 'm'));
    expect(stdout).toMatch(/^BLOCK {2}examples\/templates\//m);
  }, 180_000);
});
