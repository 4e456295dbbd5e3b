// Changing advisories (VMT only): create (from scratch or from a class A report), save (a new revision
// each time), approve, record impact approvals for advisories without a report, and add an erratum.
// Each is one transaction with its audit event; input is validated in full before anything is written.
import { can } from '../access/policy.js';
import type { Actor } from '../access/actor.js';
import { change, type Scope } from '../context.js';
import { errors } from '../errors/catalogue.js';
import type { Db } from '../storage/database.js';
import { reportForActor } from '../reports/load-for-actor.js';
import { allocateAdvisoryId } from './ids.js';
import { applyForm, changedFields, FIELD_LABELS, publicationProblems, type AdvisoryForm } from './editor-input.js';
import { emptyAdvisoryRecord, type AdvisoryRecord } from '../publication/record.js';
import { advisoryForEditor, descriptionHash, pendingAuthors, recordHash, type LoadedAdvisory } from './store.js';
import type { AdvisoryRevisionKind, AdvisoryStatus } from './tables.js';

export function requireEditor(actor: Actor): asserts actor is Extract<Actor, { kind: 'user' }> {
  if (!can(actor, 'advisories.edit') || actor.kind !== 'user') throw errors.notFound('advisory');
}

export function authorOf(scope: Scope): { id: number | null; label: string } {
  return scope.actor.kind === 'user' ? { id: scope.actor.userId, label: scope.actor.username } : { id: null, label: 'cordon' };
}

/** The next revision, written with the advisory's new working record; guarded against lost updates. */
export async function writeRevision(
  trx: Db,
  loaded: { row: { id: number; current_revision: number } },
  record: AdvisoryRecord,
  kind: AdvisoryRevisionKind,
  summary: string,
  author: { id: number | null; label: string },
  now: Date,
  status: AdvisoryStatus,
): Promise<number> {
  const number = loaded.row.current_revision + 1;
  const at = now.toISOString();
  const updated = await trx
    .updateTable('advisories')
    .set({ record_json: JSON.stringify(record), title: record.title, date: record.date, current_revision: number, status, updated_at: at })
    .where('id', '=', loaded.row.id)
    .where('current_revision', '=', loaded.row.current_revision)
    .executeTakeFirst();
  if (Number(updated.numUpdatedRows) !== 1) throw errors.conflict('Someone else saved this advisory a moment ago. Reload it, then make your change again.');
  await trx.insertInto('advisory_revisions').values({ advisory_id: loaded.row.id, number, kind, summary, record_json: JSON.stringify(record), author_id: author.id, author_label: author.label, created_at: at }).execute();
  return number;
}

function checkRevision(loaded: LoadedAdvisory, expected: number | undefined): void {
  if (expected !== undefined && expected !== loaded.row.current_revision) {
    throw errors.conflict(`The advisory changed since you opened it (revision ${loaded.row.current_revision} is current, you had ${expected}). Reload it and look again.`);
  }
}

export interface CreateOptions {
  /** `R-…` of the class A report the advisory is for. */
  reportRef?: string;
}

