import { existsSync, readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { basename, dirname, extname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import ignore, { type Ignore } from 'ignore';

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
  /** An ignore file's text, or undefined when there is none. */
  readonly readIgnoreFile?: (path: string) => string | undefined;
  /** Whether `dir` is the top of a git checkout (holds `.git`). */
  readonly isGitRoot?: (dir: string) => boolean;
}

const nodeFileSystem: FileSystem = {
  readdir: (dir) => readdirSync(dir),
  stat: (path) => statSync(path, { throwIfNoEntry: false }),
  realpath: (path) => realpathSync(path),
  readIgnoreFile: (path) => {
    try {
      return readFileSync(path, 'utf8');
    } catch {
      return undefined;
    }
  },
  isGitRoot: (dir) => existsSync(join(dir, '.git')),
};

/** Our own ignore file, read in every folder like a .gitignore, in a git checkout or not. */
export const IGNORE_FILE = '.runtime-wardenignore';

export interface WalkOptions {
  /** Patterns in .gitignore syntax, matched against paths relative to `excludeBase` (or to the scanned path outside it). */
  readonly exclude?: readonly string[];
  /** The folder `exclude` is relative to: the config file's that gave it, as a .gitignore's patterns are its folder's; default the current folder. */
  readonly excludeBase?: string;
  /** Honour .gitignore files (and .git/info/exclude) when a scanned path is inside a git checkout. */
  readonly gitignore?: boolean;
  readonly cwd?: string;
}

/** Ignore rules of one folder: patterns relative to it (gitignore semantics, by the `ignore` library). */
interface Rules {
  readonly base: string;
  readonly ig: Ignore;
}

function ignoredBy(rules: readonly Rules[], path: string, isDir: boolean): boolean {
  for (const r of rules) {
    const rel = relative(r.base, path);
    if (rel === '' || rel.startsWith('..') || isAbsolute(rel)) continue;
    const posix = rel.split(sep).join('/');
    if (r.ig.ignores(isDir ? `${posix}/` : posix)) return true;
  }
  return false;
}

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
 * to it. A path named by the user that does not exist is a usage error. Excluded paths (`exclude`,
 * `.runtime-wardenignore` files, and `.gitignore` files in a git checkout) are left out, named
 * or found; a folder left out is not walked.
 */
export function findTemplates(paths: readonly string[], fs: FileSystem = nodeFileSystem, options: WalkOptions = {}): Target[] {
  const cwd = resolve(options.cwd ?? '.');
  const out: Target[] = [];
  const walked = new Set<string>();
  const readRules = (dir: string, names: readonly string[]): Rules[] =>
    names.flatMap((n) => {
      const text = fs.readIgnoreFile?.(join(dir, n));
      return text === undefined ? [] : [{ base: dir, ig: ignore().add(text) }];
    });
  const ignoreNames = options.gitignore === false ? [IGNORE_FILE] : ['.gitignore', IGNORE_FILE];
  /** The rules in force at `root`: the excludes, and every ignore file from the checkout's top down to it. */
  const rulesAt = (root: string): Rules[] => {
    const base = resolve(cwd, options.excludeBase ?? '.');
    const excludes: Rules[] = options.exclude?.length ? [{ base: relative(base, root).startsWith('..') ? root : base, ig: ignore().add([...options.exclude]) }] : [];
    const chain: string[] = [];
    let gitRoot: string | undefined;
    for (let d = root; ; d = dirname(d)) {
      chain.unshift(d);
      if (fs.isGitRoot?.(d)) {
        gitRoot = d;
        break;
      }
      if (dirname(d) === d) break;
    }
    // Outside a checkout, only our own file, and only in the scanned folder and below.
    const above = gitRoot ? chain : [root];
    const info = gitRoot && options.gitignore !== false ? readRules(join(gitRoot, '.git', 'info'), ['exclude']).map((r) => ({ ...r, base: gitRoot! })) : [];
    return [...excludes, ...info, ...above.flatMap((d) => readRules(d, gitRoot ? ignoreNames : [IGNORE_FILE]))];
  };
  const walk = (dir: string, ancestors: readonly string[], rules: readonly Rules[], inGit: boolean): void => {
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
    const here = ancestors.length === 0 ? rules : [...rules, ...readRules(resolve(dir), names.filter((n) => (inGit ? ignoreNames : [IGNORE_FILE]).includes(n)))];
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
        if (!SKIPPED_DIRS.has(name) && !ignoredBy(here, resolve(full), true)) walk(full, [...ancestors, real], here, inGit);
      } else if (st.isFile() && TEMPLATE_EXTENSIONS.has(extname(name).toLowerCase()) && !basename(name).startsWith('.') && !ignoredBy(here, resolve(full), false)) {
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
    const abs = resolve(p);
    const rules = rulesAt(st.isDirectory() ? abs : dirname(abs));
    if (ignoredBy(rules, abs, st.isDirectory())) continue;
    if (st.isDirectory()) walk(p, [], rules, options.gitignore !== false && rules !== undefined && hasGitRoot(fs, abs));
    else out.push({ path: p, explicit: true });
  }
  return out;
}

function hasGitRoot(fs: FileSystem, dir: string): boolean {
  for (let d = dir; ; d = dirname(d)) {
    if (fs.isGitRoot?.(d)) return true;
    if (dirname(d) === d) return false;
  }
}
