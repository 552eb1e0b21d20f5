// The template scanner against cfn-lint and checkov on the same corpus (../shared/corpus, 736
// real SAM and CloudFormation templates), in one run: templates per second for each, each run as a
// user runs it (one process over the whole corpus), and every function where the three disagree
// about whether its runtime is deprecated. Prints figures; asserts nothing.
// Usage: tsx bench/scanner.bench.ts [corpus-dir]
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { promisify } from 'node:util';
import { availableParallelism } from 'node:os';
import { defaultJobs } from '../cli/scanFiles.js';
import { DEFAULT_POLICY } from '../shared/index.js';
import { parseTemplate } from '../shared/template/parse.js';
import { scanTemplateText } from '../shared/template/scan.js';

const exec = promisify(execFile);
const ROOT = resolve(import.meta.dirname, '..');
const CORPUS = resolve(process.argv[2] ?? join(ROOT, '..', 'shared', 'corpus'));
if (!existsSync(CORPUS)) throw new Error(`no corpus at ${CORPUS}`);
const files = (function walk(d: string): string[] {
  return readdirSync(d).sort().flatMap((n) => (statSync(join(d, n)).isDirectory() ? walk(join(d, n)) : /\.(ya?ml|json|template)$/.test(n) ? [join(d, n)] : []));
})(CORPUS);
const today = new Date().toISOString().slice(0, 10);
const now = Date.parse(`${today}T00:00:00Z`);

/** Runs a tool over the corpus; its exit code says "found something", not failure. */
async function timed(cmd: string, args: string[]): Promise<{ ms: number; stdout: string }> {
  const start = performance.now();
  const out = await exec(cmd, args, { cwd: ROOT, maxBuffer: 512 * 1024 * 1024, env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' } }).catch((e: { stdout: string; stderr: string; code: number }) => {
    if (!e.stdout) throw new Error(`${cmd} failed (${e.code}): ${e.stderr?.slice(0, 500)}`);
    return e;
  });
  return { ms: performance.now() - start, stdout: out.stdout };
}

type Verdicts = Map<string, boolean>; // "file#LogicalId" -> runtime deprecated?
const key = (file: string, id: string): string => `${relative(CORPUS, resolve(ROOT, file))}#${id}`;

// runtime-warden: deprecated = a lifecycle finding (RW004-RW006), waived or not. Its runs take
// under a second, where this machine's noise is a tenth of that: the median of RUNS, one thread
// (--jobs 1) and the default threads interleaved, whose outputs must be the same.
const RUNS = 7;
const scan = (jobs: string[]): Promise<{ ms: number; stdout: string }> => timed(process.execPath, [join(ROOT, 'dist', 'runtime-warden.mjs'), 'scan', CORPUS, '--format', 'json', '--now', today, ...jobs]);
const oneThread: { ms: number; stdout: string }[] = [];
const threads: { ms: number; stdout: string }[] = [];
for (let i = 0; i < RUNS; i++) {
  oneThread.push(await scan(['--jobs', '1']));
  threads.push(await scan([]));
}
const medianRun = (runs: { ms: number; stdout: string }[]): { ms: number; stdout: string } => [...runs].sort((a, b) => a.ms - b.ms)[Math.floor(runs.length / 2)]!;
const ours = [medianRun(oneThread), medianRun(threads)].sort((a, b) => a.ms - b.ms)[0]!;
if (new Set([...oneThread, ...threads].map((r) => r.stdout)).size !== 1) throw new Error('runtime-warden scans of the same corpus differ between runs or thread counts');
const oursVerdicts: Verdicts = new Map();
const runtimes = new Map<string, string>();
for (const f of JSON.parse(ours.stdout).files) {
  for (const fn of f.functions) {
    oursVerdicts.set(key(f.path, fn.logicalId), fn.findings.some((x: { ruleId: string }) => ['RW004', 'RW005', 'RW006'].includes(x.ruleId)));
    runtimes.set(key(f.path, fn.logicalId), fn.runtime ?? fn.runtimeExpression?.expression ?? '-');
  }
}
const inProcessStart = performance.now();
for (const f of files) scanTemplateText(f, readFileSync(f, 'utf8'), DEFAULT_POLICY, now);
const inProcessMs = performance.now() - inProcessStart;

