import { CORE_SCHEMA, load, YAMLException, type Schema } from 'js-yaml';

// One YAML reader for templates and policy documents: js-yaml reads what CloudFormation's YAML 1.1
// parser reads (a flow collection may close at its key's column), refuses duplicate keys, and
// parses several megabytes a second in linear time. The core schema keeps `2027-01-01` a string.

export class YamlSyntaxError extends Error {
  public constructor(message: string) {
    super(message);
    this.name = 'YamlSyntaxError';
  }
}

/** Aliases share one object in memory; walked, a few lines of them expand into billions of nodes. */
export const MAX_EXPANDED_NODES = 1_000_000;

/** The node count of a value with every alias expanded, counted once per shared object. */
function expandedSize(root: unknown, limit: number): number {
  const sizes = new Map<object, number>();
  const size = (v: unknown): number => {
    if (typeof v !== 'object' || v === null) return 1;
    const known = sizes.get(v);
    if (known !== undefined) return known;
    sizes.set(v, 1);
    let n = 1;
    for (const child of Object.values(v)) {
      n += size(child);
      if (n > limit) break;
    }
    sizes.set(v, n);
    return n;
  };
  return size(root);
}

/**
 * Where an anchor may be: `&` starting a node's properties, after a line start, a space, a flow
 * indicator, or the `:` of a JSON-like flow key (`{"k":&a [...]}`). No anchor, no alias, and no
 * walk: most templates have none, where nearly all have a `*` (`s3:*`, `"*"`) - and `*a` may
 * follow a `:` directly too, so the alias token alone cannot say.
 */
const ANCHOR = /(?:^|[\s[{,:])&/m;

/** Parses YAML (JSON is YAML) with `schema`; throws YamlSyntaxError with the line and column. */
export function loadYaml(text: string, schema: Schema = CORE_SCHEMA, maxNodes = MAX_EXPANDED_NODES): unknown {
  let value: unknown;
  try {
    value = load(text, { schema });
  } catch (err) {
    const e = err as YAMLException;
    throw new YamlSyntaxError(e.mark ? `${e.reason} at line ${e.mark.line + 1}, column ${e.mark.column + 1}` : e.message.split('\n')[0]!);
  }
  if (ANCHOR.test(text) && expandedSize(value, maxNodes) > maxNodes) {
    throw new YamlSyntaxError(`Excessive alias count: the document expands to more than ${maxNodes.toLocaleString('en')} nodes`);
  }
  return value;
}
