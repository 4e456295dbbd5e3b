// The benchmark's own database: an SQLite file in a fresh temp directory, or a fresh schema on the given
// PostgreSQL server (created here and dropped at the end), migrated with the app's migrations.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openStorage, type Storage } from '../storage/database.js';
import { migrateToLatest } from '../storage/migrate.js';
import type { BenchDb } from './options.js';

export interface BenchDatabase {
  dialect: BenchDb;
  storage: Storage;
  /** DATA_DIR of every process of the run (SQLite file, mail outbox). */
  dataDir: string;
  sqliteFile: string | undefined;
  pgSchema: string | undefined;
  /** The URL child processes use: the server URL with the schema as search_path. */
  childDatabaseUrl: string | undefined;
  /** Environment for child processes (server, workers, CLI) that must use this database. */
  env(extra?: Record<string, string>): NodeJS.ProcessEnv;
  drop(): Promise<void>;
}

export async function createBenchDatabase(dialect: BenchDb, databaseUrl: string | undefined, options: { poolSize?: number } = {}): Promise<BenchDatabase> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'cordon-bench-'));
  let pgSchema: string | undefined;
  let childDatabaseUrl: string | undefined;
  if (dialect === 'postgres') {
    if (!databaseUrl) throw new Error('no PostgreSQL URL');
    pgSchema = `bench_${randomBytes(5).toString('hex')}`;
    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    await client.query(`create schema ${pgSchema}`);
    await client.end();
    const url = new URL(databaseUrl);
    url.searchParams.set('options', `-c search_path=${pgSchema}`);
    childDatabaseUrl = url.toString();
  }
  const storage = openStorage({ databaseUrl: dialect === 'postgres' ? databaseUrl : undefined, dataDir, poolSize: options.poolSize ?? 10, ...(pgSchema ? { pgSchema } : {}) });
  await migrateToLatest(storage);
  return {
    dialect,
    storage,
    dataDir,
    sqliteFile: dialect === 'sqlite' ? path.join(dataDir, 'cordon.sqlite') : undefined,
    pgSchema,
    childDatabaseUrl,
    env: (extra = {}) => {
      const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: dataDir, LOG_LEVEL: 'silent', IN_PROCESS_WORKER: 'false', ...extra };
      delete env.SMTP_URL;
      if (childDatabaseUrl) env.DATABASE_URL = childDatabaseUrl;
      else delete env.DATABASE_URL;
      return env;
    },
    drop: async () => {
      await storage.close().catch(() => undefined);
      if (pgSchema && databaseUrl) {
        const client = new pg.Client({ connectionString: databaseUrl });
        await client.connect();
        await client.query(`drop schema if exists ${pgSchema} cascade`);
        await client.end();
      }
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Row counts of the tables the benchmark fills (missing tables are left out). */
export async function tableCounts(storage: Storage, tables: readonly string[]): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const table of tables) {
    try {
      const row = await storage.db
        .selectFrom(table as 'reports')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow();
      out[table] = Number(row.n);
    } catch {
      // not there (yet)
    }
  }
  return out;
}

export const COUNTED_TABLES = [
  'projects', 'users', 'project_members', 'reports', 'report_projects', 'report_subscriptions', 'report_events', 'report_comments', 'report_cves', 'jobs',
  'advisories', 'advisory_revisions', 'notes', 'note_revisions',
] as const;
