// The stack hook's peak memory on the largest payload it admits, against the function's memory
// size: a template at the scanner's 5 MiB cap whose Fn::ForEach expands to the expansion budget,
// sent as both the template and the previous template of a stack update. Run in a process of its
// own so that the figure is the hook's. Prints figures; asserts nothing.
// Usage: tsx bench/hookMemory.bench.ts
import { Logger } from '@aws-lambda-powertools/logger';
import { createHandler } from '../hooks/runtime-hook/handler.js';
import { DEFAULT_POLICY } from '../shared/index.js';
import { loadTemplate } from '../test/helpers/cfnRender.js';
import { loadEvent } from '../test/helpers/fixtures.js';

const items = Array.from({ length: 400 }, (_, i) => `a${i}`);
const body = JSON.stringify({
  Transform: 'AWS::LanguageExtensions',
  Resources: { 'Fn::ForEach::X': ['N', items, { 'F${N}': { Type: 'AWS::Lambda::Function', Properties: { Runtime: 'nodejs16.x', Description: 'x${N}'.repeat(2_400) } } }] },
});
const template = `${' '.repeat(5 * 1024 * 1024 - body.length - 1)}${body}`;
const payload = JSON.stringify({ template, previousTemplate: template.replace('nodejs16.x', 'nodejs18.x') });
const handler = createHandler({
  loadPolicy: () => Promise.resolve(DEFAULT_POLICY),
  now: Date.now,
  logger: new Logger({ serviceName: 'bench', logLevel: 'SILENT' }),
  fetchPayload: () => Promise.resolve(payload),
});
const baseline = process.memoryUsage().rss;
let peak = baseline;
const sample = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 2);
const answer = await handler(loadEvent('hook', 'stack-update'));
clearInterval(sample);
peak = Math.max(peak, process.memoryUsage().rss);
const memorySize = Number((loadTemplate('template.yaml').Globals as { Function: { MemorySize: number } }).Function.MemorySize);
const mb = (n: number): string => (n / 1024 / 1024).toFixed(0);
console.log(`stack hook, worst admitted payload (${mb(payload.length)} MB, two 5 MiB templates expanding to the budget): ${answer.hookStatus}/${answer.errorCode ?? '-'}`);
console.log(`  peak RSS ${mb(peak)} MB (${mb(peak - baseline)} MB above the process before the call) of the function's ${memorySize} MB: ${((peak / 1024 / 1024 / memorySize) * 100).toFixed(0)}%`);
