// Flagging that a note is wanted, claiming a flag, and turning one down (DESIGN.md §2, Security notes rule):
// "A report (or anyone, for a public note) flags that a note is wanted; an author assigns themself".
// - From a private report: the VMT (who manage it) flag it, for classes B1–D; the note is embargoed
//   (security core only) until the report is disclosed.
// - From a public report or a published issue, or with no report at all: anyone with an account.
import { canManage, canRead, reportAccess } from '../access/report-policy.js';
import { canClaim, canDismiss, reportEmbargoes } from '../access/note-policy.js';
import type { UserActor } from '../access/actor.js';
import { change, type Scope } from '../context.js';
import { errors, IssueCollector } from '../errors/catalogue.js';
import type { ReportClass } from '../storage/tables.js';
import { cvesOfReports, loadReportBy, type LoadedReport } from '../reports/store.js';
import { listProjects } from '../projects/projects.js';
import { allocateNoteId } from './ids.js';
import { newNoteRef, noteForActor, type NoteForActor } from './store.js';
import { firstRevisionBody } from './note-template.js';

/** Classes whose reports may lead to a note (DESIGN.md §2, classification). */
export const NOTE_CLASSES: readonly ReportClass[] = ['B1', 'B2', 'B3', 'C1', 'C2', 'D'];

export interface FlagInput {
  /** R-XXXXXXXX, or empty for a note not tied to a report. */
  report?: string;
  title: string;
  reason: string;
  /** Project slugs; defaults to the report's projects when the flagger may read the report. */
  projects: string[];
}

export interface FlagSource {
  report: LoadedReport | null;
  embargoed: boolean;
  /** The flagger may read the report itself (not only its public issue). */
  readsReport: boolean;
}

/**
 * Where a flag may come from, for this actor: 404 for a report they may not see at all; a clear refusal
 * for one they can see but may not flag (a private report by someone outside the VMT, or the wrong class).
 */
export async function flagSource(scope: Scope, reportRef: string | undefined): Promise<FlagSource> {
  const ref = (reportRef ?? '').trim();
  if (ref === '') return { report: null, embargoed: false, readsReport: false };
  if (!/^R-[A-Z2-9]{8}$/.test(ref)) throw errors.notFound('report');
  const report = await loadReportBy(scope.app.storage.db, { ref });
  if (!report) throw errors.notFound('report');
  const access = reportAccess(scope.actor, report.facts);
  const publicIssue = report.row.public_summary !== null;
  if (!canRead(access) && !publicIssue) throw errors.notFound('report');
  const embargoed = reportEmbargoes(report.row);
  if (embargoed && !canManage(access)) {
    throw errors.forbiddenAction('Only the VMT can flag a note from a private report: it widens the disclosure to security core.');
  }
  // The class is a VMT-only fact, so it is checked (and named) only for the VMT.
  if (canManage(access)) {
    const cls = report.row.class;
    if (embargoed && cls === null) throw errors.field('report', 'Classify the report first: notes come from reports of class B1, B2, B3, C1, C2 or D.');
    if (cls !== null && !NOTE_CLASSES.includes(cls)) {
      throw errors.field('report', `A class ${cls} report does not lead to a security note (only B1, B2, B3, C1, C2 and D do).`);
    }
  }
  return { report, embargoed, readsReport: canRead(access) };
}

const ONE_LINE = /^[^\r\n]*$/;

