// The VMT queue's counts from `report_counts` (migration 0020: deltas per class, state and acknowledgement,
// written by triggers in the transaction of every report change). They count every report, so they serve
// only an actor who reads every report (readsEveryReport in src/access/report-policy.ts); anyone else's
// counts depend on who asks and are counted under the policy filter (store.ts).
import type { Kysely } from 'kysely';
import type { Db } from '../storage/database.js';
import type { Database, ReportClass, ReportState } from '../storage/tables.js';
import { openStates } from './store.js';

/** Delta rows a read may find before it folds them into one row per key. */
const COMPACT_AFTER_ROWS = 1_000;

type ClassKey = ReportClass | 'unclassified';

export interface QueueCounts {
  /** Not acknowledged and not closed as invalid or won't fix (the filter `unacknowledged`). */
  unacknowledged: number;
  /** Acknowledged and in one of the open states (filters `acknowledged` and `open`). */
  inProgress: number;
  openByClass: Map<ClassKey, number>;
  allByClass: Map<ClassKey, number>;
}

interface KeyCount {
  classKey: ClassKey;
  state: ReportState;
  acknowledged: boolean;
  n: number;
}

/** One count per (class, state, acknowledged), the deltas summed; keys that sum to nothing are left out. */
async function readKeyCounts(db: Db): Promise<{ counts: KeyCount[]; rows: number }> {
  const rows = await db.selectFrom('report_counts').select(['class_key', 'state', 'acknowledged', 'n']).execute();
  const sums = new Map<string, KeyCount>();
  for (const r of rows) {
    const key = `${r.class_key}\u0000${r.state}\u0000${r.acknowledged}`;
    const entry = sums.get(key) ?? { classKey: (r.class_key || 'unclassified') as ClassKey, state: r.state, acknowledged: Number(r.acknowledged) === 1, n: 0 };
    entry.n += Number(r.n);
    sums.set(key, entry);
  }
  return { counts: [...sums.values()].filter((c) => c.n !== 0), rows: rows.length };
}

/** The queue's four counts, optionally for some classes only (the queue's class filter). */
export async function queueCounts(db: Db, classes?: readonly ClassKey[]): Promise<QueueCounts> {
  const { counts, rows } = await readKeyCounts(db);
  if (rows > COMPACT_AFTER_ROWS && !db.isTransaction) await compactReportCounts(db);
  const out: QueueCounts = { unacknowledged: 0, inProgress: 0, openByClass: new Map(), allByClass: new Map() };
  const add = (map: Map<ClassKey, number>, k: ClassKey, n: number) => map.set(k, (map.get(k) ?? 0) + n);
  for (const c of counts) {
    if (classes?.length && !classes.includes(c.classKey)) continue;
    const open = openStates.includes(c.state);
    if (!c.acknowledged && c.state !== 'invalid' && c.state !== 'wont_fix') out.unacknowledged += c.n;
    if (c.acknowledged && open) out.inProgress += c.n;
    if (open) add(out.openByClass, c.classKey, c.n);
    add(out.allByClass, c.classKey, c.n);
  }
  return out;
}

/**
 * Fold the deltas into one row per key. The rows are deleted and their sums written back in one
 * transaction; a delta committed meanwhile by another transaction was not deleted (PostgreSQL deletes
 * only the rows its statement saw; SQLite has one writer), so it stays and nothing is counted twice.
 */
export async function compactReportCounts(db: Kysely<Database>): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const gone = await trx.deleteFrom('report_counts').returning(['class_key', 'state', 'acknowledged', 'n']).execute();
    const sums = new Map<string, { class_key: string; state: ReportState; acknowledged: number; n: number }>();
    for (const r of gone) {
      const key = `${r.class_key}\u0000${r.state}\u0000${r.acknowledged}`;
      const entry = sums.get(key) ?? { class_key: r.class_key, state: r.state, acknowledged: Number(r.acknowledged), n: 0 };
      entry.n += Number(r.n);
      sums.set(key, entry);
    }
    const rows = [...sums.values()].filter((r) => r.n !== 0);
    if (rows.length) await trx.insertInto('report_counts').values(rows).execute();
  });
}
