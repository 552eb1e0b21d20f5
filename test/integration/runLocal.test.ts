import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/fixtures.js';
import { CATALOG_DATA_AS_OF } from '../../shared/index.js';
import { runCommand } from '../helpers/runCommand.js';

const runLocal = (args: string[]) => runCommand('npx', ['tsx', 'scripts/run-local.ts', ...args], { cwd: ROOT, env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' } });

describe('make run (scripts/run-local.ts)', () => {
  it('refreshes the catalog from the bundled page into the emulator and judges everything by it, saying so', async () => {
    const { code, stdout, stderr } = await runLocal(['--fleet', '8', '--now', '2026-11-23']);
    expect(code, stderr).toBe(0);
    // The bundled page is as of the day the built-in catalog was read from it, not today.
    const catalog = `runtime catalog as of ${CATALOG_DATA_AS_OF} (examples/lambda-runtimes.html)`;
    expect(stdout).toContain(`runtime-warden catalog refresher: no changes from the built-in catalog; stored in /runtime-warden/runtime-catalog (moto): ${catalog}`);
    expect(stdout).toContain(`runtime-warden hook, policy (bundled default), ${catalog}, judged at 2026-11-23`);
    expect(stdout).toMatch(new RegExp(`^8 functions: \\d+ compliant, \\d+ non-compliant, \\d+ not applicable \\(${catalog.replace(/[().]/g, '\\$&')}\\)$`, 'm'));
    // The compliance table, most urgent first, each annotation whole.
    const table = stdout.slice(stdout.indexOf('FUNCTION ')).split('\n').slice(1, 9);
    const order = table.map((line) => (/ NON_COMPLIANT /.test(line) ? 0 : / NOT_APPLICABLE /.test(line) ? 3 : / Compliant (with warnings|under a waiver)/.test(line) ? 1 : 2));
    expect(order).toEqual([...order].sort((a, b) => a - b));
    expect(order).toContain(0);
    expect(table.every((line) => !line.endsWith('…'))).toBe(true);
  }, 180_000);

  it("says what the deployment's failure mode does with each decision: under the template's default, WARN, nothing is blocked", async () => {
    const { stdout } = await runLocal(['--fleet', '1', '--now', '2026-11-23', 'examples/templates', 'examples/events']);
    expect(stdout).toContain("failure mode WARN (template.yaml's HookFailureMode default): a failed answer is a warning in the stack events and the operation goes on");
    expect(stdout).toMatch(/^WARN \(would block under FAIL\) {2}examples\/templates\/orders-service\.yaml CreateOrderFunction$/m);
    expect(stdout).toMatch(/^ERROR \(warns; would block under FAIL\) {2}examples\/events\/malformed\.json \(hook event\)$/m);
    expect(stdout).toMatch(/^\d+ allowed, [1-9]\d* warned \(would be blocked under FAIL\), 1 could not be evaluated \(warned\)$/m);
    expect(stdout).not.toMatch(/^BLOCK/m);
  }, 180_000);

  it('blocks under --failure-mode FAIL, and refuses a mode the template does not allow', async () => {
    const fail = await runLocal(['--fleet', '1', '--now', '2026-11-23', '--failure-mode', 'FAIL', 'examples/templates', 'examples/events']);
    expect(fail.stdout).toContain('failure mode FAIL: a failed answer stops the operation');
    expect(fail.stdout).toMatch(/^BLOCK {2}examples\/templates\/orders-service\.yaml CreateOrderFunction$/m);
    expect(fail.stdout).toMatch(/^ERROR \(blocks\) {2}examples\/events\/malformed\.json \(hook event\)$/m);
    expect(fail.stdout).toMatch(/^\d+ allowed, [1-9]\d* blocked, 1 could not be evaluated \(blocked\)$/m);
    const refused = await runLocal(['--failure-mode', 'IGNORE']);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain("--failure-mode IGNORE: template.yaml's HookFailureMode allows FAIL, WARN");
  }, 180_000);
});
