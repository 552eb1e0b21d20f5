import { logLine } from '../../shared/text/printable.js';
import { baselineState, describeCatalog, summarise, type ScanReport } from '../scanReport.js';

/** Grouped by file, one block per function with its line, then each finding; how to get an exception once. */
const count = (n: number, word: string): string => `${n.toLocaleString('en')} ${word}${n === 1 ? '' : 's'}`;

export function renderText(r: ScanReport): string {
  const out: string[] = [];
  for (const f of r.files) {
    if (f.skipped) continue;
    out.push(f.path);
    if (f.error) out.push(`  error  ${f.error}`);
    for (const fn of f.functions) {
      const runtime = fn.runtime ?? (fn.runtimeExpression ? fn.runtimeExpression.expression : '-');
      out.push(`  ${String(fn.line ?? '?').padStart(4)}  ${fn.logicalId} (${fn.type})  ${runtime}  ${fn.verdict.compliance}`);
      for (const x of fn.findings) out.push(`        ${x.severity.padEnd(7)} ${x.ruleId} ${baselineState(r, x) === 'unchanged' ? '(baseline) ' : ''}${x.message}`);
    }
    out.push('');
  }
  if (r.exception) out.push(r.exception, '');
  const s = summarise(r);
  out.push(
    `${count(s.functions, 'function')} in ${count(s.templates, 'template')}: ${s.nonCompliant} non-compliant, ${s.withWarnings} with warnings, ${s.notApplicable} not applicable` +
      `${s.fileErrors > 0 ? `; ${count(s.fileErrors, 'file')} could not be scanned` : ''}${s.skipped > 0 ? `; ${count(s.skipped, 'file')} passed over (not templates)` : ''} (policy ${r.policy}, ${describeCatalog(r.catalog)}, judged at ${r.now.toISOString().slice(0, 10)})`,
  );
  // Paths, names and messages carry template text: one line each, and never a workflow command.
  return `${out.map(logLine).join('\n')}\n`;
}
