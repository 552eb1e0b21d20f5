import { describe, expect, it } from 'vitest';
import { accountDigest, groupByOwner, readAccountDigest, type AccountDigestContent, type DigestEvent } from '../../shared/remediation/digest.js';
import { organisationDigest, OrganisationTally, ORGANISATION_DIGEST_KIND } from '../../shared/remediation/orgDigest.js';
import { NOW } from '../helpers/fixtures.js';

const STAGE_TEXT = ['breaks the policy', 'deprecated', 'function update blocked'] as const;
const event = (account: string, i: number, owner: string, stage = 1, daysLeft?: number): DigestEvent => ({
  functionKey: `${account}/eu-west-1/fn-${i}`,
  owner,
  line: `- fn-${account.slice(-2)}-${String(i).padStart(5, '0')}: RW004 runtime-deprecated; nodejs16.x: ${STAGE_TEXT[stage]}${daysLeft === undefined ? '' : `; function creation blocked 2027-02-01 (${daysLeft} days left)`} (new)`,
  recordedAt: NOW,
});
/** What the organisation's digest function reads off the queue: the real account digest, read back. */
const digestOf = (account: string, region: string, events: DigestEvent[], day = '2026-11-24'): AccountDigestContent => {
  const d = accountDigest(groupByOwner(events), { accountId: account, region }, day);
  const back = readAccountDigest(d.attributes, d.message);
  if (typeof back === 'string') throw new Error(back);
  return back;
};

describe('organisation digest', () => {
  it('adds up every account and region, every owner across accounts, and lists the most urgent first', () => {
    const tally = new OrganisationTally();
    tally.add(digestOf('111111111111', 'eu-west-1', [event('111111111111', 1, 'team-a'), event('111111111111', 2, 'team-b', 2)]));
    tally.add(digestOf('111111111111', 'us-east-1', [event('111111111111', 3, 'team-a', 1, 20)]));
    tally.add(digestOf('222222222222', 'eu-west-1', [event('222222222222', 4, 'team-a', 1, 5), event('222222222222', 5, 'team-c', 0)]));
    const d = organisationDigest({ tally, day: '2026-11-24', unreadable: 0 });
    expect(d.subject).toBe('[runtime-warden] organisation digest 2026-11-24: 5 functions, 2 accounts');
    expect(d.attributes).toEqual({ kind: ORGANISATION_DIGEST_KIND, day: '2026-11-24', functions: '5', accounts: '2' });
    expect(d.message).toContain('- 111111111111: 3 functions (eu-west-1 2, us-east-1 1)\n- 222222222222: 2 functions (eu-west-1 2)');
    expect(d.message).toContain('- team-a: 3 functions\n- team-b: 1 function\n- team-c: 1 function');
    // Update blocked first, then the nearest block date, then the rest.
    expect(d.message.split('\n').filter((l) => / fn-\d\d-/.test(l)).map((l) => /fn-\d\d-\d+/.exec(l)![0])).toEqual(['fn-11-00002', 'fn-22-00004', 'fn-11-00003', 'fn-11-00001', 'fn-22-00005']);
    expect(d.message).toMatch(/^- 222222222222 eu-west-1 fn-22-00004: .*\(5 days left\) \(new\); owner team-a$/m);
    expect(d.message).not.toContain('more (');
  });

  it('counts an account, region and day once when SNS delivers it twice', () => {
    const tally = new OrganisationTally();
    const d = digestOf('111111111111', 'eu-west-1', [event('111111111111', 1, 'team-a')]);
    expect([tally.add(d), tally.add(d), tally.add({ ...d, day: '2026-11-25' })]).toEqual([true, false, true]);
    expect({ digests: tally.digests, duplicates: tally.duplicates, functions: tally.functions }).toEqual({ digests: 2, duplicates: 1, functions: 2 });
    expect(organisationDigest({ tally, day: '2026-11-25', unreadable: 2 }).message).toMatch(/from 2 account digests of 2026-11-24 to 2026-11-25 \(UTC\)\.\n2 messages on the digest queue could not be read/);
  });

  it("500 accounts x 2 regions of 60 functions each: within SNS's 256 KB, every account named, the tally's memory capped", () => {
    const tally = new OrganisationTally(500);
    for (let a = 0; a < 500; a++) {
      const account = String(100000000000 + a);
      for (const region of ['eu-west-1', 'us-east-1']) tally.add(digestOf(account, region, Array.from({ length: 60 }, (_, i) => event(account, i, `team-${(a + i) % 40}`, i % 3, i % 7 === 0 ? i % 30 : undefined))));
    }
    const d = organisationDigest({ tally, day: '2026-11-24', unreadable: 0 });
    const attributeBytes = Object.entries(d.attributes).reduce((s, [k, v]) => s + Buffer.byteLength(k + 'String' + v), 0);
    expect(Buffer.byteLength(d.message) + Buffer.byteLength(d.subject) + attributeBytes).toBeLessThanOrEqual(262_144);
    expect(tally.mostUrgent()).toHaveLength(500);
    expect(d.message.split('\n').filter((l) => /^- 1\d{11}: /.test(l))).toHaveLength(500);
    expect(d.message).toContain('- team-0: ');
    // Every function counted; those not listed said so.
    const listed = d.message.split('\n').filter((l) => /^- 1\d{11} (eu-west-1|us-east-1) /.test(l)).length;
    expect(listed).toBe(d.listed);
    expect(d.message.split('\n').at(-1)).toBe(`... and ${(d.total - listed).toLocaleString('en-US')} more (${d.total.toLocaleString('en-US')} in all; every one is in AWS Config's compliance results: runtime-warden report --aggregator)`);
    expect(d.message).toMatch(/^- \d{12} \S+ fn-\d\d-\d+: .*function update blocked/m);
    expect(d.message).not.toMatch(/^- \d{12} \S+ fn-\d\d-\d+: .*: breaks the policy/m);
  });

  it('cuts accounts and owners at a quarter of the room each, so the urgent functions always get room', () => {
    const tally = new OrganisationTally();
    for (let a = 0; a < 3000; a++) {
      const account = String(100000000000 + a);
      tally.add(digestOf(account, 'eu-west-1', [event(account, a, `owner-${a}-${'o'.repeat(60)}`)]));
    }
    const d = organisationDigest({ tally, day: '2026-11-24', unreadable: 0 }, 65_536);
    expect(Buffer.byteLength(d.message)).toBeLessThanOrEqual(65_536);
    expect(d.message).toMatch(/^\.\.\. and \d+ more accounts$/m);
    expect(d.message).toMatch(/^\.\.\. and \d+ more owners$/m);
    expect(d.listed).toBeGreaterThan(50);
  });
});
