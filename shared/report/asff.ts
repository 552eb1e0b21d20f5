import { dayStart } from '../catalog/catalog.js';
import type { InventoryRow } from './inventory.js';

// The report as AWS Security Finding Format findings, for Security Hub's BatchImportFindings: what
// the Config integration does not carry (the walls and their days, the tier's move-by, waivers,
// published versions the summary names). One finding per function, re-imported with the same Id
// so that Security Hub updates it ("To update a finding, resubmit the finding with the same
// identifier": Security Hub Partner Guide, "Guidelines for mapping findings into ASFF"). Pure.

export const ASFF_SCHEMA_VERSION = '2018-10-08';
/** "Security Hub CSPM accepts up to 100 findings per batch, up to 240 KB per finding, and up to 6 MB per batch" (Partner Guide, "Guidelines for using the BatchImportFindings API"). */
export const BATCH_FINDINGS = 100;
/** ASFF: Title at most 256 characters, Description at most 1,024 (AwsSecurityFinding, API Reference). */
const TITLE_MAX = 256;
const DESCRIPTION_MAX = 1024;
/** ProductFields values: at most 2,048 characters (AwsSecurityFinding, API Reference). */
const FIELD_MAX = 2048;

export const GENERATOR_ID = 'runtime-warden/runtime-lifecycle';
/** ASFF's finding-type taxonomy: namespace/category (Security Hub User Guide, "ASFF types taxonomy"). */
export const FINDING_TYPE = 'Software and Configuration Checks/AWS Security Best Practices';

type Label = 'CRITICAL' | 'HIGH' | 'MEDIUM' | 'LOW' | 'INFORMATIONAL';

export interface AsffFinding {
  readonly SchemaVersion: string;
  readonly Id: string;
  readonly ProductArn: string;
  readonly GeneratorId: string;
  readonly AwsAccountId: string;
  readonly Region: string;
  readonly Types: readonly string[];
  readonly CreatedAt: string;
  readonly UpdatedAt: string;
  readonly Severity: { readonly Label: Label };
  readonly Title: string;
  readonly Description: string;
  readonly Resources: readonly [{ readonly Type: 'AwsLambdaFunction'; readonly Id: string; readonly Partition: 'aws'; readonly Region: string; readonly Details: { readonly AwsLambdaFunction: { readonly FunctionName: string; readonly Runtime?: string } } }];
  readonly Compliance: { readonly Status: 'PASSED' | 'WARNING' | 'FAILED' | 'NOT_AVAILABLE' };
  readonly RecordState: 'ACTIVE' | 'ARCHIVED';
  readonly ProductFields: Readonly<Record<string, string>>;
  readonly FindingProviderFields: { readonly Severity: { readonly Label: Label }; readonly Types: readonly string[] };
}

const cut = (s: string, max: number): string => (s.length <= max ? s : `${s.slice(0, max - 1)}…`);

/** Blocked from updates is the worst; a block ahead inside the tier's window next; then what the policy fails; then what is late or waived. */
function severity(r: InventoryRow): Label {
  if (r.phase === 'update-blocked') return 'CRITICAL';
  if (r.phase === 'create-blocked' || r.critical) return 'HIGH';
  if (r.compliance === 'NON_COMPLIANT') return 'MEDIUM';
  if (r.late || r.waivers.length > 0) return 'LOW';
  return 'INFORMATIONAL';
}

function status(r: InventoryRow): AsffFinding['Compliance']['Status'] {
  if (r.compliance === 'NON_COMPLIANT') return 'FAILED';
  if (r.compliance === 'NOT_APPLICABLE') return 'NOT_AVAILABLE';
  return r.late || r.critical || r.waivers.length > 0 ? 'WARNING' : 'PASSED';
}

/**
 * CreatedAt is "when the potential security issue ... was created" (ASFF required attributes): the
 * day the condition began by the catalog's dates - the runtime's phase, or the tier's move-by once
 * passed - which stays the same on every re-import. With no such day, the report's time.
 */
function createdAt(r: InventoryRow, nowMs: number): string {
  const past = [r.deprecation, r.blockCreate, r.blockUpdate, r.late ? r.moveBy : null].filter((d): d is string => d !== null && dayStart(d) <= nowMs).sort();
  return past.length > 0 ? new Date(dayStart(past[0]!)).toISOString() : new Date(nowMs).toISOString();
}

