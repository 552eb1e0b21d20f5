import { describe, expect, it } from 'vitest';
import { findTemplates, UnreadablePathError, type FileSystem } from '../../cli/files.js';

const errno = (code: string): Error => Object.assign(new Error(code), { code });
const dir = { isDirectory: () => true, isFile: () => false };
const file = { isDirectory: () => false, isFile: () => true };

/** A file system of folders and files, where the named paths fail with an errno code. */
function fakeFs(tree: Record<string, string[]>, failing: Record<string, { on: 'readdir' | 'stat'; code: string }>): FileSystem {
  const fail = (path: string, on: 'readdir' | 'stat'): void => {
    if (failing[path]?.on === on) throw errno(failing[path]!.code);
  };
  return {
    readdir: (d) => {
      fail(d, 'readdir');
      return tree[d] ?? [];
    },
    stat: (p) => {
      fail(p, 'stat');
      return p in tree ? dir : p.endsWith('.yaml') ? file : undefined;
    },
    realpath: (p) => p,
  };
}

describe('findTemplates', () => {
  it('turns each path that cannot be read into its own error and walks on (#10.1)', () => {
    const fs = fakeFs(
      { repo: ['a.yaml', 'deep', 'locked', 'z.yaml'], 'repo/locked': [] },
      { 'repo/deep': { on: 'stat', code: 'ENAMETOOLONG' }, 'repo/locked': { on: 'readdir', code: 'EACCES' } },
    );
    expect(findTemplates(['repo'], fs)).toEqual([
      { path: 'repo/a.yaml', explicit: false },
      { path: 'repo/deep', explicit: false, error: 'cannot read (ENAMETOOLONG: path too long)' },
      { path: 'repo/locked', explicit: false, error: 'cannot read (EACCES: permission denied)' },
      { path: 'repo/z.yaml', explicit: false },
    ]);
  });

  it("reads exclude globs from excludeBase (a config file's folder), else from the current folder (#21.3)", () => {
    const fs = fakeFs({ '/repo/infra': ['app', 'legacy'], '/repo/infra/app': ['b.yaml'], '/repo/infra/legacy': ['a.yaml'] }, {});
    const from = (options: { excludeBase?: string }): string[] => findTemplates(['/repo/infra'], fs, { exclude: ['/infra/legacy/'], cwd: '/repo/infra/app', ...options }).map((t) => t.path);
    expect(from({ excludeBase: '/repo' })).toEqual(['/repo/infra/app/b.yaml']);
    // From the current folder, the anchored glob names a folder that is not there.
    expect(from({})).toEqual(['/repo/infra/app/b.yaml', '/repo/infra/legacy/a.yaml']);
  });

  it('names an explicit path that fails, and refuses one that does not exist', () => {
    const fs = fakeFs({}, { 'x.yaml': { on: 'stat', code: 'EACCES' } });
    expect(findTemplates(['x.yaml'], fs)).toEqual([{ path: 'x.yaml', explicit: true, error: 'cannot read (EACCES: permission denied)' }]);
    expect(() => findTemplates(['nowhere'], fs)).toThrow(UnreadablePathError);
  });
});
