// Review, approval, publication and errata of one advisory (VMT only; 404 for anyone else).
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext, Scope } from '../context.js';
import { errors, type AppError, type FieldIssue } from '../errors/catalogue.js';
import { formAction } from '../http/form-action.js';
import { route, type RouteDef } from '../http/route.js';
import { keepValues, str } from '../http/forms.js';
import { sendPage } from '../http/render.js';
import type { FormState } from '../web/components.js';
import { renderNoticeText } from '../publication/formats/notice-text.js';
import { addErratum, approveAdvisory, recordImpactApproval } from './commands.js';
import { publicationReadiness, publishAdvisory } from './publish.js';
import { irreversibleRoutes } from '../http/confirm.js';
import { advisoryForEditor, listApprovals, listRevisions, loadRevision, parseRecord, pendingAuthors } from './store.js';
import { diffRecords } from './diff.js';
import { ErrataPage, ManagePage, RevisionsPage } from './manage-page.js';
import { approversFor } from './approvers.js';
import { approveImpact } from '../reports/cve-impact.js';
import { FormFields, Params, StringEnum, Text } from '../http/schemas.js';
import { loadReportBy } from '../reports/store.js';
import { IMPACT_APPROVER_ROLES } from '../access/report-policy.js';


function revisionOf(form: { revision?: string }): number | undefined {
  const n = Number(form.revision ?? '');
  return Number.isInteger(n) && n > 0 ? n : undefined;
}

const Id = Params('id');
const ApproveForm = FormFields({ revision: Type.Optional(Text(20)) });
const ImpactApprovalForm = FormFields({ role: StringEnum(IMPACT_APPROVER_ROLES), note: Type.Optional(Text(2_000)) });
const ImpactApproveForm = FormFields({ role: Type.Optional(StringEnum(IMPACT_APPROVER_ROLES)), version: Type.Optional(Text(20)) });
const ErrataForm = FormFields({ errata: Type.Optional(Text(10_000)), revision: Type.Optional(Text(20)) });