export const functionArn = (r: Pick<InventoryRow, 'region' | 'accountId' | 'name'>): string => `arn:aws:lambda:${r.region}:${r.accountId}:function:${r.name}`;

/** A row AWS Security Hub can take: a 12-digit account and a region (the Lambda API and Config give both). */
export const importable = (r: Pick<InventoryRow, 'accountId' | 'region'>): boolean => /^\d{12}$/.test(r.accountId) && /^[a-z]{2}(-[a-z]+)+-\d$/.test(r.region);

export function asffFinding(r: InventoryRow, nowMs: number): AsffFinding {
  const arn = functionArn(r);
  const wall = r.wall === null ? 'no AWS date for this runtime' : `${r.wall} ${r.wallDate} (${r.daysToWall} days)`;
  const waivers = r.waivers.map((w) => `${w.source === 'tag' ? 'tag waiver' : `policy waiver "${w.waiver ?? ''}"`} ${w.rules.join(', ')} until ${w.expires}: ${w.reason}`).join(' | ');
  const label = severity(r);
  const types = [FINDING_TYPE];
  const fields: Record<string, string> = {
    'runtime-warden/compliance': r.compliance,
    'runtime-warden/phase': r.phase,
    'runtime-warden/tier': r.tier,
    'runtime-warden/nextWall': wall,
    'runtime-warden/moveBy': r.moveBy ?? '',
    'runtime-warden/late': String(r.late),
    'runtime-warden/critical': String(r.critical),
    'runtime-warden/upgradeTo': r.target,
    'runtime-warden/rules': r.ruleIds,
    'runtime-warden/owner': r.owner,
    'runtime-warden/waivers': waivers,
  };
  return {
    SchemaVersion: ASFF_SCHEMA_VERSION,
    Id: `${arn}/runtime-warden/runtime-lifecycle`,
    ProductArn: `arn:aws:securityhub:${r.region}:${r.accountId}:product/${r.accountId}/default`,
    GeneratorId: GENERATOR_ID,
    AwsAccountId: r.accountId,
    Region: r.region,
    Types: types,
    CreatedAt: createdAt(r, nowMs),
    UpdatedAt: new Date(nowMs).toISOString(),
    Severity: { Label: label },
    Title: cut(`Lambda function ${r.name}: ${r.runtime} (${r.phase}), next AWS date ${wall}`, TITLE_MAX),
    Description: cut(`${r.summary} Next AWS date: ${wall}; the tier (${r.tier}) moves by ${r.moveBy ?? 'no date'}${r.late ? ' (late)' : ''}${r.target ? `; upgrade to ${r.target}` : ''}.${waivers ? ` Waivers: ${waivers}.` : ''}`, DESCRIPTION_MAX),
    Resources: [{ Type: 'AwsLambdaFunction', Id: arn, Partition: 'aws', Region: r.region, Details: { AwsLambdaFunction: { FunctionName: r.name, ...(!r.runtime.startsWith('(') && { Runtime: r.runtime }) } } }],
    Compliance: { Status: status(r) },
    // A function with nothing to say archives the finding a previous import made active.
    RecordState: status(r) === 'PASSED' || status(r) === 'NOT_AVAILABLE' ? 'ARCHIVED' : 'ACTIVE',
    ProductFields: Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== '').map(([k, v]) => [k, cut(v, FIELD_MAX)])),
    FindingProviderFields: { Severity: { Label: label }, Types: types },
  };
}

/**
 * BatchImportFindings requests: the caller must be the account of the findings ("the identifier of
 * the account that you are calling BatchImportFindings from needs to be the same as the
 * AwsAccountId attribute": API Reference), in the findings' region, 100 findings a call.
 */
export function asffBatches(rows: readonly InventoryRow[], nowMs: number): { accountId: string; region: string; request: { Findings: AsffFinding[] } }[] {
  const groups = new Map<string, AsffFinding[]>();
  for (const r of rows.filter(importable)) {
    const k = `${r.accountId} ${r.region}`;
    (groups.get(k) ?? groups.set(k, []).get(k)!).push(asffFinding(r, nowMs));
  }
  return [...groups].flatMap(([k, findings]) => {
    const [accountId, region] = k.split(' ') as [string, string];
    return Array.from({ length: Math.ceil(findings.length / BATCH_FINDINGS) }, (_, i) => ({ accountId, region, request: { Findings: findings.slice(i * BATCH_FINDINGS, (i + 1) * BATCH_FINDINGS) } }));
  });
}
