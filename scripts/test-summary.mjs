// Prints vitest's result as the plain closing line CI reads: "vitest: N passed, N failed".
import { readFileSync } from 'node:fs';

const r = JSON.parse(readFileSync('.test-results/vitest.json', 'utf8'));
const skipped = r.numPendingTests + r.numTodoTests;
console.log(`vitest: ${r.numPassedTests} passed, ${r.numFailedTests} failed${skipped ? `, ${skipped} skipped` : ''}`);
