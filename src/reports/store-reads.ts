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

/** The report's id by its reference, or undefined. */
export async function reportIdByRef(db: Db, ref: string): Promise<number | undefined> {
  return (await db.selectFrom('reports').select('id').where('ref', '=', ref).executeTakeFirst())?.id;
}

/** The report's reference by its id, or undefined. */
export async function reportRefById(db: Db, id: number): Promise<string | undefined> {
  return (await db.selectFrom('reports').select('ref').where('id', '=', id).executeTakeFirst())?.ref;
}

/** The reporter's address and OpenPGP key of a report, by reference (mail to the reporter is encrypted to it). */
export async function reporterKeyOfReport(db: Db, ref: string): Promise<{ email: string; pgpKey: string | null } | undefined> {
  const row = await db.selectFrom('reports').select(['reporter_email', 'reporter_pgp_key']).where('ref', '=', ref).executeTakeFirst();
  return row ? { email: row.reporter_email, pgpKey: row.reporter_pgp_key } : undefined;
}

/** The OpenPGP keys a sender gave with their latest reports (newest first, at most `limit`). */
export async function reporterKeysFromAddress(db: Db, address: string, limit = 20): Promise<string[]> {
  const rows = await db.selectFrom('reports').select('reporter_pgp_key').where('reporter_email', '=', address).where('reporter_pgp_key', 'is not', null).orderBy('id', 'desc').limit(limit).execute();
  return rows.flatMap((r) => (r.reporter_pgp_key ? [r.reporter_pgp_key] : []));
}
