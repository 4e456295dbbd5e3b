// Security notes on the web: the public index, note pages, text and feed; the queue, flagging, history and
// the edit form. Thin handlers: load through the policy (hidden → 404), run the command, present. Form
// actions are in routes-actions.tsx, the JSON API in routes-api.ts.
import { Type } from '@sinclair/typebox';
import { canSeeWork } from '../access/note-policy.js';
import type { AppContext } from '../context.js';
import { errors, type AppError, type FieldIssue } from '../errors/catalogue.js';
import { formAction } from '../http/form-action.js';
import { route, type RouteDef } from '../http/route.js';
import { keepValues, list } from '../http/forms.js';
import { sendPage } from '../http/render.js';
import { exportOssnText } from './formats/ossn-source.js';
import { flagNote } from './flagging.js';
import { flagPageData, historyData, notePageData, shownRecord, withCsrf } from './page-data.js';
import { NotePage, NotesIndex } from './public-views.js';
import { listPublished, listWork, noteForActor } from './store.js';
import { HistoryPage } from './edit-views.js';
import { FlagPage, NoteQueuePage } from './work-views.js';
import { notesAtom, notesFeedEmptySince, publishedNotes } from './site.js';
import { noteActionRoutes } from './routes-actions.js';
import { noteApiRoutes } from './routes-api.js';
import { flagParam, idOf, noteParam, refOf } from './routes-shared.js';
import { editPage, flagFormPage } from './form-pages.js';
import { FormFields, Params, Query, Text, TextList } from '../http/schemas.js';


export function noteRoutes(app: AppContext): RouteDef[] {
  const db = app.storage.db;
  return [
    {
      method: 'GET',
      url: '/notes',
      audience: 'public',
      handler: async (req, reply, { actor }) => {
        const items = await listPublished(db);
        return sendPage(app, req, reply, 'Security notes', () => <NotesIndex items={items} signedIn={actor.kind === 'user'} mayFlag={actor.kind === 'user'} />, { wide: true });
      },
    },
    {
      method: 'GET',
      url: '/notes/queue',
      audience: 'user',
      handler: async (req, reply, { actor }) => {
        const items = await listWork(db, actor);
        return sendPage(app, req, reply, 'Note queue', () => <NoteQueuePage items={items} />, { wide: true });
      },
    },
    route({
      method: 'GET',
      url: '/notes/flag',
      schema: { querystring: Query('report') },
      audience: 'user',
      handler: async (req, reply, scope) => flagFormPage(app, req, reply, scope, req.query.report ?? ''),
    }),
    route({
      method: 'POST',
      url: '/notes/flag',
      audience: 'user',
      form: true,
      schema: { body: FormFields({ report: Type.Optional(Text(20)), title: Type.Optional(Text(500)), reason: Type.Optional(Text()), projects: Type.Optional(TextList(63)) }) },
      handler: async (req, reply, scope) => {
        const form = req.body;
        const report = form.report ?? '';
        // Problems with the form show it again; a refusal about the report (already flagged…) is said on the queue.
        const again = (issues: FieldIssue[], error: AppError) =>
          error.code === 'validation_failed' ? flagFormPage(app, req, reply, scope, report, { values: keepValues(form), issues }, error.status) : undefined;
        return formAction(req, reply, { back: '/notes/queue', again }, async () => {
          const flagged = await flagNote(scope, { report, title: form.title ?? '', reason: form.reason ?? '', projects: list(form, 'projects') });
          const message = flagged.embargoed ? 'Flagged. The note is embargoed: security core will see the flag in their queue.' : 'Flagged. It is in the note queue for an author to claim.';
          return { to: flagged.embargoed ? '/notes/queue' : `/notes/flags/${flagged.ref}`, message };
        });
      },
    }),
    route({
      method: 'GET',
      url: '/notes/flags/:ref',
      schema: { params: Params('ref') },
      audience: 'user',
      leak: flagParam,
      handler: async (req, reply, scope) => {
        const note = await noteForActor(scope, { ref: refOf(req) });
        if (!canSeeWork(note.access)) throw errors.notFound('note');
        if (note.row.public_id) return reply.redirect(`/notes/${note.row.public_id}`, 303);
        const data = await flagPageData(scope, note);
        return sendPage(app, req, reply, note.row.flag_title, (ctx) => <FlagPage data={{ ...data, csrfToken: ctx.csrfToken }} />);
      },
    }),
    route({
      method: 'GET',
      url: '/notes/:noteId',
      schema: { params: Params('noteId') },
      audience: 'public',
      leak: noteParam,
      handler: async (req, reply, scope) => {
        const note = await noteForActor(scope, { publicId: idOf(req) });
        const data = await notePageData(scope, note);
        return sendPage(app, req, reply, `${note.row.public_id ?? ''}: ${data.record.title}`, (ctx) => <NotePage data={withCsrf(data, ctx.csrfToken)} />);
      },
    }),
    route({
      method: 'GET',
      url: '/notes/:noteId.txt',
      schema: { params: Params('noteId') },
      audience: 'public',
      leak: noteParam,
      handler: async (req, reply, scope) => {
        const note = await noteForActor(scope, { publicId: idOf(req) });
        const { record } = await shownRecord(db, note);
        return reply
          .header('content-type', 'text/plain; charset=utf-8')
          .header('cache-control', note.row.state === 'published' && !canSeeWork(note.access) ? 'public, max-age=300' : 'no-store')
          .send(exportOssnText(record));
      },
    }),
    route({
      method: 'GET',
      url: '/notes/:noteId/revisions',
      schema: { params: Params('noteId'), querystring: Query('from', 'to') },
      audience: 'user',
      leak: noteParam,
      handler: async (req, reply, scope) => {
        const note = await noteForActor(scope, { publicId: idOf(req) });
        const data = await historyData(db, note, req.query);
        return sendPage(app, req, reply, `History of ${data.publicId}`, () => <HistoryPage data={data} />, { wide: true });
      },
    }),
    route({
      method: 'GET',
      url: '/notes/:noteId/edit',
      schema: { params: Params('noteId') },
      audience: 'user',
      leak: noteParam,
      handler: async (req, reply, scope) => editPage(app, req, reply, scope),
    }),
    {
      method: 'GET',
      url: '/feeds/notes.atom',
      audience: 'public',
      handler: async (_req, reply) => {
        const notes = await publishedNotes(db, { limit: 50 });
        return reply.header('content-type', 'application/atom+xml; charset=utf-8').header('cache-control', 'public, max-age=300').send(notesAtom(app, notes, await notesFeedEmptySince(db)));
      },
    },
    ...noteActionRoutes(app),
    ...noteApiRoutes(app),
  ];
}
