// scan's config file: a YAML file holding what scan's flags hold, so that a repository (or the
// GitHub Action's `config` input) says it once. Each key is a flag's long name and means what the
// flag means (`fail-on: warning`, `exclude: [a/, b/]`, `gitignore: false` for --no-gitignore),
// plus `paths`; a flag given on the command line wins. Named by --config, or found: the first
// `.runtime-warden.yaml`, or `package.json` with a `runtime-warden` key, from the current folder up
// to the checkout's top (as cfn-lint's and checkov's users expect of a repository's config).
// Files it names are relative to its own folder, found or named, and so are its `exclude` globs (as
// a .gitignore's and eslint's config's are; scan passes the folder on): the same file means the
// same thing from any folder it is used from.
import { existsSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import type { Command, Option } from 'commander';
import { isRecord } from '../shared/template/intrinsics.js';
import { didYouMean } from '../shared/text/suggest.js';
import { loadYaml } from '../shared/yaml.js';
import { InputError, readText } from './common.js';

/** A repeatable option's values, in order (none given: undefined, so that the help shows no default). */
export const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

export const CONFIG_FILE = '.runtime-warden.yaml';
const PACKAGE_KEY = 'runtime-warden';

/** A config file: where it is, and its options when they are a key of package.json. */
export interface ConfigSource {
  readonly file: string;
  readonly inPackageJson: boolean;
}

/** The config file in force from `cwd`: the nearest one up to the checkout's top (the folder holding `.git`), else the filesystem root. */
export function findConfig(cwd: string): ConfigSource | undefined {
  for (let dir = resolve(cwd); ; dir = dirname(dir)) {
    if (existsSync(join(dir, CONFIG_FILE))) return { file: join(dir, CONFIG_FILE), inPackageJson: false };
    const pkg = join(dir, 'package.json');
    const doc = existsSync(pkg) ? packageJson(pkg) : undefined;
    if (isRecord(doc) && Object.hasOwn(doc, PACKAGE_KEY)) return { file: pkg, inPackageJson: true };
    if (existsSync(join(dir, '.git')) || dirname(dir) === dir) return undefined;
  }
}

function packageJson(file: string): unknown {
  try {
    return JSON.parse(readText(file, 'package.json'));
  } catch (err) {
    if (err instanceof InputError) throw err;
    throw new InputError(`${file} is not valid JSON: ${(err as Error).message}`);
  }
}

/** Options whose values are files, read from the config file's folder. */
const FILE_KEYS = new Set(['policy', 'catalog', 'output', 'baseline', 'write-baseline']);

/** The key that stands for an option: its long name, `no-` dropped for a negated flag. */
const keyOf = (o: Option): string => o.name().replace(/^no-/, '');

/**
 * Sets every option of `cmd` that the file gives and the command line does not (each value
 * checked by the option's own parser, as a flag's is), and returns the file's `paths`, if any.
 */
export function applyConfig(cmd: Command, { file, inPackageJson }: ConfigSource): string[] | undefined {
  const where = inPackageJson ? `${file} key ${PACKAGE_KEY}` : `config file ${file}`;
  let doc: unknown;
  if (inPackageJson) doc = (packageJson(file) as Record<string, unknown>)[PACKAGE_KEY];
  else {
    try {
      doc = loadYaml(readText(file, 'config file')) ?? {};
    } catch (err) {
      if (err instanceof InputError) throw err;
      throw new InputError(`${where} is not valid YAML: ${(err as Error).message.split('\n')[0]}`);
    }
  }
  // Said from the current folder, as a path given on the command line would be (`infra/app.yaml`).
  const here = (path: string): string => relative(process.cwd(), resolve(dirname(file), path)) || '.';
  if (!isRecord(doc)) throw new InputError(`${where} must be a map of scan options (fail-on: warning, exclude: [...])`);
  const options = new Map<string, Option>();
  for (const o of cmd.options) if (o.long && !['config', 'help'].includes(keyOf(o)) && !options.has(keyOf(o))) options.set(keyOf(o), o);
  const strings = (key: string, value: unknown): string[] => {
    const list = Array.isArray(value) ? value : [value];
    if (!list.every((v) => typeof v === 'string' || typeof v === 'number')) throw new InputError(`${where}: ${key} must be ${Array.isArray(value) ? 'a list of strings' : 'a string'}`);
    return list.map(String);
  };
  let paths: string[] | undefined;
  for (const [key, value] of Object.entries(doc)) {
    if (key === 'paths') {
      paths = strings(key, value).map(here);
      continue;
    }
    const o = options.get(key);
    if (!o) throw new InputError(`${where}: unknown key ${key}${didYouMean(key, [...options.keys(), 'paths'])}`);
    const name = o.attributeName();
    if (cmd.getOptionValueSource(name) === 'cli') continue;
    if (!o.required && !o.optional) {
      if (typeof value !== 'boolean') throw new InputError(`${where}: ${key} must be true or false`);
      cmd.setOptionValueWithSource(name, value, 'config');
      continue;
    }
    const repeatable = o.parseArg === collect;
    const given = strings(key, value).map((v) => (FILE_KEYS.has(key) ? here(v) : key === 'write' && v.includes('=') ? `${v.slice(0, v.indexOf('='))}=${here(v.slice(v.indexOf('=') + 1))}` : v));
    if (!repeatable && (Array.isArray(value) || given.length !== 1)) throw new InputError(`${where}: ${key} takes one value, not a list`);
    let parsed: unknown;
    for (const v of given) {
      try {
        parsed = o.parseArg ? o.parseArg(v, parsed) : v;
      } catch (err) {
        throw new InputError(`${where}: ${key}: ${(err as Error).message}`);
      }
    }
    cmd.setOptionValueWithSource(name, parsed, 'config');
  }
  return paths;
}
