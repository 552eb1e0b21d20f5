// Bundles the command line into dist/runtime-warden.mjs (the package's bin). The bundle is
// committed (pre-commit and the GitHub Action run it from a checkout of this repository, where
// nothing builds it: docs/ci.md); the tests rebuild it first and fail when the committed one differs.
import { chmodSync, rmSync } from 'node:fs';
import { build } from 'esbuild';

// Minified and split: a scan loads the scanner, not the report's AWS SDK clients, the runtimes
// page parsers or undici (chunks loaded when `report` or `catalog` runs), and starts in less time.
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
