// A model of Lambda's asynchronous invocation, for bursts: events wait in the function's queue;
// at most `reservedConcurrency` run at once; an event that finds none free is throttled and
// retried "for up to 6 hours by default. The retry interval increases exponentially from 1 second
// after the first attempt to a maximum of 5 minutes"; a function error is retried
// MaximumRetryAttempts times, "with a one-minute wait between the first two attempts, and two
// minutes between the second and third"; an event older than MaximumEventAgeInSeconds, or out of
// retries, goes to the dead-letter queue (Lambda Developer Guide, "How Lambda handles errors and
// retries with asynchronous invocation"). Each retry interval is drawn between half and all of
// its exponential value (seeded, so runs repeat): AWS does not document a jitter, but without one
// every event of a burst would retry at the same instants, a herd that leaves the reserved
// concurrency idle between them, which no queue of independent events shows. Not modelled:
// Lambda slowing its reads of a long queue, and duplicate deliveries.

export interface BurstSettings {
  readonly events: number;
  readonly reservedConcurrency: number;
  readonly maximumEventAgeSeconds: number;
  readonly maximumRetryAttempts: number;
}

/** Runs event `index` on container `container` from virtual instant `startMs`: how long it took, and whether it succeeded. */
export type Invoke = (index: number, container: number, startMs: number) => Promise<{ readonly durationMs: number; readonly ok: boolean }>;

export interface BurstResult {
  readonly events: number;
  readonly succeeded: number;
  readonly deadLetters: number;
  /** Events whose first attempt found no free execution environment. */
  readonly throttledFirstTries: number;
  readonly throttles: number;
  readonly functionErrors: number;
  /** When the last event finished, from the burst's start. */
  readonly drainedMs: number;
  /** The oldest event's age when it ran to success. */
  readonly maxAgeMs: number;
}

interface Pending {
  readonly index: number;
  readonly arrivedMs: number;
  readonly atMs: number;
  readonly throttles: number;
  readonly errors: number;
}

/** All `events` arrive at instant 0; each attempt is taken in time order. */
/** mulberry32: a small seeded PRNG, uniform in [0, 1). */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export async function simulateAsyncBurst(settings: BurstSettings, invoke: Invoke): Promise<BurstResult> {
  const random = seeded(22);
  const busyUntil = Array.from({ length: settings.reservedConcurrency }, () => 0);
  let queue: Pending[] = Array.from({ length: settings.events }, (_, index) => ({ index, arrivedMs: 0, atMs: 0, throttles: 0, errors: 0 }));
  const result = { events: settings.events, succeeded: 0, deadLetters: 0, throttledFirstTries: 0, throttles: 0, functionErrors: 0, drainedMs: 0, maxAgeMs: 0 };
  const maxAge = settings.maximumEventAgeSeconds * 1000;
  while (queue.length > 0) {
    // The earliest attempt next (a binary heap would be faster; bursts here are thousands).
    let k = 0;
    for (let j = 1; j < queue.length; j++) if (queue[j]!.atMs < queue[k]!.atMs) k = j;
    const e = queue[k]!;
    queue[k] = queue[queue.length - 1]!;
    queue.pop();
    if (e.atMs - e.arrivedMs > maxAge) {
      result.deadLetters++;
      continue;
    }
    const free = busyUntil.findIndex((t) => t <= e.atMs);
    if (free < 0) {
      if (e.throttles === 0 && e.errors === 0) result.throttledFirstTries++;
      result.throttles++;
      const backoff = Math.min(300_000, 1000 * 2 ** e.throttles) * (0.5 + random() / 2);
      queue.push({ ...e, atMs: e.atMs + backoff, throttles: e.throttles + 1 });
      continue;
    }
    const { durationMs, ok } = await invoke(e.index, free, e.atMs);
    busyUntil[free] = e.atMs + durationMs;
    if (ok) {
      result.succeeded++;
      result.drainedMs = Math.max(result.drainedMs, e.atMs + durationMs);
      result.maxAgeMs = Math.max(result.maxAgeMs, e.atMs - e.arrivedMs);
      continue;
    }
    result.functionErrors++;
    if (e.errors >= settings.maximumRetryAttempts) result.deadLetters++;
    else queue.push({ ...e, atMs: e.atMs + durationMs + 60_000 * (e.errors + 1), errors: e.errors + 1 });
  }
  queue = [];
  return result;
}
