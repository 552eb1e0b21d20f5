// runtime-warden's command line: scan templates before deployment, and generate Guard rules.
import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import pkg from '../package.json' with { type: 'json' };
import { DEFAULT_POLICY, parsePolicyText, type Policy } from '../shared/index.js';
import { guardRules } from '../shared/guard/generate.js';
import { scanTemplateText } from '../shared/template/scan.js';
import { findTemplates } from './files.js';
import { renderJson } from './formats/json.js';
import { renderJunit } from './formats/junit.js';
import { renderSarif } from './formats/sarif.js';
import { renderText } from './formats/text.js';
import { exitCode, type FailOn, type ScanReport } from './report.js';

const USAGE = `Usage:
  runtime-warden scan [paths...] [--format text|json|sarif|junit] [--policy FILE] [--now YYYY-MM-DD]
                      [--fail-on error|warning] [--output FILE]
      Finds CloudFormation and SAM templates under the paths (default: the current folder; skips
      node_modules, .git, .aws-sam) and judges every Lambda function against the runtime policy.
      Exit code: 0 nothing breaks the policy, 1 something does, 2 usage or input errors.
  runtime-warden guard [--policy FILE] [--now YYYY-MM-DD] [--output FILE]
      Writes AWS CloudFormation Guard rules generated from the policy.
`;

class UsageError extends Error {
  public constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

const FORMATS = { text: renderText, json: renderJson, sarif: (r: ScanReport) => renderSarif(r), junit: renderJunit } as const;

function loadPolicy(file: string | undefined): { policy: Policy; name: string } {
  if (!file) return { policy: DEFAULT_POLICY, name: 'bundled default' };
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new UsageError(`cannot read policy file ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  return { policy: parsePolicyText(text, `policy file ${file}`), name: file };
}

function parseNow(value: string | undefined): number {
  if (value === undefined) return Date.now();
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value) || Number.isNaN(Date.parse(`${value}T00:00:00Z`))) throw new UsageError(`--now ${value} is not a date (YYYY-MM-DD)`);
  return Date.parse(`${value}T00:00:00Z`);
}

function write(text: string, output: string | undefined): void {
  if (output) writeFileSync(output, text);
  else process.stdout.write(text);
}

function main(argv: string[]): number {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      format: { type: 'string', default: 'text' },
      policy: { type: 'string' },
      now: { type: 'string' },
      'fail-on': { type: 'string', default: 'error' },
      output: { type: 'string', short: 'o' },
      help: { type: 'boolean', short: 'h' },
      version: { type: 'boolean' },
    },
  });
  if (values.version) {
    process.stdout.write(`${pkg.version}\n`);
    return 0;
  }
  const [command, ...paths] = positionals;
  if (values.help || command === undefined || command === 'help') {
    process.stdout.write(USAGE);
    return command === undefined && !values.help ? 2 : 0;
  }
  const { policy, name } = loadPolicy(values.policy);
  const now = parseNow(values.now);
  if (command === 'guard') {
    if (paths.length > 0) throw new UsageError('guard takes no paths');
    write(guardRules(policy, now, name === 'bundled default' ? 'the bundled default policy' : name), values.output);
    return 0;
  }
  if (command !== 'scan') throw new UsageError(`unknown command ${command}`);
  const render = FORMATS[values.format as keyof typeof FORMATS];
  if (!render) throw new UsageError(`--format must be one of ${Object.keys(FORMATS).join(', ')}`);
  const failOn = values['fail-on'];
  if (failOn !== 'error' && failOn !== 'warning') throw new UsageError('--fail-on must be error or warning');
  const files = findTemplates(paths.length > 0 ? paths : ['.']).map((t) => {
    let text: string;
    try {
      text = readFileSync(t.path, 'utf8');
    } catch (err) {
      return { path: t.path, functions: [], error: `cannot read: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}` };
    }
    return scanTemplateText(t.path, text, policy, now, t.explicit);
  });
  const report: ScanReport = { files, now: new Date(now), policy: name, version: pkg.version };
  write(render(report), values.output);
  for (const f of files.filter((x) => x.error)) process.stderr.write(`runtime-warden: ${f.path}: ${f.error}\n`);
  return exitCode(report, failOn as FailOn);
}

try {
  process.exitCode = main(process.argv.slice(2));
} catch (err) {
  const e = err as Error;
  process.stderr.write(`runtime-warden: ${e.message}\n`);
  if (e.name === 'UsageError' || e.name === 'TypeError' || (e as NodeJS.ErrnoException).code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') process.stderr.write(`\n${USAGE}`);
  process.exitCode = 2;
}
