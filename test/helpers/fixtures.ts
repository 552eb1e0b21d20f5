import type { ScannedFile } from '../../shared/template/scan.js';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FunctionFacts } from '../../shared/index.js';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The instant every unit test judges at, so that the suite does not rot as dates pass. */
export const NOW = Date.parse('2026-11-23T12:00:00Z');

export function loadEvent<T = Record<string, unknown>>(source: string, name: string): T {
  return JSON.parse(readFileSync(join(ROOT, 'test', 'events', source, `${name}.json`), 'utf8')) as T;
}

type HookEvent = {
  actionInvocationPoint: string;
  requestData: { targetModel: { resourceProperties: Record<string, unknown>; previousResourceProperties: Record<string, unknown> | null } };
};

/** A recorded hook event with some resource properties changed (`undefined` removes one). */
export function hookEvent(name: string, properties: Record<string, unknown> = {}): HookEvent {
  const event = loadEvent<HookEvent>('hook', name);
  const target = event.requestData.targetModel.resourceProperties;
  for (const [k, v] of Object.entries(properties)) {
    if (v === undefined) delete target[k];
    else target[k] = v;
  }
  return event;
}

export function facts(overrides: Partial<FunctionFacts> = {}): FunctionFacts {
  return { name: 'orders-api', accountId: '123456789012', region: 'eu-west-1', runtime: 'nodejs22.x', packageType: 'Zip', updateMode: 'Auto', tags: {}, layers: [], ...overrides };
}

type ConfigEvent = Record<string, unknown> & { invokingEvent: string; ruleParameters: string; resultToken: string };

/** A recorded Config rule event, with rule parameters, top-level fields or the item changed. */
export function configEvent(
  name: string,
  changes: { parameters?: Record<string, string>; fields?: Record<string, unknown>; configuration?: Record<string, unknown>; item?: Record<string, unknown> } = {},
): ConfigEvent {
  const event = loadEvent<ConfigEvent>('config', name);
  if (changes.parameters) event.ruleParameters = JSON.stringify(changes.parameters);
  Object.assign(event, changes.fields ?? {});
  if (changes.configuration || changes.item) {
    const inv = JSON.parse(event.invokingEvent) as { configurationItem: Record<string, unknown> & { configuration: Record<string, unknown> } };
    Object.assign(inv.configurationItem, changes.item ?? {});
    Object.assign(inv.configurationItem.configuration, changes.configuration ?? {});
    event.invokingEvent = JSON.stringify(inv);
  }
  return event;
}

/** logicalId -> "compliance rule ids" with severities: the exact outcome of a scanned file. */
export function outcome(file: ScannedFile): Record<string, string> {
  return Object.fromEntries(file.functions.map((f) => [f.logicalId, `${f.verdict.compliance} ${f.findings.map((x) => `${x.ruleId}:${x.severity}`).join(' ')}`.trim()]));
}
