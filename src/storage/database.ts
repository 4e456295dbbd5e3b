// Opening the database: embedded SQLite (default) or PostgreSQL. This is the only place that knows
// which driver is in use; everything else talks to Kysely and asks `storage.dialect` when a query must differ.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect, SqliteDriver, sql, type DatabaseConnection, type Driver, type Transaction } from 'kysely';
import pg from 'pg';
import type { Database } from './tables.js';
import { Sealer } from './sealing.js';
import { watchedKysely } from './write-watch.js';

export type DialectName = 'sqlite' | 'postgres';

export interface Storage {
  db: Kysely<Database>;
  dialect: DialectName;
  /** Human description for logs, without credentials. */
  describe: string;
  /** Seals and opens stored secrets with the instance key, which is kept outside the database (sealing.ts). */
  secrets: Sealer;
  close(): Promise<void>;
}

export type Db = Kysely<Database> | Transaction<Database>;

// COUNT(*) and bigint columns come back as strings from pg; our integers stay below 2^53.
pg.types.setTypeParser(20, (v) => Number(v));

export interface OpenOptions {
  databaseUrl?: string | undefined;
  dataDir: string;
  /** PostgreSQL schema to use (tests give each suite its own). */
  pgSchema?: string;
  poolSize?: number;
  /** SECRETS_KEY and SECRETS_KEY_PREVIOUS; without a key, DATA_DIR/secrets.key is used (made on first use). */
  secretsKey?: string | undefined;
  secretsKeysPrevious?: string[] | undefined;
  /**
   * Told about connections that died while idle in the pool (a database restart, failover or
   * pg_terminate_backend). The pool has dropped them already; the next query opens a new one.
   */
  onConnectionError?: (error: Error) => void;
}

// How long a request waits for a new PostgreSQL connection before it is answered 503: without a limit,
// a database that is unreachable (not refusing) would hold every request until the client gives up.
const CONNECT_TIMEOUT_MS = 5_000;

/**
 * better-sqlite3 under Kysely: SQLite rolls a transaction back by itself on some errors (SQLITE_FULL,
 * SQLITE_IOERR, SQLITE_NOMEM — https://sqlite.org/lang_transaction.html, "Response To Errors Within A
 * Transaction"), and Kysely's own ROLLBACK then fails with "cannot rollback - no transaction is active",
 * which replaced the real error (a full disk looked like an internal error). Roll back only what is open.
 */
class SqliteDialectKeepingErrors extends SqliteDialect {
  constructor(private readonly sqlite: SqliteDatabase.Database) {
    super({ database: sqlite });
  }

  override createDriver(): Driver {
    const sqlite = this.sqlite;
    // Every query goes through here, so the statement cache serves them all (issue 17).
    return new (class extends SqliteDriver {
      override async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
        if (sqlite.inTransaction) await super.rollbackTransaction(connection);
      }
    })({ database: withStatementCache(sqlite) });
  }
}

/** Distinct SQL texts whose prepared statements are kept (the app has a few hundred; LRU beyond that). */
export const PREPARED_STATEMENT_CACHE_SIZE = 1_000;

/**
 * The database as Kysely's SQLite driver sees it, with `prepare` cached by SQL text: better-sqlite3 caches
 * nothing and Kysely prepares every query anew, which was half the SQL time of a report page (issue 17).
 * A statement stays valid across schema changes (SQLite re-prepares it, https://sqlite.org/c3ref/prepare.html).
 * Safe because Kysely runs one query at a time on the single connection and never iterates a statement
 * we hand out twice (we do not use `.stream()`).
 */
export function withStatementCache(sqlite: SqliteDatabase.Database, size = PREPARED_STATEMENT_CACHE_SIZE): SqliteDatabase.Database {
  const cache = new Map<string, SqliteDatabase.Statement>();
  const cached = Object.create(sqlite) as SqliteDatabase.Database;
  cached.prepare = ((source: string) => {
    let stmt = cache.get(source);
    if (stmt) cache.delete(source);
    else {
      stmt = sqlite.prepare(source);
      if (cache.size >= size) cache.delete(cache.keys().next().value!);
    }
    cache.set(source, stmt);
    return stmt;
  }) as SqliteDatabase.Database['prepare'];
  return cached;
}

export function openStorage(options: OpenOptions): Storage {
  const secrets = new Sealer({ key: options.secretsKey, previous: options.secretsKeysPrevious, dataDir: options.dataDir });
  if (options.databaseUrl) {
    const pool = new pg.Pool({
      connectionString: options.databaseUrl,
      max: options.poolSize ?? 10,
      connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
      ...(options.pgSchema ? { options: `-c search_path=${options.pgSchema}` } : {}),
    });
    // A connection closed by the server while idle makes the pool emit 'error'; with no listener that
    // crashed the process (issue 21). The pool has already dropped the client, so we only report it.
    pool.on('error', (error) => options.onConnectionError?.(error));
    // A client checked out at that moment (between two queries of a transaction) emits 'error' itself,
    // which would crash the process just the same. Its next query fails, the caller sees that (a 503),
    // and the pool drops the client when it is released.
    pool.on('connect', (client) => client.on('error', () => undefined));
    const db = watchedKysely((plugins) => new Kysely<Database>({ dialect: new PostgresDialect({ pool }), plugins }));
    const url = new URL(options.databaseUrl);
    return {
      db,
      dialect: 'postgres',
      describe: `PostgreSQL ${url.hostname}:${url.port || 5432}${url.pathname}${options.pgSchema ? ` (schema ${options.pgSchema})` : ''}`,
      secrets,
      close: () => db.destroy(),
    };
  }
  mkdirSync(options.dataDir, { recursive: true });
  const file = path.join(options.dataDir, 'cordon.sqlite');
  const sqlite = new SqliteDatabase(file);
  // WAL lets readers run beside the writer; busy_timeout makes a second process wait instead of failing.
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  sqlite.pragma('synchronous = NORMAL');
  const db = watchedKysely((plugins) => new Kysely<Database>({ dialect: new SqliteDialectKeepingErrors(sqlite), plugins }));
  return { db, dialect: 'sqlite', describe: `SQLite ${file}`, secrets, close: () => db.destroy() };
}

/** Run `fn` in one transaction; the audit event and any jobs it writes commit or roll back with it. */
export function transaction<T>(storage: Storage, fn: (trx: Transaction<Database>) => Promise<T>): Promise<T> {
  return storage.db.transaction().execute(fn);
}

export async function ping(storage: Storage): Promise<void> {
  await sql`select 1`.execute(storage.db);
}
