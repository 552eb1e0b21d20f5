/**
 * Text from templates and tags (a function name, a tag value, a file path) shown where a line
 * means something: a stack event, a terminal, a CI log, an alert. Control characters (ANSI
 * escapes, CR, LF), Unicode line and paragraph separators and bidirectional overrides ("Trojan
 * Source") are written as `\uXXXX` (`\n` for a newline), so a value cannot start a line of its
 * own, recolour a terminal or read differently than it is.
 */
const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

export function printable(text: string): string {
  return text.replace(UNPRINTABLE, (c) => (c === '\n' ? '\\n' : `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`));
}

/**
 * A line that GitHub Actions will not read as a workflow command (`::error ...`, `::add-mask::`):
 * runners act on a line that starts with `::` (GitHub Docs, "Workflow commands for GitHub
 * Actions"). The line is printable first.
 */
export function logLine(text: string): string {
  const line = printable(text);
  return line.startsWith('::') ? ` ${line}` : line;
}
