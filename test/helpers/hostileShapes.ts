// Templates built to cost a scanner more than their size: the shapes of issue #10, at the sizes
// it names. Shared by the tests (which check the answers) and bench/hostile.bench.ts (which times
// them at several sizes, to show the cost grows linearly).

const fn = (id: string, props: string): string => `  ${id}:\n    Type: AWS::Lambda::Function\n    Properties:\n${props}`;
const zip = '      Handler: index.handler\n      Role: arn:aws:iam::123456789012:role/app\n      Code: { ZipFile: x }\n';

export interface HostileShape {
  readonly name: string;
  /** The size issue #10 measured, in the shape's own unit. */
  readonly size: number;
  readonly unit: string;
  readonly build: (n: number) => string;
}

export const HOSTILE_SHAPES: readonly HostileShape[] = [
  {
    name: 'waiver tag with trailing spaces',
    size: 300_000,
    unit: 'spaces',
    build: (n) => `Resources:\n${fn('Spaces', `      Runtime: nodejs16.x\n${zip}      Tags:\n        - Key: runtime-warden:waiver\n          Value: "2026-12-01 migration${' '.repeat(n)}"\n`)}`,
  },
  {
    name: '!Sub with many references',
    size: 50_000,
    unit: 'references',
    build: (n) => {
      const refs = Array.from({ length: n }, (_, i) => `\${V${i}}`).join('');
      const vars = Array.from({ length: n }, (_, i) => `V${i}: ${i === 0 ? 'nodejs16.x' : "''"}`).join(', ');
      return `Resources:\n${fn('Sub', `      Runtime: !Sub ['${refs}', {${vars}}]\n${zip}`)}`;
    },
  },
  {
    name: '!Join with many parts',
    size: 50_000,
    unit: 'parts',
    build: (n) => `Resources:\n${fn('Join', `      Runtime: !Join ['', [nodejs16.x${", ''".repeat(n - 1)}]]\n${zip}`)}`,
  },
  {
    name: 'many functions in one file',
    size: 50_000,
    unit: 'functions',
    build: (n) => `Resources:\n${Array.from({ length: n }, (_, i) => `  F${i}:\n    Type: AWS::Lambda::Function\n    Properties: { Runtime: ${i % 2 ? 'nodejs16.x' : 'nodejs22.x'} }\n`).join('')}`,
  },
];
