// The notes JSON API (documented in /api/openapi.json from these TypeBox schemas). Same commands and the
// same policy as the pages: a note the caller may not see answers 404 before its body is looked at.
import { Type } from '@sinclair/typebox';
import type { AppContext, Scope } from '../context.js';
import { route, type RouteDef } from '../http/route.js';
import { NoBody } from '../http/schemas.js';
import { resolveSections } from './formats/note-record.js';
import { exportOssnText } from './formats/ossn-source.js';
import { sendFeedback } from './feedback.js';
import { claimNote, flagNote } from './flagging.js';
import { reviewPanelData, shownRecord } from './page-data.js';
import { requestPublication } from './publish.js';
import { ConfirmBody, requireConfirmation } from '../http/confirm.js';
import { castVote, submitForReview } from './review.js';
import { saveRevision } from './revisions.js';
import { listPublished, listWork, noteForActor, type NoteForActor, type NoteListItem } from './store.js';
import { FlagRef, flagParam, idOf, NoteId, noteParam, refOf } from './routes-shared.js';

const Text = (max: number) => Type.String({ maxLength: max });

const flagBody = Type.Object(
  {
    report: Type.Optional(Type.String({ maxLength: 20, description: 'R-XXXXXXXX; omit for a note not tied to a report' })),
    title: Text(200),
    reason: Type.Optional(Text(20_000)),
    projects: Type.Optional(Type.Array(Type.String({ maxLength: 63 }), { maxItems: 20, description: 'project slugs; default: the report’s projects' })),
  },
  { additionalProperties: false },
);

const revisionBody = Type.Object(
  {
    base_revision: Type.Integer({ minimum: 0, description: 'the revision the change starts from' }),
    title: Text(200),
    summary: Type.Optional(Text(50_000)),
    affected: Type.Optional(Text(50_000)),
    discussion: Type.Optional(Text(50_000)),
    recommended_actions: Type.Optional(Text(50_000)),
    credits: Type.Optional(Text(50_000)),
    contacts: Type.Optional(Text(50_000)),
    extras: Type.Optional(Type.Array(Text(50_000), { maxItems: 50, description: 'texts of the extra sections, in layout order' })),
    message: Type.Optional(Text(2000)),
  },
  { additionalProperties: false },
);

function listed(item: NoteListItem) {
  return { id: item.publicId, ref: item.ref, title: item.title, state: item.state, embargoed: item.embargoed, author: item.authorName, published_at: item.publishedAt, updated_at: item.updatedAt };
}

export async function presentNote(scope: Scope, note: NoteForActor) {
  const db = scope.app.storage.db;
  const { record, revision } = await shownRecord(db, note);
  const review = await reviewPanelData(db, scope, note);
  return {
    id: note.row.public_id,
    title: record.title,
    state: note.row.state,
    embargoed: note.facts.embargoed,
    revision,
    published_at: note.row.published_at,
    projects: note.projects.map((p) => p.slug),
    sections: resolveSections(record).map((s) => ({ kind: s.kind, heading: s.heading, text: s.text })),
    text: exportOssnText(record),
    ...(review
      ? {
          review: {
            publishable: review.decision.publishable,
            outstanding: review.decision.outstanding,
            votes: review.votes.map((v) => ({ voter: v.voterName, value: v.value, revision: v.revision, comment: v.comment, cast_at: v.castAt })),
          },
        }
      : {}),
  };
}

const loadById = (req: { params: { noteId: string } }, scope: Scope) => noteForActor(scope, { publicId: idOf(req) });

