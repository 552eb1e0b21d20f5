import { relative } from 'node:path';
import type { Severity } from '../../shared/index.js';
import { printable } from '../../shared/text/printable.js';
import type { ScanReport } from '../scanReport.js';

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
  readonly title: string;
  readonly message: string;
}

const command = (a: Annotation): string =>
  `::${a.kind} ${[...(a.file !== undefined ? [`file=${property(a.file)}`] : []), ...(a.line !== undefined ? [`line=${a.line}`] : []), `title=${property(a.title)}`].join(',')}::${data(a.message)}`;

/**
 * One workflow command per finding and per file that could not be scanned, errors first, paths
 * relative to `cwd` (the workspace, where GitHub resolves them). Template text is made printable
 * first, so a value cannot end the command early or start one of its own.
 */
export function renderGithub(r: ScanReport, cwd = process.cwd()): string {
  const file = (p: string): string => relative(cwd, p).split('\\').join('/');
  const all: Annotation[] = [
    ...r.files.filter((f) => f.error).map((f): Annotation => ({ kind: 'error', file: file(f.path), title: 'runtime-warden: not scanned', message: printable(f.error!) })),
    ...r.files.flatMap((f) =>
      f.functions.flatMap((fn) =>
        fn.findings.map(
          (x): Annotation => ({
            kind: COMMAND[x.severity],
            file: file(f.path),
            ...(fn.line !== undefined && { line: fn.line }),
            title: printable(`${x.ruleId} ${fn.logicalId}`),
            message: printable(`${fn.logicalId}: ${x.message}`),
          }),
        ),
      ),
    ),
  ];
  const KINDS = ['error', 'warning', 'notice'] as const;
  const ofKind = (kind: Annotation['kind']): Annotation[] => all.filter((a) => a.kind === kind);
  const overflow = KINDS.some((k) => ofKind(k).length > ANNOTATIONS_PER_KIND);
  // Past the limit, a last notice says how many were left out: it takes a notice's place, so that
  // it is never the one GitHub drops.
  const cap = (kind: Annotation['kind']): number => (kind === 'notice' && overflow ? ANNOTATIONS_PER_KIND - 1 : ANNOTATIONS_PER_KIND);
  const shown = KINDS.flatMap((k) => ofKind(k).slice(0, cap(k)));
  if (overflow) {
    const left = KINDS.map((k) => [k, Math.max(0, ofKind(k).length - cap(k))] as const).filter(([, n]) => n > 0);
    const counts = left.map(([k, n]) => `${n} ${k}${n === 1 ? '' : 's'}`).join(', ');
    shown.push({ kind: 'notice', title: 'runtime-warden: more findings', message: `${counts} more than GitHub annotates in one step: the job log and the SARIF file hold every finding.` });
  }
  return shown.map((a) => `${command(a)}\n`).join('');
}
