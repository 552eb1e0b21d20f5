import { CloudWatchLogsClient, CreateLogGroupCommand, CreateLogStreamCommand, PutLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { GetFunctionCommand } from '@aws-sdk/client-lambda';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ROLLBACK_FROM_TAG, ROLLBACK_TAG } from '../../shared/remediation/rollback.js';
import { seedFleet } from '../../scripts/emulator/fleet.js';
import { ROOT } from '../helpers/fixtures.js';
import { motoPerTest } from '../helpers/motoPerTest.js';
import { runCommand } from '../helpers/runCommand.js';
import { startRuntimeManagementProxy, type RuntimeManagementProxy } from '../helpers/runtimeManagementProxy.js';

// The built CLI's `rollback` against moto's server: the function and its tags in moto's Lambda,
// its INIT_START lines in moto's CloudWatch Logs (read by the CLI's own Logs client), and the
// runtime update mode through a loopback proxy that adds the two calls moto lacks.

const BIN = join(ROOT, 'dist', 'runtime-warden.mjs');
const A = 'arn:aws:lambda:eu-west-1::runtime:aaaa1111aaaa1111aaaa1111aaaa1111aaaa1111aaaa1111aaaa1111aaaa1111';
const B = 'arn:aws:lambda:eu-west-1::runtime:bbbb2222bbbb2222bbbb2222bbbb2222bbbb2222bbbb2222bbbb2222bbbb2222';
const H = 3_600_000;

describe('runtime-warden rollback', () => {
  const emu = motoPerTest();
  let proxy: RuntimeManagementProxy;
  const cli = (args: string[]) =>
    runCommand(process.execPath, [BIN, 'rollback', ...args], {
      cwd: ROOT,
      env: { ...process.env, AWS_ENDPOINT_URL: proxy.endpoint, AWS_REGION: 'eu-west-1', AWS_ACCESS_KEY_ID: 'testing', AWS_SECRET_ACCESS_KEY: 'testing', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', USER: 'alice' },
    });

  beforeEach(async () => {
    proxy = await startRuntimeManagementProxy(emu.moto.endpoint);
    await seedFleet(emu.moto.clientConfig, [{ name: 'pdf-render', runtime: 'nodejs22.x', tags: { 'runtime-warden:tier': 'important' } }]);
    // A function that ran version A and, since a runtime update two hours ago, B.
    const logs = new CloudWatchLogsClient(emu.moto.clientConfig);
    const group = '/aws/lambda/pdf-render';
    await logs.send(new CreateLogGroupCommand({ logGroupName: group }));
    await logs.send(new CreateLogStreamCommand({ logGroupName: group, logStreamName: 's1' }));
    const now = Date.now();
    const line = (t: number, version: string, arn: string) => [
      { timestamp: t, message: `INIT_START Runtime Version: ${version}\tRuntime Version ARN: ${arn}\n` },
      { timestamp: t + 1, message: 'START RequestId: 1 Version: $LATEST\n' },
    ];
    await logs.send(new PutLogEventsCommand({ logGroupName: group, logStreamName: 's1', logEvents: [...line(now - 30 * H, 'nodejs:22.v41', A), ...line(now - 2 * H, 'nodejs:22.v42', B)] }));
    logs.destroy();
  });
  afterEach(async () => {
    await proxy.close();
  });

  it('lists its options in --help', async () => {
    const r = await cli(['--help']);
    expect(r.code).toBe(0);
    for (const option of ['--to <arn>', '--undo', '--dry-run', '--reason <text>', '--by <name>', '--topic <sns-arn>', '--since <days>', '--policy <file>']) expect(r.stdout).toContain(option);
    expect(r.stdout).toContain('Usage: runtime-warden rollback [options] <function>');
  });

  it('says what a dry run would pin and changes nothing; then pins version A, tags it, and --undo restores the tier mode', async () => {
    const dry = await cli(['pdf-render', '--reason', 'pdf rendering fails since v42', '--dry-run']);
    expect(dry.stderr).toBe('');
    expect(dry).toMatchObject({ code: 0 });
    expect(dry.stdout).toMatch(/^Dry run, nothing changed: Pin pdf-render to runtime version nodejs:22\.v41 /);
    expect(proxy.modes.get('pdf-render')).toBeUndefined();

    const done = await cli(['pdf-render', '--reason', 'pdf rendering fails since v42']);
    expect(done.stderr).toBe('');
    expect(done.stdout).toMatch(/^Done: Pin pdf-render to runtime version nodejs:22\.v41 /);
    expect(proxy.modes.get('pdf-render')).toEqual({ UpdateRuntimeOn: 'Manual', RuntimeVersionArn: A });
    const tags = (await emu.lambda.send(new GetFunctionCommand({ FunctionName: 'pdf-render' }))).Tags!;
    expect(tags[ROLLBACK_TAG]).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z by alice: pdf rendering fails since v42$/);
    expect(tags[ROLLBACK_FROM_TAG]).toBe(B);

    const undone = await cli(['pdf-render', '--undo']);
    expect(undone.stdout).toMatch(/^Done: Return pdf-render to Auto, the important tier's mode, from Manual on /);
    expect(proxy.modes.get('pdf-render')).toEqual({ UpdateRuntimeOn: 'Auto' });
    const after = (await emu.lambda.send(new GetFunctionCommand({ FunctionName: 'pdf-render' }))).Tags!;
    expect(Object.keys(after)).toEqual(['runtime-warden:tier']);
  });

  it('refuses a rollback without a reason, and an unknown function, in one line with exit 2', async () => {
    const noReason = await cli(['pdf-render', '--to', A]);
    expect(noReason.code).toBe(2);
    expect(noReason.stderr.trim().split('\n')).toHaveLength(1);
    expect(proxy.modes.get('pdf-render')).toBeUndefined();
    const unknown = await cli(['nope', '--reason', 'x', '--to', A]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/^runtime-warden: Could not read nope: ResourceNotFoundException/);
  });

  it('loads the CloudWatch Logs client only for rollback: the entry file that scans does not hold it', () => {
    expect(readFileSync(BIN, 'utf8')).not.toContain('FilterLogEventsCommand');
    const chunks = readdirSync(join(ROOT, 'dist', 'chunks')).filter((f) => readFileSync(join(ROOT, 'dist', 'chunks', f), 'utf8').includes('FilterLogEventsCommand'));
    expect(chunks.length).toBeGreaterThan(0);
  });
});
