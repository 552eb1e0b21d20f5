// The shapes that cost a scanner more than their size (issue #10): each scanned at a quarter,
// half and all of the size #10 measured, median of three runs. Linear cost shows as a ratio near
// 2 between the last two sizes (quadratic would be near 4); the full size should scan well under
// 2 s. Also the hook answering the largest such event. Prints figures; asserts nothing.
// Usage: tsx bench/hostile.bench.ts
import { Logger } from '@aws-lambda-powertools/logger';
import { performance } from 'node:perf_hooks';
import { createHandler } from '../hooks/runtime-hook/handler.js';
import { DEFAULT_POLICY } from '../shared/index.js';
import { parseTemplate } from '../shared/template/parse.js';
import { scanTemplateText } from '../shared/template/scan.js';
import { HOSTILE_SHAPES } from '../test/helpers/hostileShapes.js';

const NOW = Date.now();

function median(f: () => void, runs = 3): number {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    f();
    times.push(performance.now() - start);
  }
  return times.sort((a, b) => a - b)[Math.floor(runs / 2)]!;
}

const pad = (s: string | number, n: number): string => String(s).padStart(n);
console.log('shape                              size        MB      ms   MB/s  ratio to half size');
for (const shape of HOSTILE_SHAPES) {
  let previous: number | undefined;
  for (const n of [shape.size / 4, shape.size / 2, shape.size]) {
    const text = shape.build(n);
    const ms = median(() => scanTemplateText('bench.yaml', text, DEFAULT_POLICY, NOW));
    const mb = Buffer.byteLength(text) / 1024 / 1024;
    console.log(`${shape.name.padEnd(32)} ${pad(n.toLocaleString('en'), 8)} ${pad(mb.toFixed(2), 8)} ${pad(ms.toFixed(0), 7)} ${pad((mb / (ms / 1000)).toFixed(1), 6)}  ${previous ? `x${(ms / previous).toFixed(2)}` : ''}`);
    previous = ms;
  }
}

// The hook meets each shape's function as CloudFormation resolves it: literal properties.
const hook = createHandler({ loadPolicy: () => Promise.resolve(DEFAULT_POLICY), now: () => NOW, logger: new Logger({ serviceName: 'bench', logLevel: 'SILENT' }) });
console.log('\nhook, one event                  properties KB      ms');
for (const shape of HOSTILE_SHAPES.slice(0, 3)) {
  const template = parseTemplate(shape.build(shape.size)) as { Resources: Record<string, { Properties: Record<string, unknown> }> };
  const properties = Object.values(template.Resources)[0]!.Properties;
  // Sub and Join arrive resolved; their expression is what a hostile template could hand over unresolved.
  const event = {
    clientRequestToken: 't',
    stackId: 'arn:aws:cloudformation:eu-west-1:123456789012:stack/s/1',
    actionInvocationPoint: 'CREATE_PRE_PROVISION',
    requestData: { targetType: 'AWS::Lambda::Function', targetLogicalId: 'F', targetModel: { resourceProperties: properties } },
  };
  const times: number[] = [];
  for (let i = 0; i < 5; i++) {
    const start = performance.now();
    await hook(event);
    times.push(performance.now() - start);
  }
  console.log(`${shape.name.padEnd(32)} ${pad((JSON.stringify(properties).length / 1024).toFixed(0), 13)} ${pad(times.sort((a, b) => a - b)[2]!.toFixed(1), 7)}`);
}
