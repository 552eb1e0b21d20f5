import * as z from '../schema/zod.js';
import { issueLines } from '../schema/zod.js';
import { InvalidFunctionPropertiesError } from '../errors.js';
import type { FunctionFacts } from '../facts/functionFacts.js';
import { updateMode } from '../policy/schema.js';
import type { DecidingFact } from '../evaluation/types.js';

// CloudFormation passes property values as it has them: numbers and booleans may be strings, and a
// SAM function's Tags are a map where AWS::Lambda::Function has a Key/Value list.
const tagList = z.array(z.object({ Key: z.string(), Value: z.coerce.string() }));
const tagMap = z.record(z.string(), z.coerce.string());

// Each property the policy reads, with the facts it decides: one that cannot be read leaves those
// facts open, and every check reading only the others still runs.
const PROPERTIES = {
  FunctionName: { schema: z.optional(z.string()), facts: [] },
  Runtime: { schema: z.optional(z.string({ error: 'Runtime must be a string (was an unresolved intrinsic function?)' })), facts: ['runtime'] },
  PackageType: { schema: z.optional(z.enum(['Zip', 'Image'])), facts: ['runtime'] },
  Tags: { schema: z.optional(z.union([tagList, tagMap])), facts: ['tier'] },
  // Layers are facts, not judged: an entry that is not a plain ARN is left out rather than refused.
  Layers: { schema: z.optional(z.pipe(z.array(z.unknown()), z.transform((xs) => xs.filter((x): x is string => typeof x === 'string')))), facts: [] },
  RuntimeManagementConfig: { schema: z.optional(z.looseObject({ UpdateRuntimeOn: updateMode, RuntimeVersionArn: z.optional(z.string()) })), facts: ['updateMode', 'runtimeVersionArn'] },
} as const satisfies Record<string, { schema: z.ZodMiniType; facts: readonly DecidingFact[] }>;

type Props = { -readonly [K in keyof typeof PROPERTIES]?: z.output<(typeof PROPERTIES)[K]['schema']> };

/** A property the policy reads that holds a value it cannot read, and the facts that leaves open. */
export interface InvalidProperty {
  readonly message: string;
  readonly facts: readonly DecidingFact[];
}

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

/**
 * Facts from the properties of an `AWS::Lambda::Function` (or SAM function) resource, and the
 * properties that could not be read: each of those is left out (absent), and `invalid` says which
 * facts that leaves undecided.
 */
export function readResourceProperties(properties: unknown, ctx: ResourceContext): { facts: FunctionFacts; invalid: InvalidProperty[] } {
  const input = (typeof properties === 'object' && properties !== null && !Array.isArray(properties) ? properties : {}) as Record<string, unknown>;
  const p: Props = {};
  const invalid: InvalidProperty[] = [];
  for (const [key, { schema, facts }] of Object.entries(PROPERTIES)) {
    const r = (schema as z.ZodMiniType).safeParse(input[key]);
    if (r.success) (p as Record<string, unknown>)[key] = r.data;
    else invalid.push({ message: `Resource ${ctx.logicalId} has invalid Lambda function properties: ${issueLines(r.error, key).map((l) => (l.startsWith(`${key}:`) ? l : `${key}.${l}`)).join('; ')}`, facts });
  }
  const tags = Array.isArray(p.Tags) ? Object.fromEntries(p.Tags.map((t) => [t.Key, t.Value])) : (p.Tags ?? {});
  const repeated = Array.isArray(p.Tags) ? repeatedTags(p.Tags) : undefined;
  // As Lambda decides it: PackageType, Zip when absent (CreateFunction, PackageType), whatever
  // Code holds; an ImageUri beside Zip is Lambda's error to refuse, not an image to pass.
  const isImage = p.PackageType === 'Image';
  const rmc = p.RuntimeManagementConfig;
  const facts: FunctionFacts = {
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
  return { facts, invalid };
}

/** Facts from a resource's properties; throws InvalidFunctionPropertiesError naming every property it cannot read. */
export function factsFromResourceProperties(properties: unknown, ctx: ResourceContext): FunctionFacts {
  const { facts, invalid } = readResourceProperties(properties, ctx);
  if (invalid.length > 0) throw new InvalidFunctionPropertiesError(invalid.map((i) => i.message).join('; '));
  return facts;
}
