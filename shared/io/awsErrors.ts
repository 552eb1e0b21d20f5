/** The name and HTTP status of an AWS SDK v3 error, for decisions and messages. */
export function awsError(err: unknown): { name: string; status: number | undefined; message: string } {
  const e = err as { name?: string; message?: string; $metadata?: { httpStatusCode?: number } };
  return { name: e?.name ?? 'Error', status: e?.$metadata?.httpStatusCode, message: e?.message ?? String(err) };
}

/** `Name: message`, the way an operator reads an AWS error. */
export function describeError(err: unknown): string {
  const e = awsError(err);
  return `${e.name}: ${e.message}`;
}

export function isNotFound(err: unknown): boolean {
  return awsError(err).name === 'ResourceNotFoundException';
}
