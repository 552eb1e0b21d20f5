import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/fixtures.js';

// scripts/test-summary.mjs on vitest JSON reports in the shape vitest 4's json reporter writes
// (checked against real runs: a describe block's failing afterAll leaves the file `failed` with an
// empty `message`; a top-level hook or an import error puts the error in `message`).

const run = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), 'rw-test-summary-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

type Assertion = { title: string; status: 'passed' | 'failed' | 'skipped' | 'todo' };
type File = { name: string; status: 'passed' | 'failed'; message: string; assertionResults: Assertion[] };

/** A report whose totals are counted from its files, as the reporter counts them. */
function report(files: File[], extra: { success?: boolean } = {}) {
  const all = files.flatMap((f) => f.assertionResults);
  const count = (status: Assertion['status']) => all.filter((a) => a.status === status).length;
  return {
    numTotalTests: all.length,
    numPassedTests: count('passed'),
    numFailedTests: count('failed'),
    numPendingTests: count('skipped'),
    numTodoTests: count('todo'),
    numFailedTestSuites: files.filter((f) => f.status === 'failed').length,
    success: extra.success ?? files.every((f) => f.status === 'passed'),
    testResults: files.map((f) => ({ ...f, name: join(ROOT, f.name), startTime: 0, endTime: 0 })),
  };
}

let n = 0;
async function summary(content: unknown): Promise<string> {
  const file = join(dir, `vitest-${n++}.json`);
  writeFileSync(file, JSON.stringify(content));
  return (await run(process.execPath, [join(ROOT, 'scripts', 'test-summary.mjs'), file], { cwd: ROOT })).stdout.trim();
}

const passed = (title: string): Assertion => ({ title, status: 'passed' });
const failed = (title: string): Assertion => ({ title, status: 'failed' });

describe('test-summary', () => {
  it('counts passed and failed tests, and skipped ones when there are any', async () => {
    expect(await summary(report([{ name: 'test/unit/a.test.ts', status: 'passed', message: '', assertionResults: [passed('a'), passed('b')] }]))).toBe('vitest: 2 passed, 0 failed');
    expect(
      await summary(report([{ name: 'test/unit/a.test.ts', status: 'failed', message: '', assertionResults: [passed('a'), failed('b'), { title: 'c', status: 'skipped' }] }])),
    ).toBe('vitest: 1 passed, 1 failed, 1 skipped');
  });

  it('counts a file whose describe block failed in a hook, every test passing, as a failure', async () => {
    // Prepare: what template.test.ts gave when its afterAll timed out
    const content = report([
      { name: 'test/integration/template.test.ts', status: 'failed', message: '', assertionResults: [passed('a'), passed('b')] },
      { name: 'test/unit/a.test.ts', status: 'passed', message: '', assertionResults: [passed('c')] },
    ]);
    // Act, Assess
    expect(await summary(content)).toBe('vitest: 3 passed, 1 failed (1 outside a test: test/integration/template.test.ts)');
  });

  it('counts a top-level hook error besides the failed tests of its file, with its message', async () => {
    const content = report([{ name: 'test/unit/b.test.ts', status: 'failed', message: 'Hook timed out in 120000ms.\nIf this is a long-running hook, ...', assertionResults: [passed('a'), failed('b')] }]);
    expect(await summary(content)).toBe('vitest: 1 passed, 2 failed (1 outside a test: test/unit/b.test.ts: Hook timed out in 120000ms.)');
  });

  it('counts a file that failed to load, which has no tests at all', async () => {
    const content = report([
      { name: 'test/unit/c.test.ts', status: 'failed', message: "Cannot find module './gone.js'", assertionResults: [] },
      { name: 'test/unit/d.test.ts', status: 'failed', message: '', assertionResults: [] },
    ]);
    expect(await summary(content)).toBe("vitest: 0 passed, 2 failed (2 outside a test: test/unit/c.test.ts: Cannot find module './gone.js'; test/unit/d.test.ts)");
  });

  it('never says 0 failed of a run that did not succeed', async () => {
    expect(await summary(report([], { success: false }))).toBe('vitest: 0 passed, 1 failed (1 outside a test: no test failed, yet the run did not succeed)');
  });
});
