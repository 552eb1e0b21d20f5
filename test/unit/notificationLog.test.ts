import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { earliestHolding, quietUntil } from '../../shared/io/notificationLog.js';

// Quiet periods by UTC calendar day: whatever minute the daily pass comes, an alert of day D is
// held back for the rest of day D and may go out again on day D+1 (#22.7).

const DAY = 86_400;
// Any second from 2020 to 2040.
const instant = fc.integer({ min: 1_577_836_800, max: 2_208_988_800 });

describe('quiet periods by calendar day', () => {
  it('an alert sent on day D holds back every pass of day D and none of day D+1, at any minute', () => {
    fc.assert(
      fc.property(instant, fc.integer({ min: 0, max: DAY - 1 }), fc.integer({ min: 0, max: DAY - 1 }), (sentAt, laterToday, nextDay) => {
        const dayStart = Math.floor(sentAt / DAY) * DAY;
        const until = quietUntil(sentAt, 1440);
        const sameDay = Math.max(sentAt, dayStart + laterToday);
        expect(until > sameDay).toBe(true);
        expect(until <= dayStart + DAY + nextDay).toBe(true);
      }),
    );
  });

  it('a quiet period of N whole days ends at the start of a UTC day, no later than N days after the alert', () => {
    fc.assert(
      fc.property(instant, fc.integer({ min: 1, max: 365 }), (sentAt, days) => {
        const until = quietUntil(sentAt, days * 1440);
        expect(until % DAY).toBe(0);
        expect(until).toBeLessThanOrEqual(sentAt + days * DAY);
        expect(until).toBeGreaterThan(sentAt + (days - 1) * DAY);
      }),
    );
  });

  it('a quiet period under a day lasts exactly its minutes', () => {
    fc.assert(
      fc.property(instant, fc.integer({ min: 0, max: 1439 }), (sentAt, minutes) => {
        expect(quietUntil(sentAt, minutes)).toBe(sentAt + minutes * 60);
      }),
    );
  });

  it("the table's condition holds a claim exactly while it is quiet: sentAt >= earliestHolding(now) iff quietUntil(sentAt) > now", () => {
    fc.assert(
      fc.property(instant, fc.integer({ min: 0, max: 400 * DAY }), fc.integer({ min: 0, max: 525_600 }), (sentAt, elapsed, minutes) => {
        const now = sentAt + elapsed;
        expect(sentAt >= earliestHolding(now, minutes)).toBe(quietUntil(sentAt, minutes) > now);
      }),
      { numRuns: 2000 },
    );
  });
});
