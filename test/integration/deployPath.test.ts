import { CreateBucketCommand, GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseTemplate } from '../../shared/template/parse.js';
import { startMoto, type MotoServer } from '../../scripts/emulator/moto.js';
import { loadTemplate } from '../helpers/cfnRender.js';
import { ROOT } from '../helpers/fixtures.js';

// The README's commands in order, as far as they go without AWS: the `make build` recipe,
// `sam package` against moto's S3 on loopback, then scripts/stackset-template.py on what it wrote.

const run = promisify(execFile);
const BUCKET = 'rw-artifacts-eu-west-1';
const PREFIX = 'rw-artifacts';
// The properties through which `sam package` and the StackSet template name an artifact.
const ARTIFACT_PROPERTIES = new Set(['CodeUri', 'Code', 'ContentUri', 'DefinitionUri', 'Location', 'TemplateURL']);

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

function* entries(node: Json, path = ''): Generator<[string, string, Json]> {
  if (Array.isArray(node)) for (const [i, v] of node.entries()) yield* entries(v, `${path}/${i}`);
  else if (node && typeof node === 'object')
    for (const [k, v] of Object.entries(node)) {
      yield [`${path}/${k}`, k, v];
      yield* entries(v, `${path}/${k}`);
    }
}

/** Every string in the template that names something on this machine (dir: the template's folder). */
function localPaths(template: Json, dir: string): string[] {
  const local = (s: string): boolean =>
    s.includes(ROOT) || s.includes(dir) || s.includes('../') || s.startsWith('./') || (s.length > 1 && existsSync(isAbsolute(s) ? s : resolve(dir, s)));
  return [...entries(template)].flatMap(([path, , v]) => (typeof v === 'string' && local(v) ? [`${path}: ${v}`] : []));
}

/** bucket/key of every artifact the template names; anything not on S3 is reported as such. */
function artifacts(template: Json, region: string): { located: string[]; objects: { path: string; bucket: string; key: string }[] } {
  const located: string[] = [];
  const objects: { path: string; bucket: string; key: string }[] = [];
  const bucketName = (b: Json): string => (typeof b === 'object' && b && 'Fn::Sub' in b ? String(b['Fn::Sub']).replace('${AWS::Region}', region) : String(b));
  for (const [path, key, v] of entries(template)) {
    if (!ARTIFACT_PROPERTIES.has(key)) continue;
    const s3 = typeof v === 'string' ? /^s3:\/\/([^/]+)\/(.+)$/.exec(v) : null;
    if (s3) objects.push({ path, bucket: s3[1]!, key: s3[2]! });
    else if (v && typeof v === 'object' && !Array.isArray(v) && ('S3Key' in v || 'Key' in v)) objects.push({ path, bucket: bucketName(v.S3Bucket ?? v.Bucket ?? null), key: String(v.S3Key ?? v.Key) });
    else located.push(`${path}: ${JSON.stringify(v)}`);
  }
  return { located, objects };
}