export function noteApiRoutes(app: AppContext): RouteDef[] {
  const db = app.storage.db;
  return [
    route({
      method: 'GET',
      url: '/api/v1/notes',
      audience: 'public',
      handler: async () => ({ notes: (await listPublished(db)).map(listed) }),
    }),
    route({
      method: 'GET',
      url: '/api/v1/notes/queue',
      audience: 'user',
      handler: async (_req, _reply, { actor }) => ({ items: (await listWork(db, actor)).map(listed) }),
    }),
    route({
      method: 'GET',
      url: '/api/v1/notes/:noteId',
      audience: 'public',
      leak: noteParam,
      schema: { params: NoteId },
      handler: async (req, _reply, scope) => {
        const note = await noteForActor(scope, { publicId: idOf(req) });
        return presentNote(scope, note);
      },
    }),
    route({
      method: 'POST',
      url: '/api/v1/notes/flags',
      audience: 'user',
      schema: { body: flagBody },
      handler: async (req, reply, scope) => {
        const b = req.body;
        const flagged = await flagNote(scope, { report: b.report ?? '', title: b.title, reason: b.reason ?? '', projects: b.projects ?? [] });
        return reply.code(201).send({ ref: flagged.ref, embargoed: flagged.embargoed });
      },
    }),
    route({
      method: 'POST',
      url: '/api/v1/notes/flags/:ref/claim',
      audience: 'user',
      leak: flagParam,
      schema: { params: FlagRef, body: NoBody },
      // A flag is never published, so whoever may read it may work on it (note-policy.ts).
      authorize: (req, scope) => noteForActor(scope, { ref: refOf(req) }),
      handler: async (req, reply, scope) => reply.code(201).send({ id: await claimNote(scope, refOf(req)) }),
    }),
    route({
      method: 'PUT',
      url: '/api/v1/notes/:noteId',
      audience: 'user',
      leak: noteParam,
      authorize: loadById,
      schema: { params: NoteId, body: revisionBody },
      handler: async (req, _reply, scope) => {
        const b = req.body;
        const revision = await saveRevision(scope, idOf(req), {
          baseRevision: b.base_revision,
          title: b.title,
          summary: b.summary ?? '',
          affected: b.affected ?? '',
          discussion: b.discussion ?? '',
          recommendedActions: b.recommended_actions ?? '',
          credits: b.credits ?? '',
          contacts: b.contacts ?? '',
          ...(b.extras ? { extras: b.extras } : {}),
          message: b.message ?? '',
        });
        return { revision, changed: revision !== null };
      },
    }),
    route({
      method: 'POST',
      url: '/api/v1/notes/:noteId/submit',
      audience: 'user',
      leak: noteParam,
      authorize: loadById,
      schema: { params: NoteId, body: NoBody },
      handler: async (req, reply, scope) => {
        await submitForReview(scope, idOf(req));
        return reply.code(204).send();
      },
    }),
    route({
      method: 'POST',
      url: '/api/v1/notes/:noteId/votes',
      audience: 'user',
      leak: noteParam,
      authorize: loadById,
      schema: {
        params: NoteId,
        body: Type.Object(
          { revision: Type.Integer({ minimum: 1 }), value: Type.Integer({ minimum: -2, maximum: 2 }), comment: Type.Optional(Text(20_000)) },
          { additionalProperties: false },
        ),
      },
      handler: async (req, reply, scope) => {
        const b = req.body;
        const result = await castVote(scope, idOf(req), { revision: b.revision, value: b.value, comment: b.comment ?? '' });
        return reply.code(201).send(result);
      },
    }),
    route({
      method: 'POST',
      url: '/api/v1/notes/:noteId/publish',
      audience: 'user',
      leak: noteParam,
      authorize: loadById,
      // Irreversible: `confirm: true` and a reason, as on the confirmation page (issue 13 item 11).
      schema: { params: NoteId, body: ConfirmBody },
      handler: async (req, _reply, scope) => {
        const body = req.body;
        return requestPublication(scope, idOf(req), requireConfirmation(body.confirm === true, body.reason));
      },
    }),
    route({
      method: 'POST',
      url: '/api/v1/notes/:noteId/feedback',
      audience: 'user',
      leak: noteParam,
      authorize: loadById,
      schema: { params: NoteId, body: Type.Object({ body: Text(10_000) }, { additionalProperties: false }) },
      handler: async (req, reply, scope) => reply.code(201).send({ id: await sendFeedback(scope, idOf(req), req.body.body) }),
    }),
  ];
}
