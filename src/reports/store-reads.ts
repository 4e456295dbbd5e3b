// Small reads of a report's rows that other domains need (mail, keys, advisories, notes, disclosure): the
// reports domain owns these tables (sql-placement.test.ts), so they ask here instead of querying them.
// None of these checks the access policy: callers use them for work the system does (a reply address, a
// key to encrypt to, an advisory's checks), never to show a report to an actor (load-for-actor.ts does).
import type { Db } from '../storage/database.js';
import type { ReportRow } from '../storage/tables.js';

/** The report row by id (a job or a change that already holds the id), or undefined. */
export async function reportRowById(db: Db, id: number): Promise<ReportRow | undefined> {
  return db.selectFrom('reports').selectAll().where('id', '=', id).executeTakeFirst();
}

