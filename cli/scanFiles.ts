import { closeSync, fstatSync, openSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { setImmediate as yieldToEvents } from 'node:timers/promises';
import { Worker } from 'node:worker_threads';
import type { Policy } from '../shared/index.js';
import { MAX_TEMPLATE_BYTES, scanTemplateText, TOO_LARGE, type ScannedFile } from '../shared/template/scan.js';
import type { Target } from './files.js';

/** What a scan worker needs to judge as the main thread does: a compiled policy cannot be sent. */
export interface ScanSettings {
  readonly policyFile: string | undefined;
  readonly catalogFile: string | undefined;
  readonly now: number;
}

/** One target: read (unless far too large to be a template) and judged; never throws. */
export function scanTarget(t: Target, policy: Policy, now: number): ScannedFile {
  if (t.error) return { path: t.path, functions: [], error: t.error };
  let text: string;
  let fd: number | undefined;
  try {
    // One open: the size from the open file, then its text (a file too large is never read).
    fd = openSync(t.path, 'r');
    if (fstatSync(fd).size > MAX_TEMPLATE_BYTES) return { path: t.path, functions: [], error: TOO_LARGE };
    text = readFileSync(fd, 'utf8');
  } catch (err) {
    return { path: t.path, functions: [], error: `cannot read: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}` };
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
  return scanTemplateText(t.path, text, policy, now, t.explicit);
}

/** Below this many files a worker's start (loading the scanner, ~50 ms) costs more than it saves. */
export const PARALLEL_MIN_FILES = 64;
/** Files handed out at a time: small enough to share the work evenly, large enough to keep messages rare. */
const BATCH = 8;

/**
 * One thread per CPU but one, at most 8: V8's own collector and compiler threads keep about half
 * a CPU busy beside a scanning thread (measured 144% CPU for one thread here), so on 2 CPUs a
 * second thread made the scan slower (bench/scanner.bench.ts: 0.81 s against 0.69 s).
 */
export const defaultJobs = (): number => Math.max(1, Math.min(availableParallelism() - 1, 8));

type WorkerRequest = { readonly id: number; readonly targets: readonly Target[] };
type WorkerReply = { readonly id: number; readonly results: readonly ScannedFile[] };

/**
 * Scans every target, in `jobs` threads when there are enough files: the main thread and
 * `jobs - 1` workers (started from `workerEntry` with the same settings) take batches of files
 * until none are left. Results come back in the targets' order, whatever thread judged them.
 */
export async function scanTargets(targets: readonly Target[], policy: Policy, settings: ScanSettings, jobs: number, workerEntry: URL): Promise<ScannedFile[]> {
  if (jobs <= 1 || targets.length < PARALLEL_MIN_FILES) return targets.map((t) => scanTarget(t, policy, settings.now));
  const results: ScannedFile[] = new Array<ScannedFile>(targets.length);
  let next = 0;
  const take = (): WorkerRequest | undefined => {
    if (next >= targets.length) return undefined;
    const id = next;
    next += BATCH;
    return { id, targets: targets.slice(id, id + BATCH) };
  };
  const store = ({ id, results: batch }: WorkerReply): void => batch.forEach((r, i) => (results[id + i] = r));
  const workers = Array.from({ length: jobs - 1 }, () => new Worker(workerEntry, { workerData: { scanWorker: settings } }));
  try {
    const working = workers.map(
      (w) =>
        new Promise<void>((resolve, reject) => {
          const feed = (): void => {
            const request = take();
            if (request) w.postMessage(request);
            else resolve();
          };
          w.on('message', (reply: WorkerReply) => {
            store(reply);
            feed();
          });
          w.once('error', reject);
          w.once('exit', (code) => reject(new Error(`a scan worker stopped before the scan was done (exit code ${code})`)));
          w.once('online', feed);
        }),
    );
    for (let request = take(); request; request = take()) {
      store({ id: request.id, results: request.targets.map((t) => scanTarget(t, policy, settings.now)) });
      await yieldToEvents(); // lets the workers' replies in, so they are fed while this thread works
    }
    await Promise.all(working);
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
  return results;
}

/** The worker's side: judge each batch it is sent with the policy the settings name. */
export function serveScans(port: { on(event: 'message', listener: (r: WorkerRequest) => void): void; postMessage(reply: WorkerReply): void }, policy: Policy, now: number): void {
  port.on('message', ({ id, targets }) => port.postMessage({ id, results: targets.map((t) => scanTarget(t, policy, now)) }));
}
