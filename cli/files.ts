import { readdirSync, realpathSync, statSync } from 'node:fs';
import { basename, extname, join } from 'node:path';

/** Folders never holding templates worth scanning; cdk.out is deliberately not among them. */
const SKIPPED_DIRS = new Set(['node_modules', '.git', '.aws-sam', '.venv', '.test-results']);
const TEMPLATE_EXTENSIONS = new Set(['.yaml', '.yml', '.json', '.template']);

export interface Target {
  readonly path: string;
  /** Named by the user (a non-template is an error) rather than found in a folder (passed over). */
  readonly explicit: boolean;
  /** Why the path could not be read; every other path is still scanned. */
  readonly error?: string;
}

export class UnreadablePathError extends Error {
  public constructor(path: string, reason: string) {
    super(`${path}: ${reason}`);
    this.name = 'UnreadablePathError';
  }
}

/** The file-system calls the walk makes, so that a test can make any of them fail. */
export interface FileSystem {
  readonly readdir: (dir: string) => string[];
  readonly stat: (path: string) => { isDirectory(): boolean; isFile(): boolean } | undefined;
  readonly realpath: (path: string) => string;
}

const nodeFileSystem: FileSystem = {
  readdir: (dir) => readdirSync(dir),
  stat: (path) => statSync(path, { throwIfNoEntry: false }),
  realpath: (path) => realpathSync(path),
};

const REASONS: Record<string, string> = {
  ELOOP: 'a loop of symbolic links',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  ENAMETOOLONG: 'path too long',
  ENOTDIR: 'not a folder',
};

function reason(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  return code ? `cannot read (${code}: ${REASONS[code] ?? 'file system error'})` : `cannot read (${(err as Error).message})`;
}

/**
 * The template files under the given files and folders, in a stable order. A path that cannot
 * be read (a symbolic-link loop, a folder without permission, a path too long) becomes a target
 * with its error; the walk goes on with the rest. Each folder is walked once, whatever links lead
 * to it. A path named by the user that does not exist is a usage error.
 */
export function findTemplates(paths: readonly string[], fs: FileSystem = nodeFileSystem): Target[] {
  const out: Target[] = [];
  const walked = new Set<string>();
  const walk = (dir: string, ancestors: readonly string[]): void => {
    let real: string;
    let names: string[];
    try {
      real = fs.realpath(dir);
      if (ancestors.includes(real)) {
        out.push({ path: dir, explicit: false, error: `a symbolic link back to ${real}, a folder that contains it: not followed` });
        return;
      }
      if (walked.has(real)) return;
      walked.add(real);
      names = fs.readdir(dir).sort();
    } catch (err) {
      out.push({ path: dir, explicit: false, error: reason(err) });
      return;
    }
    for (const name of names) {
      const full = join(dir, name);
      let st;
      try {
        st = fs.stat(full);
      } catch (err) {
        out.push({ path: full, explicit: false, error: reason(err) });
        continue;
      }
      if (!st) continue;
      if (st.isDirectory()) {
        if (!SKIPPED_DIRS.has(name)) walk(full, [...ancestors, real]);
      } else if (st.isFile() && TEMPLATE_EXTENSIONS.has(extname(name).toLowerCase()) && !basename(name).startsWith('.')) {
        out.push({ path: full, explicit: false });
      }
    }
  };
  for (const p of paths) {
    let st;
    try {
      st = fs.stat(p);
    } catch (err) {
      out.push({ path: p, explicit: true, error: reason(err) });
      continue;
    }
    if (!st) throw new UnreadablePathError(p, 'no such file or folder');
    if (st.isDirectory()) walk(p, []);
    else out.push({ path: p, explicit: true });
  }
  return out;
}
