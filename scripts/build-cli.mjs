// Bundles the command line into dist/runtime-warden.mjs (the package's bin). Run by `npm ci`
// (prepare) and by the tests, so the bin always matches the sources.
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

// `sam build` installs each function's dependencies with `npm install` without dev
// dependencies, which runs `prepare` too: there is no esbuild then, and no CLI to build.
const omitted = (process.env.npm_config_omit ?? '').split(/[\s,]+/).includes('dev') || process.env.npm_config_production === 'true';
// `npm install -g git+file://...` (how pre-commit installs a `language: node` hook) prepares the
// clone with an install that inherits global mode, so no dependency lands beside the sources and
// `prepare` finds none: install the build's own here first (not global, no scripts).
const preparingGlobalGitDependency = process.env.npm_config_global === 'true' && !existsSync('node_modules/esbuild');
if (preparingGlobalGitDependency) {
  console.log('build-cli: preparing a global install from git: installing the build dependencies locally');
  execFileSync('npm', ['install', '--global=false', '--no-save', '--ignore-scripts', '--no-audit', '--no-fund', '--include=dev', '--loglevel=error'], { stdio: 'inherit' });
}
let build;
try {
  ({ build } = await import(preparingGlobalGitDependency ? pathToFileURL(join(process.cwd(), 'node_modules', 'esbuild', 'lib', 'main.js')).href : 'esbuild'));
} catch (err) {
  if (!omitted) throw err;
  console.log('build-cli: dev dependencies omitted (a production install, such as sam build makes): the CLI is not bundled.');
  process.exit(0);
}

// Minified and split: a scan loads the scanner, not the report's AWS SDK clients or the runtimes
// page parsers (chunks loaded when `report` or `catalog` runs), and starts in less time.
rmSync('dist', { recursive: true, force: true });
await build({
  entryPoints: { 'runtime-warden': 'cli/main.ts' },
  outdir: 'dist',
  outExtension: { '.js': '.mjs' },
  chunkNames: 'chunks/[name]-[hash]',
  bundle: true,
  splitting: true,
  minify: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: true,
  banner: { js: "#!/usr/bin/env node\nimport { createRequire } from 'module'; const require = createRequire(import.meta.url);" },
  logLevel: 'warning',
});

// The bin runs as a program (npx, a shebang): it must be executable.
chmodSync('dist/runtime-warden.mjs', 0o755);
