// Every Lambda function of template.yaml as `sam build` bundles it (scripts/sam-build.sh), and
// each bundled the other way (the AWS SDK inside instead of the runtime's, or the reverse):
// - init KB: the entry file and the chunks it imports statically, i.e. what a cold start loads;
//   total KB: every .mjs shipped (chunks loaded on demand included; source maps are not loaded);
// - init ms: median of several cold `node` processes importing the bundle, minus a bare `node`
//   start in the same run;
// - hook first answer ms: a cold process imports the bundle and answers one real CREATE event,
//   reading the runtime catalog parameter from SSM (moto on loopback), minus a bare start: what
//   CloudFormation waits for on a cold hook, SDK load included.
// Prints figures; asserts nothing. Goals (#12): hook init code <= 150 KB and init <= 60 ms; the
// Config rule and remediation bundles <= 300 KB.
// Usage: tsx bench/bundles.bench.ts
import { SSMClient } from '@aws-sdk/client-ssm';
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { startMoto } from '../scripts/emulator/moto.js';
import { DEFAULT_CATALOG } from '../shared/catalog/catalog.js';
import { writeCatalogParameter } from '../shared/io/catalogSource.js';
import { parseTemplate } from '../shared/template/parse.js';
import { initFiles } from '../test/helpers/bundleFiles.js';

const ROOT = resolve(import.meta.dirname, '..');
const RUNS = 7;
// Inside the repository, so that `@aws-sdk/*` left outside the bundle resolves to node_modules as
// it resolves to the runtime's copy in Lambda.
const work = mkdtempSync(join(ROOT, '.aws-sam', 'bench-'));
const samBuild = join(work, 'sam');
process.stderr.write(`sam build into ${samBuild} ...\n`);
try {
  execFileSync('bash', [join(ROOT, 'scripts', 'sam-build.sh'), samBuild], { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
} catch (err) {
  process.stderr.write(String((err as { stderr?: Buffer }).stderr ?? err));
  throw err;
}

// The other choice for each function, built from the template's own build properties: the SDK
// inside where the runtime's is used, and the other way round.
type BuildProperties = { EntryPoints: string[]; Format: 'esm'; Target: string; Minify: boolean; Banner: string[]; Splitting?: boolean; External?: string[] };
const template = parseTemplate(readFileSync(join(ROOT, 'template.yaml'), 'utf8')) as { Resources: Record<string, { Metadata?: { BuildProperties?: BuildProperties } }> };
const functions = readdirSync(samBuild).filter((d) => existsSync(join(samBuild, d, 'handler.mjs'))).sort();
const otherChoice = new Map<string, { dir: string; label: string }>();
for (const fn of functions) {
  const props = template.Resources[fn]!.Metadata!.BuildProperties!;
  const runtimeSdk = (props.External ?? []).includes('@aws-sdk/*');
  const dir = join(work, 'other', fn);
  await build({
    entryPoints: props.EntryPoints.map((e) => join(ROOT, e)),
    bundle: true,
    platform: 'node',
    format: props.Format,
    target: props.Target,
    minify: props.Minify,
    splitting: props.Splitting ?? false,
    external: runtimeSdk ? [] : ['@aws-sdk/*'],
    banner: { js: props.Banner[0]!.replace(/^js=/, '') },
    outdir: dir,
    outExtension: { '.js': '.mjs' },
    logLevel: 'error',
  });
  otherChoice.set(fn, { dir, label: runtimeSdk ? 'SDK inside' : 'runtime SDK' });
}

const moto = await startMoto();
const PARAMETER = '/runtime-warden/bench/catalog';
await writeCatalogParameter(new SSMClient(moto.clientConfig), PARAMETER, DEFAULT_CATALOG);
const env = {
  ...process.env,
  AWS_REGION: moto.clientConfig.region,
  AWS_ENDPOINT_URL: moto.endpoint,
  AWS_ACCESS_KEY_ID: moto.clientConfig.credentials.accessKeyId,
  AWS_SECRET_ACCESS_KEY: moto.clientConfig.credentials.secretAccessKey,
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  POWERTOOLS_LOG_LEVEL: 'SILENT',
  CATALOG_PARAMETER: PARAMETER,
};
const event = readFileSync(join(ROOT, 'test', 'events', 'hook', 'create-nodejs16.json'), 'utf8');

/** Median wall time of RUNS fresh node processes running `code`. */
function median(code: string, cwd: string): number {
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const start = performance.now();
    execFileSync(process.execPath, ['--input-type=module', '-e', code], { cwd, env });
    times.push(performance.now() - start);
  }
  return times.sort((a, b) => a - b)[Math.floor(RUNS / 2)]!;
}

const kb = (dir: string, files: Iterable<string>): number => [...files].reduce((n, f) => n + statSync(join(dir, f)).size, 0) / 1024;

try {
  const bare = median('', ROOT);
  console.log(`node ${process.version}, bare start ${bare.toFixed(0)} ms (median of ${RUNS})\n`);
  console.log(`${'function'.padEnd(46)}  init KB  total KB   init ms  first answer ms`);
  const row = (name: string, dir: string): void => {
    const file = join(dir, 'handler.mjs');
    const init = median(`await import(${JSON.stringify(file)});`, dir) - bare;
    const answer = name.startsWith('RuntimeHookFunction')
      ? (median(`const m = await import(${JSON.stringify(file)}); const r = await m.handler(${event}); if (r.hookStatus !== 'FAILED') throw new Error(JSON.stringify(r));`, dir) - bare).toFixed(0)
      : '';
    const all = readdirSync(dir).filter((f) => f.endsWith('.mjs'));
    console.log(`${name.padEnd(46)} ${kb(dir, initFiles(dir)).toFixed(0).padStart(9)} ${kb(dir, all).toFixed(0).padStart(9)} ${init.toFixed(0).padStart(9)} ${answer.padStart(16)}`);
  };
  for (const fn of functions) {
    const props = template.Resources[fn]!.Metadata!.BuildProperties!;
    row(`${fn} (${(props.External ?? []).includes('@aws-sdk/*') ? 'runtime SDK' : 'SDK inside'})`, join(samBuild, fn));
  }
  console.log('\nThe other choice, not deployed:');
  for (const fn of functions) row(`${fn} (${otherChoice.get(fn)!.label})`, otherChoice.get(fn)!.dir);
  // The CLI package (scripts/pack-cli.mjs) from the committed bundle: what `npm install` downloads
  // and, with no dependencies, all it puts on disk.
  const tarball = execFileSync(process.execPath, [join(ROOT, 'scripts', 'pack-cli.mjs'), join(work, 'cli'), '--prebuilt'], { cwd: ROOT, encoding: 'utf8' }).trim().split('\n').pop()!;
  const listing = execFileSync('tar', ['tvzf', tarball], { encoding: 'utf8' }).trim().split('\n');
  const unpacked = listing.reduce((n, l) => n + Number(l.trim().split(/\s+/)[2]), 0);
  console.log(`\nCLI package: tarball ${(statSync(tarball).size / 1024).toFixed(0)} KB, installed ${(unpacked / 1024 / 1024).toFixed(1)} MB in ${listing.length} files, no dependencies`);
} finally {
  await moto.stop();
  rmSync(work, { recursive: true, force: true });
}
