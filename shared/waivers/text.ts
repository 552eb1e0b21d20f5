// Limits of what reaches a person through SNS.

/**
 * An SNS subject: "Subjects must be UTF-8 text with no line breaks or control characters, and
 * less than 100 characters long" (Amazon SNS API Reference, Publish). Kept to printable ASCII,
 * which email subjects carry unencoded.
 */
export const SNS_SUBJECT_MAX = 99;

export function snsSubject(text: string): string {
  return text.replace(/[^\x20-\x7e]/g, '?').slice(0, SNS_SUBJECT_MAX);
}

/** SNS Publish: "at most 256 KB in size (262,144 bytes, not 262,144 characters)" (Amazon SNS API Reference, Publish). */
export const SNS_MESSAGE_MAX_BYTES = 262_144;
