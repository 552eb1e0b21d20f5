// Bundles the command line into dist/runtime-warden.mjs (the package's bin). Run by `npm ci`
// (prepare) and by the tests, so the bin always matches the sources.
import { chmodSync } from 'node:fs';
import { build } from 'esbuild';

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
