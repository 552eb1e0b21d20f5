// Random Lambda functions, each expressed the four ways runtime-warden meets a function: a hook
// event, a Config configuration item, Lambda API answers, and a template resource. Used by the
// differential test; fast-check draws them from a fixed seed.
import fc from 'fast-check';
import { RUNTIME_ROWS } from '../../shared/catalog/runtimeData.js';
import { parsePolicy, type Policy } from '../../shared/index.js';

export const ACCOUNT = '123456789012';
export const REGION = 'eu-west-1';
const PIN = `arn:aws:lambda:${REGION}::runtime:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef`;

/** Approved list, a denied runtime, a name-glob waiver covering two rules (no account, no logical id). */
export const DIFFERENTIAL_POLICY: Policy = parsePolicy(
  {
    version: 1,
    approvedRuntimes: ['nodejs22.x', 'nodejs24.x', 'nodejs26.x', 'python3.12', 'python3.13', 'python3.14', 'java21', 'java25', 'provided.al2023', 'nodejs18.x', 'python3.8'],
    deniedRuntimes: ['nodejs20.x', 'python3.9'],
    waivers: [{ function: 'legacy-*', expires: '2027-01-31', reason: 'CHG-4711', rules: ['RW003', 'RW004'] }],
  },
  'differential policy',
);

export interface GeneratedFunction {
  readonly name: string;
  readonly logicalId: string;
  readonly runtime: string | undefined;
  readonly packageType: 'Zip' | 'Image';
  /** Undefined: no RuntimeManagementConfig, which Lambda reads as Auto. */
  readonly updateMode: 'Auto' | 'FunctionUpdate' | 'Manual' | undefined;
  readonly runtimeVersionArn: string | undefined;
  readonly tags: Readonly<Record<string, string>>;
  /** Days between the last deploy and the evaluation (Lambda and Config know it; templates and hooks do not). */
  readonly ageDays: number;
}

const tagValue = fc.stringMatching(/^[A-Za-z0-9 _.:/=+@-]{0,20}$/);

export const generatedFunction: fc.Arbitrary<Omit<GeneratedFunction, 'logicalId'>> = fc.record({
  name: fc.oneof(fc.stringMatching(/^[a-z][a-z0-9-]{0,20}$/), fc.stringMatching(/^legacy-[a-z0-9-]{1,10}$/)),
  runtime: fc.oneof(
    { weight: 8, arbitrary: fc.constantFrom(...RUNTIME_ROWS.map((r) => r[0])) },
    { weight: 1, arbitrary: fc.constantFrom('nodejs99.x', 'cobol1.0') },
    { weight: 1, arbitrary: fc.constant(undefined) },
  ),
  packageType: fc.oneof({ weight: 9, arbitrary: fc.constant('Zip' as const) }, { weight: 1, arbitrary: fc.constant('Image' as const) }),
  updateMode: fc.constantFrom('Auto' as const, 'FunctionUpdate' as const, 'Manual' as const, undefined),
  runtimeVersionArn: fc.option(fc.constant(PIN), { nil: undefined }),
  tags: fc
    .record(
      {
        'runtime-warden:tier': fc.oneof(fc.constantFrom('critical', 'important', 'non-critical', ' Critical '), tagValue),
        'runtime-warden:waiver': fc.oneof(
          fc.constantFrom('2026-12-15 migration under way', '2026-11-01 expired', '2030-01-01 too far ahead', 'soon', '2026-12-15'),
          tagValue,
        ),
        owner: tagValue,
      },
      { requiredKeys: [] },
    )
    .map((t) => Object.fromEntries(Object.entries(t).filter(([, v]) => v !== undefined)) as Record<string, string>),
  ageDays: fc.integer({ min: 0, max: 400 }),
});

/** `count` functions from a fixed seed, with unique names and logical ids. */
export function generateFunctions(count: number, seed: number): GeneratedFunction[] {
  const drawn = fc.sample(generatedFunction, { seed, numRuns: count });
  return drawn.map((f, i) => ({ ...f, name: `${f.name}-${i}`, logicalId: `Fn${i}` }));
}

