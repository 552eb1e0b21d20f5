// What every runtime-warden command shares: usage errors, reading inputs, writing output.
import { readFileSync, writeFileSync } from 'node:fs';
import { DEFAULT_CATALOG, type RuntimeCatalog } from '../shared/index.js';
import { parseCatalogText } from '../shared/catalog/catalogDocument.js';

export class UsageError extends Error {
  public constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export function readText(file: string, what: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    throw new UsageError(`cannot read ${what} ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}

/** The built-in catalog, or a catalog file (`catalog refresh --output`). */
export function loadCatalog(file: string | undefined): RuntimeCatalog {
  return file ? parseCatalogText(readText(file, 'catalog file'), `catalog file ${file}`) : DEFAULT_CATALOG;
}

export function parseNow(value: string | undefined): number {
  if (value === undefined) return Date.now();
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value) || Number.isNaN(Date.parse(`${value}T00:00:00Z`))) throw new UsageError(`--now ${value} is not a date (YYYY-MM-DD)`);
  return Date.parse(`${value}T00:00:00Z`);
}

export function write(text: string, output: string | undefined): void {
  if (output) writeFileSync(output, text);
  else process.stdout.write(text);
}

