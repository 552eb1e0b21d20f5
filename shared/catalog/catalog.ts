import { CATALOG_DATA_AS_OF, RUNTIME_RELEASES, RUNTIME_ROWS, RUNTIME_SUCCESSORS, type RuntimeRow } from './runtimeData.js';

export type LifecyclePhase = 'active' | 'deprecated' | 'create-blocked' | 'update-blocked' | 'unknown';

/** Each phase as people say it. */
export const DAY_PHASES: Readonly<Record<LifecyclePhase, string>> = {
  active: 'supported',
  deprecated: 'deprecated',
  'create-blocked': 'deprecated, creates blocked',
  'update-blocked': 'deprecated, creates and updates blocked',
  unknown: 'unknown',
};

export interface RuntimeInfo {
  readonly id: string;
  readonly family: string;
  readonly language: string;
  /** Language version as published (`22`, `3.13`, `al2023`). */
  readonly version: string;
  readonly os: string;
  readonly deprecation: string | null;
  readonly blockCreate: string | null;
  readonly blockUpdate: string | null;
}

/** A runtime entry a policy adds or changes; absent fields keep the catalog's value. */
export interface RuntimeOverride {
  readonly id: string;
  readonly family?: string;
  readonly os?: string;
  readonly deprecation?: string | null;
  readonly blockCreate?: string | null;
  readonly blockUpdate?: string | null;
  /** The day the runtime became available in Lambda (RW021). */
  readonly released?: string;
}

/** Where a catalog's dates come from, named in every output that judges by them. */
export interface CatalogOrigin {
  /** The UTC day the data was read from AWS's table. */
  readonly asOf: string;
  /** `built in` or the page (URL or file) the catalog was refreshed from. */
  readonly source: string;
  /** When the page was fetched (ISO-8601), for a refreshed catalog. */
  readonly fetchedAt?: string;
}

export const BUILT_IN_ORIGIN: CatalogOrigin = { asOf: CATALOG_DATA_AS_OF, source: 'built in' };

const LANGUAGES: Record<string, string> = {
  nodejs: 'Node.js',
  python: 'Python',
  java: 'Java',
  dotnet: '.NET',
  ruby: 'Ruby',
  go: 'Go',
  'os-only': 'OS-only',
};

const DAY_MS = 86_400_000;

/** Dates in the catalog are UTC calendar days: a phase starts at 00:00 UTC of its day. */
export function dayStart(date: string): number {
  return Date.parse(`${date}T00:00:00Z`);
}

export function daysBetween(fromMs: number, toMs: number): number {
  return Math.ceil((toMs - fromMs) / DAY_MS);
}

function versionOf(id: string): string {
  if (id.startsWith('provided')) return id === 'provided' ? 'al1' : id.slice('provided.'.length);
  const match = /(\d+(?:\.\d+)*)/.exec(id);
  return match ? match[1]! : id;
}

export function inferFamily(id: string): string {
  if (id.startsWith('provided')) return 'os-only';
  if (id.startsWith('dotnet')) return 'dotnet';
  const match = /^[a-z]+/.exec(id);
  return match ? match[0] : id;
}

/** Numeric parts of a version for ordering (`3.13` > `3.9`); words sort after numbers. */
function compareVersions(a: string, b: string): number {
  const pa = a.split(/[.]/).map((p) => (/^\d+$/.test(p) ? Number(p) : Number.NaN));
  const pb = b.split(/[.]/).map((p) => (/^\d+$/.test(p) ? Number(p) : Number.NaN));
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const x = pa[i] ?? 0;
    const y = pb[i] ?? 0;
    // Code-unit order, not localeCompare: its first call loads ICU's collator, ~10 ms of a cold start.
    if (Number.isNaN(x) || Number.isNaN(y)) return a < b ? -1 : a > b ? 1 : 0;
    if (x !== y) return x - y;
  }
  return 0;
}

interface Entry extends RuntimeInfo {
  readonly deprecationMs: number;
  readonly blockCreateMs: number;
  readonly blockUpdateMs: number;
}

function entry(info: RuntimeInfo): Entry {
  const ms = (d: string | null): number => (d === null ? Number.POSITIVE_INFINITY : dayStart(d));
  return {
    ...info,
    deprecationMs: ms(info.deprecation),
    blockCreateMs: ms(info.blockCreate),
    blockUpdateMs: ms(info.blockUpdate),
  };
}

/**
 * The runtime catalog: what each identifier is and where it stands in its lifecycle at a given
 * instant. Pure data; no clock inside (callers pass `now`).
 */
export class RuntimeCatalog {
  private readonly entries: ReadonlyMap<string, Entry>;
  /** Release days apart from the rows: AWS's lifecycle table, which refreshed rows come from, has none. */
  private readonly releases: ReadonlyMap<string, string>;

  private constructor(
    entries: Map<string, Entry>,
    public readonly origin: CatalogOrigin,
    releases: ReadonlyMap<string, string>,
  ) {
    this.entries = entries;
    this.releases = releases;
  }

  /** Release days default to the built-in ones, so a refreshed catalog keeps them for the runtimes it knows. */
  public static fromRows(rows: readonly RuntimeRow[] = RUNTIME_ROWS, origin: CatalogOrigin = BUILT_IN_ORIGIN, releases: Readonly<Record<string, string>> = RUNTIME_RELEASES): RuntimeCatalog {
    const map = new Map<string, Entry>();
    for (const [id, family, os, deprecation, blockCreate, blockUpdate] of rows) {
      map.set(id, entry({ id, family, language: LANGUAGES[family] ?? family, version: versionOf(id), os, deprecation, blockCreate, blockUpdate }));
    }
    return new RuntimeCatalog(map, origin, new Map(Object.entries(releases).filter(([id]) => map.has(id))));
  }

