import type { Clock } from '../../shared/io/rateLimit.js';

/**
 * Time that passes as the code runs and jumps wherever the code waits: a limiter's sleep moves
 * the clock to the instant it waits for and resolves at once. A pass that would wait for hours on
 * Lambda's quota runs in the seconds its computing takes, and its figures are in virtual time.
 * Concurrent sleepers move it to the latest instant any of them waits for, never adding up.
 */
export class VirtualClock implements Clock {
  private skipped = 0;
  private readonly started = performance.now();

  public now(): number {
    return performance.now() - this.started + this.skipped;
  }

  public sleep(ms: number): Promise<void> {
    this.advanceTo(this.now() + ms);
    return new Promise((resolve) => setImmediate(resolve));
  }

  /** Moves the clock to `t` if it is not there yet. */
  public advanceTo(t: number): void {
    this.skipped += Math.max(0, t - this.now());
  }
}
