import { relative } from 'node:path';
import { RULES, type Severity } from '../../shared/index.js';
import { RULE_HELP, ruleHelpUri } from '../../shared/evaluation/ruleHelp.js';
import { baselineState, type ScanReport } from '../scanReport.js';

const LEVEL: Record<Severity, 'error' | 'warning' | 'note'> = { error: 'error', warning: 'warning', info: 'note' };

/** SARIF 2.1.0 for code-scanning tools: one result per finding, at the resource's line. */
export function renderSarif(r: ScanReport, cwd = process.cwd()): string {
  const uri = (p: string): string => relative(cwd, p).split('\\').join('/');
  const ruleIndex = new Map(RULES.map((x, i) => [x.id, i]));
  const results = r.files.flatMap((f) =>
    f.functions.flatMap((fn) =>
      fn.findings.map((x) => ({
        ruleId: x.ruleId,
        ruleIndex: ruleIndex.get(x.ruleId)!,
        level: LEVEL[x.severity],
        message: { text: `${fn.logicalId}: ${x.message}` },
        locations: [
          {
            physicalLocation: { artifactLocation: { uri: uri(f.path) }, ...(fn.line !== undefined && { region: { startLine: fn.line } }) },
            logicalLocations: [{ name: fn.logicalId, kind: 'resource', fullyQualifiedName: `${uri(f.path)}#${fn.logicalId}` }],
          },
        ],
        partialFingerprints: { 'runtimeWarden/v1': `${uri(f.path)}#${fn.logicalId}#${x.ruleId}` },
        ...(r.baselined && { baselineState: baselineState(r, x) }),
      })),
    ),
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
