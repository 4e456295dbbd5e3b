// Reading advisories for the VMT's workspace: the working record, revisions and approvals. Every read
// of an advisory that may be unpublished goes through advisoryForEditor, which answers 404 to anyone
// without the `advisories.edit` permission (DESIGN.md §5: drafts of an embargoed report stay hidden).
import { createHash } from 'node:crypto';
import { can } from '../access/policy.js';
import type { Actor } from '../access/actor.js';
import { errors } from '../errors/catalogue.js';
import type { Db } from '../storage/database.js';
import type { AdvisoryRecord } from '../publication/record.js';
import type { AdvisoryApprovalRow, AdvisoryRevisionRow, AdvisoryRow } from './tables.js';

export interface LoadedAdvisory {
  row: AdvisoryRow;
  record: AdvisoryRecord;
  /** The record as last published, or null. */
  published: AdvisoryRecord | null;
}

export function parseRecord(json: string): AdvisoryRecord {
  return JSON.parse(json) as AdvisoryRecord;
}

export function recordHash(record: AdvisoryRecord): string {
  return createHash('sha256').update(JSON.stringify(record)).digest('hex');
}

/** Whitespace-insensitive hash of an impact description (what the reporter and lead approve). */
export function descriptionHash(text: string): string {
  return createHash('sha256').update(normalizeText(text)).digest('hex');
}

export function normalizeText(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

export async function loadAdvisory(db: Db, ref: string): Promise<LoadedAdvisory | undefined> {
  if (!/^[A-Z][A-Z0-9]{1,15}-\d{4}-\d{3,6}$/.test(ref)) return undefined;
  const row = await db.selectFrom('advisories').selectAll().where('ref', '=', ref).executeTakeFirst();
  if (!row) return undefined;
  return { row, record: parseRecord(row.record_json), published: row.published_json ? parseRecord(row.published_json) : null };
}

/** The advisory drafted from a report (its reference and state), or undefined. */
export async function advisoryOfReport(db: Db, reportId: number): Promise<Pick<AdvisoryRow, 'ref' | 'status'> | undefined> {
  return db.selectFrom('advisories').select(['ref', 'status']).where('report_id', '=', reportId).executeTakeFirst();
}

/** The working record of the report's advisory when it is approved (what a pre-notice may quote), else null. */
export async function approvedRecordOfReport(db: Db, reportId: number): Promise<AdvisoryRecord | null> {
  const row = await db.selectFrom('advisories').select(['record_json', 'status']).where('report_id', '=', reportId).executeTakeFirst();
  return row?.status === 'approved' ? parseRecord(row.record_json) : null;
}

/** The advisory for a VMT member; 404 for everyone else and for unknown ids. */
export async function advisoryForEditor(db: Db, actor: Actor, ref: string): Promise<LoadedAdvisory> {
  if (!can(actor, 'advisories.edit')) throw errors.notFound('advisory');
  const loaded = await loadAdvisory(db, ref);
  if (!loaded) throw errors.notFound('advisory');
  return loaded;
}

export interface WorkItem {
  ref: string;
  title: string;
  status: AdvisoryRow['status'];
  published: boolean;
  reportId: number | null;
  updatedAt: string;
  currentRevision: number;
}

/** Advisories with work pending: drafts, approved ones, and published ones with unpublished changes. */
export async function listWorkItems(db: Db): Promise<WorkItem[]> {
  const rows = await db
    .selectFrom('advisories')
    .select(['ref', 'title', 'status', 'published_at', 'report_id', 'updated_at', 'current_revision'])
    .where('status', '!=', 'published')
    .orderBy('updated_at', 'desc')
    .execute();
  return rows.map((r) => ({ ref: r.ref, title: r.title, status: r.status, published: r.published_at !== null, reportId: r.report_id, updatedAt: r.updated_at, currentRevision: r.current_revision }));
}

export async function listRevisions(db: Db, advisoryId: number): Promise<Omit<AdvisoryRevisionRow, 'record_json'>[]> {
  return db
    .selectFrom('advisory_revisions')
    .select(['id', 'advisory_id', 'number', 'kind', 'summary', 'author_id', 'author_label', 'created_at'])
    .where('advisory_id', '=', advisoryId)
    .orderBy('number', 'desc')
    .execute();
}

export async function loadRevision(db: Db, advisoryId: number, number: number): Promise<AdvisoryRevisionRow | undefined> {
  return db.selectFrom('advisory_revisions').selectAll().where('advisory_id', '=', advisoryId).where('number', '=', number).executeTakeFirst();
}

export async function listApprovals(db: Db, advisoryId: number): Promise<AdvisoryApprovalRow[]> {
  return db.selectFrom('advisory_approvals').selectAll().where('advisory_id', '=', advisoryId).orderBy('approved_at', 'desc').orderBy('id', 'desc').execute();
}

/**
 * Who wrote what is waiting for approval: the authors of every revision after the published one (all
 * revisions while unpublished). None of them may approve it (DESIGN.md §2: a second VMT member).
 */
export async function pendingAuthors(db: Db, row: Pick<AdvisoryRow, 'id' | 'published_revision'>): Promise<Set<number>> {
  const rows = await db.selectFrom('advisory_revisions').select('author_id').where('advisory_id', '=', row.id).where('number', '>', row.published_revision ?? 0).execute();
  return new Set(rows.map((r) => r.author_id).filter((id): id is number => id !== null));
}
