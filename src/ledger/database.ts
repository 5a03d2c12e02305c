import fs from 'node:fs';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import {
  CompiledQuery,
  Kysely,
  PostgresDialect,
  SqliteAdapter,
  SqliteDialect,
  SqliteDriver,
  type DatabaseConnection,
  type DialectAdapter,
  type Driver,
  type SqliteDialectConfig,
} from 'kysely';
import { Pool } from 'pg';
import type { Database } from './schema';

export type LedgerFlavor = 'sqlite' | 'postgres';

/** A Kysely instance over one of the two databases, plus how to release it. */
export interface OpenedDatabase {
  db: Kysely<Database>;
  flavor: LedgerFlavor;
  /** Where the data lives, for messages: the SQLite file, or the PostgreSQL URL without its password. */
  location: string;
  /** PostgreSQL schema holding the tables (and Kysely's migration tables); undefined on SQLite. */
  schema?: string;
  destroy(): Promise<void>;
}

/** How long a SQLite writer waits for another process's write lock before failing with SQLITE_BUSY. */
export const SQLITE_BUSY_TIMEOUT_MS = 15_000;

/**
 * SQLite transactions start with BEGIN IMMEDIATE, taking the write lock up front (waiting up to the busy
 * timeout). A deferred BEGIN that reads first and writes later can fail at once with SQLITE_BUSY when
 * another process wrote in between; an immediate one just waits its turn.
 */
class ImmediateSqliteDriver extends SqliteDriver {
  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'));
  }
}

/**
 * SQLite runs DDL inside transactions, so migrations can too: with BEGIN IMMEDIATE the transaction is
 * also the cross-process migration lock (Kysely's stock SQLite adapter runs migrations without one).
 */
class TransactionalSqliteAdapter extends SqliteAdapter {
  override get supportsTransactionalDdl(): boolean {
    return true;
  }
}

class LedgerSqliteDialect extends SqliteDialect {
  readonly #config: SqliteDialectConfig;
  constructor(config: SqliteDialectConfig) {
    super(config);
    this.#config = config;
  }
  override createDriver(): Driver {
    return new ImmediateSqliteDriver(this.#config);
  }
  override createAdapter(): DialectAdapter {
    return new TransactionalSqliteAdapter();
  }
}

export function openSqlite(file: string): OpenedDatabase {
  const memory = file === ':memory:';
  const resolved = memory ? file : path.resolve(file);
  if (!memory) fs.mkdirSync(path.dirname(resolved), { recursive: true });
  const sqlite = new BetterSqlite3(resolved, { timeout: SQLITE_BUSY_TIMEOUT_MS });
  try {
    sqlite.pragma(`busy_timeout = ${SQLITE_BUSY_TIMEOUT_MS}`);
    const mode = String(sqlite.pragma('journal_mode = WAL', { simple: true })).toLowerCase();
    if (!memory && mode !== 'wal') throw new Error(`could not switch ${resolved} to WAL mode (journal_mode is ${mode})`);
    sqlite.pragma('foreign_keys = ON');
  } catch (err) {
    sqlite.close();
    throw err;
  }
  const db = new Kysely<Database>({ dialect: new LedgerSqliteDialect({ database: sqlite }) });
  return { db, flavor: 'sqlite', location: resolved, destroy: () => db.destroy() };
}

const SCHEMA_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

export interface PostgresOptions {
  /** Schema for the ledger's tables; created when missing. Default: the connection's current schema. */
  schema?: string;
  /** Pool size (default 10). */
  maxConnections?: number;
}

export async function openPostgres(databaseUrl: string, options: PostgresOptions = {}): Promise<OpenedDatabase> {
  if (options.schema !== undefined && !SCHEMA_NAME.test(options.schema)) {
    throw new Error(`invalid PostgreSQL schema name ${JSON.stringify(options.schema)}: letters, digits and _ only`);
  }
  const pool = new Pool({
    connectionString: databaseUrl,
    max: options.maxConnections ?? 10,
    // The search_path is set at connection start-up, so every pooled connection sees the same schema.
    ...(options.schema ? { options: `-c search_path=${options.schema}` } : {}),
  });
  // An idle pooled connection that dies (server restart) must not crash the worker; the next query reconnects.
  pool.on('error', () => undefined);
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  try {
    let schema = options.schema;
    if (!schema) {
      const { rows } = await pool.query<{ schema: string | null }>('select current_schema() as schema');
      schema = rows[0]?.schema ?? undefined;
      if (!schema) throw new Error('the PostgreSQL search_path names no existing schema: create it, or fix the search_path in DATABASE_URL');
    }
    return { db, flavor: 'postgres', location: redactUrl(databaseUrl), schema, destroy: () => db.destroy() };
  } catch (err) {
    await db.destroy();
    throw err;
  }
}

/** The URL with its password replaced, safe for logs and messages. */
export function redactUrl(databaseUrl: string): string {
  try {
    const url = new URL(databaseUrl);
    if (url.password) url.password = '***';
    return url.toString();
  } catch {
    return 'postgres://(unparseable DATABASE_URL)';
  }
}
