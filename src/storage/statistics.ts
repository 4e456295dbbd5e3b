// Planner statistics. SQLite never gathers them on its own, so without them it cannot tell that the partial
// index of unacknowledged reports (migration 0008) holds a few rows and scans a whole index instead
// (issue 17: 8.3 ms → 0.01 ms for the queue's count). PostgreSQL's autovacuum analyses by itself.
import { sql } from 'kysely';
import type { Storage } from './database.js';

/** Rows sampled per index; keeps ANALYZE to milliseconds on any size (https://sqlite.org/lang_analyze.html#approx). */
const ANALYSIS_LIMIT = 400;

/**
 * Bring the planner's statistics up to date: at start-up (after migrations) and from a recurring job.
 * `PRAGMA optimize=0x10002` checks every table, not only those this connection queried, and analyses
 * the ones never analysed or grown much since (https://sqlite.org/pragma.html#pragma_optimize).
 */
export async function refreshStatistics(storage: Storage): Promise<void> {
  if (storage.dialect !== 'sqlite') return;
  await sql.raw(`pragma analysis_limit = ${ANALYSIS_LIMIT}`).execute(storage.db);
  await sql.raw('pragma optimize = 0x10002').execute(storage.db);
}
