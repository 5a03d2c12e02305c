import { SyncError } from '../errors';

/** One line for the operator: what failed and, when known, what to do about it. */
export function describeError(err: unknown): string {
  if (err instanceof SyncError) return err.hint ? `${err.message} — ${err.hint}` : err.message;
  return err instanceof Error ? err.message : String(err);
}

export function isRetryableError(err: unknown): boolean {
  return err instanceof SyncError ? err.retryable : true;
}
