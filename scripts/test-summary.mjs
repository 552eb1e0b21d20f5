// Prints vitest's result as the plain closing line CI reads: "vitest: N passed, M failed". A test
// file can fail outside its tests - a hook that timed out, an import that threw - while every test
// in it passed: vitest exits 1, and its JSON report counts no failed test. Each such file counts
// as one failure here, and is named. Reads the report vitest.config.ts writes, or the file given.
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';

const r = JSON.parse(readFileSync(process.argv[2] ?? '.test-results/vitest.json', 'utf8'));
// A file-level error (top-level hook, import) is the file's `message`; a describe block's hook
// fails the file with no message and no failed test.
const outside = r.testResults
  .filter((f) => f.message || (f.status === 'failed' && !f.assertionResults.some((a) => a.status === 'failed')))
  .map((f) => `${relative(process.cwd(), f.name)}${f.message ? `: ${f.message.split('\n')[0]}` : ''}`);
// A run that failed without a failed file (no test file at all) still fails.
if (!r.success && r.numFailedTests === 0 && outside.length === 0) outside.push('no test failed, yet the run did not succeed');
const skipped = r.numPendingTests + r.numTodoTests;
const failed = r.numFailedTests + outside.length;
console.log(
  `vitest: ${r.numPassedTests} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}${outside.length ? ` (${outside.length} outside a test: ${outside.join('; ')})` : ''}`,
);
