import { LambdaClient, PublishLayerVersionCommand, type PublishLayerVersionCommandInput } from '@aws-sdk/client-lambda';
import { describe, expect, it } from 'vitest';
import { DEFAULT_POLICY, evaluate } from '../../shared/index.js';
import { LayerInventory } from '../../shared/io/layerInventory.js';
import { motoPerTest } from '../helpers/motoPerTest.js';
import { modelErrors } from '../helpers/awsModels.js';
import { facts, NOW } from '../helpers/fixtures.js';

// The layer inventory against moto's server: layers published with PublishLayerVersion, read
// back with GetLayerVersion (the call the inventory makes; moto lacks GetLayerVersionByArn).

describe('layer inventory against the emulator', () => {
  const emu = motoPerTest();
  const zip = { ZipFile: new TextEncoder().encode('layer') };
  const publish = async (input: Omit<PublishLayerVersionCommandInput, 'Content'>): Promise<string> =>
    (await emu.lambda.send(new PublishLayerVersionCommand({ ...input, Content: zip }))).LayerVersionArn!;


  it('reads what each layer version declares, once per ARN however many functions share it, within the limiter', async () => {
    const utils = await publish({ LayerName: 'shared-utils', CompatibleRuntimes: ['python3.8', 'python3.9'], CompatibleArchitectures: ['x86_64'] });
    const bare = await publish({ LayerName: 'bare' });
    let taken = 0;
    const inventory = new LayerInventory(emu.lambda, { beforeCall: async () => void taken++ });
    const [a, b] = await Promise.all([inventory.factsFor([utils, bare]), inventory.factsFor([utils])]);
    expect(a).toEqual([
      { arn: utils, compatibleRuntimes: ['python3.8', 'python3.9'], compatibleArchitectures: ['x86_64'] },
      { arn: bare, compatibleRuntimes: [], compatibleArchitectures: [] },
    ]);
    expect(b).toEqual([a![0]]);
    expect(inventory.calls).toBe(2);
    expect(taken).toBe(2);

    // What it shows: a python3.9 function with this layer is told which layer to publish for which runtime.
    const findings = evaluate(facts({ runtime: 'python3.9', layers: [utils, bare], layerVersions: a! }), DEFAULT_POLICY, NOW);
    expect(findings.map((f) => f.ruleId)).toEqual(['RW004', 'RW018', 'RW022']);
    expect(findings[1]!.message).toBe('Layer shared-utils:1 declares python3.8, python3.9, not python3.11: publish a version of `shared-utils` compatible with python3.11 first.');
  });

  it('persists: a second run from the snapshot makes no call', async () => {
    const utils = await publish({ LayerName: 'shared-utils', CompatibleRuntimes: ['nodejs22.x'] });
    const first = new LayerInventory(emu.lambda);
    await first.read([utils]);
    const again = new LayerInventory(emu.lambda, { known: JSON.parse(JSON.stringify(first.snapshot())) });
    expect((await again.read([utils])).layers.get(utils)).toEqual({ arn: utils, compatibleRuntimes: ['nodejs22.x'], compatibleArchitectures: [] });
    expect(again.calls).toBe(0);
  });

  it('leaves a function unjudged when one of its layers cannot be read, saying why', async () => {
    const utils = await publish({ LayerName: 'shared-utils', CompatibleRuntimes: ['nodejs22.x'] });
    const gone = utils.replace(/:1$/, ':9');
    const inventory = new LayerInventory(emu.lambda);
    expect(await inventory.factsFor([utils, gone])).toBeUndefined();
    const { failures } = await inventory.read([gone, 'shared-utils']);
    expect(failures).toEqual([
      { arn: gone, reason: 'layer version not found (deleted, or not shared with this account)' },
      { arn: 'shared-utils', reason: 'not a layer version ARN (arn:aws:lambda:REGION:ACCOUNT:layer:NAME:VERSION)' },
    ]);
    // Asked again within the run, the version that failed is not read again, nor persisted.
    expect(inventory.calls).toBe(2);
    expect(inventory.snapshot().map((r) => r.arn)).toEqual([utils]);
  });

  it('sends what the Lambda API model accepts', async () => {
    const utils = await publish({ LayerName: 'shared-utils', CompatibleRuntimes: ['nodejs22.x'] });
    const sent: unknown[] = [];
    const spy = new LambdaClient(emu.moto.clientConfig);
    spy.middlewareStack.add((next) => async (args) => (sent.push(args.input), next(args)), { step: 'initialize', name: 'capture' });
    await new LayerInventory(spy).read([utils]);
    expect(modelErrors(sent.map((params, i) => ({ id: `call ${i}`, api: 'lambda.GetLayerVersion', params })))).toEqual([]);
    expect(sent).toEqual([{ LayerName: utils.replace(/:1$/, ''), VersionNumber: 1 }]);
    spy.destroy();
  });
});