export async function flagNote(scope: Scope & { actor: UserActor }, input: FlagInput): Promise<{ ref: string; embargoed: boolean }> {
  const source = await flagSource(scope, input.report);
  const issues = new IssueCollector();
  const title = (input.title ?? '').trim();
  if (title === '') issues.add('title', 'Say in one line what the note should warn about.');
  else if (title.length > 200 || !ONE_LINE.test(title)) issues.add('title', 'Use one line of at most 200 characters.');
  const reason = (input.reason ?? '').trim();
  if (reason.length > 20_000) issues.add('reason', 'Use at most 20000 characters.');
  const db = scope.app.storage.db;
  let slugs = [...new Set((input.projects ?? []).map((p) => p.trim()).filter(Boolean))];
  if (slugs.length === 0 && source.report && source.readsReport) slugs = source.report.projects.map((p) => p.slug);
  const projects = slugs.length ? (await listProjects(db)).filter((p) => slugs.includes(p.slug)) : [];
  if (slugs.length === 0) issues.add('projects', 'Name the project(s) the note concerns.');
  for (const slug of slugs) if (!projects.some((p) => p.slug === slug)) issues.add('projects', `There is no project "${slug.slice(0, 60)}".`);
  if (slugs.length > 20) issues.add('projects', 'Name at most 20 projects.');
  issues.throwIfAny('The flag needs fixing.');
  if (source.report) {
    const open = await db.selectFrom('notes').select('ref').where('report_id', '=', source.report.row.id).where('state', '=', 'flagged').executeTakeFirst();
    if (open) throw errors.conflict('A note is already flagged for this report and waits for an author.');
  }
  const ref = newNoteRef();
  await change(scope, async ({ trx, now, audit }) => {
    const at = now.toISOString();
    const row = await trx
      .insertInto('notes')
      .values({
        ref,
        state: 'flagged',
        origin: 'flag',
        report_id: source.report?.row.id ?? null,
        flag_title: title,
        flag_reason: reason,
        flagged_by: scope.actor.userId,
        flagged_at: at,
        current_revision: 0,
        created_at: at,
        updated_at: at,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    if (projects.length) await trx.insertInto('note_projects').values(projects.map((p) => ({ note_id: row.id, project_id: p.id }))).execute();
    await audit('note.flagged', 'note', row.id, undefined, { ref, report: source.report?.row.ref ?? null, embargoed: source.embargoed, projects: slugs });
  });
  return { ref, embargoed: source.embargoed };
}

/** The flagged note for an actor who may work on it (404 otherwise). */
async function flagForWork(scope: Scope, ref: string): Promise<NoteForActor> {
  return noteForActor(scope, { ref });
}

/** An author assigns themself: the note gets its id and a first revision from the template. */
export async function claimNote(scope: Scope & { actor: UserActor }, ref: string): Promise<string> {
  const note = await flagForWork(scope, ref);
  if (!canClaim(scope.actor, note.access)) {
    throw errors.forbiddenAction(note.facts.embargoed ? 'Only security core may write an embargoed note.' : 'Your access does not allow claiming notes.');
  }
  if (note.row.state !== 'flagged') throw errors.conflict(note.row.public_id ? `This flag was claimed already: it is ${note.row.public_id}.` : 'This flag was turned down.');
  const prefix = scope.app.config.notePrefix;
  const cves = note.report ? ((await cvesOfReports(scope.app.storage.db, [note.report.id])).get(note.report.id) ?? []) : [];
  return change(scope, async ({ trx, now, audit }) => {
    const at = now.toISOString();
    // Take the flag first (only one claimer wins), then the id: a lost race rolls back the number too.
    const taken = await trx
      .updateTable('notes')
      .set({ state: 'draft', author_id: scope.actor.userId, claimed_at: at, updated_at: at })
      .where('id', '=', note.row.id)
      .where('state', '=', 'flagged')
      .executeTakeFirst();
    if (Number(taken.numUpdatedRows) !== 1) throw errors.conflict('Someone claimed this flag a moment ago.');
    const { publicId, sequence } = await allocateNoteId(trx, prefix);
    const body = firstRevisionBody(scope.app.config, { publicId, authorName: scope.actor.displayName, report: note.report, cves });
    await trx.updateTable('notes').set({ public_id: publicId, sequence, current_revision: 1 }).where('id', '=', note.row.id).execute();
    await trx
      .insertInto('note_revisions')
      .values({ note_id: note.row.id, revision: 1, title: note.row.flag_title, body: JSON.stringify(body), author_id: scope.actor.userId, author_label: scope.actor.displayName, message: 'Claimed; first draft from the template.', created_at: at })
      .execute();
    await audit('note.claimed', 'note', note.row.id, { state: 'flagged' }, { state: 'draft', public_id: publicId, author: scope.actor.username });
    return publicId;
  });
}

/** Security core turns a flag down, with the reason (kept on the record). */
export async function dismissFlag(scope: Scope & { actor: UserActor }, ref: string, reason: string): Promise<void> {
  const note = await flagForWork(scope, ref);
  if (!canDismiss(scope.actor, note.access)) throw errors.forbiddenAction('Only security core may turn a flag down.');
  if (note.row.state !== 'flagged') throw errors.conflict('Only a flag that nobody has claimed can be turned down.');
  const why = (reason ?? '').trim();
  if (!why) throw errors.field('reason', 'Say why no note is needed.');
  if (why.length > 5000) throw errors.field('reason', 'Use at most 5000 characters.');
  await change(scope, async ({ trx, now, audit }) => {
    const at = now.toISOString();
    await trx.updateTable('notes').set({ state: 'dismissed', dismissed_at: at, dismiss_reason: why, updated_at: at }).where('id', '=', note.row.id).where('state', '=', 'flagged').execute();
    await audit('note.flag_dismissed', 'note', note.row.id, { state: 'flagged' }, { state: 'dismissed' });
  });
}
