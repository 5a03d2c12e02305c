/**
 * Batching rules. Activities hand the ledger a page at a time (Sage pages are up to 2,000 records), and
 * each call becomes one statement, or one transaction of a few, never a round trip per record. Only a
 * batch larger than the bind-parameter limit (SQLite 32,766; PostgreSQL 65,535) is split, into chunks
 * executed in the same transaction.
 */
export const MAX_BIND_PARAMETERS = 30_000;

/** Rows per INSERT when each row binds `columns` parameters. */
export function rowsPerStatement(columns: number): number {
  return Math.max(1, Math.floor(MAX_BIND_PARAMETERS / columns));
}

export function chunk<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/**
 * Keeps the last row for each key (in the order of those last occurrences). An upsert batch with the same key twice would
 * fail on PostgreSQL ("cannot affect row a second time") and silently apply both on SQLite; this makes
 * both behave as "last one wins".
 */
export function lastPerKey<T>(rows: readonly T[], key: (row: T) => string): T[] {
  const byKey = new Map<string, T>();
  for (const row of rows) {
    const k = key(row);
    byKey.delete(k);
    byKey.set(k, row);
  }
  return [...byKey.values()];
}

/** Distinct values, for IN lists. */
export function distinct(values: readonly string[]): string[] {
  return [...new Set(values)];
}

/** A composite key as one string (NUL cannot appear in the parts). */
export function keyOf(...parts: string[]): string {
  return parts.join('\u0000');
}
