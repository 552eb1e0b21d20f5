import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseTemplate } from '../../shared/template/parse.js';
import { ROOT } from './fixtures.js';

// A template as CloudFormation would see it for one set of parameter values: conditions decided,
// resources and `Fn::If` branches they rule out removed, `AWS::NoValue` dropped. With
// `resolve: true` every other intrinsic becomes a sample value of the right shape (ARNs for
// `GetAtt .Arn`, names or ARNs for `Ref` as each resource type returns them), so that what the
// template hands to an AWS API can be checked against that API's model.

export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
export type Resource = { Type: string; Condition?: string; Properties?: Record<string, Json>; Metadata?: Record<string, Json> };
export type Template = { Parameters?: Record<string, { Default?: Json }>; Conditions?: Record<string, Json>; Resources: Record<string, Resource>; [k: string]: Json | undefined | object };

export const ACCOUNT = '123456789012';
export const REGION = 'eu-west-1';

export function loadTemplate(path: string): Template {
  return parseTemplate(readFileSync(join(ROOT, path), 'utf8')) as Template;
}

const arnOf = (type: string, id: string): string => {
  const [, service = 'x', kind = 'x'] = type.toLowerCase().split('::');
  switch (type) {
    case 'AWS::Serverless::Function':
    case 'AWS::Lambda::Function':
      return `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${id}`;
    case 'AWS::IAM::Role':
      return `arn:aws:iam::${ACCOUNT}:role/${id}`;
    case 'AWS::S3::Bucket':
      return `arn:aws:s3:::${id.toLowerCase()}`;
    case 'AWS::SNS::Topic':
      return `arn:aws:sns:${REGION}:${ACCOUNT}:${id}`;
    case 'AWS::SQS::Queue':
      return `arn:aws:sqs:${REGION}:${ACCOUNT}:${id}`;
    case 'AWS::KMS::Key':
      return `arn:aws:kms:${REGION}:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
    case 'AWS::DynamoDB::Table':
      return `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/${id}`;
    case 'AWS::Config::ConfigRule':
      return `arn:aws:config:${REGION}:${ACCOUNT}:config-rule/config-rule-abc123`;
    default:
      return `arn:aws:${service}:${REGION}:${ACCOUNT}:${kind}/${id}`;
  }
};

/** What `Ref` returns for a resource of each type (CloudFormation's resource reference pages). */
const refOf = (type: string, id: string): string => {
  if (['AWS::SNS::Topic', 'AWS::CloudFormation::LambdaHook', 'AWS::CloudFormation::GuardHook', 'AWS::SQS::Queue'].includes(type)) {
    return type === 'AWS::SQS::Queue' ? `https://sqs.${REGION}.amazonaws.com/${ACCOUNT}/${id}` : arnOf(type, id);
  }
  if (type === 'AWS::KMS::Key') return '1234abcd-12ab-34cd-56ef-1234567890ab';
  if (type === 'AWS::S3::Bucket') return id.toLowerCase();
  return id;
};

const PSEUDO: Record<string, string> = {
  'AWS::AccountId': ACCOUNT,
  'AWS::Region': REGION,
  'AWS::Partition': 'aws',
  'AWS::URLSuffix': 'amazonaws.com',
  'AWS::StackName': 'runtime-warden',
  'AWS::StackId': `arn:aws:cloudformation:${REGION}:${ACCOUNT}:stack/runtime-warden/0`,
};

const NO_VALUE = Symbol('NoValue');