  /** A copy with the policy's overrides applied: new identifiers are added, known ones changed. */
  public withOverrides(overrides: readonly RuntimeOverride[]): RuntimeCatalog {
    if (overrides.length === 0) return this;
    const map = new Map(this.entries);
    const releases = new Map(this.releases);
    for (const o of overrides) {
      if (o.released !== undefined) releases.set(o.id, o.released);
      const base = map.get(o.id);
      const family = o.family ?? base?.family ?? inferFamily(o.id);
      map.set(
        o.id,
        entry({
          id: o.id,
          family,
          language: LANGUAGES[family] ?? family,
          version: base?.version ?? versionOf(o.id),
          os: o.os ?? base?.os ?? 'unknown',
          deprecation: o.deprecation !== undefined ? o.deprecation : (base?.deprecation ?? null),
          blockCreate: o.blockCreate !== undefined ? o.blockCreate : (base?.blockCreate ?? null),
          blockUpdate: o.blockUpdate !== undefined ? o.blockUpdate : (base?.blockUpdate ?? null),
        }),
      );
    }
    return new RuntimeCatalog(map, this.origin, releases);
  }

  /** The day `id` became available in Lambda, where known. */
  public released(id: string): string | undefined {
    return this.releases.get(id);
  }

  /**
   * Runtimes of `id`'s family with a higher version (`python3.14` above `python3.12`; an OS
   * variant of the same version, `java17.al2023` beside `java17`, is not newer), highest first.
   */
  public newerInFamily(id: string): RuntimeInfo[] {
    const current = this.entries.get(id);
    if (!current) return [];
    return [...this.entries.values()].filter((e) => e.family === current.family && compareVersions(e.version, current.version) > 0).sort((a, b) => compareVersions(b.version, a.version));
  }

  public get(id: string): RuntimeInfo | undefined {
    return this.entries.get(id);
  }

  public has(id: string): boolean {
    return this.entries.has(id);
  }

  public all(): RuntimeInfo[] {
    return [...this.entries.values()];
  }

  /** The catalog as rows, the form it is built from. */
  public rows(): RuntimeRow[] {
    return this.all().map((e) => [e.id, e.family, e.os, e.deprecation, e.blockCreate, e.blockUpdate] as const);
  }

  /** Whole days from the catalog's as-of day to `nowMs`. */
  public ageDays(nowMs: number): number {
    return Math.floor((nowMs - dayStart(this.origin.asOf)) / DAY_MS);
  }

  public phase(id: string, nowMs: number): LifecyclePhase {
    const e = this.entries.get(id);
    if (!e) return 'unknown';
    if (nowMs >= e.blockUpdateMs) return 'update-blocked';
    if (nowMs >= e.blockCreateMs) return 'create-blocked';
    if (nowMs >= e.deprecationMs) return 'deprecated';
    return 'active';
  }

  /**
   * Where a function on `id` should move at `nowMs`: the smallest approved move that stays
   * supported past `leadDays` (deprecation later than then, or unscheduled) - AWS's named successor
   * where there is one (RUNTIME_SUCCESSORS), else the oldest such runtime of the same family at
   * least `id`'s version - and, beside it, the family's newest (supported longest, then highest
   * version). A smaller move is less work and less risk; the newest is said for those who prefer
   * one upgrade that lasts. Undefined when the family has no such runtime.
   */
  public upgradeTargets(id: string, nowMs: number, allowed: (id: string) => boolean, leadDays = 0): { smallest: RuntimeInfo; newest: RuntimeInfo } | undefined {
    const until = nowMs + leadDays * DAY_MS;
    const eligible = (e: Entry | undefined): e is Entry => e !== undefined && e.id !== id && allowed(e.id) && this.phase(e.id, nowMs) === 'active' && e.deprecationMs > until;
    const successor = this.entries.get(RUNTIME_SUCCESSORS[id] ?? '');
    const current = this.entries.get(id);
    const family = successor?.family ?? current?.family ?? inferFamily(id);
    const members = [...this.entries.values()].filter((e) => e.family === family && eligible(e));
    const smallest = eligible(successor)
      ? successor
      : members
          .filter((e) => current?.family !== family || compareVersions(e.version, current.version) >= 0)
          .reduce<Entry | undefined>((best, e) => (!best || compareVersions(e.version, best.version) < 0 || (compareVersions(e.version, best.version) === 0 && e.deprecationMs > best.deprecationMs) ? e : best), undefined);
    const newest = members.reduce<Entry | undefined>(
      (best, e) => (!best || e.deprecationMs > best.deprecationMs || (e.deprecationMs === best.deprecationMs && compareVersions(e.version, best.version) > 0) ? e : best),
      undefined,
    );
    return smallest && newest ? { smallest, newest } : undefined;
  }

  /** The smallest approved move off `id` (upgradeTargets), the one every output names. */
  public recommendedTarget(id: string, nowMs: number, allowed: (id: string) => boolean, leadDays = 0): RuntimeInfo | undefined {
    return this.upgradeTargets(id, nowMs, allowed, leadDays)?.smallest;
  }
}

export const DEFAULT_CATALOG = RuntimeCatalog.fromRows();
