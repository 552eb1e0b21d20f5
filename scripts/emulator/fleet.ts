import { CloudWatchClient, PutMetricDataCommand, type MetricDatum } from '@aws-sdk/client-cloudwatch';
import { CreateRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { CreateAliasCommand, CreateFunctionCommand, LambdaClient, PublishVersionCommand, UpdateFunctionConfigurationCommand } from '@aws-sdk/client-lambda';
import pLimit from 'p-limit';

/** A function to create in the emulator; `aliasOn` first publishes a version on that runtime for alias `prod`. */
export interface FunctionSpec {
  readonly name: string;
  /** Undefined for a container image. */
  readonly runtime: string | undefined;
  readonly tags: Record<string, string>;
  readonly aliasOn?: string;
  /** Invocations on given days before "now" (0: today), for CloudWatch's AWS/Lambda Invocations. */
  readonly invocations?: readonly { readonly daysAgo: number; readonly count: number }[];
}

/**
 * Usage by position in the fleet: some functions busy every day, some last called 40 days ago,
 * some idle for longer than the report's 90 days (one call 100 days ago), some never called.
 */
function usageOf(i: number): FunctionSpec['invocations'] {
  switch (i % 6) {
    case 0:
      return [];
    case 1:
      return [{ daysAgo: 40, count: 3 }];
    case 2:
      return [{ daysAgo: 100, count: 9 }];
    default:
      return Array.from({ length: 20 }, (_, d) => ({ daysAgo: d, count: ((i * 37) % 500) + d + 1 }));
  }
}

const TIERS = ['critical', 'important', 'non-critical', undefined];
const RUNTIMES = ['nodejs22.x', 'nodejs24.x', 'nodejs20.x', 'nodejs18.x', 'nodejs16.x', 'python3.13', 'python3.12', 'python3.9', 'python3.8', 'java21', 'java8', 'go1.x', 'provided.al2023', 'ruby3.4', 'dotnet8', undefined];
const TEAMS = ['orders', 'payments', 'search', 'identity', 'analytics', 'platform'];

/**
 * A deterministic sample fleet: every runtime family and lifecycle phase, every tier, owners,
 * a few waivers, container images, and functions whose prod alias serves an older runtime.
 */
export function sampleFleet(size: number): FunctionSpec[] {
  return Array.from({ length: size }, (_, i) => {
    const runtime = RUNTIMES[i % RUNTIMES.length];
    const tier = TIERS[Math.floor(i / RUNTIMES.length) % TIERS.length];
    const team = TEAMS[i % TEAMS.length]!;
    const tags: Record<string, string> = { owner: `team-${team}`, 'cost-centre': String(4100 + (i % 7)) };
    if (tier) tags['runtime-warden:tier'] = tier;
    if (i % 11 === 5) tags['runtime-warden:waiver'] = '2026-12-31 upgrade planned in the next sprint';
    const aliasOn = i % 9 === 0 && runtime?.startsWith('nodejs2') ? 'nodejs16.x' : undefined;
    return { name: `${team}-${runtime?.replace(/\W/g, '') ?? 'image'}-${String(i).padStart(4, '0')}`, runtime, tags, ...(aliasOn && { aliasOn }), invocations: usageOf(i) };
  });
}

/** Creates the fleet in an emulator (or account) that the clients point at. */
export async function seedFleet(clientConfig: object, specs: readonly FunctionSpec[], concurrency = 16): Promise<void> {
  const iam = new IAMClient(clientConfig);
  const lambda = new LambdaClient(clientConfig);
  try {
    const role = await iam.send(
      new CreateRoleCommand({
        RoleName: `runtime-warden-fleet-${Date.now()}`,
        AssumeRolePolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }] }),
      }),
    );
    const roleArn = role.Role!.Arn!;
    const code = { ZipFile: new TextEncoder().encode('exports.handler = async () => ({})') };
    const limit = pLimit(concurrency);
    await Promise.all(
      specs.map((s) =>
        limit(async () => {
          const base = { FunctionName: s.name, Role: roleArn, Tags: s.tags };
          if (s.runtime === undefined) {
            await lambda.send(new CreateFunctionCommand({ ...base, PackageType: 'Image', Code: { ImageUri: `123456789012.dkr.ecr.eu-west-1.amazonaws.com/${s.name}:1` } }));
            return;
          }
          await lambda.send(new CreateFunctionCommand({ ...base, Runtime: (s.aliasOn ?? s.runtime) as never, Handler: 'index.handler', Code: code }));
          if (s.aliasOn) {
            const v = await lambda.send(new PublishVersionCommand({ FunctionName: s.name }));
            await lambda.send(new CreateAliasCommand({ FunctionName: s.name, Name: 'prod', FunctionVersion: v.Version! }));
            await lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: s.name, Runtime: s.runtime as never }));
          }
        }),
      ),
    );
  } finally {
    iam.destroy();
    lambda.destroy();
  }
}

/**
 * Publishes the fleet's invocations as AWS/Lambda Invocations data points, an hour into each day.
 * Only an emulator takes this: CloudWatch refuses the AWS/ namespaces and points older than two
 * weeks in PutMetricData. At most 1,000 data points a call (CloudWatch API Reference, PutMetricData).
 */
export async function seedUsage(clientConfig: object, specs: readonly FunctionSpec[], now: number): Promise<void> {
  const cloudWatch = new CloudWatchClient(clientConfig);
  const today = Math.floor(now / 86_400_000) * 86_400_000;
  const data: MetricDatum[] = specs.flatMap((s) =>
    (s.invocations ?? []).map((x) => ({
      MetricName: 'Invocations',
      Dimensions: [{ Name: 'FunctionName', Value: s.name }],
      Timestamp: new Date(today - x.daysAgo * 86_400_000 + 3_600_000),
      Value: x.count,
      Unit: 'Count',
    })),
  );
  try {
    for (let i = 0; i < data.length; i += 1000) await cloudWatch.send(new PutMetricDataCommand({ Namespace: 'AWS/Lambda', MetricData: data.slice(i, i + 1000) }));
  } finally {
    cloudWatch.destroy();
  }
}
