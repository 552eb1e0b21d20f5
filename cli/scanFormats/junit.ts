import type { ScanReport } from '../scanReport.js';

// XML 1.0 allows no C0 control but tab, LF and CR, nor U+FFFE, U+FFFF or a lone surrogate (XML
// 1.0, section 2.2 "Characters"): a template value holding one would make the whole report
// unreadable to a CI server. They are written as \uXXXX text.
const NOT_XML = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
const escape = (s: string): string =>
  s
    .replace(NOT_XML, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');

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
