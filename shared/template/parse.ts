import { CORE_SCHEMA, load, Type, type State } from 'js-yaml';
import { loadYaml } from '../yaml.js';
import { isRecord, type SourcePath } from './intrinsics.js';

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
  /** 1-based line and column of a resource's logical id, where the source has it. */
  readonly positionOf: (logicalId: string) => { readonly line: number; readonly column: number } | undefined;
  /** Where each node is written (see locatorOf): read with the template when asked for, else by a second parse when first called. */
  readonly locator: () => Locator | undefined;
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
function resourceLines(text: string): Map<string, { line: number; column: number }> {
  const lines = text.split('\n');
  const lineMap = new Map<string, { line: number; column: number }>();
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
    if (!lineMap.has(key)) lineMap.set(key, { line: i + 1, column: indent + 1 });
  }
  return lineMap;
}

/**
 * Like parseTemplate, and remembers where each resource stands. With `nodes`, the parse also keeps
 * where every node is (a quarter slower than a bare parse, where a second parse doubles the time):
 * for a text without anchors, whose values loadYaml would check for alias bombs; for any other
 * text, and a text that does not parse (loadYaml says why), the nodes are read by a second parse
 * when asked for.
 */
export function parseTemplateWithPositions(text: string, nodes = false): PositionedTemplate {
  const lines = resourceLines(text);
  const positionOf = (id: string): { line: number; column: number } | undefined => lines.get(id);
  const read = nodes && !text.includes('&') ? readNodes(text) : undefined;
  if (read) return { value: read.value, positionOf, locator: () => locatorFrom(text, read.nodes) };
  let located: Locator | undefined | null = null;
  return { value: parseTemplate(text), positionOf, locator: () => (located === null ? (located = locatorOf(text)) : located) };
}

/** Where a node is written: 1-based lines and columns (UTF-16 code units), the end column one past its last character. */
export interface Span {
  readonly line: number;
  readonly column: number;
  readonly endLine: number;
  readonly endColumn: number;
}

/** Where the node at a path is written, and how much of the path the text was followed along. */
export interface Located {
  readonly span: Span;
  readonly path: SourcePath;
}

export type Locator = (path: SourcePath) => Located | undefined;

/**
 * The nodes js-yaml composed, by the order they opened (0 stands above the document): their text's
 * offsets, values and tags, and the tree as first child and next sibling. Flat arrays rather than an
 * object per node: a template of 50,000 functions has half a million nodes, and objects made the
 * collector the parse's largest cost.
 */
interface Nodes {
  readonly start: number[];
  readonly end: number[];
  readonly value: unknown[];
  readonly tag: (string | null | undefined)[];
  readonly first: number[];
  readonly next: number[];
  readonly last: number[];
  /** A map node's entries by key, read when first asked for. */
  readonly entries: Map<number, Map<string, Entry>>;
}

/** A map entry's key node, and its value node (the key itself for a key alone, `{a, b: c}`). */
interface Entry {
  readonly key: number;
  readonly node: number;
}

/** `Globals.Function.Runtime`, `Parameters.NodeRuntime.AllowedValues[1]`: a path as messages and outputs write it. */
export const pathText = (path: SourcePath): string => path.map((k, i) => (typeof k === 'number' ? `[${k}]` : i === 0 ? k : `.${k}`)).join('');

/**
 * Reads the template again, keeping where js-yaml composed each node (its `listener` events), and
 * returns where the node at a path is: a map entry from its key to its value's end when that is on
 * one line (a key alone otherwise), as cfn-lint points at `7:5` for `Runtime:` at column 5; a list
 * item from its own start. Each step is checked against the parsed value, so a text the walk cannot
 * follow gives the last node it could - never a wrong one. Costs a second parse: the scanner calls it
 * only for files with findings. Undefined when the text does not parse.
 */
export function locatorOf(text: string): Locator | undefined {
  const read = readNodes(text);
  return read && locatorFrom(text, read.nodes);
}

/** The template's value and its nodes, as js-yaml composes them; undefined when it does not parse. */
function readNodes(text: string): { value: unknown; nodes: Nodes } | undefined {
  const n: Nodes = { start: [0], end: [0], value: [undefined], tag: [null], first: [-1], next: [-1], last: [-1], entries: new Map() };
  const open = [0];
  const listener = (event: string, state: State): void => {
    if (event === 'open') {
      const i = n.start.length;
      n.start.push(state.position);
      n.end.push(0);
      n.value.push(undefined);
      n.tag.push(null);
      n.first.push(-1);
      n.next.push(-1);
      n.last.push(-1);
      const parent = open.at(-1)!;
      if (n.last[parent]! < 0) n.first[parent] = i;
      else n.next[n.last[parent]!] = i;
      n.last[parent] = i;
      open.push(i);
      return;
    }
    const i = open.pop()!;
    n.end[i] = state.position;
    n.value[i] = state.result;
    // The loader keeps the node's tag in its state; @types/js-yaml leaves it out.
    n.tag[i] = (state as State & { tag?: string | null }).tag;
  };
  let value: unknown;
  try {
    value = load(text, { schema: CFN_SCHEMA, listener });
  } catch {
    return undefined;
  }
  return n.first[0]! < 0 ? undefined : { value, nodes: n };
}

