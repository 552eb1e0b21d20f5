import { describe, expect, it } from 'vitest';
import { DEFAULT_POLICY } from '../../shared/index.js';
import { asffBatches, asffFinding, BATCH_FINDINGS } from '../../shared/report/asff.js';
import { inventoryRow } from '../../shared/report/inventory.js';
import { facts } from '../helpers/fixtures.js';

const NOW = Date.parse('2026-11-23T00:00:00Z');
const LATER = Date.parse('2026-11-30T00:00:00Z');

describe('Security Hub findings (ASFF)', () => {
  it('keeps the Id and CreatedAt of a function across reports, so that a re-import updates its finding', () => {
    const f = facts({ name: 'orders-api', runtime: 'java8' });
    const [a, b] = [NOW, LATER].map((now) => asffFinding(inventoryRow(f, DEFAULT_POLICY, now), now));
    expect(a!.Id).toBe('arn:aws:lambda:eu-west-1:123456789012:function:orders-api/runtime-warden/runtime-lifecycle');
    expect(b!.Id).toBe(a!.Id);
    // The earliest day its condition held: the tier's move-by (java8's deprecation, 2024-01-08, less 30 days).
    expect([a!.CreatedAt, b!.CreatedAt]).toEqual(['2023-12-09T00:00:00.000Z', '2023-12-09T00:00:00.000Z']);
    expect([a!.UpdatedAt, b!.UpdatedAt]).toEqual(['2026-11-23T00:00:00.000Z', '2026-11-30T00:00:00.000Z']);
    expect(a).toMatchObject({ ProductArn: 'arn:aws:securityhub:eu-west-1:123456789012:product/123456789012/default', AwsAccountId: '123456789012', Compliance: { Status: 'FAILED' }, Severity: { Label: 'HIGH' }, RecordState: 'ACTIVE' });
    expect(a!.ProductFields['runtime-warden/nextWall']).toBe('block-update 2027-03-03 (100 days)');
  });

  it('archives the finding of a function with nothing to say, and warns of a waiver', () => {
    const ok = asffFinding(inventoryRow(facts({ runtime: 'nodejs24.x' }), DEFAULT_POLICY, NOW), NOW);
    expect([ok.Compliance.Status, ok.RecordState, ok.Severity.Label]).toEqual(['PASSED', 'ARCHIVED', 'INFORMATIONAL']);
    const waived = asffFinding(inventoryRow(facts({ runtime: 'nodejs16.x', tags: { 'runtime-warden:waiver': '2026-12-31 next sprint' } }), DEFAULT_POLICY, NOW), NOW);
    expect([waived.Compliance.Status, waived.RecordState]).toEqual(['WARNING', 'ACTIVE']);
    expect(waived.Description).toContain('Waivers: tag waiver RW004 until 2026-12-31: next sprint.');
  });

  it('cuts Title and Description to ASFF\'s limits', () => {
    const long = asffFinding(inventoryRow(facts({ name: 'f'.repeat(64), runtime: 'nodejs16.x', tags: { owner: 'x'.repeat(900) } }), DEFAULT_POLICY, NOW), NOW);
    expect(long.Title.length).toBeLessThanOrEqual(256);
    expect(long.Description.length).toBeLessThanOrEqual(1024);
  });

  it('batches 100 findings a request, one account and region each, and leaves out what cannot be imported', () => {
    const rows = [
      ...Array.from({ length: 250 }, (_, i) => inventoryRow(facts({ name: `a${i}`, region: 'eu-west-1' }), DEFAULT_POLICY, NOW)),
      ...Array.from({ length: 30 }, (_, i) => inventoryRow(facts({ name: `b${i}`, region: 'us-east-1', accountId: '210987654321' }), DEFAULT_POLICY, NOW)),
      inventoryRow(facts({ name: 'nowhere', accountId: undefined }), DEFAULT_POLICY, NOW),
    ];
    const batches = asffBatches(rows, NOW);
    expect(batches.map((b) => [b.accountId, b.region, b.request.Findings.length])).toEqual([
      ['123456789012', 'eu-west-1', BATCH_FINDINGS],
      ['123456789012', 'eu-west-1', BATCH_FINDINGS],
      ['123456789012', 'eu-west-1', 50],
      ['210987654321', 'us-east-1', 30],
    ]);
    expect(new Set(batches.flatMap((b) => b.request.Findings.map((f) => f.Id))).size).toBe(280);
  });
});
