import { describe, expect, it } from 'vitest';
import { factsFromResourceProperties, InvalidFunctionPropertiesError } from '../../shared/index.js';
import { lambdaFunctionsOf } from '../../shared/template/functions.js';
import { parseTemplate } from '../../shared/template/parse.js';

const ctx = { logicalId: 'OrdersFunction', accountId: '123456789012', region: 'eu-west-1' };

describe('facts from CloudFormation properties', () => {
  it('normalises a function resource', () => {
    expect(
      factsFromResourceProperties(
        {
          FunctionName: 'orders-api',
          Runtime: 'nodejs22.x',
          Tags: [{ Key: 'runtime-warden:tier', Value: 'critical' }, { Key: 'cost-centre', Value: 4711 }],
          Layers: ['arn:aws:lambda:eu-west-1:123456789012:layer:common:7'],
          RuntimeManagementConfig: { UpdateRuntimeOn: 'Manual', RuntimeVersionArn: 'arn:aws:lambda:eu-west-1::runtime:0af1' },
        },
        ctx,
      ),
    ).toEqual({
      name: 'orders-api',
      logicalId: 'OrdersFunction',
      accountId: '123456789012',
      region: 'eu-west-1',
      runtime: 'nodejs22.x',
      packageType: 'Zip',
      updateMode: 'Manual',
      runtimeVersionArn: 'arn:aws:lambda:eu-west-1::runtime:0af1',
      tags: { 'runtime-warden:tier': 'critical', 'cost-centre': '4711' },
      layers: ['arn:aws:lambda:eu-west-1:123456789012:layer:common:7'],
    });
  });

  it('defaults to Auto and to the logical id as name, and reads SAM tag maps', () => {
    expect(factsFromResourceProperties({ Runtime: 'python3.13', Tags: { team: 'x' } }, ctx)).toMatchObject({ name: 'OrdersFunction', updateMode: 'Auto', tags: { team: 'x' } });
  });

  it('recognises a container image by PackageType, as Lambda does, ignoring an inherited Runtime', () => {
    expect(factsFromResourceProperties({ PackageType: 'Image', Code: { ImageUri: 'x' } }, ctx)).toMatchObject({ packageType: 'Image' });
    const sam = factsFromResourceProperties({ PackageType: 'Image', ImageUri: 'repo:tag', Runtime: 'nodejs16.x' }, ctx);
    expect(sam.packageType).toBe('Image');
    expect(sam.runtime).toBeUndefined();
  });

  it('takes an ImageUri key without PackageType Image for what Lambda makes of it: a Zip function', () => {
    for (const props of [
      { Runtime: 'nodejs16.x', Code: { S3Bucket: 'b', S3Key: 'k', ImageUri: '' } },
      { Runtime: 'nodejs16.x', Code: { ZipFile: 'x' }, ImageUri: null },
      { Runtime: 'nodejs16.x', PackageType: 'Zip', ImageUri: 'repo:tag' },
      { Runtime: 'nodejs16.x', Code: './src' },
    ]) {
      expect(factsFromResourceProperties(props, ctx)).toMatchObject({ packageType: 'Zip', runtime: 'nodejs16.x' });
    }
  });

  it('rejects properties it cannot judge, naming them', () => {
    expect(() => factsFromResourceProperties({ Runtime: { Ref: 'Runtime' } }, ctx)).toThrow(InvalidFunctionPropertiesError);
    expect(() => factsFromResourceProperties({ Tags: 'team=x' }, ctx)).toThrow(/Resource OrdersFunction has invalid Lambda function properties: Tags: /);
    expect(() => factsFromResourceProperties({ PackageType: 'Jar' }, ctx)).toThrow(/PackageType: /);
  });
});

describe('functions of a template', () => {
  it("fills SAM Globals.Function in where the function does not override, leaving plain Lambda resources alone", () => {
    const template = parseTemplate(`
Globals:
  Function:
    Runtime: nodejs16.x
    Tags: { owner: orders }
    RuntimeManagementConfig: { UpdateRuntimeOn: FunctionUpdate }
Resources:
  Inherits:
    Type: AWS::Serverless::Function
    Properties: { Tags: { tier: critical } }
  Overrides:
    Type: AWS::Serverless::Function
    Properties: { Runtime: nodejs22.x }
  Plain:
    Type: AWS::Lambda::Function
    Properties: { Runtime: python3.13 }
  IgnoresSome:
    Type: AWS::Serverless::Function
    IgnoreGlobals: [Runtime, RuntimeManagementConfig]
    Properties: { PackageType: Image, ImageUri: repo:1 }
  IgnoresAll:
    Type: AWS::Serverless::Function
    IgnoreGlobals: '*'
    Properties: { Runtime: python3.13 }
  Bucket:
    Type: AWS::S3::Bucket
`);
    const functions = lambdaFunctionsOf(template);
    // Where each value is written: the resource's own properties apart from what Globals gave it.
    expect(functions.find((f) => f.logicalId === 'Overrides')).toMatchObject({ own: { Runtime: 'nodejs22.x' }, inherited: { Tags: { owner: 'orders' }, RuntimeManagementConfig: { UpdateRuntimeOn: 'FunctionUpdate' } } });
    expect(functions.map(({ own: _own, inherited: _inherited, ...rest }) => rest)).toEqual([
      { logicalId: 'Inherits', type: 'AWS::Serverless::Function', properties: { Runtime: 'nodejs16.x', Tags: { owner: 'orders', tier: 'critical' }, RuntimeManagementConfig: { UpdateRuntimeOn: 'FunctionUpdate' } }, fromGlobals: new Set(['Runtime', 'RuntimeManagementConfig']) },
      { logicalId: 'Overrides', type: 'AWS::Serverless::Function', properties: { Runtime: 'nodejs22.x', Tags: { owner: 'orders' }, RuntimeManagementConfig: { UpdateRuntimeOn: 'FunctionUpdate' } }, fromGlobals: new Set(['Tags', 'RuntimeManagementConfig']) },
      { logicalId: 'Plain', type: 'AWS::Lambda::Function', properties: { Runtime: 'python3.13' }, fromGlobals: new Set() },
      { logicalId: 'IgnoresSome', type: 'AWS::Serverless::Function', properties: { PackageType: 'Image', ImageUri: 'repo:1', Tags: { owner: 'orders' } }, fromGlobals: new Set(['Tags']) },
      { logicalId: 'IgnoresAll', type: 'AWS::Serverless::Function', properties: { Runtime: 'python3.13' }, fromGlobals: new Set() },
    ]);
  });

  it('finds nothing in what is not a template', () => {
    expect(lambdaFunctionsOf(null)).toEqual([]);
    expect(lambdaFunctionsOf({ Resources: [] })).toEqual([]);
  });
});
