import { SyncError } from '../errors';

/** A write broke a ledger invariant (a unique key or a reference). Retrying the same write cannot help. */
export class LedgerConstraintError extends SyncError {
  readonly retryable = false;
}

/** The record to update does not exist (e.g. finishing a run that was never started). */
export class LedgerNotFoundError extends SyncError {
  readonly retryable = false;
}

/** The schema could not be brought up to date (a failed migration, or a database newer than this code). */
export class LedgerMigrationError extends SyncError {
  readonly retryable = false;
}

type DbError = { code?: unknown; message?: unknown };

/** Unique / primary-key / foreign-key violations on SQLite (better-sqlite3) or PostgreSQL (pg). */
export function isConstraintViolation(err: unknown): boolean {
  const code = (err as DbError | null)?.code;
  return (
    code === 'SQLITE_CONSTRAINT_UNIQUE' ||
    code === 'SQLITE_CONSTRAINT_PRIMARYKEY' ||
    code === 'SQLITE_CONSTRAINT_FOREIGNKEY' ||
    code === '23505' || // unique_violation
    code === '23503' // foreign_key_violation
  );
}

/** Runs `fn`, turning constraint violations into LedgerConstraintError with `what` for context. */
export async function withConstraintErrors<T>(what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (isConstraintViolation(err)) {
      throw new LedgerConstraintError(`${what}: ${String((err as DbError).message)}`, {
        cause: err,
        hint: 'Two records claim the same key in the ledger; the details name the constraint.',
      });
    }
    throw err;
  }
}
