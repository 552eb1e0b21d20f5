/**
 * "Did you mean" for a word that is not one of the known ones: a runtime identifier, a format, a
 * config key. Pure, so the CLI, the policy's messages and the hook can all use it.
 */

/** Optimal string alignment distance: insertions, deletions, substitutions and swaps of neighbours. */
function distance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, d[i - 2]![j - 2]! + 1);
      d[i]![j] = best;
    }
  }
  return d[a.length]![b.length]!;
}

/**
 * The candidates closest to `input` (all of them when several are as close, but only those that
 * complete it when some do), or none when even the closest differs in more than a third of its
 * characters (at least 2 edits allowed): `nodejs22` suggests `nodejs22.x` (not `nodejs`, as
 * close), `scna` suggests `scan`, `deploy` suggests nothing. Case is ignored.
 */
export function suggest(input: string, candidates: Iterable<string>): string[] {
  const typed = input.toLowerCase();
  const limit = Math.max(2, Math.floor(typed.length / 3));
  let best = Number.POSITIVE_INFINITY;
  let found: string[] = [];
  for (const c of new Set(candidates)) {
    // Bounded first: two words whose lengths differ by more than the limit are never close.
    if (Math.abs(c.length - typed.length) > limit) continue;
    const n = distance(typed, c.toLowerCase());
    if (n > limit || n > best) continue;
    if (n < best) [best, found] = [n, []];
    found.push(c);
  }
  const completions = found.filter((c) => c.toLowerCase().startsWith(typed));
  return (completions.length > 0 ? completions : found).sort();
}

/** ` (did you mean nodejs22.x?)`, or '' when nothing is close: to append to a message. */
export function didYouMean(input: string, candidates: Iterable<string>): string {
  const found = suggest(input, candidates);
  // Many as close (nodejs99.x is two edits from every nodejs runtime) is no suggestion.
  if (found.length === 0 || found.length > 3) return '';
  const words = found.length === 1 ? found[0]! : `${found.slice(0, -1).join(', ')} or ${found.at(-1)!}`;
  return ` (did you mean ${words}?)`;
}
