import type { Finding, Severity } from '../shared/index.js';
import { LAMBDA_FUNCTION_TYPES } from '../shared/facts/functionFacts.js';
import type { CatalogOrigin } from '../shared/catalog/catalog.js';
import type { ScannedFile } from '../shared/template/scan.js';
import type { RuntimeEdit } from './fix.js';

export interface ScanReport {
  readonly files: readonly ScannedFile[];
  readonly now: Date;
  readonly policy: string;
  /** The runtime catalog judged by: its as-of date and source. */
  readonly catalog: CatalogOrigin;
  readonly version: string;
  /** With --baseline: the findings it holds, shown but not counted. Without: undefined. */
  readonly baselined?: ReadonlySet<Finding>;
  /** How to get an exception for what fails this scan (the policy's waivers and contact), said once. */
  readonly exception?: string;
  /** For SARIF's `fixes`: the edits `fix` would make, by file path (files with none are absent). */
  readonly fixes?: ReadonlyMap<string, readonly RuntimeEdit[]>;
}

/** The lifecycle errors, which `fix` fixes: the runtime is deprecated, or AWS blocks creating or updating on it. */
export const LIFECYCLE: ReadonlySet<string> = new Set(['RW004', 'RW005', 'RW006']);

/** SARIF's baselineState for a finding, when the scan had a baseline. */
export const baselineState = (r: ScanReport, x: Finding): 'unchanged' | 'new' | undefined => (r.baselined ? (r.baselined.has(x) ? 'unchanged' : 'new') : undefined);

/** `catalog as of 2026-11-23 from https://...`, for text outputs. */
export const describeCatalog = (c: CatalogOrigin): string => `runtime catalog as of ${c.asOf} (${c.source})`;

export interface ScanSummary {
  readonly templates: number;
  readonly functions: number;
  readonly nonCompliant: number;
  readonly withWarnings: number;
  readonly notApplicable: number;
  readonly fileErrors: number;
  readonly skipped: number;
  /** Layer versions the templates declare that have findings (RW019), listed beside the functions. */
  readonly layerVersions: number;
}

export function summarise(r: ScanReport): ScanSummary {
  // A flagged layer version is listed beside the functions; it is not one of them.
  const entries = r.files.flatMap((f) => f.functions);
  const fns = entries.filter((f) => LAMBDA_FUNCTION_TYPES.includes(f.type));
  return {
    templates: r.files.filter((f) => !f.error && !f.skipped).length,
    functions: fns.length,
    nonCompliant: fns.filter((f) => f.verdict.compliance === 'NON_COMPLIANT').length,
    withWarnings: fns.filter((f) => f.verdict.compliance === 'COMPLIANT' && f.findings.some((x) => x.severity === 'warning')).length,
    notApplicable: fns.filter((f) => f.verdict.compliance === 'NOT_APPLICABLE').length,
    fileErrors: r.files.filter((f) => f.error).length,
    skipped: r.files.filter((f) => f.skipped).length,
    layerVersions: entries.length - fns.length,
  };
}

export type FailOn = 'error' | 'warning';

/** 1 when a finding at or above `failOn` exists that no baseline holds; else 2 when a file could not be scanned; else 0. */
export function exitCode(r: ScanReport, failOn: FailOn): number {
  const failing: readonly Severity[] = failOn === 'warning' ? ['error', 'warning'] : ['error'];
  if (r.files.some((f) => f.functions.some((fn) => fn.findings.some((x) => failing.includes(x.severity) && !r.baselined?.has(x))))) return 1;
  return r.files.some((f) => f.error) ? 2 : 0;
}