describe('the README deploy path: make build, sam package, the StackSet template', () => {
  const work = mkdtempSync(join(tmpdir(), 'rw-deploy-'));
  let moto: MotoServer;
  let s3: S3Client;
  let packaged: Json;
  let release: { url: string; template: Json };

  // One build for the file: slow on a loaded 2-CPU machine, so the bound is generous.
  beforeAll(async () => {
    moto = await startMoto();
    s3 = new S3Client({ ...moto.clientConfig, forcePathStyle: true });
    await s3.send(new CreateBucketCommand({ Bucket: BUCKET, CreateBucketConfiguration: { LocationConstraint: 'eu-west-1' } }));
    // `make build`'s own recipe, into a folder of this test's instead of .aws-sam/build.
    const recipe = /^build:.*\n\t(.+)$/m.exec(readFileSync(join(ROOT, 'Makefile'), 'utf8'))?.[1];
    expect(recipe).toMatch(/ \.aws-sam\/build$/);
    const build = join(work, 'build');
    await run('bash', ['-c', recipe!.replace(/\.aws-sam\/build$/, build)], { cwd: ROOT, env: { ...process.env, SAM_CLI_TELEMETRY: '0' }, maxBuffer: 64 * 1024 * 1024 });
    // The SDK's own endpoint setting points the SAM CLI at moto (AWS SDKs and Tools Reference
    // Guide, "Service-specific endpoints"); no profile or credentials of the machine take part.
    const aws = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('AWS_')));
    const env = {
      ...aws,
      SAM_CLI_TELEMETRY: '0',
      AWS_ENDPOINT_URL: moto.endpoint,
      AWS_ACCESS_KEY_ID: 'testing',
      AWS_SECRET_ACCESS_KEY: 'testing',
      AWS_REGION: 'eu-west-1',
      AWS_DEFAULT_REGION: 'eu-west-1',
      AWS_CONFIG_FILE: join(work, 'no-config'),
      AWS_SHARED_CREDENTIALS_FILE: join(work, 'no-credentials'),
    };
    const packagedFile = join(work, 'packaged.yaml');
    await run(join(ROOT, '.venv', 'bin', 'sam'), ['package', '--template-file', join(build, 'template.yaml'), '--s3-bucket', BUCKET, '--output-template-file', packagedFile], { cwd: ROOT, env, maxBuffer: 64 * 1024 * 1024 });
    packaged = parseTemplate(readFileSync(packagedFile, 'utf8')) as Json;
    const { stdout } = await run(join(ROOT, '.venv', 'bin', 'python'), [join(ROOT, 'scripts', 'stackset-template.py'), '--release', join(work, 'release'), packagedFile, PREFIX], { cwd: ROOT, maxBuffer: 16 * 1024 * 1024 });
    const url = stdout.trim();
    const key = new URL(url).pathname.slice(1);
    release = { url, template: JSON.parse(readFileSync(join(work, 'release', key), 'utf8')) as Json };
  }, 900_000);
  afterAll(async () => {
    s3?.destroy();
    await moto?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  const object = async (bucket: string, key: string): Promise<Buffer> => Buffer.from(await (await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }))).Body!.transformToByteArray());

  it('packages every function to S3: the objects exist', async () => {
    const { located, objects } = artifacts(packaged, 'eu-west-1');
    expect(located).toEqual([]);
    const functions = Object.entries((packaged as { Resources: Record<string, { Type: string }> }).Resources).filter(([, r]) => r.Type === 'AWS::Serverless::Function');
    expect(functions.length).toBeGreaterThanOrEqual(7);
    for (const [id] of functions) expect(objects.map((o) => o.path), id).toContain(`/Resources/${id}/Properties/CodeUri`);
    for (const o of objects) expect(o.bucket, o.path).toBe(BUCKET);
    for (const o of objects) expect((await object(o.bucket, o.key)).length, o.path).toBeGreaterThan(0);
  });

  it('leaves no local path in the packaged template', () => {
    expect(localPaths(packaged, work)).toEqual([]);
  });

  it('renders a StackSet template whose code is in <prefix>-${AWS::Region} objects that exist, with no local path, under a release URL central.yaml accepts', async () => {
    const { located, objects } = artifacts(release.template, 'eu-west-1');
    expect(located).toEqual([]);
    const functions = Object.entries((release.template as { Resources: Record<string, { Type: string }> }).Resources).filter(([, r]) => r.Type === 'AWS::Lambda::Function');
    expect(functions.length).toBeGreaterThanOrEqual(7);
    for (const [id] of functions) expect(objects.map((o) => o.path), id).toContain(`/Resources/${id}/Properties/Code`);
    for (const o of objects) expect((await object(o.bucket, o.key)).length, o.path).toBeGreaterThan(0);
    expect(localPaths(release.template, work)).toEqual([]);
    const pattern = (loadTemplate('org/central.yaml').Parameters!.MemberTemplateUrl as { AllowedPattern: string }).AllowedPattern;
    expect(release.url).toMatch(new RegExp(pattern));
    expect(release.url.startsWith(`https://${BUCKET}.s3.eu-west-1.amazonaws.com/runtime-warden/`)).toBe(true);
  });
});
