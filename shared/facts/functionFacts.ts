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
  /**
   * What each layer version declares, where a source has read it (GetLayerVersionByArn, or a
   * LayerVersion resource of the same template). Absent: layers are not judged (RW018, RW022).
   */
  readonly layerVersions?: readonly LayerVersionFacts[];
  /** `x86_64` / `arm64`; absent when the source did not say (Lambda's default is x86_64). */
  readonly architectures?: readonly string[];
  /** How the function is deployed, where the source shows it (a SAM template). Absent: RW020 is not judged. */
  readonly deployment?: DeploymentFacts;
  /** ISO-8601 instant of the last code or configuration change. */
  readonly lastModified?: string;
  /** `$LATEST`, a version number or an alias. */
  readonly qualifier?: string;
}

/** A layer version as the policy sees it: a function's layer, or a LayerVersion resource. */
export interface LayerVersionFacts {
  /** `arn:aws:lambda:REGION:ACCOUNT:layer:NAME:VERSION`; a template's own layer may have only a logical id. */
  readonly arn?: string;
  /** The layer's name (LayerName, else the logical id) where there is no ARN. */
  readonly name?: string;
  /** Absent or empty: the layer declares nothing, so its compatibility is unknown. */
  readonly compatibleRuntimes?: readonly string[];
  readonly compatibleArchitectures?: readonly string[];
}

/** What a template says of how a function deploys (SAM's AutoPublishAlias and DeploymentPreference). */
export interface DeploymentFacts {
  readonly autoPublishAlias?: string;
  /** DeploymentPreference.Type: `Canary10Percent5Minutes`, `Linear10PercentEvery1Minute`, `AllAtOnce`... */
  readonly deploymentPreferenceType?: string;
  /** How many CloudWatch alarms DeploymentPreference.Alarms names. */
  readonly alarms?: number;
  /** Whether a deploy publishes a version (AutoPublishAlias, or an AWS::Lambda::Version of the function). */
  readonly publishesVersions?: boolean;
}

/** `shared-utils:7` from a layer version ARN; the name given otherwise. */
export function layerLabel(layer: LayerVersionFacts): string {
  const m = layer.arn === undefined ? null : /:layer:([^:]+):(\d+)$/.exec(layer.arn);
  return m ? `${m[1]}:${m[2]}` : (layer.name ?? layer.arn ?? 'unnamed layer');
}
