import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The files a cold start loads: `file` and the chunks it imports statically, transitively. A
 * dynamic `import("./x.mjs")` is left out: that chunk loads when the code first needs it.
 */
export function initFiles(dir: string, file = 'handler.mjs', seen = new Set<string>()): Set<string> {
  if (seen.has(file)) return seen;
  seen.add(file);
  const code = readFileSync(join(dir, file), 'utf8');
  for (const m of code.matchAll(/(?:^|[;}])\s*(?:import|export)\s*(?:[\w${}*,\s]+from\s*)?["']\.\/([\w.-]+\.mjs)["']/g)) initFiles(dir, m[1]!, seen);
  return seen;
}
