import type { UpdateMode } from '../policy/schema.js';

/** Resource types that declare a Lambda function; SAM's reaches hooks only as AWS::Lambda::Function. */
export const LAMBDA_FUNCTION_TYPES: readonly string[] = ['AWS::Lambda::Function', 'AWS::Serverless::Function'];

/**
 * A Lambda function as the policy sees it, whatever it came from: a CloudFormation resource, a
 * Config configuration item or a Lambda API response. Adapters fill what their source knows.
 */
export interface FunctionFacts {
  /** Function name; for a template resource without FunctionName, its logical id. */
  readonly name: string;
  readonly logicalId?: string;
  readonly arn?: string;
  readonly accountId?: string;
  readonly region?: string;
  /** Absent for container images, and for Zip functions whose source did not say. */
  readonly runtime?: string;
  readonly packageType: 'Zip' | 'Image';
  /** Absent when the source does not tell the mode (Config items, ListFunctions). */
  readonly updateMode?: UpdateMode;
  readonly runtimeVersionArn?: string;
  readonly tags: Readonly<Record<string, string>>;
  /** Every value of a tag key given more than once (a template's tag list); `tags` holds the last. */
  readonly repeatedTags?: Readonly<Record<string, readonly string[]>>;
  /**
   * The day runtime-warden first saw a waiver tag on this function (its waiver ledger): a tag
   * waiver may reach at most `waiverTag.maxDays` past it, however often it is re-tagged.
   */
  readonly waiverTagSince?: string;
  readonly layers: readonly string[];
  /** ISO-8601 instant of the last code or configuration change. */
  readonly lastModified?: string;
  /** `$LATEST`, a version number or an alias. */
  readonly qualifier?: string;
}
