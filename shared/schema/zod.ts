import { config } from 'zod/mini';
import en from 'zod/v4/locales/en.js';

// zod's small build: schemas are plain functions that a bundler keeps only when used (the full
// build is one class graph, 440 KB in every Lambda bundle). It ships without messages; English
// ones are what every error in runtime-warden is written in. Import as `import * as z`, so that
// only what is used is bundled.
config(en());

export * from 'zod/mini';

/** `path: message` for each problem, `root` standing for the value itself. */
export function issueLines(error: { readonly issues: readonly { readonly path: readonly PropertyKey[]; readonly message: string }[] }, root: string): string[] {
  return error.issues.map((i) => `${i.path.length > 0 ? i.path.join('.') : root}: ${i.message}`);
}
