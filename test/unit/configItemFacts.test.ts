import { describe, expect, it } from 'vitest';
import { factsFromAggregatorResult, factsFromConfigurationItem } from '../../shared/adapters/configItem.js';
import { factsFromFunctionConfiguration, isoInstant, versionFacts, withQualifier } from '../../shared/adapters/lambdaApi.js';
import { DEFAULT_POLICY, evaluate, InvalidEventError, verdict } from '../../shared/index.js';
import { NOW } from '../helpers/fixtures.js';

const item = { resourceType: 'AWS::Lambda::Function', resourceId: 'orders-ingest', awsRegion: 'eu-west-1', awsAccountId: '123456789012' };

describe('facts from Config items and Lambda responses', () => {
  it('read a history item, whose configuration is a JSON string', () => {
    const facts = factsFromConfigurationItem({ ...item, configuration: JSON.stringify({ functionName: 'orders-ingest', runtime: 'python3.8', lastModified: '2025-02-11T09:14:27.518+0000', layers: [{ arn: 'arn:aws:lambda:eu-west-1:123456789012:layer:x:1' }] }), tags: { owner: 'a' } });
    expect(facts).toMatchObject({ name: 'orders-ingest', runtime: 'python3.8', accountId: '123456789012', region: 'eu-west-1', lastModified: '2025-02-11T09:14:27.518Z', layers: ['arn:aws:lambda:eu-west-1:123456789012:layer:x:1'], tags: { owner: 'a' }, qualifier: '$LATEST' });
    expect(facts.updateMode).toBeUndefined();
  });

  it("read the architectures from a Config item and a Lambda response alike, so RW018 holds a layer's to them; refuse a malformed list", () => {
    const layer = 'arn:aws:lambda:eu-west-1:123456789012:layer:x:1';
    const fromConfig = factsFromConfigurationItem({ ...item, configuration: { functionName: 'orders-ingest', runtime: 'python3.13', architectures: ['arm64'], layers: [{ arn: layer }] } });
    const fromLambda = factsFromFunctionConfiguration({ FunctionName: 'orders-ingest', Runtime: 'python3.13', Architectures: ['arm64'], Layers: [{ Arn: layer }] });
    for (const facts of [fromConfig, fromLambda]) {
      expect(facts.architectures).toEqual(['arm64']);
      const withLayer = { ...facts, layerVersions: [{ arn: layer, compatibleRuntimes: ['python3.13'], compatibleArchitectures: ['x86_64'] }] };
      expect(evaluate(withLayer, DEFAULT_POLICY, NOW).map((f) => [f.ruleId, f.message])).toEqual([['RW018', 'Layer x:1 declares architectures x86_64, not arm64.']]);
    }
    expect(() => factsFromConfigurationItem({ ...item, configuration: { functionName: 'orders-ingest', architectures: 'arm64' } })).toThrow(/configuration\.architectures must be a list of strings/);
  });

  it('refuse a configuration that is not JSON, naming the resource', () => {
    expect(() => factsFromConfigurationItem({ ...item, configuration: '{broken' })).toThrow(new InvalidEventError('Configuration item orders-ingest has a configuration that is not JSON'));
  });

  it('read aggregator rows and refuse ones that are not JSON', () => {
    expect(factsFromAggregatorResult(JSON.stringify({ accountId: '111111111111', awsRegion: 'us-east-1', resourceId: 'f', configuration: { runtime: 'java21' }, tags: [{ key: 'team', value: 'x' }] }))).toMatchObject({ name: 'f', accountId: '111111111111', region: 'us-east-1', runtime: 'java21', tags: { team: 'x' } });
    expect(() => factsFromAggregatorResult('oops')).toThrow(/^Aggregator result is not JSON: oops/);
  });

  it("read Lambda's own time format and leave an unreadable one out", () => {
    expect(isoInstant('2024-03-01T10:00:00.000+0000')).toBe('2024-03-01T10:00:00.000Z');
    expect(isoInstant('yesterday')).toBeUndefined();
    const image = factsFromFunctionConfiguration({ FunctionName: 'img', PackageType: 'Image', Runtime: 'nodejs16.x' });
    expect(image.packageType).toBe('Image');
    expect(image.runtime).toBeUndefined();
  });

  it('name a published version by its ARN, whether the function ARN came qualified or not', () => {
    const fn = 'arn:aws-cn:lambda:cn-north-1:123456789012:function:orders-ingest';
    expect([fn, `${fn}:$LATEST`, `${fn}:prod`].map((arn) => withQualifier(arn, '7'))).toEqual(Array(3).fill(`${fn}:7`));
  });

  it("give a published version the function's tags and the first sighting of its waiver tag, so a renewed tag waiver is refused for it too", () => {
    const tags = { 'runtime-warden:waiver': '2027-02-15 still migrating' };
    const latest = { ...factsFromFunctionConfiguration({ FunctionName: 'orders', Runtime: 'nodejs22.x' }, { tags }), waiverTagSince: '2026-10-01' };
    const v1 = versionFacts({ FunctionName: 'orders', Runtime: 'nodejs16.x', Version: '1' }, latest);
    expect(v1).toMatchObject({ qualifier: '1', runtime: 'nodejs16.x', tags, waiverTagSince: '2026-10-01' });
    expect(verdict(evaluate(v1, DEFAULT_POLICY, NOW)).compliance).toBe('NON_COMPLIANT');
    expect(verdict(evaluate({ ...v1, waiverTagSince: undefined } as never, DEFAULT_POLICY, NOW)).compliance).toBe('COMPLIANT');
  });
});