export function renderTemplate(template: Template, parameters: Record<string, string> = {}, options: { resolve?: boolean } = {}): Template {
  const paramValue = (name: string): Json => {
    const p = template.Parameters?.[name] as { Type?: string; Default?: Json } | undefined;
    if (!p) throw new Error(`Ref to unknown parameter ${name}`);
    const value = name in parameters ? parameters[name]! : (p.Default ?? '');
    // Parameter values are strings, Number parameters included; a list type is split.
    return p.Type === 'CommaDelimitedList' ? String(value).split(',') : String(value);
  };
  const conditions = new Map<string, boolean>();
  const condition = (name: string): boolean => {
    if (!conditions.has(name)) conditions.set(name, Boolean(evaluate(template.Conditions?.[name] ?? null, true)));
    return conditions.get(name)!;
  };
  // `full` forces evaluation (conditions, or everything with options.resolve).
  const evaluate = (node: Json, full: boolean): Json | typeof NO_VALUE => {
    if (Array.isArray(node)) return node.map((n) => evaluate(n, full)).filter((n): n is Json => n !== NO_VALUE);
    if (node === null || typeof node !== 'object') return node;
    const keys = Object.keys(node);
    if (keys.length === 1) {
      const [k] = keys as [string];
      const v = node[k]!;
      if (k === 'Fn::If') {
        const [c, a, b] = v as [string, Json, Json];
        return evaluate(condition(c) ? a : b, full);
      }
      if (k === 'Ref' && v === 'AWS::NoValue') return NO_VALUE;
      if (k === 'Condition' && typeof v === 'string' && full) return condition(v);
      if (k === 'Fn::Equals' && full) {
        const [a, b] = (v as Json[]).map((x) => evaluate(x, true));
        return JSON.stringify(a) === JSON.stringify(b);
      }
      if (k === 'Fn::Not' && full) return !evaluate((v as Json[])[0]!, true);
      if (k === 'Fn::And' && full) return (v as Json[]).every((x) => evaluate(x, true));
      if (k === 'Fn::Or' && full) return (v as Json[]).some((x) => evaluate(x, true));
      if (k === 'Ref' && (full || options.resolve)) {
        const name = v as string;
        if (PSEUDO[name]) return PSEUDO[name]!;
        const r = template.Resources[name];
        return r ? refOf(r.Type, name) : paramValue(name);
      }
      if (options.resolve) {
        if (k === 'Fn::GetAtt') {
          const [id, att] = (typeof v === 'string' ? v.split('.') : v) as [string, string];
          const r = template.Resources[id];
          if (!r) throw new Error(`GetAtt of unknown resource ${id}`);
          return att === 'Arn' ? arnOf(r.Type, id) : att === 'Uri' ? `s3://${id.toLowerCase()}/runtime-warden.guard` : `${id}.${att}`;
        }
        if (k === 'Fn::Sub') {
          const [text, vars] = (typeof v === 'string' ? [v, {}] : v) as [string, Record<string, Json>];
          return text.replace(/\$\{([^}!]+)\}/g, (_, ref: string) => {
            if (ref in vars) return String(evaluate(vars[ref]!, full));
            const [id, att] = ref.split('.');
            return String(evaluate(att ? { 'Fn::GetAtt': [id!, att] } : { Ref: ref }, full));
          });
        }
        if (k === 'Fn::Join') {
          const [sep, parts] = v as [string, Json];
          return (evaluate(parts, full) as Json[]).join(sep);
        }
        if (k === 'Fn::Select') {
          const [i, list] = v as [Json, Json];
          return (evaluate(list, full) as Json[])[Number(evaluate(i, full))]!;
        }
      }
    }
    return Object.fromEntries(
      Object.entries(node)
        .map(([k, x]) => [k, evaluate(x, full)] as const)
        .filter((e): e is [string, Json] => e[1] !== NO_VALUE),
    );
  };
  const resources = Object.fromEntries(
    Object.entries(template.Resources)
      .filter(([, r]) => r.Condition === undefined || condition(r.Condition))
      .map(([id, r]) => {
        const { Condition: _, ...rest } = r;
        return [id, evaluate(rest as unknown as Json, false) as unknown as Resource];
      }),
  );
  const outputs = template.Outputs as Record<string, { Condition?: string } & Record<string, Json>> | undefined;
  return {
    ...template,
    Resources: resources,
    ...(outputs && {
      Outputs: Object.fromEntries(Object.entries(outputs).filter(([, o]) => o.Condition === undefined || condition(o.Condition)).map(([id, { Condition: _, ...o }]) => [id, evaluate(o as Json, false)])),
    }),
  };
}

/** Every combination of the given parameters' AllowedValues (the others at their defaults). */
export function parameterSets(template: Template, names: readonly string[]): Record<string, string>[] {
  return names.reduce<Record<string, string>[]>(
    (sets, name) => {
      const allowed = (template.Parameters?.[name] as { AllowedValues?: string[] } | undefined)?.AllowedValues;
      if (!allowed) throw new Error(`${name} has no AllowedValues`);
      return sets.flatMap((s) => allowed.map((v) => ({ ...s, [name]: String(v) })));
    },
    [{}],
  );
}