// cfn-lint: E2531 (deprecated), W2531, E2533 (update blocked) on a resource. cfn-lint 1.x
// crashes, ending the whole run, on a template with an empty section (`Parameters:` with
// nothing under it) or without Resources: leave those out.
const lintable = files.filter((f) => {
  try {
    const t = parseTemplate(readFileSync(f, 'utf8')) as Record<string, unknown> | null;
    return typeof t?.Resources === 'object' && t.Resources !== null && Object.values(t).every((v) => v !== null);
  } catch {
    return true;
  }
});
const lint = await timed(join(ROOT, '.venv', 'bin', 'cfn-lint'), ['--format', 'json', '--', ...lintable]);
const lintVerdicts: Verdicts = new Map();
for (const m of JSON.parse(lint.stdout) as { Rule: { Id: string }; Filename: string; Location: { Path: (string | number)[] } }[]) {
  if (!['E2531', 'W2531', 'E2533'].includes(m.Rule.Id) || m.Location.Path[0] !== 'Resources') continue;
  lintVerdicts.set(key(m.Filename, String(m.Location.Path[1])), true);
}

// checkov: its deprecated-runtime check on each Lambda resource.
const checkov = await timed(join(ROOT, '.venv-checkov', 'bin', 'checkov'), ['-d', CORPUS, '--framework', 'cloudformation', '-o', 'json', '--quiet', '--compact', '--skip-download']);
const checkovVerdicts: Verdicts = new Map();
const checkovIds = new Set<string>();
const reports = [JSON.parse(checkov.stdout)].flat() as { results?: { failed_checks?: { check_id: string; check_name: string; file_abs_path: string; resource: string }[] } }[];
for (const r of reports) {
  for (const c of r.results?.failed_checks ?? []) {
    if (c.check_id !== 'CKV_AWS_363' && !/runtime.*deprecated|deprecated.*runtime/i.test(c.check_name)) continue;
    checkovIds.add(c.check_id);
    checkovVerdicts.set(key(c.file_abs_path, c.resource.split('.').slice(1).join('.')), true);
  }
}

const n = files.length;
const rate = (ms: number): string => `${(n / (ms / 1000)).toFixed(1).padStart(8)} templates/s  (${(ms / 1000).toFixed(2)} s)`;
console.log(`${n} templates in ${CORPUS}, runtimes judged as of ${today}\n`);
console.log(`runtime-warden scan, --jobs 1        ${rate(medianRun(oneThread).ms)}   (median of ${RUNS} runs, as are the next)`);
console.log(`runtime-warden scan, default jobs    ${rate(medianRun(threads).ms)}   (${defaultJobs()} thread(s) on ${availableParallelism()} CPUs; the outputs of all runs are identical)`);
console.log(`runtime-warden, in process           ${rate(inProcessMs)}`);
console.log(`cfn-lint (one process)               ${rate(lint.ms)}   ratio to runtime-warden's faster: ${(lint.ms / ours.ms).toFixed(1)}x slower (${n - lintable.length} templates with an empty section left out: cfn-lint crashes on them)`);
console.log(`checkov (one process)                ${rate(checkov.ms)}   ratio to runtime-warden's faster: ${(checkov.ms / ours.ms).toFixed(1)}x slower`);

const functions = [...oursVerdicts.keys()];
const disagreements = functions.filter((k) => {
  const a = oursVerdicts.get(k)!;
  return a !== (lintVerdicts.get(k) ?? false) || a !== (checkovVerdicts.get(k) ?? false);
});
console.log(`\n${functions.length} Lambda functions; deprecated runtime by runtime-warden ${[...oursVerdicts.values()].filter(Boolean).length}, cfn-lint ${lintVerdicts.size}, checkov ${checkovVerdicts.size} (${[...checkovIds].join(', ') || 'no check fired'})`);
console.log(`${disagreements.length} functions where the three disagree (yes = deprecated runtime reported):`);
console.log(`${'template#function'.padEnd(90)} ${'runtime'.padEnd(22)} warden cfn-lint checkov`);
const yes = (b: boolean | undefined): string => (b ? 'yes' : 'no');
for (const k of disagreements) {
  console.log(`${k.padEnd(90)} ${(runtimes.get(k) ?? '').slice(0, 22).padEnd(22)} ${yes(oursVerdicts.get(k)).padEnd(6)} ${yes(lintVerdicts.get(k)).padEnd(8)} ${yes(checkovVerdicts.get(k))}`);
}
