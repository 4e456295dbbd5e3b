// Opening the database: embedded SQLite (default) or PostgreSQL. This is the only place that knows
// which driver is in use; everything else talks to Kysely and asks `storage.dialect` when a query must differ.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect, sql, type Transaction } from 'kysely';
import pg from 'pg';
import type { Database } from './tables.js';
import { Sealer } from './sealing.js';

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
}

export function openStorage(options: OpenOptions): Storage {
  const secrets = new Sealer({ key: options.secretsKey, previous: options.secretsKeysPrevious, dataDir: options.dataDir });
  if (options.databaseUrl) {
    const pool = new pg.Pool({
      connectionString: options.databaseUrl,
      max: options.poolSize ?? 10,
      ...(options.pgSchema ? { options: `-c search_path=${options.pgSchema}` } : {}),
    });
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
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
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) });
  return { db, dialect: 'sqlite', describe: `SQLite ${file}`, secrets, close: () => db.destroy() };
}

/** Run `fn` in one transaction; the audit event and any jobs it writes commit or roll back with it. */
export function transaction<T>(storage: Storage, fn: (trx: Transaction<Database>) => Promise<T>): Promise<T> {
  return storage.db.transaction().execute(fn);
}

export async function ping(storage: Storage): Promise<void> {
  await sql`select 1`.execute(storage.db);
}