export function workflowRoutes(app: AppContext): RouteDef[] {
  const db = app.storage.db;
  const errataPage = async (req: FastifyRequest, reply: FastifyReply, id: string, state: FormState | null, status = 200) => {
    const loaded = await advisoryForEditor(db, req.actor, id);
    const ref = loaded.row.ref;
    return sendPage(app, req, reply, `Erratum for ${ref}`, (ctx) => <ErrataPage ctx={ctx} loaded={loaded} state={state} />, { status });
  };

  /** A button on the manage page: load (404 unless the actor may edit), run, and flash the outcome there. */
  const manageAction = <B extends TSchema>(suffix: string, body: B, run: (scope: Scope, id: string, form: Static<B>) => Promise<string>): RouteDef =>
    route({
      method: 'POST',
      url: `/advisories/:id/${suffix}`,
      audience: 'advisories.edit',
      leak: { params: { id: 'advisory' } },
      form: true,
      schema: { params: Id, body },
      handler: async (req, reply, scope) => {
        const { id } = req.params;
        await advisoryForEditor(db, scope.actor, id);
        // A refusal is flashed on the manage page, whose checklist says the rest.
        const back = `/advisories/${id}/manage`;
        return formAction(req, reply, { back }, async () => ({ to: back, message: await run(scope, id, req.body) }));
      },
    });

  return [
    route({
      method: 'GET',
      url: '/advisories/:id/manage',
      schema: { params: Id },
      audience: 'advisories.edit',
      leak: { params: { id: 'advisory' } },
      handler: async (req, reply, scope) => {
        const loaded = await advisoryForEditor(db, scope.actor, req.params.id);
        const [readiness, revisions, approvals, authors] = await Promise.all([
          publicationReadiness(scope, loaded),
          listRevisions(db, loaded.row.id),
          listApprovals(db, loaded.row.id),
          pendingAuthors(db, loaded.row),
        ]);
        let notice: string;
        try {
          notice = renderNoticeText(loaded.record);
        } catch (error) {
          notice = `The notice text cannot be made yet: ${error instanceof Error ? error.message : String(error)}`;
        }
        const userId = scope.actor.userId;
        const approvers = await approversFor(scope, loaded, readiness, authors);
        return sendPage(app, req, reply, loaded.row.ref, (ctx) => (
          <ManagePage
            ctx={ctx}
            loaded={loaded}
            readiness={readiness}
            revisions={revisions}
            approvals={approvals}
            notice={notice}
            viewerIsAuthor={authors.has(userId)}
            announceLists={app.config.announceLists}
            approvers={approvers}
          />
        ), { wide: true });
      },
    }),
    manageAction('approve', ApproveForm, async (scope, id, form) => (await approveAdvisory(scope, id, revisionOf(form) ?? 0), 'Approved.')),
    manageAction('impact-approvals', ImpactApprovalForm, async (scope, id, form) => {
      await recordImpactApproval(scope, id, form.role, form.note ?? '');
      return 'Approval recorded.';
    }),
    // A VMT member who also leads the project gives the lead's approval here, on the report's text (each role counts).
    manageAction('impact-approve', ImpactApproveForm, async (scope, id, form) => {
      const loaded = await advisoryForEditor(db, scope.actor, id);
      const report = loaded.row.report_id === null ? undefined : (await loadReportBy(db, { id: loaded.row.report_id }))?.row;
      if (!report) throw errors.conflict('This advisory has no report: record the approval with “Record an impact approval”.');
      const role = await approveImpact(scope, report.ref, {}, { role: form.role, version: form.version || undefined });
      return `You approved version ${form.version ?? ''} of the impact description on ${report.ref} as the ${role === 'lead' ? 'project lead' : 'reporter'}.`;
    }),
    // Irreversible: a confirmation page with a reason (issue 13 item 11), working without JavaScript.
    ...irreversibleRoutes(app, {
      url: '/advisories/:id/publish',
      audience: 'advisories.edit',
      leak: { params: { id: 'advisory' } },
      back: (p) => `/advisories/${p.id!}/manage`,
      prepare: async (scope, p) => advisoryForEditor(db, scope.actor, p.id ?? ''),
      view: (loaded, p) => ({
        title: `Publish ${p.id!}`,
        lead: loaded.published ? `Publish revision ${loaded.row.current_revision} in place of the public one.` : `Publish revision ${loaded.row.current_revision} of the advisory.`,
        consequences: [
          'The advisory page, the feeds and the OSV, CVE and CSAF records are rebuilt and served publicly.',
          app.config.announceLists.length ? `A signed ${loaded.published ? 'errata announcement' : 'announcement'} goes to ${app.config.announceLists.join(', ')} (for a new erratum or the first publication).` : 'ANNOUNCE_LISTS is empty: no announcement mail is sent.',
          'The publication is recorded on the report’s timeline and in the audit log.',
        ],
        button: loaded.published ? 'Publish the new revision' : 'Publish the advisory',
        reasonLabel: 'Why is it published now?',
        reasonHint: 'Shown on the report’s timeline and kept in the audit log.',
        extra: () => <input type="hidden" name="revision" value={String(loaded.row.current_revision)} />,
      }),
      run: async (scope, p, form, reason) => {
        const r = await publishAdvisory(scope, p.id!, revisionOf({ revision: str(form, 'revision') }), reason);
        const mail = r.announced === 'announcement' ? ' The announcement is queued.' : r.announced === 'errata' ? ' The errata announcement is queued.' : '';
        return { location: `/advisories/${p.id!}/manage`, message: `Published revision ${r.revision}.${mail}` };
      },
    }),
    route({
      method: 'GET',
      url: '/advisories/:id/errata',
      schema: { params: Id },
      audience: 'advisories.edit',
      leak: { params: { id: 'advisory' } },
      handler: async (req, reply) => errataPage(req, reply, req.params.id, null),
    }),
    route({
      method: 'POST',
      url: '/advisories/:id/errata',
      audience: 'advisories.edit',
      leak: { params: { id: 'advisory' } },
      form: true,
      schema: { params: Id, body: ErrataForm },
      handler: async (req, reply, scope) => {
        const { id } = req.params;
        await advisoryForEditor(db, scope.actor, id);
        const form = req.body;
        const again = (issues: FieldIssue[], error: AppError) => errataPage(req, reply, id, { values: keepValues(form), issues }, error.status);
        return formAction(req, reply, { back: `/advisories/${id}/manage`, again, field: 'errata' }, async () => {
          const revision = await addErratum(scope, id, form.errata ?? '', revisionOf(form));
          return { to: `/advisories/${id}/manage`, message: `Erratum saved as revision ${revision}; it needs a second VMT member’s approval before it is published.` };
        });
      },
    }),
    route({
      method: 'GET',
      url: '/advisories/:id/revisions',
      schema: { params: Id },
      audience: 'advisories.edit',
      leak: { params: { id: 'advisory' } },
      handler: async (req, reply, scope) => {
        const loaded = await advisoryForEditor(db, scope.actor, req.params.id);
        const q = (req.query ?? {}) as Record<string, string>;
        const current = loaded.row.current_revision;
        const to = Math.min(Math.max(Number(q.to) || current, 1), current);
        const from = Math.min(Math.max(Number(q.from) || to - 1, 1), current);
        const [a, b] = await Promise.all([loadRevision(db, loaded.row.id, from), loadRevision(db, loaded.row.id, to)]);
        const diffs = a && b ? diffRecords(parseRecord(a.record_json), parseRecord(b.record_json)) : [];
        const revisions = await listRevisions(db, loaded.row.id);
        return sendPage(app, req, reply, `${loaded.row.ref} changes`, () => <RevisionsPage loaded={loaded} revisions={revisions} from={from} to={to} shown={b ?? null} diffs={diffs} />, { wide: true });
      },
    }),
  ];
}
