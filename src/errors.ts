/**
 * Every error the service raises on purpose says whether retrying can help. Activities throw these; the
 * worker's retryability interceptor (src/temporal/retryability-interceptor.ts) turns one with
 * `retryable === false` into a non-retryable ApplicationFailure, so a bad password fails fast instead of
 * being retried by the activity's retry policy.
 */
export abstract class SyncError extends Error {
  /** True when the same call may succeed later (rate limits, 5xx, timeouts, an expired session). */
  abstract readonly retryable: boolean;
  /**
   * True when the failure is the connection's, not one record's: credentials, permissions, an API that
   * answers nonsense, a configuration mistake. Every other record would fail the same way, so the caller
   * should fail the whole activity rather than record a per-record failure and carry on.
   */
  readonly connectionWide: boolean = false;
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
  override readonly connectionWide = true;
}

/** Input that fails validation at a boundary (workflow input, signal, API response shape). */
export class ValidationError extends SyncError {
  readonly retryable = false;
}

/** True when `err` says the connection itself is failing (see SyncError.connectionWide), not one record. */
export function isConnectionFailure(err: unknown): boolean {
  return err instanceof SyncError && err.connectionWide;
}
