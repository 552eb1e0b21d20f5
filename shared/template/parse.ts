import { CORE_SCHEMA, Type } from 'js-yaml';
import { loadYaml } from '../yaml.js';

// CloudFormation's short-form intrinsics (`!Ref X`, `!GetAtt A.B`, `!Sub [..]`) become the long
// JSON form, so that everything downstream sees one shape.
const FUNCTIONS = [
  'Base64', 'Cidr', 'FindInMap', 'GetAtt', 'GetAZs', 'ImportValue', 'Join', 'Select', 'Split', 'Sub', 'Transform',
  'And', 'Equals', 'If', 'Not', 'Or', 'ToJsonString', 'Length',
  // The Rules section's own functions (Template Reference, "Rule functions").
  'Contains', 'EachMemberEquals', 'EachMemberIn', 'RefAll', 'ValueOf', 'ValueOfAll',
];

function longForm(name: string, value: unknown): Record<string, unknown> {
  if (name === 'Ref' || name === 'Condition') return { [name]: value };
  if (name === 'GetAtt' && typeof value === 'string') {
    const dot = value.indexOf('.');
    return { 'Fn::GetAtt': dot < 0 ? [value] : [value.slice(0, dot), value.slice(dot + 1)] };
  }
  return { [`Fn::${name}`]: value };
}

const CFN_SCHEMA = CORE_SCHEMA.extend(
  ['Ref', 'Condition', ...FUNCTIONS].flatMap((name) =>
    (['scalar', 'sequence', 'mapping'] as const).map((kind) => new Type(`!${name}`, { kind, construct: (data: unknown) => longForm(name, data ?? '') })),
  ),
);

/** Parses a CloudFormation or SAM template, YAML (with short intrinsics) or JSON. Throws YamlSyntaxError. */
export function parseTemplate(text: string): unknown {
  return loadYaml(text, CFN_SCHEMA);
}

export interface PositionedTemplate {
  readonly value: unknown;
  /** 1-based line of a resource's logical id, where the source has it. */
  readonly lineOf: (logicalId: string) => number | undefined;
}

function unescapeJson(text: string): string {
  try {
    return JSON.parse(`"${text}"`) as string;
  } catch {
    return text;
  }
}

const indentOf = (line: string): number => line.length - line.trimStart().length;
const KEY = /^\s*(?:"((?:[^"\\]|\\.)*)"|'((?:[^']|'')*)'|([^\s#'"{}[\],][^#]*?))\s*:(?:\s|$)/;

/**
 * The line of each key of the top-level `Resources` map, read from the text: block YAML and
 * pretty-printed JSON put each logical id at the start of its own line. A flow-style map has no
 * such lines, and its resources get none (never a wrong one).
 */
function resourceLines(text: string): Map<string, number> {
  const lines = text.split('\n');
  const lineMap = new Map<string, number>();
  let start = -1;
  for (let i = 0; i < lines.length; i++) {
    // The key regex only where the word is: this loop sees every line of the file.
    const m = lines[i]!.includes('Resources') ? KEY.exec(lines[i]!) : null;
    if (m && (m[1] ?? m[2] ?? m[3]) === 'Resources' && (start < 0 || indentOf(lines[i]!) < indentOf(lines[start]!))) start = i;
  }
  if (start < 0) return lineMap;
  let childIndent = -1;
  for (let i = start + 1; i < lines.length; i++) {
    const line = lines[i]!;
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('#')) continue;
    const indent = indentOf(line);
    if (childIndent < 0) childIndent = indent;
    if (indent < childIndent || indent <= indentOf(lines[start]!)) break;
    if (indent !== childIndent) continue;
    const m = KEY.exec(line);
    if (!m) continue;
    const key = m[1] !== undefined ? unescapeJson(m[1]) : m[2] !== undefined ? m[2].replace(/''/g, "'") : m[3]!;
    if (!lineMap.has(key)) lineMap.set(key, i + 1);
  }
  return lineMap;
}

/** Like parseTemplate, and remembers where each resource stands. */
export function parseTemplateWithPositions(text: string): PositionedTemplate {
  const value = parseTemplate(text);
  const lines = resourceLines(text);
  return { value, lineOf: (id) => lines.get(id) };
}
