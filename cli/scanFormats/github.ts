import { relative } from 'node:path';
import type { FindingLocation, Severity } from '../../shared/evaluation/types.js';
import { printable } from '../../shared/text/printable.js';
import { baselineState, type ScanReport } from '../scanReport.js';
import { messageWithWhere } from './text.js';

// GitHub Docs, "Workflow commands for GitHub Actions": `::error file=F,line=L,col=C,title=T::M`
// puts an annotation on the file's line in the run and the pull request, with no Advanced Security
// (SARIF upload needs it on private repositories). The message escapes %, CR and LF; properties
// escape `:` and `,` too.
const data = (s: string): string => s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
const property = (s: string): string => data(s).replace(/:/g, '%3A').replace(/,/g, '%2C');

const COMMAND: Record<Severity, 'error' | 'warning' | 'notice'> = { error: 'error', warning: 'warning', info: 'notice' };

/**
 * GitHub shows 10 annotations of each kind per step and drops the rest silently (actions/toolkit,
 * docs/problem-matchers.md, "Limitations"): past that, one notice says how many the log holds.
 */
export const ANNOTATIONS_PER_KIND = 10;

interface Annotation {
  readonly kind: 'error' | 'warning' | 'notice';
  readonly file?: string;
  readonly line?: number;
  readonly col?: number;
  readonly endLine?: number;
  readonly endColumn?: number;
  readonly title: string;
  readonly message: string;
}

const POSITION = ['line', 'col', 'endLine', 'endColumn'] as const;

/** Columns only within one line: GitHub takes `col` and `endColumn` only when `line` and `endLine` are the same (actions/toolkit, core's AnnotationProperties). */
const position = (l: FindingLocation): Pick<Annotation, (typeof POSITION)[number]> =>
  l.endLine === l.line ? { line: l.line, col: l.column, endLine: l.endLine, endColumn: l.endColumn } : { line: l.line, endLine: l.endLine };

const command = (a: Annotation): string =>
  `::${a.kind} ${[...(a.file !== undefined ? [`file=${property(a.file)}`] : []), ...POSITION.flatMap((k) => (a[k] !== undefined ? [`${k}=${a[k]}`] : [])), `title=${property(a.title)}`].join(',')}::${data(a.message)}`;

/**
 * One workflow command per finding and per file that could not be scanned, errors first, paths
 * relative to `cwd` (the workspace, where GitHub resolves them), at the value that decides the
 * finding (its line and column; the resource's line where the text gives no more). Template text
 * is made printable first, so a value cannot end the command early or start one of its own.
 * Findings a baseline holds are not annotated, as checkov leaves baselined findings out of its
 * output: one notice says how many the log holds.
 */
export function renderGithub(r: ScanReport, cwd = process.cwd()): string {
  const file = (p: string): string => relative(cwd, p).split('\\').join('/');
  const all: Annotation[] = [
    ...r.files.filter((f) => f.error).map((f): Annotation => ({ kind: 'error', file: file(f.path), title: 'runtime-warden: not scanned', message: printable(f.error!) })),
    ...r.files.flatMap((f) =>
      f.functions.flatMap((fn) =>
        fn.findings
          .filter((x) => baselineState(r, x) !== 'unchanged')
          .map(
            (x): Annotation => ({
              kind: COMMAND[x.severity],
              file: file(f.path),
              ...(x.location ? position(x.location) : fn.line !== undefined && { line: fn.line }),
              title: printable(`${x.ruleId} ${fn.logicalId}`),
              message: printable(`${fn.logicalId}: ${messageWithWhere(x)}`),
            }),
          ),
      ),
    ),
  ];
  const KINDS = ['error', 'warning', 'notice'] as const;
  const ofKind = (kind: Annotation['kind']): Annotation[] => all.filter((a) => a.kind === kind);
  const overflow = KINDS.some((k) => ofKind(k).length > ANNOTATIONS_PER_KIND);
  const baselined = r.files.reduce((n, f) => n + f.functions.reduce((m, fn) => m + fn.findings.filter((x) => baselineState(r, x) === 'unchanged').length, 0), 0);
  // Past the limit, or with findings the baseline holds, a last notice says how many were left
  // out: it takes a notice's place, so that it is never the one GitHub drops.
  const last = overflow || baselined > 0;
  const cap = (kind: Annotation['kind']): number => (kind === 'notice' && last ? ANNOTATIONS_PER_KIND - 1 : ANNOTATIONS_PER_KIND);
  const shown = KINDS.flatMap((k) => ofKind(k).slice(0, cap(k)));
  if (last) {
    const left = KINDS.map((k) => [k, Math.max(0, ofKind(k).length - cap(k))] as const).filter(([, n]) => n > 0);
    const counts = left.map(([k, n]) => `${n} ${k}${n === 1 ? '' : 's'}`).join(', ');
    const said = [
      ...(left.length > 0 ? [`${counts} more than GitHub annotates in one step`] : []),
      ...(baselined > 0 ? [`${baselined} finding${baselined === 1 ? '' : 's'} the baseline holds, not annotated`] : []),
    ];
    shown.push({ kind: 'notice', title: 'runtime-warden: more findings', message: `${said.join('; ')}: the job log and the SARIF file hold every finding.` });
  }
  return shown.map((a) => `${command(a)}\n`).join('');
}
