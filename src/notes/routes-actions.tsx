// The form actions on notes: claim and turn down flags, save revisions, submit, vote, publish, feedback.
// Each loads the note through the policy first (hidden → 404), then runs the command and goes back to the
// page with a flash; a refused command (validation, conflict, not allowed) changes nothing and says why.
import type { AppContext } from '../context.js';
import { AppError } from '../errors/catalogue.js';
import type { RouteDef } from '../http/route.js';
import { formBody, keepValues, str, type FormBody } from '../http/forms.js';
import { redirectWithFlash } from '../http/render.js';
import { answerFeedback, sendFeedback } from './feedback.js';
import { claimNote, dismissFlag } from './flagging.js';
import { requestPublication } from './publication.js';
import { castVote, submitForReview } from './review.js';
import { saveRevision, type RevisionInput } from './revisions.js';
import { loadRevision, noteForActor, parseRevisionBody } from './store.js';
import { actionable, flagParam, idOf, noteParam, refOf, type UserScope } from './routes-shared.js';
import { editPage } from './form-pages.js';

function noteAction(url: string, run: (scope: UserScope, publicId: string, form: FormBody) => Promise<string>): RouteDef {
  return {
    method: 'POST',
    url: `/notes/:noteId/${url}`,
    audience: 'user',
    leak: noteParam,
    handler: async (req, reply, scope) => {
      const publicId = idOf(req);
      await noteForActor(scope, { publicId });
      try {
        return redirectWithFlash(reply, `/notes/${publicId}`, 'success', await run(scope, publicId, formBody(req)));
      } catch (error) {
        const message = actionable(error);
        if (message) return redirectWithFlash(reply, `/notes/${publicId}`, 'error', message);
        throw error;
      }
    },
  };
}

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
    {
      method: 'POST',
      url: '/notes/flags/:ref/claim',
      audience: 'user',
      leak: flagParam,
      handler: async (req, reply, scope) => {
        const ref = refOf(req);
        await noteForActor(scope, { ref });
        try {
          const publicId = await claimNote(scope, ref);
          return redirectWithFlash(reply, `/notes/${publicId}/edit`, 'success', `You are the author of ${publicId}. Write the note, then submit it for review.`);
        } catch (error) {
          const message = actionable(error);
          if (message) return redirectWithFlash(reply, `/notes/flags/${ref}`, 'error', message);
          throw error;
        }
      },
    },
    {
      method: 'POST',
      url: '/notes/flags/:ref/dismiss',
      audience: 'user',
      leak: flagParam,
      handler: async (req, reply, scope) => {
        const ref = refOf(req);
        await noteForActor(scope, { ref });
        try {
          await dismissFlag(scope, ref, str(formBody(req), 'reason'));
          return redirectWithFlash(reply, '/notes/queue', 'success', 'The flag was turned down.');
        } catch (error) {
          const message = actionable(error);
          if (message) return redirectWithFlash(reply, `/notes/flags/${ref}`, 'error', message);
          throw error;
        }
      },
    },
    {
      method: 'POST',
      url: '/notes/:noteId/edit',
      audience: 'user',
      leak: noteParam,
      handler: async (req, reply, scope) => {
        const publicId = idOf(req);
        const note = await noteForActor(scope, { publicId });
        const form = formBody(req);
        const rev = await loadRevision(db, note.row.id, note.row.current_revision);
        const extras = rev ? parseRevisionBody(rev.body).sectionLayout.filter((s) => s.kind === 'extra').length : 0;
        try {
          const revision = await saveRevision(scope, publicId, revisionInput(form, extras));
          const message = revision === null ? 'Nothing changed, so no revision was made.' : `Saved as revision ${revision}.${note.row.state === 'draft' ? '' : ' Reviewers vote again on this revision.'}`;
          return redirectWithFlash(reply, `/notes/${publicId}`, 'success', message);
        } catch (error) {
          if (error instanceof AppError && error.code === 'validation_failed') return editPage(app, req, reply, scope, { values: keepValues(form), issues: error.fields }, 400);
          if (error instanceof AppError && error.code === 'conflict') return editPage(app, req, reply, scope, { values: keepValues(form), issues: [] }, 409, error.message);
          const message = actionable(error);
          if (message) return redirectWithFlash(reply, `/notes/${publicId}`, 'error', message);
          throw error;
        }
      },
    },
    noteAction('submit', async (scope, publicId) => {
      await submitForReview(scope, publicId);
      return 'Submitted for review. Security core and the projects’ core reviewers can vote now.';
    }),
    noteAction('votes', async (scope, publicId, form) => {
      const result = await castVote(scope, publicId, { revision: Number(str(form, 'revision')), value: Number(str(form, 'value')), comment: str(form, 'comment') });
      if (result.requeued) return 'Vote recorded. The note is no longer approved, so its queued publication was cancelled.';
      return result.publishable ? 'Vote recorded. The note is approved and can be published.' : 'Vote recorded.';
    }),
    noteAction('publish', async (scope, publicId) => {
      const result = await requestPublication(scope, publicId);
      if (result.outcome === 'awaiting_disclosure') return 'Approved and queued: the note is published as soon as its report is disclosed.';
      return result.mails ? `Published. The announcement goes to ${result.mails} list(s).` : 'Published. No announcement lists are configured (ANNOUNCE_LISTS), so no mail was sent.';
    }),
    noteAction('feedback', async (scope, publicId, form) => {
      await sendFeedback(scope, publicId, str(form, 'body'));
      return 'Thank you: your feedback went to the note’s authors.';
    }),
    noteAction('feedback/answer', async (scope, publicId, form) => {
      const publish = str(form, 'publish') === 'on';
      await answerFeedback(scope, publicId, Number(str(form, 'feedback')), str(form, 'answer'), publish);
      return publish ? 'Answer saved and published with the note.' : 'Answer saved (visible to the sender only).';
    }),
  ];
}
