import { relative } from 'node:path';
import { RULES, type Finding, type Severity } from '../../shared/index.js';
import type { ScannedFunction } from '../../shared/template/scan.js';
import type { RuntimeEdit } from '../fix.js';
import { RULE_HELP, ruleHelpUri } from '../../shared/evaluation/ruleHelp.js';
import { baselineState, LIFECYCLE, type ScanReport } from '../scanReport.js';
import { messageWithWhere } from './text.js';

const LEVEL: Record<Severity, 'error' | 'warning' | 'note'> = { error: 'error', warning: 'warning', info: 'note' };

/** The edits `fix` makes for a finding, as SARIF `fixes` (SARIF 2.1.0, 3.55 "fix object": artifactChanges, replacements, deletedRegion, insertedContent). */
function fixesOf(edits: readonly RuntimeEdit[] | undefined, fn: ScannedFunction, x: Finding, uri: string): object[] {
  if (!LIFECYCLE.has(x.ruleId)) return [];
  return (edits ?? [])
    .filter((e) => e.functions.includes(fn.logicalId))
    .map((e) => ({
      description: { text: `${e.where}: ${e.from} -> ${e.to} (runtime-warden fix)` },
      artifactChanges: [{ artifactLocation: { uri }, replacements: [{ deletedRegion: { startLine: e.line, startColumn: e.column, endColumn: e.column + e.from.length }, insertedContent: { text: e.to } }] }],
    }));
}

/**
 * SARIF 2.1.0 for code-scanning tools: one result per finding, its region at the value that
 * decides it (from the key of a map entry, as cfn-lint's columns; the resource's line where the
 * text gives no more), the resource as a related location and the logical location; and the edits
 * `runtime-warden fix` would make, as `fixes`.
 */
export function renderSarif(r: ScanReport, cwd = process.cwd()): string {
  const uri = (p: string): string => relative(cwd, p).split('\\').join('/');
  const ruleIndex = new Map(RULES.map((x, i) => [x.id, i]));
  const results = r.files.flatMap((f) =>
    f.functions.flatMap((fn) => {
      const resource = fn.line === undefined ? undefined : { startLine: fn.line, ...(fn.column !== undefined && { startColumn: fn.column }) };
      return fn.findings.map((x) => {
        const l = x.location;
        const region = l ? { startLine: l.line, startColumn: l.column, endLine: l.endLine, endColumn: l.endColumn } : resource;
        const fixes = fixesOf(r.fixes?.get(f.path), fn, x, uri(f.path));
        return {
          ruleId: x.ruleId,
          ruleIndex: ruleIndex.get(x.ruleId)!,
          level: LEVEL[x.severity],
          message: { text: `${fn.logicalId}: ${messageWithWhere(x)}` },
          locations: [
            {
              physicalLocation: { artifactLocation: { uri: uri(f.path) }, ...(region && { region }) },
              logicalLocations: [{ name: fn.logicalId, kind: 'resource', fullyQualifiedName: `${uri(f.path)}#${fn.logicalId}` }],
            },
          ],
          ...(l && resource && { relatedLocations: [{ id: 1, message: { text: `resource ${fn.logicalId}` }, physicalLocation: { artifactLocation: { uri: uri(f.path) }, region: resource } }] }),
          partialFingerprints: { 'runtimeWarden/v1': `${uri(f.path)}#${fn.logicalId}#${x.ruleId}` },
          ...(r.baselined && { baselineState: baselineState(r, x) }),
          ...(fixes.length > 0 && { fixes }),
        };
      });
    }),
  );
  const notifications = r.files
    .filter((f) => f.error)
    .map((f) => ({ level: 'error', message: { text: f.error! }, locations: [{ physicalLocation: { artifactLocation: { uri: uri(f.path) } } }] }));
  const log = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'runtime-warden',
            version: r.version,
            informationUri: 'https://github.com/runtime-warden/runtime-warden',
            // What code scanning shows beside a finding and ranks it by (GitHub Docs, "SARIF
            // support for code scanning": help, helpUri, properties.security-severity).
            rules: RULES.map((x) => {
              const h = RULE_HELP[x.id]!;
              return {
                id: x.id,
                name: x.name,
                shortDescription: { text: x.title },
                fullDescription: { text: h.description },
                help: { text: `${h.description}\nFix: ${h.fix}`, markdown: `${h.description}\n\n**Fix:** ${h.fix}\n\n[${x.id} in the rules page](${ruleHelpUri(x.id)})` },
                helpUri: ruleHelpUri(x.id),
                defaultConfiguration: { level: LEVEL[x.severity] },
                properties: { tags: ['security', 'lambda-runtime'], ...(h.securitySeverity && { 'security-severity': h.securitySeverity }) },
              };
            }),
          },
        },
        invocations: [{ executionSuccessful: notifications.length === 0, toolExecutionNotifications: notifications }],
        properties: { policy: r.policy, catalogAsOf: r.catalog.asOf, catalogSource: r.catalog.source, judgedAt: r.now.toISOString() },
        results,
      },
    ],
  };
  return `${JSON.stringify(log, null, 2)}\n`;
}
