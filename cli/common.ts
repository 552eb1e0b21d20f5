// What every runtime-warden command shares: its two kinds of error, reading inputs, writing output.
import { readFileSync, writeFileSync } from 'node:fs';
import { DEFAULT_CATALOG, type RuntimeCatalog } from '../shared/index.js';
import { parseCatalogText } from '../shared/catalog/catalogDocument.js';
import { dayStart } from '../shared/catalog/catalog.js';
import { isoDate } from '../shared/policy/schema.js';

/** The command line itself is wrong: said with the command's usage (exit 2). */
export class UsageError extends Error {
  public constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** An input cannot be used (a file, a page, AWS): one line, no usage (exit 2). */
export class InputError extends Error {
  public constructor(message: string) {
    super(message);
    this.name = 'InputError';
  }
}

export function readText(file: string, what: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    throw new InputError(`cannot read ${what} ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}

/** The built-in catalog, or a catalog file (`catalog refresh --output`). */
export function loadCatalog(file: string | undefined): RuntimeCatalog {
  return file ? parseCatalogText(readText(file, 'catalog file'), `catalog file ${file}`) : DEFAULT_CATALOG;
}

/**
 * Every day the command line reads (`--now`, `--as-of`), read as the policy's dates are: a
 * `YYYY-MM-DD` that exists, as 00:00 UTC. `2026-02-30` is refused, never rolled into March.
 */
export function parseDay(value: string, option: string): number {
  const checked = isoDate.safeParse(value);
  if (!checked.success) throw new UsageError(`${option} ${value} ${checked.error.issues[0]!.message}`);
  return dayStart(value);
}

export function write(text: string, output: string | undefined): void {
  if (output) writeFileSync(output, text);
  else process.stdout.write(text);
}
