// The form actions on notes: claim and turn down flags, save revisions, submit, vote, publish, feedback.
// Each loads the note through the policy first (hidden → 404), then runs the command and goes back to the
// page with a flash; a refused command (validation, conflict, not allowed) changes nothing and says why.
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import type { AppContext } from '../context.js';
import type { AppError, FieldIssue } from '../errors/catalogue.js';
import { formAction } from '../http/form-action.js';
import { route, type RouteDef } from '../http/route.js';
import { EmptyForm, FormFields, Text } from '../http/schemas.js';
import { keepValues, str, type FormBody } from '../http/forms.js';
import { answerFeedback, sendFeedback } from './feedback.js';
import { claimNote, dismissFlag } from './flagging.js';
import { requestPublication } from './publish.js';
import { castVote, submitForReview } from './review.js';
import { noteForAuthoring, saveRevision, type RevisionInput } from './revisions.js';
import { irreversibleRoutes } from '../http/confirm.js';
import { loadRevision, noteForActor, parseRevisionBody } from './store.js';
import { FlagRef, flagParam, idOf, NoteId, noteParam, type UserScope } from './routes-shared.js';
import { editPage } from './form-pages.js';

/** A form action: load through the policy (hidden → 404), then run, redirect with a flash; a refusal goes back and says why. */
function formActionRoute<P extends TSchema, B extends TSchema>(spec: {
  url: string;
  leak: RouteDef['leak'];
  params: P;
  body: B;
  /** The note or flag the URL names, loaded through the policy before the form is looked at. */
  load: (scope: UserScope, params: Static<P>) => Promise<string>;
  /** Where a refusal goes back to. */
  back: (key: string) => string;
  run: (scope: UserScope, key: string, form: Static<B>) => Promise<{ to: string; message: string }>;
}): RouteDef {
  return route({
    method: 'POST',
    url: spec.url,
    audience: 'user',
    leak: spec.leak,
    form: true,
    schema: { params: spec.params, body: spec.body },
    handler: async (req, reply, scope) => {
      const key = await spec.load(scope, req.params);
      return formAction(req, reply, { back: spec.back(key) }, () => spec.run(scope, key, req.body));
    },
  });
}

/** An action on a note, back to the note's page. */
function noteAction<B extends TSchema>(url: string, body: B, run: (scope: UserScope, publicId: string, form: Static<B>) => Promise<string>): RouteDef {
  return formActionRoute({
    url: `/notes/:noteId/${url}`,
    leak: noteParam,
    params: NoteId,
    body,
    load: async (scope, params) => {
      await noteForActor(scope, { publicId: params.noteId });
      return params.noteId;
    },
    back: (publicId) => `/notes/${publicId}`,
    run: async (scope, publicId, form) => ({ to: `/notes/${publicId}`, message: await run(scope, publicId, form) }),
  });
}

/** An action on a flag waiting in the queue. */
function flagAction<B extends TSchema>(url: string, body: B, run: (scope: UserScope, ref: string, form: Static<B>) => Promise<{ to: string; message: string }>): RouteDef {
  return formActionRoute({
    url: `/notes/flags/:ref/${url}`,
    leak: flagParam,
    params: FlagRef,
    body,
    load: async (scope, params) => {
      await noteForActor(scope, { ref: params.ref });
      return params.ref;
    },
    back: (ref) => `/notes/flags/${ref}`,
    run,
  });
}

/** A note's text fields; the extra sections (extra_0, extra_1 …) of an imported note come along as further fields. */
const RevisionForm = FormFields({
  base_revision: Type.Optional(Text(20)),
  title: Type.Optional(Text(500)),
  summary: Type.Optional(Text()),
  affected: Type.Optional(Text()),
  discussion: Type.Optional(Text(100_000)),
  recommended_actions: Type.Optional(Text()),
  credits: Type.Optional(Text()),
  contacts: Type.Optional(Text()),
  message: Type.Optional(Text(2_000)),
});
const VoteForm = FormFields({ revision: Type.Optional(Text(20)), value: Type.Optional(Text(5)), comment: Type.Optional(Text()) });
const FeedbackForm = FormFields({ body: Type.Optional(Text()) });
const AnswerForm = FormFields({ feedback: Type.Optional(Text(20)), answer: Type.Optional(Text()), publish: Type.Optional(Text(5)) });
const DismissForm = FormFields({ reason: Type.Optional(Text()) });

export function revisionInput(form: FormBody, extras: number): RevisionInput {
  return {
    baseRevision: Number(str(form, 'base_revision')),
    title: str(form, 'title'),
    summary: str(form, 'summary'),
    affected: str(form, 'affected'),
    discussion: str(form, 'discussion'),
    recommendedActions: str(form, 'recommended_actions'),
    credits: str(form, 'credits'),
    contacts: str(form, 'contacts'),
    extras: Array.from({ length: extras }, (_, n) => str(form, `extra_${n}`)),
    message: str(form, 'message'),
  };
}

