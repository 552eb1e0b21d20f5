import { config } from 'zod/mini';
import en from 'zod/v4/locales/en.js';

// zod's small build: schemas are plain functions that a bundler keeps only when used (the full
// build is one class graph, 440 KB in every Lambda bundle). It ships without messages; English
// ones are what every error in runtime-warden is written in. Import as `import * as z`, so that
// only what is used is bundled.
config(en());

export * from 'zod/mini';

interface Issue {
  readonly path: readonly PropertyKey[];
  readonly message: string;
  /** A record key's own problems (code `invalid_key`): their messages say what is wrong with it. */
  readonly issues?: readonly Issue[];
}

/** `path: message` for each problem, `root` standing for the value itself. */
export function issueLines(error: { readonly issues: readonly Issue[] }, root: string): string[] {
  return error.issues.map((i) => {
    const message = i.issues && i.issues.length > 0 ? i.issues.map((k) => k.message).join('; ') : i.message;
    return `${i.path.length > 0 ? i.path.join('.') : root}: ${message}`;
  });
}
