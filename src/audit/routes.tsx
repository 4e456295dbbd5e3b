// The audit log for admins: a page with the chain's verdict, and the JSON API.
import type { AppContext } from '../context.js';
import type { RouteDef } from '../http/route.js';
import { sendPage } from '../http/render.js';
import { Badge, Time } from '../web/components.js';
import { listAuditEvents, verifyAuditChain } from './audit.js';
import type { Actor } from '../access/actor.js';
import { canSeeAuditDetails } from '../access/policy.js';


export function auditRoutes(app: AppContext): RouteDef[] {
  const db = app.storage.db;
  return [
    {
      method: 'GET',
      url: '/admin/audit',
      audience: 'audit.read',
      handler: async (req, reply, scope) => {
        const q = req.query as { before?: string; action?: string };
        const events = await listAuditEvents(db, { limit: 50, ...(q.before ? { beforeId: Number(q.before) } : {}), ...(q.action ? { action: q.action } : {}) });
        const verdict = await verifyAuditChain(db);
        return sendPage(app, req, reply, 'Audit log', () => (
          <>
            <h1>Audit log</h1>
            <p>
              {verdict.ok ? <Badge tone="ok">chain intact</Badge> : <Badge tone="danger">chain broken at event {verdict.brokenAt?.id}</Badge>} {verdict.checked} events verified.
            </p>
            <AuditTable events={events} viewer={scope.actor} />
            {events.length === 50 ? (
              <p class="pager">
                <a href={`/admin/audit?before=${events[events.length - 1]!.id}`}>Older events →</a>
              </p>
            ) : null}
          </>
        ), { wide: true });
      },
    },
    {
      method: 'GET',
      url: '/api/v1/audit',
      audience: 'audit.read',
      handler: async (req, _reply, scope) => {
        const q = req.query as { before?: string; target_type?: string; target_id?: string; action?: string };
        const events = await listAuditEvents(db, {
          limit: 100,
          ...(q.before ? { beforeId: Number(q.before) } : {}),
          ...(q.target_type ? { targetType: q.target_type } : {}),
          ...(q.target_id ? { targetId: q.target_id } : {}),
          ...(q.action ? { action: q.action } : {}),
        });
        return {
          events: events.map(withDetailsFor(scope.actor)).map((e) => ({
            id: e.id,
            occurred_at: e.occurred_at,
            actor: e.actor_label,
            action: e.action,
            target: { type: e.target_type, id: e.target_id },
            before: e.before_json ? (JSON.parse(e.before_json) as unknown) : null,
            after: e.after_json ? (JSON.parse(e.after_json) as unknown) : null,
            request_id: e.request_id,
            hash: e.hash,
            ...(e.redacted ? { details: 'vmt_only' } : {}),
          })),
        };
      },
    },
  ];
}

type AuditEventRow = Awaited<ReturnType<typeof listAuditEvents>>[number];

/** Drops before/after the viewer may not see (who was let into a report, and why: the VMT's alone). */
function withDetailsFor(viewer: Actor): (e: AuditEventRow) => AuditEventRow & { redacted: boolean } {
  return (e) => (canSeeAuditDetails(viewer, e.action) ? { ...e, redacted: false } : { ...e, before_json: null, after_json: null, redacted: true });
}

export function AuditTable({ events: all, viewer }: { events: AuditEventRow[]; viewer: Actor }) {
  if (!all.length) return <p class="empty">No events.</p>;
  const events = all.map(withDetailsFor(viewer));
  return (
    <table>
      <thead>
        <tr>
          <th>#</th>
          <th>When</th>
          <th>Who</th>
          <th>Action</th>
          <th>Target</th>
          <th>Change</th>
        </tr>
      </thead>
      <tbody>
        {events.map((e) => (
          <tr>
            <td>{e.id}</td>
            <td>
              <Time iso={e.occurred_at} />
            </td>
            <td>{e.actor_label}</td>
            <td>
              <code>{e.action}</code>
            </td>
            <td>
              {e.target_type}
              {e.target_id ? ` ${e.target_id}` : ''}
            </td>
            <td>{e.redacted ? <span class="muted">VMT only</span> : e.after_json || e.before_json ? <pre class="log">{[e.before_json ? `before: ${e.before_json}` : '', e.after_json ? `after: ${e.after_json}` : ''].filter(Boolean).join('\n')}</pre> : null}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

