import { logLine } from '../../shared/text/printable.js';
import type { Finding } from '../../shared/index.js';
import type { ScannedFunction } from '../../shared/template/scan.js';
import { baselineState, describeCatalog, summarise, type ScanReport } from '../scanReport.js';

const count = (n: number, word: string): string => `${n.toLocaleString('en')} ${word}${n === 1 ? '' : 's'}`;

/** `path:line:col:` of a finding's deciding value, else of its function (`path:line:`, `path:` where the text gives less). */
export function whereText(path: string, fn: ScannedFunction, x?: Finding): string {
  const at = x?.location ?? (fn.line === undefined ? undefined : { line: fn.line, column: fn.column });
  if (!at) return `${path}:`;
  return `${path}:${at.line}:${at.column === undefined ? '' : `${at.column}:`}`;
}

/** The message, naming where its deciding value is (`[Parameters.NodeRuntime.Default]`) unless it already does. */
export const messageWithWhere = (x: Finding): string => (x.location && !x.message.includes(x.location.path) ? `${x.message} [${x.location.path}]` : x.message);

/** `error RW004 Api: nodejs16.x is deprecated ... [Resources.Api.Properties.Runtime]`: a finding after its location, as text formats write it. */
export const findingText = (r: ScanReport, fn: ScannedFunction, x: Finding): string =>
  `${x.severity} ${x.ruleId} ${baselineState(r, x) === 'unchanged' ? '(baseline) ' : ''}${fn.logicalId}: ${messageWithWhere(x)}`;

/**
 * A block per file: each function on a line at its resource (`path:line:col: Id (Type) runtime
 * COMPLIANCE`), then each of its findings at the value that decides it (`path:line:col: severity
 * RWnnn Id: message [where]`), so that editors and CI problem matchers link every line; how to get
 * an exception once; the summary.
 */
export function renderText(r: ScanReport): string {
  const out: string[] = [];
  for (const f of r.files) {
    if (f.skipped) continue;
    if (f.error) out.push(`${f.path}: error ${f.error}`);
    else if (f.functions.length === 0) out.push(`${f.path}: no Lambda functions`);
    for (const fn of f.functions) {
      const runtime = fn.runtime ?? (fn.runtimeExpression ? fn.runtimeExpression.expression : '-');
      out.push(`${whereText(f.path, fn)} ${fn.logicalId} (${fn.type}) ${runtime} ${fn.verdict.compliance}`);
      for (const x of fn.findings) out.push(`${whereText(f.path, fn, x)} ${findingText(r, fn, x)}`);
    }
    out.push('');
  }
  if (r.exception) out.push(r.exception, '');
  const s = summarise(r);
  out.push(
    `${count(s.functions, 'function')} in ${count(s.templates, 'template')}: ${s.nonCompliant} non-compliant, ${s.withWarnings} with warnings, ${s.notApplicable} not applicable` +
      `${s.fileErrors > 0 ? `; ${count(s.fileErrors, 'file')} could not be scanned` : ''}${s.skipped > 0 ? `; ${count(s.skipped, 'file')} passed over (not templates)` : ''}${s.layerVersions > 0 ? `; ${count(s.layerVersions, 'layer version')} with findings` : ''} (policy ${r.policy}, ${describeCatalog(r.catalog)}, judged at ${r.now.toISOString().slice(0, 10)})`,
  );
  // Paths, names and messages carry template text: one line each, and never a workflow command.
  return `${out.map(logLine).join('\n')}\n`;
}
