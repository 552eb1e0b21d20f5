import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LAMBDA_CONTROL_PLANE_QUOTA } from '../shared/io/rateLimit.js';
import { remediationBench } from './scale/remediation.js';
import { startStandIn } from './scale/standIn.js';

// The Config rule at 1,000 / 10,000 / 50,000 functions, with 0 and 5 published versions each,
// against the loopback stand-in (bench/scale/standIn.ts) that pages and throttles as Lambda
// does, on a virtual clock (bench/scale/virtualClock.ts): the handler is the production one
// (createHandler, real SDK v3 clients, the production rate limiter and state store); only time
// is simulated. Each measurement runs in a child process of its own (bench/scale/run.ts), so
// that its peak RSS is its own. Then a burst of 5,000 change events through a model of Lambda's
// asynchronous invocation (bench/scale/asyncBurst.ts) with the rule's reserved concurrency.
// Usage: npx tsx bench/scale.bench.ts [--sizes 1000,10000,50000] [--versions 0,5] [--burst 5000 (0: none)]

const HERE = dirname(fileURLToPath(import.meta.url));
const CALLS_PER_SECOND = 5;
const RESERVED_CONCURRENCY = 3;

const argList = (name: string, fallback: string): number[] => {
  const i = process.argv.indexOf(`--${name}`);
  return (i >= 0 ? process.argv[i + 1]! : fallback).split(',').map(Number);
};

