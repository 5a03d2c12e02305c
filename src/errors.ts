/**
 * Every error the service raises on purpose says whether retrying can help. Activities throw these;
 * Temporal turns the class name into the ApplicationFailure type, and `nonRetryable` errors are listed in
 * the activity retry policies (see NON_RETRYABLE_ERROR_TYPES) so a bad password is not retried for ever.
 */
export abstract class SyncError extends Error {
  /** True when the same call may succeed later (rate limits, 5xx, timeouts, an expired session). */
  abstract readonly retryable: boolean;
  /** What the operator should do about it, in one sentence. */
  readonly hint?: string;

  constructor(message: string, options?: { cause?: unknown; hint?: string }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.hint = options?.hint;
  }
}

/** A configuration value is missing or wrong. Never retryable: a person has to fix the file. */
export class ConfigError extends SyncError {
  readonly retryable = false;
}

/** Input that fails validation at a boundary (workflow input, signal, API response shape). */
export class ValidationError extends SyncError {
  readonly retryable = false;
}

export function isRetryable(err: unknown): boolean {
  return err instanceof SyncError ? err.retryable : true;
}
