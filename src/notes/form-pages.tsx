// The two note pages with forms that are shown again after a refused submission: the edit form and
// the flag form.
import { listProjects } from '../projects/projects.js';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from '../context.js';
import { errors } from '../errors/catalogue.js';
import { list, type FormBody } from '../http/forms.js';
import { sendPage } from '../http/render.js';
import type { FormState } from '../web/components.js';
import { flagSource } from './flagging.js';
import { noteForAuthoring } from './revisions.js';
import { loadRevision, parseRevisionBody } from './store.js';
import { EditForm } from './edit-views.js';
import { FlagForm } from './work-views.js';
import { idOf, type UserScope } from './routes-shared.js';


/** The editor of the note the URL names (`req` comes from a route whose params schema is NoteId). */
export async function editPage(app: AppContext, req: FastifyRequest & { params: { noteId: string } }, reply: FastifyReply, scope: UserScope, state?: FormState, status?: number, warning: string | null = null) {
  const publicId = idOf(req);
  const note = await noteForAuthoring(scope, publicId);
  const rev = await loadRevision(app.storage.db, note.row.id, note.row.current_revision);
  if (!rev || !['draft', 'in_review', 'awaiting_disclosure'].includes(note.row.state)) throw errors.notFound('note');
  const body = parseRevisionBody(rev.body);
  const extras = body.sectionLayout.flatMap((s) => (s.kind === 'extra' ? [s] : []));
  const values: Record<string, unknown> = state?.values ?? {
    title: rev.title,
    summary: body.summary ?? '',
    affected: body.affected ?? '',
    discussion: body.discussion ?? '',
    recommended_actions: body.recommendedActions ?? '',
    credits: body.credits ?? '',
    contacts: body.contacts ?? '',
    ...Object.fromEntries(extras.map((s, n) => [`extra_${n}`, s.text])),
  };
  const baseRevision = state?.values ? Number(state.values.base_revision ?? note.row.current_revision) : note.row.current_revision;
  const reviewWarning = note.row.state !== 'draft' ? 'Saving makes a new revision: the votes cast so far stop counting, and reviewers vote again.' : null;
  return sendPage(
    app,
    req,
    reply,
    `Edit ${publicId}`,
    (ctx) => (
      <>
        <p class="crumbs">
          <a href={`/notes/${publicId}`}>{publicId}</a> ›
        </p>
        <h1>Edit {publicId}</h1>
        <EditForm data={{ publicId, csrfToken: ctx.csrfToken, baseRevision, state: { values, issues: state?.issues ?? [] }, extras: extras.map((s) => s.heading), warning: warning ?? reviewWarning }} />
      </>
    ),
    { status },
  );
}

export async function flagFormPage(app: AppContext, req: FastifyRequest, reply: FastifyReply, scope: UserScope, reportRef: string, state: FormState = {}, status?: number) {
  const source = await flagSource(scope, reportRef);
  const projects = await listProjects(app.storage.db);
  const selected = state.values ? list(state.values as FormBody, 'projects') : source.readsReport ? (source.report?.projects.map((p) => p.slug) ?? []) : [];
  const report = source.report ? { ref: source.report.row.ref, title: source.readsReport ? source.report.row.title : null, embargoed: source.embargoed } : null;
  const values = state.values ?? (report?.title ? { title: report.title } : {});
  return sendPage(
    app,
    req,
    reply,
    'Flag a note as wanted',
    (ctx) => (
      <>
        <h1>Flag that a security note is wanted</h1>
        <p class="lead">A note warns operators about a risk no single patch removes. An author claims the flag and writes it; security core and the projects review it.</p>
        <FlagForm data={{ csrfToken: ctx.csrfToken, report, projects, state: { values, issues: state.issues ?? [] }, selected }} />
      </>
    ),
    { status },
  );
}
