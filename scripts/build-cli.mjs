// Bundles the command line into dist/runtime-warden.mjs (the package's bin). Run by `npm ci`
// (prepare) and by the tests, so the bin always matches the sources.
import { chmodSync, rmSync } from 'node:fs';

// `sam build` installs each function's dependencies with `npm install` without dev
// dependencies, which runs `prepare` too: there is no esbuild then, and no CLI to build.
const omitted = (process.env.npm_config_omit ?? '').split(/[\s,]+/).includes('dev') || process.env.npm_config_production === 'true';
let build;
try {
  ({ build } = await import('esbuild'));
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
