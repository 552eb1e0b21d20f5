import type { ScanReport } from '../scanReport.js';

const escape = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');

/**
 * JUnit XML for CI test reports: a suite per template, a test case per function; a function that
 * breaks the policy fails, a file that cannot be scanned errors.
 */
export function renderJunit(r: ScanReport): string {
  const suites = r.files
    .filter((f) => !f.skipped)
    .map((f) => {
      const cases = f.functions.map((fn) => {
        const errors = fn.findings.filter((x) => x.severity === 'error');
        const body =
          fn.verdict.compliance === 'NON_COMPLIANT'
            ? `<failure message="${escape(fn.verdict.summary)}" type="${escape(errors.map((x) => x.ruleId).join(','))}">${escape(fn.findings.map((x) => `${x.severity} ${x.ruleId} ${x.message}`).join('\n'))}</failure>`
            : fn.findings.length > 0
              ? `<system-out>${escape(fn.findings.map((x) => `${x.severity} ${x.ruleId} ${x.message}`).join('\n'))}</system-out>`
              : '';
        return `    <testcase classname="${escape(f.path)}" name="${escape(`${fn.logicalId}${fn.line ? ` (line ${fn.line})` : ''}`)}">${body}</testcase>`;
      });
      if (f.error) cases.push(`    <testcase classname="${escape(f.path)}" name="(template)"><error message="${escape(f.error)}"/></testcase>`);
      const failures = f.functions.filter((fn) => fn.verdict.compliance === 'NON_COMPLIANT').length;
      return `  <testsuite name="${escape(f.path)}" tests="${cases.length}" failures="${failures}" errors="${f.error ? 1 : 0}">\n${cases.join('\n')}\n  </testsuite>`;
    });
  const tests = r.files.reduce((n, f) => n + (f.skipped ? 0 : f.functions.length + (f.error ? 1 : 0)), 0);
  const failures = r.files.reduce((n, f) => n + f.functions.filter((fn) => fn.verdict.compliance === 'NON_COMPLIANT').length, 0);
  const errors = r.files.filter((f) => f.error).length;
  // Where the verdicts come from, as a suite of properties (JUnit has no top-level properties).
  const properties = `  <testsuite name="runtime-warden" tests="0" failures="0" errors="0">\n    <properties>\n${[
    ['policy', r.policy],
    ['catalog.asOf', r.catalog.asOf],
    ['catalog.source', r.catalog.source],
    ['judgedAt', r.now.toISOString()],
  ]
    .map(([k, v]) => `      <property name="${k}" value="${escape(v!)}"/>`)
    .join('\n')}\n    </properties>\n  </testsuite>`;
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="runtime-warden" tests="${tests}" failures="${failures}" errors="${errors}">\n${[properties, ...suites].join('\n')}\n</testsuites>\n`;
}
