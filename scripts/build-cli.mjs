// Bundles the command line into dist/runtime-warden.mjs (the package's bin). Run by `npm ci`
// (prepare) and by the tests, so the bin always matches the sources.
import { chmodSync } from 'node:fs';

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

await build({
  entryPoints: ['cli/main.ts'],
  outfile: 'dist/runtime-warden.mjs',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: true,
  banner: { js: "#!/usr/bin/env node\nimport { createRequire } from 'module'; const require = createRequire(import.meta.url);" },
  logLevel: 'warning',
});

// The bin runs as a program (npx, a shebang): it must be executable.
chmodSync('dist/runtime-warden.mjs', 0o755);
