// The AWS SDK's own words, said as one line each with what to do.
import { awsError } from '../shared/io/awsErrors.js';

/**
 * What a failed AWS call means for whoever ran the command. The SDK takes its region from the
 * client, AWS_REGION or the shared config file ("Set the AWS Region", AWS SDK for JavaScript
 * Developer Guide), and its credentials from the default provider chain: environment, shared
 * files and SSO, container and instance roles ("Set credentials in Node.js", same guide).
 */
export function explainAwsError(err: unknown): string {
  const e = awsError(err);
  if (e.name === 'CredentialsProviderError' || /could not load credentials/i.test(e.message)) {
    return 'no AWS credentials found: configure them (`aws configure`, `aws sso login` with AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY) and run again';
  }
  if (/region is missing/i.test(e.message)) return 'no AWS region: set AWS_REGION (or `region` in the AWS config file)';
  if (/^(ExpiredToken|ExpiredTokenException|TokenRefreshRequired)$/.test(e.name) || /token .*expired/i.test(e.message)) {
    return `the AWS credentials have expired (${e.name}): renew them (\`aws sso login\`, or new keys) and run again`;
  }
  return `${e.name}: ${e.message.split('\n')[0]}`;
}

/**
 * The SDK warns, in eight lines, that its later versions need a newer Node.js
 * (@aws-sdk/core, emitWarningIfUnsupportedVersion): said once, in one line with the fix. Every
 * other warning goes on as Node.js would print it.
 */
export function oneLineSdkWarnings(say: (line: string) => void): void {
  const emit = process.emitWarning.bind(process) as (warning: string | Error, ...rest: unknown[]) => void;
  process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
    const text = typeof warning === 'string' ? warning : warning.message;
    if (!text.startsWith('NodeVersionSupportWarning:')) return emit(warning, ...rest);
    const needed = /node >=\s*(\d+)/.exec(text)?.[1];
    say(needed ? `Node.js ${process.version} is older than the AWS SDK's next versions support: use Node.js ${needed} or later` : text.split('\n')[0]!);
  }) as typeof process.emitWarning;
}
