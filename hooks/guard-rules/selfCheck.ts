// A structural check of a Guard rules file before it is published. cfn-guard itself does not run
// in Lambda, and a file it cannot parse fails the Guard hook on every function: under WARN every
// deployment passes, under FAIL every one is blocked. The generator is meant to be safe by
// construction (tier names restricted, rule names unique); this catches what slips through:
// unbalanced brackets, an unterminated string, regex or message, a `<<` or `>>` inside a message
// (Guard ends a message at the first `>>`), a rule or variable name that is not a plain identifier
// or is declared twice, and a `%variable` that is never declared.

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;
const CLOSING: Readonly<Record<string, string>> = { '{': '}', '[': ']', '(': ')' };

interface Scan {
  /** The text with comments, strings, regexes and messages blanked out (lines kept). */
  readonly code: string;
  readonly problems: string[];
}

function scan(text: string): Scan {
  const problems: string[] = [];
  const code: string[] = [];
  const open: { char: string; line: number }[] = [];
  let line = 1;
  let i = 0;
  const blank = (c: string): string => (c === '\n' ? '\n' : ' ');
  /** Consumes up to and including `end` (unescaped when `escapes`); a problem when the text ends first. */
  const until = (end: string, escapes: boolean, what: string, opensAt: number, inside?: (at: number) => void): void => {
    while (i < text.length) {
      if (escapes && text[i] === '\\' && i + 1 < text.length) {
        code.push(' ', blank(text[i + 1]!));
        if (text[i + 1] === '\n') line++;
        i += 2;
        continue;
      }
      if (text.startsWith(end, i)) {
        code.push(...end.split('').map(blank));
        i += end.length;
        return;
      }
      inside?.(i);
      if (text[i] === '\n') line++;
      code.push(blank(text[i]!));
      i++;
    }
    problems.push(`line ${opensAt}: ${what} is never closed`);
  };
  while (i < text.length) {
    const c = text[i]!;
    const at = line;
    if (c === '#') {
      const end = text.indexOf('\n', i);
      const stop = end === -1 ? text.length : end;
      code.push(' '.repeat(stop - i));
      i = stop;
    } else if (c === '"' || c === "'") {
      code.push(' ');
      i++;
      until(c, true, 'a string', at);
    } else if (c === '/') {
      code.push(' ');
      i++;
      until('/', true, 'a regular expression', at);
    } else if (text.startsWith('<<', i)) {
      code.push('  ');
      i += 2;
      until('>>', false, 'a message (<<)', at, (k) => {
        if (text.startsWith('<<', k)) problems.push(`line ${line}: a message holds "<<"`);
      });
      // A `>>` inside the message ends it early: what it leaves behind stands on the same line.
      const rest = text.slice(i, (text.indexOf('\n', i) + 1 || text.length + 1) - 1);
      if (!/^\s*(\}\s*)*(#.*)?$/.test(rest)) problems.push(`line ${line}: text after the end of a message: "${rest.trim().slice(0, 40)}"`);
    } else if (text.startsWith('>>', i)) {
      problems.push(`line ${at}: ">>" outside a message`);
      code.push('  ');
      i += 2;
    } else {
      if (c in CLOSING) open.push({ char: c, line: at });
      else if (c === '}' || c === ']' || c === ')') {
        const top = open.pop();
        if (!top || CLOSING[top.char] !== c) problems.push(`line ${at}: "${c}" closes ${top ? `"${top.char}" of line ${top.line}` : 'nothing'}`);
      }
      if (c === '\n') line++;
      code.push(c);
      i++;
    }
  }
  for (const o of open) problems.push(`line ${o.line}: "${o.char}" is never closed`);
  return { code: code.join(''), problems };
}

/** What is wrong with a rules file's structure; empty when nothing is. */
export function guardRulesProblems(text: string): string[] {
  const { code, problems } = scan(text);
  const declared = (keyword: 'rule' | 'let'): string[] => [...code.matchAll(keyword === 'rule' ? /\brule\s+(\S+?)(?=\s|\{|$)/g : /\blet\s+(\S+?)\s*=/g)].map((m) => m[1]!);
  const rules = declared('rule');
  const variables = declared('let');
  if (rules.length === 0) problems.push('no rule is declared');
  for (const [kind, names] of [
    ['rule', rules],
    ['variable', variables],
  ] as const) {
    const seen = new Set<string>();
    for (const name of names) {
      if (!IDENTIFIER.test(name)) problems.push(`${kind} name "${name}" is not a plain identifier`);
      if (seen.has(name)) problems.push(`${kind} "${name}" is declared twice`);
      seen.add(name);
    }
  }
  const known = new Set(variables);
  for (const [, name] of code.matchAll(/%([A-Za-z0-9_]+)/g)) {
    if (!known.has(name!)) problems.push(`%${name} is never declared`);
  }
  return [...new Set(problems)];
}
