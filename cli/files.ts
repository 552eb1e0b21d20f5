import { readdirSync, statSync } from 'node:fs';
import { basename, extname, join } from 'node:path';

/** Folders never holding templates worth scanning; cdk.out is deliberately not among them. */
const SKIPPED_DIRS = new Set(['node_modules', '.git', '.aws-sam', '.venv', '.test-results']);
const TEMPLATE_EXTENSIONS = new Set(['.yaml', '.yml', '.json', '.template']);

export interface Target {
  readonly path: string;
  /** Named by the user (a non-template is an error) rather than found in a folder (passed over). */
  readonly explicit: boolean;
}

export class UnreadablePathError extends Error {
  public constructor(path: string, reason: string) {
    super(`${path}: ${reason}`);
    this.name = 'UnreadablePathError';
  }
}

/** The template files under the given files and folders, in a stable order. */
export function findTemplates(paths: readonly string[]): Target[] {
  const out: Target[] = [];
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir).sort()) {
      const full = join(dir, name);
      const st = statSync(full, { throwIfNoEntry: false });
      if (!st) continue;
      if (st.isDirectory()) {
        if (!SKIPPED_DIRS.has(name)) walk(full);
      } else if (st.isFile() && TEMPLATE_EXTENSIONS.has(extname(name).toLowerCase()) && !basename(name).startsWith('.')) {
        out.push({ path: full, explicit: false });
      }
    }
  };
  for (const p of paths) {
    const st = statSync(p, { throwIfNoEntry: false });
    if (!st) throw new UnreadablePathError(p, 'no such file or folder');
    if (st.isDirectory()) walk(p);
    else out.push({ path: p, explicit: true });
  }
  return out;
}
