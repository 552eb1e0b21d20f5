import { DAY_PHASES, type RuntimeCatalog } from '../shared/catalog/catalog.js';

/** `runtime-warden catalog show`: every runtime, its dates and its phase on `nowMs`, newest first per family. */
export function renderCatalog(catalog: RuntimeCatalog, nowMs: number): string {
  const day = (d: string | null): string => d ?? '-';
  const rows = catalog
    .all()
    .sort((a, b) => a.family.localeCompare(b.family) || (b.deprecation ?? '9999').localeCompare(a.deprecation ?? '9999') || b.id.localeCompare(a.id))
    .map((r) => [r.id, r.os, day(r.deprecation), day(r.blockCreate), day(r.blockUpdate), DAY_PHASES[catalog.phase(r.id, nowMs)]]);
  const head = ['Identifier', 'Operating system', 'Deprecation', 'Block create', 'Block update', `Phase on ${new Date(nowMs).toISOString().slice(0, 10)}`];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]): string => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  const { asOf, source, fetchedAt } = catalog.origin;
  return `${[`Runtime catalog as of ${asOf} (${source}${fetchedAt ? `, fetched ${fetchedAt}` : ''}): ${rows.length} runtimes`, '', line(head), ...rows.map(line)].join('\n')}\n`;
}
