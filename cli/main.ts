// runtime-warden's command line: scan templates before deployment, and generate Guard rules.
import { parseArgs } from 'node:util';
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import pkg from '../package.json' with { type: 'json' };
import { DEFAULT_POLICY, type Policy } from '../shared/index.js';
import { parsePolicyText } from '../shared/policy/policyText.js';
import { guardRules } from '../shared/guard/generate.js';
import { loadCatalog, parseNow, readText, UsageError, write } from './common.js';
import { findTemplates } from './files.js';
import { defaultJobs, scanTargets, serveScans, type ScanSettings } from './scanFiles.js';
import { renderJson } from './scanFormats/json.js';
import { renderJunit } from './scanFormats/junit.js';
import { renderSarif } from './scanFormats/sarif.js';
import { renderText } from './scanFormats/text.js';
import { describeCatalog, exitCode, type FailOn, type ScanReport } from './scanReport.js';
import { withCatalog } from '../shared/policy/policy.js';

const USAGE = `Usage:
  runtime-warden scan [paths...] [--format text|json|sarif|junit] [--policy FILE] [--catalog FILE]
                      [--now YYYY-MM-DD] [--fail-on error|warning] [--max-catalog-age DAYS] [--output FILE]
                      [--jobs N] [--skip-non-templates] [--exclude GLOB]... [--no-gitignore]
      Finds CloudFormation and SAM templates under the paths (default: the current folder; skips
      node_modules, .git, .aws-sam, .venv, .test-results) and judges every Lambda function against
      the runtime policy. A file found in a folder that is not recognisably a template is passed
      over; a file named that is not a template is an error, unless --skip-non-templates (for
      pre-commit and other tools that hand over every changed YAML and JSON file).
      --exclude (repeatable, .gitignore syntax, relative to the current folder), .gitignore files
      in a git checkout (unless --no-gitignore) and .runtime-wardenignore files leave paths out.
      With 64 files or more, judges them in --jobs threads (default: one per CPU but one, at most 8).
      Warns on stderr when the runtime catalog is older than --max-catalog-age days (60; 0: never).
      Exit code: 0 nothing breaks the policy, 1 something does, 2 usage or input errors.
  runtime-warden guard [--policy FILE] [--catalog FILE] [--now YYYY-MM-DD] [--output FILE]
      Writes AWS CloudFormation Guard rules generated from the policy.
  runtime-warden report [--aggregator NAME | --regions r1,r2] [--format html|csv|json] [--policy FILE]
                        [--catalog FILE] [--now YYYY-MM-DD] [--output FILE] [--no-usage]
      An inventory of every Lambda function and where it stands against the policy: from an AWS
      Config aggregator (the whole organisation), or from the Lambda API of the current account
      in the given regions (default: AWS_REGION). With each function's invocations over 14 days and
      last invocation day (CloudWatch GetMetricData; --no-usage skips it); functions with none in
      90 days are marked as candidates for deletion. Progress goes to stderr.
  runtime-warden catalog refresh [--from URL|FILE] [--output FILE]
      Reads AWS's "Lambda runtimes" page (default: the Lambda Developer Guide's lambda-runtimes.html),
      checks it, writes the runtime catalog as JSON (to --output, else stdout) and prints what changed
      from the catalog it replaces (the --output file's, else the built-in one). Exit 2, nothing
      written, when the page fails a check.
  runtime-warden catalog show [--catalog FILE] [--now YYYY-MM-DD]
      Prints the runtime catalog (built in, or FILE) with each runtime's phase on --now.
  runtime-warden catalog encode [--catalog FILE]
      Prints the catalog as the value of the SSM parameter the deployed functions read
      (gzip, base64), for accounts without outbound HTTPS:
      aws ssm put-parameter --name /runtime-warden/runtime-catalog --type String --overwrite \\
        --value "$(runtime-warden catalog encode --catalog catalog.json)"
`;

const FORMATS = { text: renderText, json: renderJson, sarif: (r: ScanReport) => renderSarif(r), junit: renderJunit } as const;

