/** Errors of the policy module. Each names what is wrong so that a handler can pass it on as is. */

export class PolicyValidationError extends Error {
  public readonly issues: readonly string[];

  public constructor(issues: readonly string[], source = 'policy document') {
    super(`Invalid ${source}: ${issues.join('; ')}`);
    this.name = 'PolicyValidationError';
    this.issues = issues;
  }
}

export class InvalidFunctionPropertiesError extends Error {
  public constructor(message: string) {
    super(message);
    this.name = 'InvalidFunctionPropertiesError';
  }
}

export class InvalidEventError extends Error {
  public constructor(message: string) {
    super(message);
    this.name = 'InvalidEventError';
  }
}

export class PolicySourceError extends Error {
  public constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PolicySourceError';
  }
}

/** A remediation that cannot proceed; the message is what the automation step shows. */
export class RemediationError extends Error {
  public constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'RemediationError';
  }
}
