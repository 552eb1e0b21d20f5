import * as z from '../schema/zod.js';
import { issueLines } from '../schema/zod.js';
import { InvalidFunctionPropertiesError } from '../errors.js';
import type { FunctionFacts } from '../facts/functionFacts.js';
import { updateMode } from '../policy/schema.js';

// CloudFormation passes property values as it has them: numbers and booleans may be strings, and a
// SAM function's Tags are a map where AWS::Lambda::Function has a Key/Value list.
const tagList = z.array(z.object({ Key: z.string(), Value: z.coerce.string() }));
const tagMap = z.record(z.string(), z.coerce.string());

const functionProperties = z.object({
  FunctionName: z.optional(z.string()),
  Runtime: z.optional(z.string({ error: 'Runtime must be a string (was an unresolved intrinsic function?)' })),
  PackageType: z.optional(z.enum(['Zip', 'Image'])),
  Tags: z.optional(z.union([tagList, tagMap])),
  // Layers are facts, not judged: an entry that is not a plain ARN is left out rather than refused.
  Layers: z.optional(z.pipe(z.array(z.unknown()), z.transform((xs) => xs.filter((x): x is string => typeof x === 'string')))),
  RuntimeManagementConfig: z.optional(z.looseObject({ UpdateRuntimeOn: updateMode, RuntimeVersionArn: z.optional(z.string()) })),
});

/** The keys given more than once, with every value; undefined when none is. */
export function repeatedTags(list: readonly { Key: string; Value: string }[]): Record<string, string[]> | undefined {
  const byKey = new Map<string, string[]>();
  for (const t of list) {
    const values = byKey.get(t.Key);
    if (values) values.push(t.Value);
    else byKey.set(t.Key, [t.Value]);
  }
  const repeated = [...byKey].filter(([, values]) => values.length > 1);
  return repeated.length > 0 ? Object.fromEntries(repeated) : undefined;
}

export interface ResourceContext {
  readonly logicalId: string;
  readonly accountId?: string;
  readonly region?: string;
}

/** Facts from the properties of an `AWS::Lambda::Function` (or SAM function) resource. */
export function factsFromResourceProperties(properties: unknown, ctx: ResourceContext): FunctionFacts {
  const parsed = functionProperties.safeParse(properties ?? {});
  if (!parsed.success) {
    const issues = issueLines(parsed.error, '(properties)');
    throw new InvalidFunctionPropertiesError(`Resource ${ctx.logicalId} has invalid Lambda function properties: ${issues.join('; ')}`);
  }
  const p = parsed.data;
  const tags = Array.isArray(p.Tags) ? Object.fromEntries(p.Tags.map((t) => [t.Key, t.Value])) : (p.Tags ?? {});
  const repeated = Array.isArray(p.Tags) ? repeatedTags(p.Tags) : undefined;
  // As Lambda decides it: PackageType, Zip when absent (CreateFunction, PackageType), whatever
  // Code holds; an ImageUri beside Zip is Lambda's error to refuse, not an image to pass.
  const isImage = p.PackageType === 'Image';
  const rmc = p.RuntimeManagementConfig;
  return {
    name: p.FunctionName ?? ctx.logicalId,
    logicalId: ctx.logicalId,
    ...(ctx.accountId !== undefined && { accountId: ctx.accountId }),
    ...(ctx.region !== undefined && { region: ctx.region }),
    // An image carries its runtime inside; a Runtime inherited from SAM Globals means nothing there.
    ...(p.Runtime !== undefined && !isImage && { runtime: p.Runtime }),
    packageType: isImage ? 'Image' : 'Zip',
    // Without RuntimeManagementConfig, Lambda applies Auto.
    updateMode: rmc?.UpdateRuntimeOn ?? 'Auto',
    ...(rmc?.RuntimeVersionArn !== undefined && { runtimeVersionArn: rmc.RuntimeVersionArn }),
    tags,
    ...(repeated !== undefined && { repeatedTags: repeated }),
    layers: p.Layers ?? [],
  };
}
