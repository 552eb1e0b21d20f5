// runtime-warden's command line: scan templates before deployment, generate Guard rules, report on
// a fleet, keep the runtime catalog. Parsed by commander (per-command options, help and "did you
// mean"): 40 KB of the bundle, where yargs took 113 KB (docs/scan.md, "The bundle").
import { writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import pkg from '../package.json' with { type: 'json' };
import { DEFAULT_POLICY, type Policy } from '../shared/index.js';
import { parsePolicyText } from '../shared/policy/policyText.js';
import { guardRules } from '../shared/guard/generate.js';
import { withCatalog } from '../shared/policy/policy.js';
import type { RollbackOptions } from '../shared/remediation/rollbackRun.js';
import { didYouMean } from '../shared/text/suggest.js';
import { staleCatalogNotice } from './catalogAge.js';
import { colourWanted, paint } from './colour.js';
import { InputError, loadCatalog, parseDay, readText, UsageError, write } from './common.js';
import { blockingRules, exceptionSentence } from '../shared/policy/exceptions.js';
import { baselinedFindings, baselineText, readBaseline } from './baseline.js';
import { applyConfig, collect, findConfig } from './config.js';
import { findTemplates } from './files.js';
import { init } from './init.js';
import { defaultJobs, scanTargets, serveScans, type ScanSettings } from './scanFiles.js';
import { renderGithub } from './scanFormats/github.js';
import { renderJson } from './scanFormats/json.js';
import { renderJunit } from './scanFormats/junit.js';
import { renderSarif } from './scanFormats/sarif.js';
import { renderText } from './scanFormats/text.js';
import { describeCatalog, exitCode, type ScanReport } from './scanReport.js';

const FORMATS = { text: renderText, json: renderJson, sarif: (r: ScanReport) => renderSarif(r), junit: renderJunit, github: (r: ScanReport) => renderGithub(r) } as const;
type Format = keyof typeof FORMATS;
const FORMAT_NAMES = Object.keys(FORMATS) as Format[];

function loadPolicy(file: string | undefined): { policy: Policy; name: string } {
  if (!file) return { policy: DEFAULT_POLICY, name: 'bundled default' };
  return { policy: parsePolicyText(readText(file, 'policy file'), `policy file ${file}`), name: file };
}

const say = (): ReturnType<typeof paint> => paint(colourWanted(process.stderr, process.env, program.opts<{ color?: boolean }>().color));
const warn = (message: string): void => void process.stderr.write(`runtime-warden: ${say().warning('warning:')} ${message}\n`);
const fail = (message: string): void => void process.stderr.write(`runtime-warden: ${say().error(message)}\n`);

/** An option that takes one of `values`, listed in the help; a near miss is named (`sarf`: sarif). */
const choice = (flags: string, description: string, values: readonly string[]): Option =>
  new Option(flags, description).choices(values).argParser((v: string) => {
    if (!values.includes(v)) throw new InvalidArgumentError(`Allowed choices are ${values.join(', ')}${didYouMean(v, values)}.`);
    return v;
  });

const wholeNumber = (value: string, option: string, meaning: string, min: number): number => {
  if (!/^\d+$/.test(value) || Number(value) < min) throw new UsageError(`${option} must be ${meaning}`);
  return Number(value);
};
/** Calls a second within Lambda's 15/s control-plane quota (shared/io/rateLimit.ts). */
const lambdaRate = (value: string): number => {
  const n = Number(value);
  if (!/^\d+(\.\d+)?$/.test(value) || !(n > 0) || n > 15) throw new InvalidArgumentError("must be a number above 0 and at most 15, Lambda's control-plane quota per second.");
  return n;
};
const nowOf = (value: string | undefined): number => (value === undefined ? Date.now() : parseDay(value, '--now'));

interface PolicyOptions {
  readonly policy?: string;
  readonly catalog?: string;
  readonly now?: string;
  readonly output?: string;
}
const withPolicyOptions = (cmd: Command): Command =>
  cmd
    .option('--policy <file>', 'a policy document (YAML or JSON); default: the bundled one')
    .option('--catalog <file>', 'a runtime catalog file (catalog refresh --output); default: the built-in catalog')
    .option('--now <YYYY-MM-DD>', 'judge as of that day (UTC); default: now')
    .option('-o, --output <file>', 'write there instead of stdout');

/** The policy the options name, judged by the catalog they name. */
function policyOf(o: PolicyOptions): { policy: Policy; name: string; now: number } {
  const now = nowOf(o.now);
  const catalog = loadCatalog(o.catalog);
  const loaded = loadPolicy(o.policy);
  return { policy: withCatalog(loaded.policy, catalog), name: loaded.name, now };
}

/** Runs a command that calls AWS: the SDK's warnings on one line each, an AWS error as one line (exit 2). */
async function callingAws(run: () => Promise<number>): Promise<number> {
  const { explainAwsError, oneLineSdkWarnings } = await import('./awsErrors.js');
  oneLineSdkWarnings(warn);
  try {
    return await run();
  } catch (err) {
    if (err instanceof UsageError || err instanceof InputError) throw err;
    throw new InputError(explainAwsError(err));
  }
}

let status = 0;
/**
 * Runs a command's action; its exit code is the process's. A UsageError is said with the
 * command's usage, as commander says its own; any other error is one line (main's catch).
 */
const action =
  (run: (cmd: Command) => Promise<number> | number) =>
  async (...args: unknown[]): Promise<void> => {
    const cmd = args.at(-1) as Command;
    try {
      status = await run(cmd);
    } catch (err) {
      if (err instanceof UsageError) cmd.error(err.message, { exitCode: 2, code: 'runtime-warden.usage' });
      throw err;
    }
  };

/** The command's usage line and where its help is after each usage error; its examples in its help. */
function finish(cmd: Command, examples: readonly string[]): Command {
  const name = [...(cmd.parent?.parent ? [cmd.parent.name()] : []), cmd.name()].join(' ');
  cmd.showHelpAfterError(`Usage: runtime-warden ${name} ${cmd.usage()}\nSee \`runtime-warden ${name} --help\` for its options and examples.`);
  if (examples.length > 0) cmd.addHelpText('after', `\nExamples:\n${examples.map((e) => `  $ ${e}`).join('\n')}\n`);
  return cmd;
}

const program = new Command('runtime-warden')
  .description('Keeps AWS Lambda functions on approved, supported runtimes: scans templates, generates Guard rules, reports on a fleet.')
  .version(pkg.version, '--version', 'print the version')
  .option('--color', 'colour messages even when stderr is not a terminal')
  .option('--no-color', 'never colour messages (NO_COLOR=1 does too)')
  .exitOverride()
  .configureOutput({
    // commander's `error: ...` and its suggestion on the next line, as one of our lines.
    outputError: (text, writeErr) => writeErr(`runtime-warden: ${say().error(text.replace(/^error: /, '').replace(/\n\(Did you mean (.+)\?\)/, ' (did you mean $1?)').trimEnd())}\n`),
  })
  .showHelpAfterError('See `runtime-warden --help` for the commands.');

interface ScanOptions extends PolicyOptions {
  /** A file named, false with --no-config, undefined: the one found. */
  readonly config?: string | false;
  readonly baseline?: string;
  readonly writeBaseline?: string;
  readonly format: Format;
  readonly failOn: 'error' | 'warning' | 'never';
  readonly maxCatalogAge: string;
  readonly write?: string[];
  readonly jobs?: string;
  readonly skipNonTemplates?: boolean;
  readonly exclude?: string[];
  readonly gitignore: boolean;
  readonly quiet?: boolean;
}

/** What --quiet prints: the functions with findings and the files that could not be scanned. */
function onlyFindings(r: ScanReport): ScanReport {
  const files = r.files
    .filter((f) => !f.skipped)
    .map((f) => ({ ...f, functions: f.functions.filter((fn) => fn.findings.length > 0) }))
    .filter((f) => f.error || f.functions.length > 0);
  return { ...r, files };
}

/** The text format ends with its summary line, which --quiet leaves out. */
function withoutSummary(text: string): string {
  const lines = text.trimEnd().split('\n');
  if (/ functions? in \d+ templates?\b/.test(lines.at(-1)!)) lines.pop();
  const kept = lines.join('\n').trimEnd();
  return kept === '' ? '' : `${kept}\n`;
}

async function scan(cmd: Command): Promise<number> {
  const named = cmd.opts<ScanOptions>().config;
  const config = named === undefined ? findConfig(process.cwd()) : named === false ? undefined : { file: named, inPackageJson: false };
  const fromConfig = config ? applyConfig(cmd, config) : undefined;
  const o = cmd.opts<ScanOptions>();
  const maxAge = wholeNumber(o.maxCatalogAge, '--max-catalog-age', 'a whole number of days (0: never warn)', 0);
  const jobs = o.jobs === undefined ? defaultJobs() : wholeNumber(o.jobs, '--jobs', 'a whole number of threads, at least 1', 1);
  const extra = (o.write ?? []).map((spec) => {
    const [format, ...file] = spec.split('=');
    if (!FORMAT_NAMES.includes(format as Format) || file.join('=') === '') throw new UsageError(`--write ${spec}: give FORMAT=FILE, FORMAT one of ${FORMAT_NAMES.join(', ')}${didYouMean(format!, FORMAT_NAMES)}`);
    return { format: format as Format, file: file.join('=') };
  });
  const { policy, name, now } = policyOf(o);
  const settings: ScanSettings = { policyFile: o.policy, catalogFile: o.catalog, now };
  const paths = cmd.args.length > 0 ? cmd.args : (fromConfig ?? ['.']);
  // A config file's excludes are its folder's, as a .gitignore's are (and its paths: applyConfig).
  const excludeBase = config && cmd.getOptionValueSource('exclude') === 'config' ? dirname(resolve(config.file)) : undefined;
  const found = findTemplates(paths, undefined, { exclude: o.exclude ?? [], gitignore: o.gitignore, ...(excludeBase && { excludeBase }) });
  const targets = o.skipNonTemplates ? found.map((t) => ({ ...t, explicit: false })) : found;
  const files = await scanTargets(targets, policy, settings, jobs, new URL(import.meta.url));
  const baselined = o.baseline ? baselinedFindings(files, o.baseline, readBaseline(o.baseline)) : undefined;
  const counted = files.flatMap((f) => f.functions.filter((fn) => fn.verdict.compliance === 'NON_COMPLIANT').flatMap((fn) => fn.findings.filter((x) => !baselined?.has(x))));
  const exception = exceptionSentence(policy, blockingRules(counted));
  // SARIF carries the edits `fix` would make: planned only when SARIF is written (the fixer is loaded then).
  const fixes = [o.format, ...extra.map((x) => x.format)].includes('sarif') ? (await import('./fix.js')).scannedFixes(files, policy) : undefined;
  const report: ScanReport = { files, now: new Date(now), policy: name, catalog: policy.base.origin, version: pkg.version, ...(baselined && { baselined }), ...(exception && { exception }), ...(fixes && { fixes }) };
  // Machine formats are always whole: --quiet is for the people reading text.
  const shown = o.quiet && o.format === 'text' ? withoutSummary(renderText(onlyFindings(report))) : FORMATS[o.format](report);
  write(shown, o.output);
  for (const x of extra) writeFileSync(x.file, FORMATS[x.format](report));
  if (o.writeBaseline) writeFileSync(o.writeBaseline, baselineText(files, o.writeBaseline));
  for (const f of files.filter((x) => x.error)) fail(`${f.path}: ${f.error}`);
  const stale = o.quiet ? undefined : staleCatalogNotice(files, policy, now, maxAge);
  if (stale) warn(stale);
  const code = exitCode(report, o.failOn === 'never' ? 'error' : o.failOn);
  return o.failOn === 'never' && code === 1 ? 0 : code;
}

finish(
  withPolicyOptions(
    program
      .command('scan')
      .summary('judge the Lambda functions of CloudFormation and SAM templates')
      .description(
        'Finds CloudFormation and SAM templates under the paths (default: the current folder; node_modules, .git, .aws-sam, .venv and .test-results skipped) and judges every Lambda function against the runtime policy. A file found in a folder that is not recognisably a template is passed over; a file named that is not a template is an error, unless --skip-non-templates. Exit code: 0 nothing breaks the policy, 1 something does, 2 usage or input errors.',
      )
      .argument('[paths...]', 'files and folders to scan'),
  )
    .option('--config <file>', 'a YAML file of these options (fail-on: warning, exclude: [...], paths: [...]); flags win. Default: the nearest .runtime-warden.yaml or package.json "runtime-warden" key, up to the checkout\'s top')
    .option('--no-config', 'read no config file')
    .addOption(choice('--format <format>', 'what to print', FORMAT_NAMES).default('text'))
    .addOption(choice('--fail-on <severity>', 'exit 1 on errors, on warnings too, or never (input errors still exit 2)', ['error', 'warning', 'never']).default('error'))
    .option('--write <format=file>', 'also write the report in another format to a file (repeatable): one scan, several outputs', collect)
    .option('-q, --quiet', 'text: only the functions with findings and the files that could not be scanned; no summary, no catalog warning')
    .option('--max-catalog-age <days>', 'warn when the catalog is older than this and its age can change a verdict here (0: never)', '60')
    .option('--jobs <n>', 'threads for 64 files or more (default: one per CPU but one, at most 8)')
    .option('--skip-non-templates', 'pass over named files that are not templates (pre-commit hands over every YAML and JSON file)')
    .option('--exclude <glob>', "leave out paths matching it (.gitignore syntax, from the current folder; a config file's from its own folder; repeatable)", collect)
    .option('--no-gitignore', 'scan what .gitignore files leave out (.runtime-wardenignore files still apply)')
    .option('--baseline <file>', 'fail only on findings that file does not hold (scan --write-baseline); AWS blocks (RW005, RW006) always count')
    .option('--write-baseline <file>', "record this scan's findings there, for --baseline")
    .action(action(scan)),
  [
    'runtime-warden scan',
    'runtime-warden scan infra services --policy .github/runtime-policy.yaml',
    'runtime-warden scan . --exclude "test/fixtures/" --format sarif --output warden.sarif',
    'runtime-warden scan --format text --write sarif=warden.sarif --fail-on never',
  ],
);

finish(
  withPolicyOptions(program.command('guard').summary('write CloudFormation Guard rules from the policy').description('Writes AWS CloudFormation Guard rules generated from the policy, for cfn-guard or a Guard hook.')).action(
    action((cmd) => {
      const { policy, name, now } = policyOf(cmd.opts<PolicyOptions>());
      write(guardRules(policy, now, `${name === 'bundled default' ? 'the bundled default policy' : name}, ${describeCatalog(policy.base.origin)}`), cmd.opts<PolicyOptions>().output);
      return 0;
    }),
  ),
  ['runtime-warden guard --policy policy.yaml --output runtime.guard', 'cfn-guard validate --rules runtime.guard --data template.json'],
);

interface FixCommandOptions extends PolicyOptions {
  readonly dryRun?: boolean;
  readonly exclude?: string[];
  readonly gitignore: boolean;
}
finish(
  withPolicyOptions(
    program
      .command('fix')
      .summary('rewrite each literal deprecated runtime to its recommended target')
      .description(
        "Rewrites each literal runtime the scan flags as deprecated or blocked (RW004-RW006) - a function's Runtime, Globals.Function.Runtime, a parameter's Default - to the target the finding names, changing only that value: comments and formatting stay byte for byte. What the template does not decide (intrinsics, AllowedValues entries) is named and left alone. Exit code: 0 nothing to fix, 1 something fixed (or, with --dry-run, to fix) or left, 2 input errors (docs/fix.md).",
      )
      .argument('[paths...]', 'files and folders to fix (default: the current folder)'),
  )
    .option('--dry-run', 'print a unified diff of the fixes and write nothing')
    .option('--exclude <glob>', 'leave out paths matching it (.gitignore syntax, from the current folder; repeatable)', collect)
    .option('--no-gitignore', 'fix what .gitignore files leave out (.runtime-wardenignore files still apply)')
    .action(
      action(async (cmd) => {
        const o = cmd.opts<FixCommandOptions>();
        const { policy, now } = policyOf(o);
        // Loaded when used: a scan starts without the fixer.
        return (await import('./fix.js')).fix(cmd.args, o, policy, now, warn);
      }),
    ),
  ['runtime-warden fix --dry-run', 'runtime-warden fix template.yaml', 'runtime-warden fix infra --policy .github/runtime-policy.yaml --dry-run > fixes.diff && patch -p0 < fixes.diff'],
);

interface RollbackCommandOptions extends PolicyOptions, Omit<RollbackOptions, 'sinceDays'> {
  readonly since: string;
}
finish(
  withPolicyOptions(
    program
      .command('rollback')
      .summary("pin the runtime version a function ran before a runtime update broke it; --undo returns it to its tier's mode")
      .description(
        "Pins FUNCTION to the runtime version it ran before the current one (Manual + RuntimeVersionArn), found in AWS Config's history of the function and its INIT_START log lines, or --to; tags runtime-warden:rollback with when, who and why, and alerts --topic. --undo returns it to its tier's preferred mode and removes the tags. A dry run says what it would do (docs/remediation.md#rollback).",
      )
      .argument('<function>', 'the function name or ARN'),
  )
    .option('--to <arn>', 'the runtime version ARN to pin (arn:aws:lambda:REGION::runtime:ID)')
    .addOption(new Option('--undo', "return to the tier's preferred mode").conflicts('to'))
    .option('--dry-run', 'say what would change and change nothing')
    .option('--reason <text>', 'why (required to roll back): tagged and sent in the alert')
    .option('--by <name>', 'who asks (default: $USER)')
    .option('--topic <sns-arn>', 'SNS topic to alert')
    .option('--since <days>', 'how far back to read INIT_START lines', '14')
    .action(
      action(async (cmd) => {
        const o = cmd.opts<RollbackCommandOptions>();
        const { policy, now } = policyOf(o);
        const sinceDays = wholeNumber(o.since, '--since', 'a whole number of days, at least 1', 1);
        // Loaded when used: a scan starts without the Lambda, Config, Logs and SNS clients.
        const { rollbackCommand } = await import('./rollback.js');
        return callingAws(() => rollbackCommand(cmd.args[0]!, { ...o, sinceDays }, policy, now, (text) => write(text, o.output)));
      }),
    ),
  [
    'runtime-warden rollback pdf-render --reason "pdf rendering fails since v42" --dry-run',
    'runtime-warden rollback pdf-render --reason "pdf rendering fails since v42" --topic arn:aws:sns:eu-west-1:123456789012:on-call',
    'runtime-warden rollback pdf-render --undo',
  ],
);

interface ReportOptions extends PolicyOptions {
  readonly format: 'html' | 'csv' | 'json' | 'asff';
  readonly aggregator?: string;
  readonly regions?: string;
  readonly usage: boolean;
  readonly pins: boolean;
  readonly lambdaCallsPerSecond?: number;
  readonly compare?: string[];
}
finish(
  withPolicyOptions(
    program
      .command('report')
      .summary('an inventory of every deployed Lambda function against the policy')
      .description(
        'An inventory of every Lambda function and where it stands against the policy: from an AWS Config aggregator (the whole organisation), or from the Lambda API of the current account in the given regions (default: AWS_REGION). Each function\'s next AWS date (deprecation, creates blocked, updates blocked) with the days left and the tier\'s move-by, the waivers in force, and its invocations over 14 days and last invocation day (CloudWatch GetMetricData); functions with none in 90 days are marked as candidates for deletion. --compare with earlier JSON reports says what changed. --format asff writes Security Hub findings, one BatchImportFindings request a line. Progress goes to stderr.',
      ),
  )
    .addOption(choice('--format <format>', 'what to write', ['html', 'csv', 'json', 'asff']).default('html'))
    .option('--aggregator <name>', 'read every account and region from this AWS Config aggregator')
    .option('--regions <r1,r2>', 'read the current account in these regions (default: AWS_REGION)')
    .option('--no-usage', 'skip the invocation counts (CloudWatch)')
    .option('--no-pins', 'skip reading update modes (GetRuntimeManagementConfig, one call per function): pins known from the rollback tag only')
    .option('--lambda-calls-per-second <n>', "with --regions: the share of Lambda's 15/s control-plane quota the report may spend per region (default 5)", lambdaRate)
    .option('--compare <previous.json>', 'an earlier report --format json: what changed since (repeatable: a trend)', collect)
    .action(
      action(async (cmd) => {
        const o = cmd.opts<ReportOptions>();
        const { policy, name, now } = policyOf(o);
        // Loaded when used: a scan starts without the AWS SDK.
        const { inventory } = await import('./report.js');
        return callingAws(() => inventory(o, policy, name, now));
      }),
    ),
  [
    'runtime-warden report --regions eu-west-1,us-east-1 --output fleet.html',
    'runtime-warden report --aggregator org-aggregator --format csv --no-usage > fleet.csv',
    'runtime-warden report --aggregator org-aggregator --format json -o today.json --compare last-week.json',
    'runtime-warden report --regions eu-west-1 --format asff -o findings.jsonl',
  ],
);

finish(
  program
    .command('init')
    .summary('write a commented .runtime-warden.yaml here')
    .description("Writes a commented .runtime-warden.yaml, scan's options for this repository, into the current folder; an existing one is kept (exit 2).")
    .action(
      action(() => {
        process.stdout.write(`wrote ${init(process.cwd())}\n`);
        return 0;
      }),
    ),
  ['runtime-warden init'],
);

const catalog = program.command('catalog').summary('refresh, show or encode the runtime catalog').description("The runtime catalog: each runtime's deprecation and block dates, from AWS's \"Lambda runtimes\" page.");
// Loaded when used: a scan starts without the page parsers.
const catalogCommand = () => import('./catalogCommand.js');
finish(
  catalog
    .command('refresh')
    .summary("read AWS's runtimes page into a catalog file")
    .description(
      "Reads AWS's \"Lambda runtimes\" page (default: the Lambda Developer Guide's lambda-runtimes.html, through HTTPS_PROXY unless NO_PROXY names the host), checks it, writes the runtime catalog as JSON (to --output, else stdout) and prints what changed from the catalog it replaces (the --output file's, else the built-in one). Exit 2, nothing written, when the page fails a check.",
    )
    .option('--from <url|file>', 'the page, or a saved copy of it')
    .option('--as-of <YYYY-MM-DD>', "the day a saved copy was read from AWS (default: today for a URL, the file's modification day)")
    .option('-o, --output <file>', 'write the catalog there (and compare with the one it replaces)')
    .action(action(async (cmd) => (await catalogCommand()).refresh(cmd.opts()))),
  ['runtime-warden catalog refresh --output catalog.json', 'runtime-warden catalog refresh --from saved-page.html --as-of 2026-08-22 --output catalog.json'],
);
finish(
  catalog
    .command('show')
    .summary("print the catalog with each runtime's phase")
    .option('--catalog <file>', 'a catalog file; default: the built-in catalog')
    .option('--now <YYYY-MM-DD>', 'the day the phases are for (UTC); default: today')
    .option('-o, --output <file>', 'write there instead of stdout')
    .action(action(async (cmd) => (await catalogCommand()).show({ ...cmd.opts(), now: nowOf(cmd.opts<PolicyOptions>().now) }))),
  ['runtime-warden catalog show --now 2027-01-01'],
);
finish(
  catalog
    .command('encode')
    .summary('print the catalog as the SSM parameter value the deployed functions read')
    .description('Prints the catalog as the value of the SSM parameter the deployed functions read (gzip, base64), for accounts without outbound HTTPS.')
    .option('--catalog <file>', 'a catalog file; default: the built-in catalog')
    .option('-o, --output <file>', 'write there instead of stdout')
    .action(action(async (cmd) => (await catalogCommand()).encode(cmd.opts()))),
  ['aws ssm put-parameter --name /runtime-warden/runtime-catalog --type String --overwrite --value "$(runtime-warden catalog encode --catalog catalog.json)"'],
);

finish(catalog, []);

const scanWorker = isMainThread ? undefined : (workerData as { scanWorker?: ScanSettings } | null)?.scanWorker;
if (scanWorker) {
  // This file is also the scan's worker (scanTargets starts it): the same policy, read the same way.
  serveScans(parentPort!, withCatalog(loadPolicy(scanWorker.policyFile).policy, loadCatalog(scanWorker.catalogFile)), scanWorker.now);
} else {
  // A reader that stops early (`| head`) is not an error of ours.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') throw err;
    process.exit();
  });
  try {
    await program.parseAsync(process.argv);
    process.exitCode = status;
  } catch (err) {
    if (err instanceof CommanderError) {
      // Help and the version asked for exit 0; help shown for a missing command, and every
      // usage error (already said by commander), exit 2.
      process.exitCode = err.exitCode === 0 ? 0 : 2;
    } else {
      fail((err as Error).message);
      process.exitCode = 2;
    }
  }
}
