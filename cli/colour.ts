// Colour on a terminal, never in a pipe or a file unless asked for.

/**
 * Whether to colour what goes to `stream`: `--color`/`--no-color` first; then FORCE_COLOR as
 * chalk's supports-color reads it (`0` or `false` off; `true`, empty or a level 1-3 on; other
 * values ignored); then NO_COLOR set to anything but the empty string turns colour off
 * (https://no-color.org); then a terminal other than TERM=dumb gets colour.
 */
export function colourWanted(stream: { readonly isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env, flag?: boolean): boolean {
  if (flag !== undefined) return flag;
  const force = env.FORCE_COLOR;
  if (force !== undefined) {
    if (force === 'false') return false;
    if (force === 'true' || force === '') return true;
    const level = Number.parseInt(force, 10);
    if (!Number.isNaN(level)) return level > 0;
  }
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  return stream.isTTY === true && env.TERM !== 'dumb';
}

export interface Paint {
  readonly error: (text: string) => string;
  readonly warning: (text: string) => string;
  readonly dim: (text: string) => string;
}

const sgr =
  (open: number, close: number) =>
  (text: string): string =>
    `\u001b[${open}m${text}\u001b[${close}m`;
const plain = (text: string): string => text;

/** SGR colours when `on`, the text unchanged otherwise. */
export const paint = (on: boolean): Paint => (on ? { error: sgr(31, 39), warning: sgr(33, 39), dim: sgr(2, 22) } : { error: plain, warning: plain, dim: plain });
