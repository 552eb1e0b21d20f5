import { isMap, isScalar, LineCounter, parse, parseDocument, type CollectionTag, type Node, type ScalarTag } from 'yaml';

// CloudFormation's short-form intrinsics (`!Ref X`, `!GetAtt A.B`, `!Sub [..]`) become the long
// JSON form, so that everything downstream sees one shape.
const FUNCTIONS = [
  'Base64', 'Cidr', 'FindInMap', 'GetAtt', 'GetAZs', 'ImportValue', 'Join', 'Select', 'Split', 'Sub', 'Transform',
  'And', 'Equals', 'If', 'Not', 'Or', 'ToJsonString', 'Length',
];

function longForm(name: string, value: unknown): Record<string, unknown> {
  if (name === 'Ref' || name === 'Condition') return { [name]: value };
  if (name === 'GetAtt' && typeof value === 'string') {
    const dot = value.indexOf('.');
    return { 'Fn::GetAtt': dot < 0 ? [value] : [value.slice(0, dot), value.slice(dot + 1)] };
  }
  return { [`Fn::${name}`]: value };
}

function tagsFor(name: string): (ScalarTag | CollectionTag)[] {
  const tag = `!${name}`;
  return [
    { tag, resolve: (value: string) => longForm(name, value) },
    { tag, collection: 'seq', resolve: (seq) => longForm(name, seq.toJSON()) },
    { tag, collection: 'map', resolve: (map) => longForm(name, map.toJSON()) },
  ] as (ScalarTag | CollectionTag)[];
}

const CFN_TAGS = ['Ref', 'Condition', ...FUNCTIONS].flatMap(tagsFor);

// Alias bombs expand a few lines into gigabytes; CloudFormation templates rarely use aliases at all.
const MAX_ALIASES = 1000;

/** Parses a CloudFormation or SAM template, YAML (with short intrinsics) or JSON. */
export function parseTemplate(text: string): unknown {
  return parse(text, { customTags: CFN_TAGS, maxAliasCount: MAX_ALIASES, prettyErrors: true });
}

export interface PositionedTemplate {
  readonly value: unknown;
  /** 1-based line of a resource's logical id, where the source has it. */
  readonly lineOf: (logicalId: string) => number | undefined;
}

/** Like parseTemplate, and remembers where each resource stands. Throws the parser's first error. */
export function parseTemplateWithPositions(text: string): PositionedTemplate {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { customTags: CFN_TAGS, prettyErrors: true, lineCounter, uniqueKeys: true });
  if (doc.errors.length > 0) throw doc.errors[0]!;
  const value: unknown = doc.toJS({ maxAliasCount: MAX_ALIASES });
  const resources = doc.get('Resources', true) as Node | undefined;
  const lines = new Map<string, number>();
  if (isMap(resources)) {
    for (const pair of resources.items) {
      const key = pair.key as Node | null;
      if (isScalar(key) && key.range) lines.set(String(key.value), lineCounter.linePos(key.range[0]).line);
    }
  }
  return { value, lineOf: (id) => lines.get(id) };
}