const functionArn = (f: GeneratedFunction): string => `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${f.name}`;
const lastModified = (f: GeneratedFunction, nowMs: number): string => new Date(nowMs - f.ageDays * 86_400_000).toISOString().replace('Z', '+0000');
const rmc = (f: GeneratedFunction): Record<string, string> | undefined =>
  f.updateMode === undefined && f.runtimeVersionArn === undefined ? undefined : { ...(f.updateMode && { UpdateRuntimeOn: f.updateMode }), ...(f.runtimeVersionArn && { RuntimeVersionArn: f.runtimeVersionArn }) };

/** The resource properties CloudFormation hands a hook (and a template holds). */
export function resourceProperties(f: GeneratedFunction): Record<string, unknown> {
  const mode = rmc(f);
  return {
    FunctionName: f.name,
    ...(f.runtime !== undefined && { Runtime: f.runtime }),
    PackageType: f.packageType,
    Code: f.packageType === 'Image' ? { ImageUri: `${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com/app:1` } : { S3Bucket: 'artifacts', S3Key: `${f.name}.zip` },
    // A mode without UpdateRuntimeOn is not a valid property: CloudFormation requires it.
    ...(mode?.UpdateRuntimeOn && { RuntimeManagementConfig: mode }),
    ...(Object.keys(f.tags).length > 0 && { Tags: Object.entries(f.tags).map(([Key, Value]) => ({ Key, Value })) }),
  };
}

export function hookEventFor(f: GeneratedFunction): Record<string, unknown> {
  return {
    clientRequestToken: `token-${f.logicalId}`,
    awsAccountId: ACCOUNT,
    stackId: `arn:aws:cloudformation:${REGION}:${ACCOUNT}:stack/generated/1`,
    hookTypeName: 'RuntimeWarden::Lambda::RuntimePolicy',
    actionInvocationPoint: 'CREATE_PRE_PROVISION',
    requestData: { targetName: 'AWS::Lambda::Function', targetType: 'AWS::Lambda::Function', targetLogicalId: f.logicalId, targetModel: { resourceProperties: resourceProperties(f) } },
  };
}

/** What Lambda answers: ListFunctions' entry, ListTags, GetRuntimeManagementConfig. */
export function lambdaAnswers(f: GeneratedFunction, nowMs: number) {
  // Lambda always answers a mode (Auto by default) and a version ARN only for a Manual pin.
  const mode = f.updateMode ?? 'Auto';
  return {
    configuration: {
      FunctionName: f.name,
      FunctionArn: functionArn(f),
      ...(f.packageType === 'Zip' && f.runtime !== undefined && { Runtime: f.runtime }),
      PackageType: f.packageType,
      Version: '$LATEST',
      LastModified: lastModified(f, nowMs),
    },
    tags: { ...f.tags },
    runtimeManagement: { UpdateRuntimeOn: mode, ...(mode === 'Manual' && f.runtimeVersionArn && { RuntimeVersionArn: f.runtimeVersionArn }) },
  };
}

/** A change notification's configuration item, as AWS Config records the function. */
export function configurationItem(f: GeneratedFunction, nowMs: number): Record<string, unknown> {
  return {
    configurationItemStatus: 'OK',
    configurationItemCaptureTime: new Date(nowMs).toISOString(),
    resourceType: 'AWS::Lambda::Function',
    resourceId: f.name,
    resourceName: f.name,
    ARN: functionArn(f),
    awsRegion: REGION,
    awsAccountId: ACCOUNT,
    configuration: {
      functionName: f.name,
      functionArn: functionArn(f),
      runtime: f.packageType === 'Zip' ? (f.runtime ?? null) : null,
      packageType: f.packageType,
      lastModified: lastModified(f, nowMs),
      version: '$LATEST',
    },
    tags: { ...f.tags },
  };
}
