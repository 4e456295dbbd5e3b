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


/** The report's id by its ref (for the per-report reply address of mail about it), or null. */
export async function reportIdByRef(db: Db, ref: string): Promise<number | null> {
  const row = await db.selectFrom('reports').select('id').where('ref', '=', ref).executeTakeFirst();
  return row?.id ?? null;
}

/** Who filed the report named by ref, and the key they gave with it (null when none). */
export async function reporterKeyOfReport(db: Db, ref: string): Promise<{ reporter_email: string; reporter_pgp_key: string | null } | undefined> {
  return db.selectFrom('reports').select(['reporter_email', 'reporter_pgp_key']).where('ref', '=', ref).executeTakeFirst();
}

/** Keys given with the latest reports filed under this exact address (by the web, the API or mail), newest first. */
export async function reporterKeysGivenBy(db: Db, email: string, latest: number): Promise<string[]> {
  const rows = await db.selectFrom('reports').select('reporter_pgp_key').where('reporter_email', '=', email).where('reporter_pgp_key', 'is not', null).orderBy('id', 'desc').limit(latest).execute();
  return rows.flatMap((r) => (r.reporter_pgp_key ? [r.reporter_pgp_key] : []));
}