async function child(args: Record<string, string | number>): Promise<Record<string, unknown>> {
  const argv = ['tsx', join(HERE, 'scale', 'run.ts'), ...Object.entries(args).flatMap(([k, v]) => [`--${k}`, String(v)])];
  return new Promise((resolve, reject) => {
    const p = spawn('npx', argv, { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', NODE_OPTIONS: '--max-old-space-size=2048' } });
    let out = '';
    p.stdout.on('data', (d: Buffer) => (out += d.toString()));
    p.on('error', reject);
    p.on('close', (code) => (code === 0 ? resolve(JSON.parse(out.trim().split('\n').at(-1)!) as Record<string, unknown>) : reject(new Error(`bench child exited ${code}: ${out.slice(-500)}`))));
  });
}

/**
 * A burst of `events` change events on the Config rule, measured in a child process against a
 * fresh stand-in: dead-letter messages, throttled first tries, drain time. Exported so that the
 * remediation bench can print its own burst beside it.
 */
export async function configRuleBurst(events: number, options: { callsPerSecond?: number; reservedConcurrency?: number } = {}): Promise<Record<string, unknown>> {
  const standIn = await startStandIn({ functions: events, versions: 5 });
  try {
    return await child({ mode: 'burst', endpoint: standIn.endpoint, functions: events, versions: 5, 'calls-per-second': options.callsPerSecond ?? CALLS_PER_SECOND, 'reserved-concurrency': options.reservedConcurrency ?? RESERVED_CONCURRENCY });
  } finally {
    await standIn.close();
  }
}

const fmt = (n: number): string => n.toLocaleString('en-US', { maximumFractionDigits: 1 });
const sum = (calls: Record<string, number>): number => Object.values(calls).reduce((a, b) => a + b, 0);
const perApi = (calls: Record<string, number>): string => Object.entries(calls).sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => `${k.replace('lambda.', '')} ${fmt(v)}`).join(', ') || 'none';

async function main(): Promise<void> {
  console.log(`Config rule at scale: budget ${CALLS_PER_SECOND}/s of Lambda's ${LAMBDA_CONTROL_PLANE_QUOTA}/s, reserved concurrency ${RESERVED_CONCURRENCY} (each container ${fmt(CALLS_PER_SECOND / RESERVED_CONCURRENCY)}/s); virtual time`);
  for (const functions of argList('sizes', '1000,10000,50000')) {
    for (const versions of argList('versions', '0,5')) {
      const standIn = await startStandIn({ functions, versions });
      try {
        const r = (await child({ mode: 'fleet', endpoint: standIn.endpoint, functions, versions, 'calls-per-second': CALLS_PER_SECOND, 'reserved-concurrency': RESERVED_CONCURRENCY })) as {
          firstPass: { judged: number; seconds: number; lambdaCalls: Record<string, number>; error?: string };
          sweep: { invocations: number; lapHours: number; lambdaCalls: Record<string, number>; controlPlanePerSecond: number; throttled: Record<string, number>; error?: string };
          dailyPass: { judged: number; nonCompliant: number; seconds: number; lambdaCalls: Record<string, number>; controlPlanePerSecond: number; throttled: Record<string, number>; error?: string };
          updateModePass: { judged: number; seconds: number; lambdaCalls: Record<string, number>; error?: string };
          peakHeapMb: number;
          peakRssMb: number;
        };
        const { dailyPass: d, sweep: s } = r;
        console.log(`\n${fmt(functions)} functions x ${versions} versions`);
        console.log(`  daily pass: ${fmt(d.judged)} of ${fmt(functions)} judged (${fmt(d.nonCompliant)} non-compliant) in ${fmt(d.seconds)} s; Lambda calls ${fmt(sum(d.lambdaCalls))} (${perApi(d.lambdaCalls)}), ${fmt((d.controlPlanePerSecond / LAMBDA_CONTROL_PLANE_QUOTA) * 100)}% of the quota${d.error ? `; ERROR ${d.error}` : ''}`);
        console.log(`  update-mode pass: ${fmt(r.updateModePass.judged)} judged in ${fmt(r.updateModePass.seconds)} s; Lambda calls ${fmt(sum(r.updateModePass.lambdaCalls))}${r.updateModePass.error ? `; ERROR ${r.updateModePass.error}` : ''}`);
        console.log(`  first pass, no state yet: ${fmt(r.firstPass.judged)} judged in ${fmt(r.firstPass.seconds)} s; Lambda calls ${fmt(sum(r.firstPass.lambdaCalls))}${r.firstPass.error ? `; ERROR ${r.firstPass.error}` : ''}`);
        console.log(`  sweep: every function re-read in ${fmt(s.lapHours)} h (${fmt(s.lapHours / 24)} days, ${s.invocations} runs of 15 min); ${fmt(sum(s.lambdaCalls))} Lambda calls (${perApi(s.lambdaCalls)}), ${s.controlPlanePerSecond.toFixed(2)}/s on average = ${fmt((s.controlPlanePerSecond / LAMBDA_CONTROL_PLANE_QUOTA) * 100)}% of the quota; throttled ${fmt(sum(s.throttled))}${s.error ? `; ERROR ${s.error}` : ''}`);
        console.log(`  peak heap ${r.peakHeapMb} MB, peak RSS ${r.peakRssMb} MB (the whole child: passes and sweeps)`);
      } finally {
        await standIn.close();
      }
    }
  }
  const events = argList('burst', '5000')[0]!;
  if (events === 0) return;
  const b = (await configRuleBurst(events)) as { deadLetters: number; throttledFirstTries: number; throttles: number; functionErrors: number; drainedMs: number; maxAgeMs: number; lambdaCalls: Record<string, number>; throttledCalls: Record<string, number>; peakRssMb: number };
  console.log(`\nburst: ${fmt(events)} change events, reserved concurrency ${RESERVED_CONCURRENCY}, MaximumEventAgeInSeconds 21600, MaximumRetryAttempts 2`);
  console.log(`  dead-letter messages ${b.deadLetters}; first tries throttled ${fmt(b.throttledFirstTries)} (${fmt((b.throttledFirstTries / events) * 100)}%, retried from the queue), ${fmt(b.throttles)} throttles in all; function errors ${b.functionErrors}`);
  console.log(`  drained in ${fmt(b.drainedMs / 60_000)} min; oldest event ran after ${fmt(b.maxAgeMs / 60_000)} min; Lambda calls ${fmt(sum(b.lambdaCalls))} (${perApi(b.lambdaCalls)}), refused by Lambda's quota ${fmt(sum(b.throttledCalls))}; peak RSS ${b.peakRssMb} MB`);
  // The remediation side of the same burst: 2,000 non-compliant functions at once (bench/scale/remediation.ts).
  await remediationBench();
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await main();
