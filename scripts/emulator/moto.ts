import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface MotoServer {
  readonly endpoint: string;
  /** Client settings that point an AWS SDK v3 client at the emulator. */
  readonly clientConfig: { endpoint: string; region: string; credentials: { accessKeyId: string; secretAccessKey: string } };
  reset(): Promise<void>;
  stop(): Promise<void>;
  /** Requests the emulator received since it started (or the last reset), with `record: true`. */
  recorded(): Promise<RecordedRequest[]>;
}

export interface RecordedRequest {
  readonly method: string;
  readonly url: string;
  readonly target: string | undefined;
  readonly body: string;
}

const MOTO = join(ROOT, '.venv', 'bin', 'moto_server');

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

async function waitUntilUp(endpoint: string, proc: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (proc.exitCode !== null) throw new Error(`moto_server exited with ${proc.exitCode}: ${output()}`);
    try {
      const res = await fetch(`${endpoint}/moto-api/data.json`);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`moto_server did not answer on ${endpoint} within 60 s: ${output()}`);
}

/** Starts moto's server on a free loopback port, from the project virtualenv. */
export async function startMoto(options: { record?: boolean } = {}): Promise<MotoServer> {
  if (!existsSync(MOTO)) throw new Error(`${MOTO} is missing: run the README's test command, which creates the virtualenv`);
  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  const dir = mkdtempSync(join(tmpdir(), 'rw-moto-'));
  const env = { ...process.env, ...(options.record && { MOTO_ENABLE_RECORDING: 'true', MOTO_RECORDER_FILEPATH: join(dir, 'recording.jsonl') }) };
  const proc = spawn(MOTO, ['-H', '127.0.0.1', '-p', String(port)], { stdio: ['ignore', 'pipe', 'pipe'], env, cwd: dir });
  let log = '';
  const keep = (b: Buffer): void => {
    log = (log + b.toString()).slice(-4000);
  };
  proc.stdout!.on('data', keep);
  proc.stderr!.on('data', keep);
  await waitUntilUp(endpoint, proc, () => log);
  return {
    endpoint,
    clientConfig: { endpoint, region: 'eu-west-1', credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } },
    reset: async () => {
      await fetch(`${endpoint}/moto-api/reset`, { method: 'POST' });
      if (options.record) await fetch(`${endpoint}/moto-api/recorder/reset-recording`, { method: 'POST' });
    },
    recorded: async () => {
      const text = await (await fetch(`${endpoint}/moto-api/recorder/download-recording`)).text();
      // Moto appends each entry and its newline in two writes, so under concurrent requests a
      // small entry can land between a large one and its newline: split such lines again.
      return text
        .split('\n')
        .flatMap((l) => l.split(/(?<="body_encoded": (?:true|false)\})(?=\{)/))
        .filter((l) => l.trim() !== '')
        .map((l) => {
          const e = JSON.parse(l) as { method: string; url: string; headers: Record<string, string>; body: string | null; body_encoded: boolean };
          const target = Object.entries(e.headers).find(([k]) => k.toLowerCase() === 'x-amz-target')?.[1];
          const body = e.body ? (e.body_encoded ? Buffer.from(e.body, 'base64').toString('utf8') : e.body) : '';
          return { method: e.method, url: e.url, target, body };
        });
    },
    stop: () =>
      new Promise((resolve) => {
        if (proc.exitCode !== null) return resolve();
        proc.once('exit', () => {
          rmSync(dir, { recursive: true, force: true });
          resolve();
        });
        proc.kill('SIGTERM');
      }),
  };
}
