import * as z from '../schema/zod.js';
import { issueLines } from '../schema/zod.js';
import { isoDate } from '../policy/schema.js';
import { dayStart, DEFAULT_CATALOG, RuntimeCatalog, type CatalogOrigin, type LifecyclePhase, type RuntimeInfo } from './catalog.js';

// The catalog as a file (`runtime-warden catalog refresh --output`) and as the value of the SSM
// parameter the refresher keeps: AWS's lifecycle table, read on a day, from a source.

const date = z.nullable(isoDate);
const nonEmpty = z.string().check(z.minLength(1));

const entrySchema = z.strictObject({
  id: z.string().check(z.regex(/^[a-z][a-z0-9.-]*$/, 'must be a Lambda runtime identifier such as nodejs22.x')),
  name: z.optional(z.string()),
  family: nonEmpty,
  os: z.string(),
  deprecation: date,
  blockCreate: date,
  blockUpdate: date,
});

export const catalogDocumentSchema = z.strictObject({
  schemaVersion: z.literal(1),
  /** The UTC day AWS's table was read. */
  asOf: isoDate,
  /** The page it was read from: a URL or a file. */
  source: nonEmpty,
  fetchedAt: z.iso.datetime(),
  entries: z.array(entrySchema).check(z.minLength(1)),
});

export type CatalogDocument = z.infer<typeof catalogDocumentSchema>;
export type CatalogEntry = z.infer<typeof entrySchema>;

export class CatalogError extends Error {
  public readonly problems: readonly string[];

  public constructor(problems: readonly string[], what: string) {
    super(`${what} is refused: ${problems.join('; ')}`);
    this.name = 'CatalogError';
    this.problems = problems;
  }
}

/**
 * A catalog that would move a runtime back in its lifecycle: refused wherever a catalog comes in,
 * since it would make every check pass for that runtime and read like an ordinary AWS change.
 */
export class CatalogRegressionError extends CatalogError {
  public constructor(problems: readonly string[], what: string) {
    super(problems, what);
    this.name = 'CatalogRegressionError';
  }
}

const PHASE_ORDER: Readonly<Record<LifecyclePhase, number>> = { unknown: -1, active: 0, deprecated: 1, 'create-blocked': 2, 'update-blocked': 3 };

/**
 * What `next` would undo of `baseline` at `nowMs`: a runtime moved back from deprecated or blocked
 * towards active, or a lifecycle date that has already passed moved or cleared. AWS announces
 * dates ahead and moves them only while they are ahead; a date behind us is history. A runtime
 * `next` does not hold is left to `catalogProblems` (none forgotten).
 */
export function lifecycleRegressions(baseline: RuntimeCatalog, next: RuntimeCatalog, nowMs: number): string[] {
  const out: string[] = [];
  const day = (d: string | null): string => d ?? 'not scheduled';
  for (const before of baseline.all()) {
    const after = next.get(before.id);
    if (!after) continue;
    const was = baseline.phase(before.id, nowMs);
    const now = next.phase(before.id, nowMs);
    if (PHASE_ORDER[now] < PHASE_ORDER[was]) out.push(`${before.id} would move back from ${was} to ${now}`);
    for (const field of FIELDS) {
      const d = before[field];
      if (d !== null && dayStart(d) <= nowMs && after[field] !== d) out.push(`${before.id}: ${LABELS[field]} ${d} has passed and cannot move to ${day(after[field])}`);
    }
  }
  return out;
}

/** Fewer identifiers than this is a page that lost rows, not AWS forgetting runtimes. */
export const MIN_IDENTIFIERS = 30;

const sameDates = (e: CatalogEntry, known: RuntimeInfo | undefined): boolean =>
  known !== undefined && known.deprecation === e.deprecation && known.blockCreate === e.blockCreate && known.blockUpdate === e.blockUpdate;

/**
 * The gates every catalog passes before anything judges by it: enough identifiers, every
 * identifier the built-in catalog knows (AWS never forgets a runtime), each identifier once, and
 * no block date before its deprecation date. The last applies to dates that are new or moved: AWS's
 * own table keeps a few runtimes retired under the old policy (nodejs8.10, dotnetcore2.0, ...)
 * whose creation was blocked before their deprecation date, and those rows are history the
 * built-in catalog already holds. Returns the problems; none means it passes.
 */