function locatorFrom(text: string, n: Nodes): Locator {
  // js-yaml drops a byte order mark before it counts offsets.
  const shift = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  const starts = [0];
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  const at = (offset: number): { line: number; column: number } => {
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: offset - starts[lo]! + 1 };
  };
  const bounds = (i: number): [number, number] => {
    let s = n.start[i]! + shift;
    let e = n.end[i]! + shift;
    // An open event comes before the space and comments a value may start with; a plain scalar ends after its trailing spaces.
    for (;;) {
      while (s < e && /\s/.test(text[s]!)) s++;
      if (text[s] !== '#') break;
      while (s < e && text[s] !== '\n') s++;
    }
    while (e > s && /\s/.test(text[e - 1]!)) e--;
    return [s, e];
  };
  const spanOf = (key: number | undefined, value: number): Span => {
    const [vs, ve] = bounds(value);
    const from = at(key === undefined ? vs : bounds(key)[0]);
    const end = at(ve);
    if (key === undefined || end.line === from.line) return { ...from, endLine: end.line, endColumn: end.column };
    const keyEnd = at(bounds(key)[1]);
    return { ...from, endLine: keyEnd.line, endColumn: keyEnd.column };
  };
  return (path) => {
    let node = inner(n, n.first[0]!);
    let key: number | undefined;
    let value: unknown = n.value[node];
    let i = 0;
    // A tagged node (`!If [...]`) stands for a map of one key, its tag's function, around what it holds.
    let untagged = false;
    for (; i < path.length; i++) {
      const step = path[i]!;
      const tag = n.tag[node];
      if (!untagged && typeof tag === 'string' && tag.startsWith('!') && isRecord(value) && Object.keys(value)[0] === step) {
        value = value[step];
        untagged = true;
        continue;
      }
      const next = childAt(n, node, value, step);
      if (!next) break;
      key = next.key;
      node = inner(n, next.node);
      value = n.value[node];
      untagged = false;
    }
    return { span: spanOf(key, node), path: path.slice(0, i) };
  };
}

/** The node a wrapper holds: js-yaml composes a list item or a tagged value as a node around another with the same value. */
function inner(n: Nodes, i: number): number {
  for (let c = n.first[i]!; c >= 0 && n.next[c]! < 0 && n.value[c] === n.value[i]; c = n.first[i]!) i = c;
  return i;
}

const childrenOf = (n: Nodes, i: number): number[] => {
  const out: number[] = [];
  for (let c = n.first[i]!; c >= 0; c = n.next[c]!) out.push(c);
  return out;
};

/** The key and value nodes of `step` in a map or list node holding `value`, when the nodes read as the value does. */
function childAt(n: Nodes, node: number, value: unknown, step: string | number): { key?: number; node: number } | undefined {
  if (Array.isArray(value)) {
    const children = childrenOf(n, node);
    if (typeof step !== 'number' || children.length !== value.length) return undefined;
    const child = children[step];
    return child !== undefined && n.value[inner(n, child)] === value[step] ? { node: child } : undefined;
  }
  if (!isRecord(value) || !Object.hasOwn(value, step)) return undefined;
  const entry = entriesOf(n, node, value).get(String(step));
  return entry && (entry.node === entry.key || n.value[inner(n, entry.node)] === value[String(step)]) ? entry : undefined;
}

/**
 * A map node's entries by key, read once per node (a template's Resources may hold 50,000). Keys
 * and values alternate, but a flow map's key may stand alone (`{a, b: c}`: the key is its own
 * node) and a block map may end with an empty node.
 */
function entriesOf(n: Nodes, node: number, value: Record<string, unknown>): Map<string, Entry> {
  const known = n.entries.get(node);
  if (known) return known;
  const out = new Map<string, Entry>();
  for (let k = n.first[node]!; k >= 0; k = n.next[k]!) {
    const v = n.next[k]!;
    const name = n.value[k];
    if (name === null || name === undefined || typeof name === 'object') continue;
    const paired = v >= 0 && n.value[inner(n, v)] === value[String(name)];
    if (!out.has(String(name))) out.set(String(name), { key: k, node: paired ? v : k });
    if (paired) k = v;
  }
  n.entries.set(node, out);
  return out;
}