/** Creates a draft advisory; its id is allocated in the same transaction (no gaps, DESIGN.md §2). */
export async function createAdvisory(scope: Scope, input: Partial<AdvisoryForm>, options: CreateOptions = {}): Promise<string> {
  requireEditor(scope.actor);
  const db = scope.app.storage.db;
  let reportId: number | null = null;
  if (options.reportRef) {
    const report = await reportForActor(scope, options.reportRef);
    if (report.row.class !== 'A') {
      throw errors.field('report', `Advisories are for class A reports; ${report.row.ref} is ${report.row.class ? `class ${report.row.class}` : 'not classified yet'}.`);
    }
    const existing = await db.selectFrom('advisories').select('ref').where('report_id', '=', report.row.id).executeTakeFirst();
    if (existing) throw errors.conflict(`Report ${report.row.ref} already has the advisory ${existing.ref}.`);
    reportId = report.row.id;
  }
  // Validate everything before an id is taken.
  const draft = applyForm(emptyAdvisoryRecord(''), input);
  const author = authorOf(scope);
  return change(scope, async ({ trx, now, audit }) => {
    const id = await allocateAdvisoryId(trx, scope.app.config.advisoryPrefix, now.getUTCFullYear());
    const record: AdvisoryRecord = { ...draft, id: id.ref };
    const at = now.toISOString();
    const row = await trx
      .insertInto('advisories')
      .values({
        ref: id.ref,
        prefix: id.prefix,
        year: id.year,
        seq: id.seq,
        status: 'draft',
        title: record.title,
        date: record.date,
        record_json: JSON.stringify(record),
        current_revision: 1,
        published_json: null,
        published_revision: null,
        published_summary: null,
        published_at: null,
        last_published_at: null,
        report_id: reportId,
        source_yaml: null,
        created_by: author.id,
        created_at: at,
        updated_at: at,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await trx.insertInto('advisory_revisions').values({ advisory_id: row.id, number: 1, kind: 'created', summary: options.reportRef ? `Drafted from report ${options.reportRef}` : 'Drafted', record_json: JSON.stringify(record), author_id: author.id, author_label: author.label, created_at: at }).execute();
    // The audit log is read by admins, who are not VMT: no draft content in it, only ids.
    await audit('advisory.created', 'advisory', id.ref, undefined, { report: options.reportRef ?? null, revision: 1 });
    return id.ref;
  });
}

/** Saves the editor's fields as a new revision. A change withdraws any approval (status back to draft). */
export async function saveAdvisory(scope: Scope, ref: string, input: Partial<AdvisoryForm>, expectedRevision?: number): Promise<{ revision: number; changed: string[] }> {
  requireEditor(scope.actor);
  const loaded = await advisoryForEditor(scope.app.storage.db, scope.actor, ref);
  checkRevision(loaded, expectedRevision);
  const record = applyForm(loaded.record, input);
  const changed = changedFields(loaded.record, record);
  if (recordHash(record) === recordHash(loaded.record)) return { revision: loaded.row.current_revision, changed: [] };
  const labels = changed.map((f) => FIELD_LABELS[f]);
  return change(scope, async ({ trx, now, audit }) => {
    const revision = await writeRevision(trx, loaded, record, 'edited', labels.length ? `Changed ${labels.join(', ')}` : 'Edited', authorOf(scope), now, 'draft');
    await audit('advisory.edited', 'advisory', ref, { revision: loaded.row.current_revision }, { revision, changed });
    return { revision, changed };
  });
}

/** The second VMT member's approval of the current revision (never by anyone who wrote a revision since the last publication). */
export async function approveAdvisory(scope: Scope, ref: string, revision: number): Promise<void> {
  requireEditor(scope.actor);
  const db = scope.app.storage.db;
  const loaded = await advisoryForEditor(db, scope.actor, ref);
  checkRevision(loaded, revision);
  if (loaded.row.status === 'published') throw errors.conflict(`${ref} is published as it is; there is nothing new to approve.`);
  if (loaded.row.status === 'approved') throw errors.conflict(`This revision of ${ref} is already approved.`);
  const userId = scope.actor.userId;
  if ((await pendingAuthors(db, loaded.row)).has(userId)) {
    throw errors.forbiddenAction(`This needs someone other than you, because you wrote part of revision ${revision}: a second VMT member must approve it.`);
  }
  const problems = publicationProblems(loaded.record);
  if (problems.length) throw errors.validation(problems, `Complete the advisory before approving it: ${problems.map((p) => p.message).join(' ')}`);
  await change(scope, async ({ trx, now, audit }) => {
    const updated = await trx.updateTable('advisories').set({ status: 'approved', updated_at: now.toISOString() }).where('id', '=', loaded.row.id).where('current_revision', '=', revision).where('status', '=', 'draft').executeTakeFirst();
    if (Number(updated.numUpdatedRows) !== 1) throw errors.conflict('The advisory changed while you approved it. Reload it and look again.');
    await trx.insertInto('advisory_approvals').values({ advisory_id: loaded.row.id, kind: 'advisory', revision_number: revision, text_hash: recordHash(loaded.record), user_id: userId, user_label: scope.actor.kind === 'user' ? scope.actor.username : 'cordon', note: '', approved_at: now.toISOString() }).execute();
    await audit('advisory.approved', 'advisory', ref, undefined, { revision });
  });
}

/**
 * For an advisory without a report: a VMT member records that the reporter or the project lead approved
 * the impact description (how and when goes in the note). Linked reports carry these approvals themselves.
 */
export async function recordImpactApproval(scope: Scope, ref: string, role: 'reporter' | 'lead', note: string): Promise<void> {
  requireEditor(scope.actor);
  const loaded = await advisoryForEditor(scope.app.storage.db, scope.actor, ref);
  if (loaded.row.report_id !== null) throw errors.conflict('The reporter and the project lead approve the impact description on the report itself.');
  if (role !== 'reporter' && role !== 'lead') throw errors.field('role', 'Choose the reporter or the project lead.');
  const text = note.replace(/\s+/g, ' ').trim();
  if (!text) throw errors.field('note', 'Say how and when the approval was given (e.g. "by encrypted mail on 2026-05-02").');
  if (text.length > 500) throw errors.field('note', 'The note is too long (at most 500 characters).');
  if (!loaded.record.description.trim()) throw errors.conflict('There is no impact description to approve yet.');
  await change(scope, async ({ trx, now, audit }) => {
    const actor = scope.actor as Extract<Actor, { kind: 'user' }>;
    await trx.insertInto('advisory_approvals').values({ advisory_id: loaded.row.id, kind: role === 'reporter' ? 'impact_reporter' : 'impact_lead', revision_number: loaded.row.current_revision, text_hash: descriptionHash(loaded.record.description), user_id: actor.userId, user_label: actor.username, note: text, approved_at: now.toISOString() }).execute();
    await audit('advisory.impact_approval_recorded', 'advisory', ref, undefined, { role });
  });
}

/** Counts the errata lines of a history (`YYYY-MM-DD - Errata N`). */
export function errataCount(record: AdvisoryRecord | null): number {
  return (record?.errata?.history ?? []).filter((l) => /errata/i.test(l)).length;
}

/**
 * Adds an erratum to a published advisory: the errata text, and a history line `YYYY-MM-DD - Errata N`
 * on top (the first erratum also records the original version); the date stays the original one
 * (DESIGN.md §2). While the erratum is unpublished, a second call only rewrites its text.
 */
export async function addErratum(scope: Scope, ref: string, text: string, expectedRevision?: number): Promise<number> {
  requireEditor(scope.actor);
  const loaded = await advisoryForEditor(scope.app.storage.db, scope.actor, ref);
  checkRevision(loaded, expectedRevision);
  if (!loaded.published) throw errors.conflict(`${ref} is not published yet: edit the draft instead of adding an erratum.`);
  const errataText = text.replace(/\r\n?/g, '\n').trim();
  if (!errataText) throw errors.field('errata', 'Say what changed and why.');
  if (errataText.length > 10_000) throw errors.field('errata', 'The erratum is too long (at most 10000 characters).');
  const record = loaded.record;
  const pending = errataCount(record) > errataCount(loaded.published);
  return change(scope, async ({ trx, now, audit }) => {
    const today = now.toISOString().slice(0, 10);
    const history = record.errata?.history ?? [];
    const number = errataCount(record) + 1;
    const nextHistory = pending ? history : history.length ? [`${today} - Errata ${number}`, ...history] : [`${today} - Errata 1`, `${record.date ?? today} - Original Version`];
    const next: AdvisoryRecord = { ...record, errata: { text: errataText, history: nextHistory } };
    const shown = pending ? errataCount(record) : number;
    const revision = await writeRevision(trx, loaded, next, 'erratum', pending ? `Errata ${shown} text revised` : `Errata ${shown}`, authorOf(scope), now, 'draft');
    await audit('advisory.erratum_added', 'advisory', ref, undefined, { errata: shown, revision });
    return revision;
  });
}
