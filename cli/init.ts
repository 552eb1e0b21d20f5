// `runtime-warden init`: a commented config file to start from. It only names where the policy
// is: the policy itself stays the organisation's (docs/policy.md).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CONFIG_FILE } from './config.js';
import { InputError } from './common.js';

export const CONFIG_TEMPLATE = `# runtime-warden scan's options for this repository (docs/scan.md, "The config file").
# Each key is a scan flag's long name; a flag given on the command line wins. Files named here are
# relative to this file's folder. runtime-warden scan finds this file from any folder below it.

# What to scan (default: the current folder).
# paths: [infra, services]

# The organisation's policy: name where it is, do not copy it here.
# policy: .github/runtime-policy.yaml

# A runtime catalog file (runtime-warden catalog refresh --output); default: the built-in one.
# catalog: runtime-catalog.json

# Paths to leave out (.gitignore syntax, repeatable); .gitignore files apply too (gitignore: false).
# exclude: [test/fixtures/]

# What exits 1: error, warning or never.
fail-on: error

# text, json, sarif, junit or github.
# format: text

# Findings recorded by scan --write-baseline FILE: only new ones fail (never an AWS block, RW005/RW006).
# baseline: .runtime-warden-baseline.json
`;

/** Writes the config file into `dir`; an existing one is kept and is an input error (exit 2). */
export function init(dir: string): string {
  const file = join(dir, CONFIG_FILE);
  try {
    // `wx`: never replace a file that appeared since we looked.
    writeFileSync(file, CONFIG_TEMPLATE, { flag: 'wx' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') throw new InputError(`${file} exists already: not overwritten (edit it, or remove it first)`);
    throw new InputError(`cannot write ${file}: ${(err as Error).message}`);
  }
  return file;
}
