// `scan --config FILE`: a YAML file holding what scan's flags hold, so that a repository (or the
// GitHub Action's `config` input) says it once. Each key is a flag's long name and means what the
// flag means (`fail-on: warning`, `exclude: [a/, b/]`, `gitignore: false` for --no-gitignore,
// relative paths from the current folder), plus `paths`; a flag given on the command line wins.
import type { Command, Option } from 'commander';
import { isRecord } from '../shared/template/intrinsics.js';
import { didYouMean } from '../shared/text/suggest.js';
import { loadYaml } from '../shared/yaml.js';
import { InputError, readText } from './common.js';

/** A repeatable option's values, in order (none given: undefined, so that the help shows no default). */
export const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

/** The key that stands for an option: its long name, `no-` dropped for a negated flag. */
const keyOf = (o: Option): string => o.name().replace(/^no-/, '');

/**
 * Sets every option of `cmd` that the file gives and the command line does not (each value
 * checked by the option's own parser, as a flag's is), and returns the file's `paths`, if any.
 */
export function applyConfig(cmd: Command, file: string): string[] | undefined {
  const where = `config file ${file}`;
  let doc: unknown;
  try {
    doc = loadYaml(readText(file, 'config file')) ?? {};
  } catch (err) {
    if (err instanceof InputError) throw err;
    throw new InputError(`${where} is not valid YAML: ${(err as Error).message.split('\n')[0]}`);
  }
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
      paths = strings(key, value);
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
    const given = strings(key, value);
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
