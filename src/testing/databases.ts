// Test databases: every storage-touching suite runs against SQLite and PostgreSQL.
// PostgreSQL comes from TEST_DATABASE_URL (CI always sets it); each suite gets its own schema.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openStorage, type DialectName, type Storage } from '../storage/database.js';
import { migrateToLatest } from '../storage/migrate.js';

export const postgresUrl = process.env.TEST_DATABASE_URL?.trim() || undefined;

let warned = false;
/** The dialects to run; PostgreSQL is skipped (with a printed reason) only when no URL is given. */
export function testDialects(): DialectName[] {
  if (!postgresUrl && !warned) {
    warned = true;
    console.warn('[cordon tests] TEST_DATABASE_URL is not set: PostgreSQL suites are skipped. `bash .ci/run` sets it up.');
  }
  return postgresUrl ? ['sqlite', 'postgres'] : ['sqlite'];
}

export interface TestStorage {
  storage: Storage;
  dialect: DialectName;
  dataDir: string;
  /** For PostgreSQL: the schema, so child processes can open the same database. */
  pgSchema: string | undefined;
  databaseUrl: string | undefined;
  cleanup(): Promise<void>;
}

export async function createTestStorage(dialect: DialectName, options: { migrate?: boolean } = {}): Promise<TestStorage> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'cordon-test-'));
  let pgSchema: string | undefined;
  if (dialect === 'postgres') {
    if (!postgresUrl) throw new Error('TEST_DATABASE_URL is not set');
    pgSchema = `t_${randomBytes(6).toString('hex')}`;
    const client = new pg.Client({ connectionString: postgresUrl });
    await client.connect();
    await client.query(`create schema ${pgSchema}`);
    await client.end();
  }
  const storage = openStorage({ databaseUrl: dialect === 'postgres' ? postgresUrl : undefined, dataDir, ...(pgSchema ? { pgSchema } : {}) });
  if (options.migrate !== false) await migrateToLatest(storage);
  return {
    storage,
    dialect,
    dataDir,
    pgSchema,
    databaseUrl: dialect === 'postgres' ? postgresUrl : undefined,
    cleanup: async () => {
      await storage.close();
      if (pgSchema) {
        const client = new pg.Client({ connectionString: postgresUrl });
        await client.connect();
        await client.query(`drop schema ${pgSchema} cascade`);
        await client.end();
      }
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Environment for a child process (worker, CLI) that should use the same test database. */
export function childEnv(t: TestStorage, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: t.dataDir, LOG_LEVEL: 'warn', ...extra };
  if (t.databaseUrl && t.pgSchema) {
    const url = new URL(t.databaseUrl);
    url.searchParams.set('options', `-c search_path=${t.pgSchema}`);
    env.DATABASE_URL = url.toString();
  } else delete env.DATABASE_URL;
  return env;
}
