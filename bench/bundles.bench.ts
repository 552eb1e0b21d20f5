// Every Lambda function of template.yaml as `sam build` bundles it (scripts/sam-build.sh): the
// bundle's size and its module init time - the median of several cold `node` processes importing
// it, beside a bare `node` start in the same run (the difference is what the bundle costs a cold
// start). Prints figures; asserts nothing. Goals (#12): hook <= 150 KB and <= 60 ms; the Config
// rule and remediation bundles <= 300 KB.
// Usage: tsx bench/bundles.bench.ts [build-dir]   (builds into a temporary folder when none is given)
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';

const ROOT = resolve(import.meta.dirname, '..');
const RUNS = 7;
const given = process.argv[2];
const build = given ? resolve(given) : mkdtempSync(join(tmpdir(), 'rw-bundles-'));
if (!given) {
  process.stderr.write(`sam build into ${build} ...\n`);
  try {
    execFileSync('bash', [join(ROOT, 'scripts', 'sam-build.sh'), build], { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (err) {
    process.stderr.write(String((err as { stderr?: Buffer }).stderr ?? err));
    throw err;
  }
}

/** Median wall time of RUNS fresh node processes running `code`. */
function median(code: string, cwd: string): number {
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const start = performance.now();
    execFileSync(process.execPath, ['--input-type=module', '-e', code], { cwd, env: { ...process.env, AWS_REGION: 'eu-west-1', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' } });
    times.push(performance.now() - start);
  }
  return times.sort((a, b) => a - b)[Math.floor(RUNS / 2)]!;
}

const bare = median('', ROOT);
const functions = readdirSync(build).filter((d) => existsSync(join(build, d, 'handler.mjs'))).sort();
console.log(`node ${process.version}, bare start ${bare.toFixed(0)} ms (median of ${RUNS})\n`);
console.log('function                          bundle KB   init ms (import - bare start)');
for (const fn of functions) {
  const file = join(build, fn, 'handler.mjs');
  const kb = statSync(file).size / 1024;
  const init = median(`await import(${JSON.stringify(file)});`, join(build, fn)) - bare;
  console.log(`${fn.padEnd(32)} ${kb.toFixed(0).padStart(9)} ${init.toFixed(0).padStart(9)}`);
}
if (!given) rmSync(build, { recursive: true, force: true });