export function catalogProblems(entries: readonly CatalogEntry[]): string[] {
  const problems: string[] = [];
  const ids = new Set<string>();
  for (const e of entries) {
    if (ids.has(e.id)) problems.push(`${e.id} is listed twice`);
    ids.add(e.id);
    if (sameDates(e, DEFAULT_CATALOG.get(e.id))) continue;
    for (const field of ['blockCreate', 'blockUpdate'] as const) {
      const d = e[field];
      if (d && e.deprecation && dayStart(d) < dayStart(e.deprecation)) problems.push(`${e.id}: ${field} ${d} is before its deprecation date ${e.deprecation}`);
    }
  }
  if (ids.size < MIN_IDENTIFIERS) problems.push(`only ${ids.size} runtime identifiers (at least ${MIN_IDENTIFIERS} expected)`);
  const missing = DEFAULT_CATALOG.all().filter((r) => !ids.has(r.id)).map((r) => r.id);
  if (missing.length > 0) problems.push(`runtimes missing that AWS has listed before: ${missing.join(', ')}`);
  return problems;
}

/** A catalog from its document; throws CatalogError saying what is wrong. */
export function catalogFromDocument(input: unknown, what: string): RuntimeCatalog {
  const r = catalogDocumentSchema.safeParse(input);
  if (!r.success) throw new CatalogError(issueLines(r.error, '(document)'), what);
  const problems = catalogProblems(r.data.entries);
  if (problems.length > 0) throw new CatalogError(problems, what);
  const d = r.data;
  return catalogOfEntries(d.entries, { asOf: d.asOf, source: d.source, fetchedAt: d.fetchedAt });
}

export function catalogOfEntries(entries: readonly CatalogEntry[], origin: CatalogOrigin): RuntimeCatalog {
  return RuntimeCatalog.fromRows(
    entries.map((e) => [e.id, e.family, e.os, e.deprecation, e.blockCreate, e.blockUpdate] as const),
    origin,
  );
}

/** Parses catalog JSON text; throws CatalogError. */
export function parseCatalogText(text: string, what: string): RuntimeCatalog {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new CatalogError([`not JSON: ${(err as Error).message}`], what);
  }
  return catalogFromDocument(json, what);
}

export function catalogDocument(catalog: RuntimeCatalog, names: ReadonlyMap<string, string> = new Map()): CatalogDocument {
  return {
    schemaVersion: 1,
    asOf: catalog.origin.asOf,
    source: catalog.origin.source,
    fetchedAt: catalog.origin.fetchedAt ?? `${catalog.origin.asOf}T00:00:00.000Z`,
    entries: catalog.all().map((e) => ({ id: e.id, ...(names.has(e.id) && { name: names.get(e.id)! }), family: e.family, os: e.os, deprecation: e.deprecation, blockCreate: e.blockCreate, blockUpdate: e.blockUpdate })),
  };
}

export interface CatalogChanges {
  readonly added: readonly string[];
  readonly gone: readonly string[];
  readonly moved: readonly { readonly id: string; readonly field: 'deprecation' | 'blockCreate' | 'blockUpdate'; readonly from: string | null; readonly to: string | null }[];
}

const FIELDS = ['deprecation', 'blockCreate', 'blockUpdate'] as const;
const LABELS = { deprecation: 'deprecation', blockCreate: 'block create', blockUpdate: 'block update' } as const;

export function catalogChanges(before: RuntimeCatalog, after: RuntimeCatalog): CatalogChanges {
  const moved: CatalogChanges['moved'][number][] = [];
  for (const e of after.all()) {
    const old = before.get(e.id);
    if (!old) continue;
    for (const field of FIELDS) if (old[field] !== e[field]) moved.push({ id: e.id, field, from: old[field], to: e[field] });
  }
  return {
    added: after.all().filter((e) => !before.has(e.id)).map((e) => e.id),
    gone: before.all().filter((e) => !after.has(e.id)).map((e) => e.id),
    moved,
  };
}

export const hasChanges = (c: CatalogChanges): boolean => c.added.length + c.gone.length + c.moved.length > 0;

/** One line per change, with the runtime it is about: `python3.11 deprecation moved 2027-06-30 -> 2027-09-30`. */
export function describeChanges(c: CatalogChanges, catalog: RuntimeCatalog): { readonly id: string; readonly line: string }[] {
  const day = (d: string | null): string => d ?? 'not scheduled';
  return [
    ...c.added.map((id) => ({ id, line: `${id} added (deprecation ${day(catalog.get(id)?.deprecation ?? null)})` })),
    ...c.moved.map((m) => ({ id: m.id, line: `${m.id} ${LABELS[m.field]} moved ${day(m.from)} -> ${day(m.to)}` })),
    ...c.gone.map((id) => ({ id, line: `${id} gone from AWS's table` })),
  ];
}