function loadPolicy(file: string | undefined): { policy: Policy; name: string } {
  if (!file) return { policy: DEFAULT_POLICY, name: 'bundled default' };
  return { policy: parsePolicyText(readText(file, 'policy file'), `policy file ${file}`), name: file };
}

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      format: { type: 'string' },
      policy: { type: 'string' },
      now: { type: 'string' },
      'fail-on': { type: 'string', default: 'error' },
      output: { type: 'string', short: 'o' },
      aggregator: { type: 'string' },
      catalog: { type: 'string' },
      from: { type: 'string' },
      'max-catalog-age': { type: 'string', default: '60' },
      regions: { type: 'string' },
      jobs: { type: 'string' },
      'no-usage': { type: 'boolean' },
      'skip-non-templates': { type: 'boolean' },
      exclude: { type: 'string', multiple: true },
      'no-gitignore': { type: 'boolean' },
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
  // Loaded when used: a scan starts without the page parsers and the AWS SDK.
  if (command === 'catalog') return (await import('./catalogCommand.js')).catalogCommand(paths[0], paths.slice(1), values);
  const catalog = loadCatalog(values.catalog);
  const loaded = loadPolicy(values.policy);
  const policy = withCatalog(loaded.policy, catalog);
  const name = loaded.name;
  const now = parseNow(values.now);
  if (command === 'guard') {
    if (paths.length > 0) throw new UsageError('guard takes no paths');
    write(guardRules(policy, now, `${name === 'bundled default' ? 'the bundled default policy' : name}, ${describeCatalog(catalog.origin)}`), values.output);
    return 0;
  }
  if (command === 'report') {
    if (paths.length > 0) throw new UsageError('report takes no paths');
    return (await import('./report.js')).inventory(values, policy, name, now);
  }
  if (command !== 'scan') throw new UsageError(`unknown command ${command}`);
  const render = FORMATS[(values.format ?? 'text') as keyof typeof FORMATS];
  if (!render) throw new UsageError(`--format must be one of ${Object.keys(FORMATS).join(', ')}`);
  const failOn = values['fail-on'];
  if (failOn !== 'error' && failOn !== 'warning') throw new UsageError('--fail-on must be error or warning');
  const maxAge = values['max-catalog-age']!;
  if (!/^\d+$/.test(maxAge)) throw new UsageError('--max-catalog-age must be a whole number of days (0: never warn)');
  const age = catalog.ageDays(now);
  if (Number(maxAge) > 0 && age > Number(maxAge)) {
    process.stderr.write(
      `runtime-warden: warning: the ${describeCatalog(catalog.origin)} is ${age} days old: AWS may have moved dates since. Refresh it with \`runtime-warden catalog refresh --output catalog.json\` and scan with --catalog catalog.json (--max-catalog-age 0 silences this).\n`,
    );
  }
  const jobs = values.jobs === undefined ? defaultJobs() : /^\d+$/.test(values.jobs) ? Number(values.jobs) : 0;
  if (jobs < 1) throw new UsageError('--jobs must be a whole number of threads, at least 1');
  const settings: ScanSettings = { policyFile: values.policy, catalogFile: values.catalog, now };
  const found = findTemplates(paths.length > 0 ? paths : ['.'], undefined, { exclude: values.exclude ?? [], gitignore: !values['no-gitignore'] });
  const targets = values['skip-non-templates'] ? found.map((t) => ({ ...t, explicit: false })) : found;
  const files = await scanTargets(targets, policy, settings, jobs, new URL(import.meta.url));
  const report: ScanReport = { files, now: new Date(now), policy: name, catalog: catalog.origin, version: pkg.version };
  write(render(report), values.output);
  for (const f of files.filter((x) => x.error)) process.stderr.write(`runtime-warden: ${f.path}: ${f.error}\n`);
  return exitCode(report, failOn as FailOn);
}

const scanWorker = isMainThread ? undefined : (workerData as { scanWorker?: ScanSettings } | null)?.scanWorker;
if (scanWorker) {
  // This file is also the scan's worker (scanTargets starts it): the same policy, read the same way.
  serveScans(parentPort!, withCatalog(loadPolicy(scanWorker.policyFile).policy, loadCatalog(scanWorker.catalogFile)), scanWorker.now);
} else {
  try {
    process.exitCode = await main(process.argv.slice(2));
  } catch (err) {
    const e = err as Error;
    process.stderr.write(`runtime-warden: ${e.message}\n`);
    if (e.name === 'UsageError' || (e as NodeJS.ErrnoException).code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') process.stderr.write(`\n${USAGE}`);
    process.exitCode = 2;
  }
}
