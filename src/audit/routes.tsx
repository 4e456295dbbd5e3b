// The audit log for admins: a page with the chain's verdict, and the JSON API.
import { Type } from '@sinclair/typebox';
import type { AppContext } from '../context.js';
import { route, type RouteDef } from '../http/route.js';
import { sendPage } from '../http/render.js';
import { Key } from '../http/schemas.js';
import { listAuditEvents, verifyAuditChain } from './audit.js';
import { AUDIT_PAGE_SIZE, AuditPage } from './audit-page.js';
import { withDetailsFor } from './visible.js';

/** An event id to page before: a positive whole number. */
const EventId = Type.String({ pattern: '^[1-9][0-9]{0,15}$' });

export function auditRoutes(app: AppContext): RouteDef[] {
  const db = app.storage.db;
  return [
    route({
      method: 'GET',
      url: '/admin/audit',
      audience: 'audit.read',
      schema: { querystring: Type.Object({ before: Type.Optional(EventId), action: Type.Optional(Key()) }) },
      handler: async (req, reply, scope) => {
        const q = req.query;
        const events = await listAuditEvents(db, { limit: AUDIT_PAGE_SIZE, ...(q.before ? { beforeId: Number(q.before) } : {}), ...(q.action ? { action: q.action } : {}) });
        const verdict = await verifyAuditChain(db);
        return sendPage(app, req, reply, 'Audit log', () => <AuditPage events={events} verdict={verdict} viewer={scope.actor} />, { wide: true });
      },
    }),
    route({
      method: 'GET',
      url: '/api/v1/audit',
      audience: 'audit.read',
      schema: { querystring: Type.Object({ before: Type.Optional(EventId), target_type: Type.Optional(Key()), target_id: Type.Optional(Key()), action: Type.Optional(Key()) }) },
      handler: async (req, _reply, scope) => {
        const q = req.query;
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
    }),
  ];
}
