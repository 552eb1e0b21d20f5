// `scan --write-baseline FILE` / `--baseline FILE`: adopting the scanner in a repository that
// already holds old functions, as checkov's baseline does. A finding is known by its file, the
// function's logical id, the rule and the runtime it judged - never its line (a moved block is the
// same finding) nor its message (which names dates and days left, and changes by itself).
import { createHash } from 'node:crypto';
import { dirname, relative, resolve } from 'node:path';
import type { Finding } from '../shared/index.js';
import type { ScannedFile, ScannedFunction } from '../shared/template/scan.js';
import { InputError, readText } from './common.js';

/** AWS blocks these whatever a baseline says: a function on them cannot be deployed, so they always count. */
export const NEVER_BASELINED: readonly string[] = ['RW005', 'RW006'];

export interface BaselineEntry {
  readonly file: string;
  readonly logicalId: string;
  readonly ruleId: string;
  readonly fingerprint: string;
}

const BASELINE_VERSION = 1;

/** Paths are kept relative to the baseline's folder (with `/`), so that a checkout anywhere matches. */
const fileKey = (baselineFile: string, path: string): string => relative(dirname(resolve(baselineFile)), resolve(path)).split('\\').join('/');

const fingerprintOf = (file: string, fn: ScannedFunction, ruleId: string): string =>
  createHash('sha256')
    .update(JSON.stringify([file, fn.logicalId, ruleId, fn.runtime ?? fn.runtimeExpression?.expression ?? null]))
    .digest('hex')
    .slice(0, 32);

function entries(files: readonly ScannedFile[], baselineFile: string): { entry: BaselineEntry; finding: Finding }[] {
  return files.flatMap((f) => {
    const file = fileKey(baselineFile, f.path);
    return f.functions.flatMap((fn) => fn.findings.map((x) => ({ entry: { file, logicalId: fn.logicalId, ruleId: x.ruleId, fingerprint: fingerprintOf(file, fn, x.ruleId) }, finding: x })));
  });
}

/** The baseline file's text: today's findings, sorted, so that it diffs well under review. */
export function baselineText(files: readonly ScannedFile[], baselineFile: string): string {
  const seen = new Map(entries(files, baselineFile).map(({ entry }) => [entry.fingerprint, entry]));
  const findings = [...seen.values()].sort((a, b) => a.file.localeCompare(b.file) || a.logicalId.localeCompare(b.logicalId) || a.ruleId.localeCompare(b.ruleId));
  return `${JSON.stringify({ tool: 'runtime-warden', version: BASELINE_VERSION, findings }, null, 2)}\n`;
}

/** The fingerprints a baseline file holds; exit 2 (InputError) when it is not one. */
export function readBaseline(file: string): ReadonlySet<string> {
  const where = `baseline file ${file}`;
  let doc: unknown;
  try {
    doc = JSON.parse(readText(file, 'baseline file'));
  } catch (err) {
    if (err instanceof InputError) throw err;
    throw new InputError(`${where} is not JSON: ${(err as Error).message}`);
  }
  const d = doc as { tool?: unknown; version?: unknown; findings?: unknown } | null;
  if (typeof d !== 'object' || d === null || d.tool !== 'runtime-warden' || d.version !== BASELINE_VERSION || !Array.isArray(d.findings)) {
    throw new InputError(`${where} is not a runtime-warden baseline (write one with scan --write-baseline ${file})`);
  }
  const prints = d.findings.map((e: unknown, i) => {
    const fp = (e as { fingerprint?: unknown } | null)?.fingerprint;
    if (typeof fp !== 'string' || !/^[0-9a-f]{32}$/.test(fp)) throw new InputError(`${where}: findings[${i}] has no fingerprint`);
    return fp;
  });
  return new Set(prints);
}

/** The findings of `files` that the baseline holds and may hold (never an AWS block). */
export function baselinedFindings(files: readonly ScannedFile[], baselineFile: string, known: ReadonlySet<string>): ReadonlySet<Finding> {
  return new Set(entries(files, baselineFile).filter(({ entry }) => known.has(entry.fingerprint) && !NEVER_BASELINED.includes(entry.ruleId)).map(({ finding }) => finding));
}
