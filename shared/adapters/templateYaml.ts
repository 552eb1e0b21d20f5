import { parse, type CollectionTag, type ScalarTag } from 'yaml';

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

/** Parses a CloudFormation or SAM template, YAML (with short intrinsics) or JSON. */
export function parseTemplate(text: string): unknown {
  // maxAliasCount guards against alias bombs; CloudFormation templates rarely use aliases at all.
  return parse(text, { customTags: CFN_TAGS, maxAliasCount: 1000, prettyErrors: true });
}