export function noteActionRoutes(app: AppContext): RouteDef[] {
  const db = app.storage.db;
  return [
    flagAction('claim', EmptyForm, async (scope, ref) => {
      const publicId = await claimNote(scope, ref);
      return { to: `/notes/${publicId}/edit`, message: `You are the author of ${publicId}. Write the note, then submit it for review.` };
    }),
    flagAction('dismiss', DismissForm, async (scope, ref, form) => {
      await dismissFlag(scope, ref, form.reason ?? '');
      return { to: '/notes/queue', message: 'The flag was turned down.' };
    }),
    route({
      method: 'POST',
      url: '/notes/:noteId/edit',
      audience: 'user',
      leak: noteParam,
      form: true,
      schema: { params: NoteId, body: RevisionForm },
      handler: async (req, reply, scope) => {
        const publicId = idOf(req);
        const note = await noteForActor(scope, { publicId });
        const form = req.body;
        const rev = await loadRevision(db, note.row.id, note.row.current_revision);
        const extras = rev ? parseRevisionBody(rev.body).sectionLayout.filter((s) => s.kind === 'extra').length : 0;
        // A refused save shows the editor again with what was typed (a conflict says so above it); other refusals are flashed on the note.
        const again = (issues: FieldIssue[], error: AppError) =>
          error.code === 'validation_failed'
            ? editPage(app, req, reply, scope, { values: keepValues(form), issues }, error.status)
            : error.code === 'conflict'
              ? editPage(app, req, reply, scope, { values: keepValues(form), issues: [] }, error.status, error.message)
              : undefined;
        return formAction(req, reply, { back: `/notes/${publicId}`, again }, async () => {
          const revision = await saveRevision(scope, publicId, revisionInput(form, extras));
          const message = revision === null ? 'Nothing changed, so no revision was made.' : `Saved as revision ${revision}.${note.row.state === 'draft' ? '' : ' Reviewers vote again on this revision.'}`;
          return { to: `/notes/${publicId}`, message };
        });
      },
    }),
    noteAction('submit', EmptyForm, async (scope, publicId) => {
      await submitForReview(scope, publicId);
      return 'Submitted for review. Security core and the projects’ core reviewers can vote now.';
    }),
    noteAction('votes', VoteForm, async (scope, publicId, form) => {
      const result = await castVote(scope, publicId, { revision: Number(form.revision ?? ''), value: Number(form.value ?? ''), comment: form.comment ?? '' });
      if (result.requeued) return 'Vote recorded. The note is no longer approved, so its queued publication was cancelled.';
      return result.publishable ? 'Vote recorded. The note is approved and can be published.' : 'Vote recorded.';
    }),
    // Irreversible: a confirmation page with a reason (issue 13 item 11), working without JavaScript.
    ...irreversibleRoutes(app, {
      url: '/notes/:noteId/publish',
      audience: 'user',
      leak: noteParam,
      back: (p) => `/notes/${p.noteId!}`,
      prepare: async (scope, p) => noteForAuthoring(scope, p.noteId ?? ''),
      view: (note, p) => ({
        title: `Publish ${p.noteId!}`,
        lead: note.facts.embargoed ? 'Queue the approved note: it is published as soon as its report is disclosed.' : 'Publish the approved note now.',
        consequences: [
          `${p.noteId!} and its current revision become public on the site and in its feeds.`,
          'The signed announcement goes to the announcement lists.',
          ...(note.facts.embargoed ? ['While the report is under embargo nothing is public yet; publication runs when it is disclosed.'] : []),
        ],
        button: note.facts.embargoed ? 'Publish when the report is disclosed' : 'Publish the note',
        reasonLabel: 'Why is it published now?',
        reasonHint: 'Kept in the audit log.',
      }),
      run: async (scope, p, _form, reason) => {
        const result = await requestPublication(scope, p.noteId!, reason);
        const message =
          result.outcome === 'awaiting_disclosure'
            ? 'Approved and queued: the note is published as soon as its report is disclosed.'
            : result.mails
              ? `Published. The announcement goes to ${result.mails} list(s).`
              : 'Published. No announcement lists are configured (ANNOUNCE_LISTS), so no mail was sent.';
        return { location: `/notes/${p.noteId!}`, message };
      },
    }),
    noteAction('feedback', FeedbackForm, async (scope, publicId, form) => {
      await sendFeedback(scope, publicId, form.body ?? '');
      return 'Thank you: your feedback went to the note’s authors.';
    }),
    noteAction('feedback/answer', AnswerForm, async (scope, publicId, form) => {
      const publish = form.publish === 'on';
      await answerFeedback(scope, publicId, Number(form.feedback ?? ''), form.answer ?? '', publish);
      return publish ? 'Answer saved and published with the note.' : 'Answer saved (visible to the sender only).';
    }),
  ];
}
