// Test databases: every storage-touching suite runs against SQLite and PostgreSQL.
// PostgreSQL comes from TEST_DATABASE_URL (CI always sets it); each suite gets its own schema. Without it
// the PostgreSQL cases are registered as skipped, with the reason (issue 14).
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openStorage, type DialectName, type Storage } from '../storage/database.js';
import { migrateToLatest } from '../storage/migrate.js';
import { describeIf, requireOnCi, skippedTitle } from './skips.js';

export const postgresUrl = process.env.TEST_DATABASE_URL?.trim() || undefined;

/** Why PostgreSQL suites are skipped here (printed in their titles and in `npm test`'s summary). */
export const postgresMissing = 'TEST_DATABASE_URL is not set (bash .ci/run sets up PostgreSQL)';

/**
 * The dialects for `describe.each(testDialects())('… on %s', (dialect) => …)`. Without a PostgreSQL URL
 * the second case is still there, named with the reason, and the test runner (src/testing/vitest-runner.ts)
 * registers it as a skipped describe, so the run counts it. On CI a missing URL is an error instead.
 */
export function testDialects(): DialectName[] {
  requireOnCi(Boolean(postgresUrl), postgresMissing);
  // The skipped case never runs (the runner skips it before any hook), so its value is only a title.
  return postgresUrl ? ['sqlite', 'postgres'] : ['sqlite', skippedTitle('postgres', postgresMissing) as DialectName];
}

/** A suite that needs PostgreSQL (worker processes racing on one database): skipped with the reason without it. */
export function describeOnPostgres(title: string, fn: () => void): void {
  describeIf(Boolean(postgresUrl), postgresMissing, title, fn);
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
