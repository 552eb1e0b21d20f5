// How long judging one function takes. Prints figures; asserts nothing.
// Facts come from every function with a literal runtime in the template corpus beside the repo
// (../shared/corpus), or from the runtime catalog when the corpus is absent. Baseline in the same
// run: a handler that re-validates the policy document on every call instead of once.
import { Logger } from '@aws-lambda-powertools/logger';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createHandler } from '../hooks/runtime-hook/handler.js';
import { lambdaFunctionsOf } from '../shared/template/functions.js';
import { parseTemplate } from '../shared/template/parse.js';
import { DEFAULT_POLICY, evaluate, factsFromResourceProperties, parsePolicy, verdict, type FunctionFacts } from '../shared/index.js';

const CORPUS = join(import.meta.dirname, '..', '..', 'shared', 'corpus');
const NOW = Date.parse('2026-11-23T12:00:00Z');

function corpusFacts(): FunctionFacts[] {
  const out: FunctionFacts[] = [];
  if (!existsSync(CORPUS)) return out;
  for (const dir of readdirSync(CORPUS).filter((d) => !d.includes('.'))) {
    for (const file of readdirSync(join(CORPUS, dir))) {
      let template: unknown;
      try {
        template = parseTemplate(readFileSync(join(CORPUS, dir, file), 'utf8'));
      } catch {
        continue;
      }
      for (const fn of lambdaFunctionsOf(template)) {
        try {
          out.push(factsFromResourceProperties(fn.properties, { logicalId: fn.logicalId }));
        } catch {
          // unresolved intrinsics: the template scanner's business, not this benchmark's
        }
      }
    }
  }
  return out;
}

let facts = corpusFacts();
const source = facts.length > 0 ? `${facts.length} functions of the template corpus` : 'the runtime catalog';
if (facts.length === 0) {
  facts = DEFAULT_POLICY.catalog.all().map((r) => ({ name: r.id, runtime: r.id, packageType: 'Zip' as const, updateMode: 'Auto' as const, tags: {}, layers: [] }));
}

function measure(label: string, iterations: number, fn: (i: number) => unknown): number {
  for (let i = 0; i < Math.min(iterations, 2000); i++) fn(i); // warm-up
  const start = performance.now();
  for (let i = 0; i < iterations; i++) fn(i);
  const us = ((performance.now() - start) * 1000) / iterations;
  console.log(`${label.padEnd(58)} ${us.toFixed(2).padStart(9)} µs/function`);
  return us;
}

const policyDoc = { version: 1, approvedRuntimes: ['nodejs22.x', 'nodejs24.x', 'python3.13', 'python3.14', 'java21'], waivers: [{ function: 'legacy-*', expires: '2027-01-31', reason: 'r' }] };
const policy = parsePolicy(policyDoc);
const N = 200_000;

console.log(`runtime-warden evaluation benchmark over ${source}, node ${process.version}\n`);
const core = measure('evaluate + verdict (policy compiled once)', N, (i) => verdict(evaluate(facts[i % facts.length]!, policy, NOW)));
const naive = measure('baseline: validate policy + evaluate + verdict per call', N / 20, (i) => verdict(evaluate(facts[i % facts.length]!, parsePolicy(policyDoc), NOW)));

const handler = createHandler({ loadPolicy: () => Promise.resolve(policy), now: () => NOW, logger: new Logger({ logLevel: 'SILENT' }) });
const event = JSON.parse(readFileSync(join(import.meta.dirname, '..', 'test', 'events', 'hook', 'create-nodejs16.json'), 'utf8')) as unknown;
const M = 50_000;
const start = performance.now();
for (let i = 0; i < M; i++) await handler(event);
const hookUs = ((performance.now() - start) * 1000) / M;
console.log(`${'hook handler: parse event -> facts -> evaluate -> respond'.padEnd(58)} ${hookUs.toFixed(2).padStart(9)} µs/event`);

console.log(`\nbaseline / compiled policy: ${(naive / core).toFixed(1)}x; one evaluation is ${(core / 1000).toFixed(4)} ms`);
