import { functionKey } from './compare.js';
import { layerLabel, type FunctionFacts } from '../facts/functionFacts.js';
import type { InventoryRow } from './inventory.js';

// The layers a fleet's functions depend on, for the report: a function cannot move to a runtime
// its layers do not declare, so a layer is published first. Pure: facts and their rows in.

export interface LayerRow {
  readonly arn: string;
  /** `shared-utils:7`. */
  readonly layer: string;
  readonly compatibleRuntimes: readonly string[];
  /** Functions using it. */
  readonly functions: number;
  /** Of those, functions on a deprecated runtime (deprecated, creates or updates blocked). */
  readonly deprecatedFunctions: number;
  /** The runtimes its functions must move to. */
  readonly targets: readonly string[];
  /** Targets it does not declare; null when it declares nothing (compatibility unknown). */
  readonly missingTargets: readonly string[] | null;
  /** The earliest move-by of its functions that must move: publish a compatible version before. */
  readonly publishBy: string | null;
  /** Its functions that must move, as account/region/name. */
  readonly waiting: readonly string[];
}

const DEPRECATED: ReadonlySet<string> = new Set(['deprecated', 'create-blocked', 'update-blocked']);
const sorted = (xs: Iterable<string>): string[] => [...new Set(xs)].sort();

/**
 * Every layer version the functions' facts describe (read from the Lambda API), the one most
 * deprecated functions depend on first. `rows[i]` is `facts[i]`'s inventory row.
 */
export function layerRows(facts: readonly FunctionFacts[], rows: readonly InventoryRow[]): LayerRow[] {
  const by = new Map<string, { layer: NonNullable<FunctionFacts['layerVersions']>[number]; users: InventoryRow[] }>();
  facts.forEach((f, i) => {
    for (const l of f.layerVersions ?? []) {
      const key = l.arn ?? l.name ?? '';
      const entry = by.get(key) ?? by.set(key, { layer: l, users: [] }).get(key)!;
      entry.users.push(rows[i]!);
    }
  });
  return [...by.entries()]
    .map(([arn, { layer, users }]): LayerRow => {
      const moving = users.filter((u) => u.target !== '');
      const targets = sorted(moving.map((u) => u.target));
      const declared = layer.compatibleRuntimes ?? [];
      const moveBys = moving.map((u) => u.moveBy).filter((d): d is string => d !== null).sort();
      return {
        arn,
        layer: layerLabel(layer),
        compatibleRuntimes: declared,
        functions: users.length,
        deprecatedFunctions: users.filter((u) => DEPRECATED.has(u.phase)).length,
        targets,
        missingTargets: declared.length === 0 ? null : targets.filter((t) => !declared.includes(t)),
        publishBy: moveBys[0] ?? null,
        waiting: moving.map(functionKey).sort(),
      };
    })
    .sort((a, b) => b.deprecatedFunctions - a.deprecatedFunctions || b.functions - a.functions || a.layer.localeCompare(b.layer));
}
