import { baselineState, summarise, type ScanReport } from '../scanReport.js';

export function renderJson(r: ScanReport): string {
  return `${JSON.stringify(
    {
      tool: 'runtime-warden',
      version: r.version,
      policy: r.policy,
      catalog: r.catalog,
      now: r.now.toISOString(),
      summary: summarise(r),
      ...(r.exception && { exception: r.exception }),
      files: r.files
        .filter((f) => !f.skipped)
        .map((f) => ({
          path: f.path,
          ...(f.error && { error: f.error }),
          functions: f.functions.map(({ hookProperties: _, verdict, ...fn }) => ({
            ...fn,
            ...(r.baselined && { findings: fn.findings.map((x) => ({ ...x, baselineState: baselineState(r, x) })) }),
            compliance: verdict.compliance,
            summary: verdict.summary,
          })),
        })),
    },
    null,
    2,
  )}\n`;
}
