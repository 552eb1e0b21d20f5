// The command line as an npm package of its own: the bundled bin and nothing else. The
// repository's package.json describes the SAM application (its dependencies are what `sam build`
// bundles into the Lambda functions); the CLI bundle already holds everything it runs, so its
// package has no dependencies, no tests, no Lambda code. Publishing is a separate, deliberate step
// (docs/ci.md, "Installing the CLI").
// Usage: node scripts/pack-cli.mjs [OUT_DIR] [--prebuilt]  -> prints the tarball's path
// (--prebuilt: pack dist/ as it is, as the tests do after their one build of the CLI)
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const args = process.argv.slice(2);
const out = resolve(args.find((a) => !a.startsWith('--')) ?? join(root, '.aws-sam', 'cli-package'));
if (!args.includes('--prebuilt')) execFileSync(process.execPath, [join(root, 'scripts', 'build-cli.mjs')], { cwd: root, stdio: 'inherit' });

const app = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const stage = join(out, 'stage');
rmSync(stage, { recursive: true, force: true });
mkdirSync(stage, { recursive: true });
cpSync(join(root, 'dist'), join(stage, 'dist'), { recursive: true, filter: (src) => !src.endsWith('.map') });
for (const f of ['README.md', 'LICENSE']) cpSync(join(root, f), join(stage, f));
writeFileSync(
  join(stage, 'package.json'),
  `${JSON.stringify(
    {
      name: app.name,
      version: app.version,
      description: 'Scan CloudFormation and SAM templates for Lambda functions on deprecated or unapproved runtimes; generate Guard rules; report on a fleet.',
      license: app.license,
      type: 'module',
      engines: app.engines,
      bin: { 'runtime-warden': 'dist/runtime-warden.mjs' },
      files: ['dist/'],
      keywords: ['aws', 'lambda', 'runtime', 'cloudformation', 'sam', 'deprecation', 'lint'],
    },
    null,
    2,
  )}\n`,
);
const tarball = execFileSync('npm', ['pack', '--silent', '--pack-destination', out], { cwd: stage, encoding: 'utf8' }).trim().split('\n').pop();
process.stdout.write(`${join(out, tarball)}\n`);
