import type { ScannedFunction } from '../../shared/template/scan.js';
import { baselineState, type ScanReport } from '../scanReport.js';
import { findingText, whereText } from './text.js';

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

type Outcome = 'failed' | 'baselined' | 'passed';

/** A function breaking the policy fails, unless every error that makes it break is in the baseline. */
function outcome(r: ScanReport, fn: ScannedFunction): Outcome {
  if (fn.verdict.compliance !== 'NON_COMPLIANT') return 'passed';
  return fn.findings.some((x) => x.severity === 'error' && baselineState(r, x) !== 'unchanged') ? 'failed' : 'baselined';
}

/**
 * JUnit XML for CI test reports: a suite per template, a test case per function, each finding a
 * line `path:line:col: severity RWnnn ...` at the value that decides it; a function that breaks
 * the policy fails, a file that cannot be scanned errors. With a baseline, a function whose errors
 * are all in it is skipped, as pytest reports an expected failure (`<skipped type="pytest.xfail">`): not failed, and not
 * passed either.
 */
export function renderJunit(r: ScanReport): string {
  const scanned = r.files.filter((f) => !f.skipped);
  const suites = scanned.map((f) => {
    const cases = f.functions.map((fn) => {
      const text = escape(fn.findings.map((x) => `${whereText(f.path, fn, x)} ${findingText(r, fn, x)}`).join('\n'));
      const failing = fn.findings.filter((x) => x.severity === 'error' && baselineState(r, x) !== 'unchanged');
      const body = {
        failed: () => `<failure message="${escape(fn.verdict.summary)}" type="${escape(failing.map((x) => x.ruleId).join(','))}">${text}</failure>`,
        baselined: () => `<skipped type="runtime-warden.baseline" message="${escape(`in the baseline: ${fn.verdict.summary}`)}"/><system-out>${text}</system-out>`,
        passed: () => (fn.findings.length > 0 ? `<system-out>${text}</system-out>` : ''),
      }[outcome(r, fn)]();
      return `    <testcase classname="${escape(f.path)}" name="${escape(`${fn.logicalId}${fn.line ? ` (line ${fn.line})` : ''}`)}">${body}</testcase>`;
    });
    if (f.error) cases.push(`    <testcase classname="${escape(f.path)}" name="(template)"><error message="${escape(f.error)}"/></testcase>`);
    const count = (o: Outcome): number => f.functions.filter((fn) => outcome(r, fn) === o).length;
    return `  <testsuite name="${escape(f.path)}" tests="${cases.length}" failures="${count('failed')}" errors="${f.error ? 1 : 0}" skipped="${count('baselined')}">\n${cases.join('\n')}\n  </testsuite>`;
  });
  const tests = scanned.reduce((n, f) => n + f.functions.length + (f.error ? 1 : 0), 0);
  const total = (o: Outcome): number => scanned.reduce((n, f) => n + f.functions.filter((fn) => outcome(r, fn) === o).length, 0);
  const failures = total('failed');
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
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="runtime-warden" tests="${tests}" failures="${failures}" errors="${errors}" skipped="${total('baselined')}">\n${[properties, ...suites].join('\n')}\n</testsuites>\n`;
}
