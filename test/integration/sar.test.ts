import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadTemplate } from '../helpers/cfnRender.js';
import { ROOT } from '../helpers/fixtures.js';
import { transformTemplate } from '../helpers/samTransform.js';

// SAR publishes only templates whose resource types are on its list ("List of Supported AWS
// Resources", AWS Serverless Application Repository Developer Guide; the fixture says which copy).
// It stores the template as packaged, AWS::Serverless resources and all, and deploys it through
// CloudFormation, which runs the transform: the guide does not say which of the two it checks, so
// both must pass.
const sar = JSON.parse(readFileSync(join(ROOT, 'test', 'fixtures', 'sar-supported-resources.json'), 'utf8')) as { types: string[] };

describe('Serverless Application Repository', () => {
  const work = mkdtempSync(join(tmpdir(), 'rw-sar-'));
  afterAll(() => rmSync(work, { recursive: true, force: true }), 120_000);

  it('is claimed by template.yaml only if SAR supports every resource type it would publish', async () => {
    // Prepare: `sam package` changes where the code is, not which resources there are.
    const template = loadTemplate('template.yaml');
    const supported = new Set(sar.types);
    // Act
    const transformed = await transformTemplate(template, work);
    const types = new Set([...Object.values(template.Resources), ...Object.values(transformed.Resources)].map((r) => r.Type));
    const unsupported = [...types].filter((t) => !supported.has(t)).sort();
    // Assess: the hooks, the product's deploy-time half, are what SAR cannot take (README, "Publishing").
    expect(unsupported).toEqual(['AWS::CloudFormation::GuardHook', 'AWS::CloudFormation::LambdaHook']);
    const claimsSar = Object.keys((template.Metadata ?? {}) as Record<string, unknown>).includes('AWS::ServerlessRepo::Application');
    expect(claimsSar, `Metadata AWS::ServerlessRepo::Application with unsupported types: ${unsupported.join(', ')}`).toBe(unsupported.length === 0);
  }, 120_000);
});
