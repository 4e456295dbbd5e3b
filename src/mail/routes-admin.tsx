// /admin/mail: the incoming-mail quarantine (list, headers and reason, retry) and recent outgoing
// deliveries. Admins are not the VMT (DESIGN.md §1): they see headers and reasons, never a body, and
// nothing of messages that became reports or comments beyond that fact.
import { Type } from '@sinclair/typebox';
import type { AppContext } from '../context.js';
import { errors } from '../errors/catalogue.js';
import { route, type RouteDef } from '../http/route.js';
import { redirectWithFlash, sendPage } from '../http/render.js';
import { FormFields, Params, Text } from '../http/schemas.js';
import type { InboundMessageRow } from '../keys/tables.js';
import { vmtOverseenProjects } from '../projects/projects.js';
import { recentDeliveries } from './deliveries.js';
import { listInboundMessages, loadInboundMessage, rawHeaderFields } from './inbound-store.js';
import { retryInboundMessage, type MailIntake } from './inbound-process.js';
import { headersVisible, MailAdminPage, MessagePage } from './mail-admin-page.js';

const MessageParams = Params('messageId');

async function messageOr404(app: AppContext, messageId: string): Promise<InboundMessageRow> {
  const id = Number(messageId);
  const row = Number.isInteger(id) && id > 0 ? await loadInboundMessage(app.storage.db, id) : undefined;
  if (!row) throw errors.notFound('message');
  return row;
}

/** `intake`: reports/intake-mail/, wired in http/routes-index.ts. */
export function adminMailRoutes(app: AppContext, intake: MailIntake): RouteDef[] {
  const db = app.storage.db;
  return [
    {
      method: 'GET',
      url: '/admin/mail',
      audience: 'mail.admin',
      handler: async (req, reply) => {
        const [messages, deliveries] = await Promise.all([listInboundMessages(db, { limit: 100 }), recentDeliveries(db, 50)]);
        return sendPage(app, req, reply, 'Mail', () => <MailAdminPage messages={messages} deliveries={deliveries} />, { wide: true });
      },
    },
    route({
      method: 'GET',
      url: '/admin/mail/:messageId',
      schema: { params: MessageParams },
      audience: 'mail.admin',
      leak: { params: { messageId: 'inbound_message' } },
      handler: async (req, reply) => {
        const row = await messageOr404(app, req.params.messageId);
        const fields = headersVisible(row) ? rawHeaderFields(Buffer.from(row.raw)) : [];
        const projects = await vmtOverseenProjects(db);
        return sendPage(app, req, reply, `Message #${row.id}`, (ctx) => <MessagePage ctx={ctx} d={{ row, fields, projects }} />, { wide: true });
      },
    }),
    route({
      method: 'POST',
      url: '/admin/mail/:messageId/retry',
      audience: 'mail.admin',
      leak: { params: { messageId: 'inbound_message' } },
      schema: { params: MessageParams, body: FormFields({ project: Type.Optional(Text(100)) }) },
      handler: async (req, reply, scope) => {
        const row = await messageOr404(app, req.params.messageId);
        const project = req.body.project;
        const result = await retryInboundMessage(scope, row.id, intake, project ? { projectSlug: project } : {});
        return result.status === 'processed'
          ? redirectWithFlash(reply, `/admin/mail/${row.id}`, 'success', 'The message was processed.')
          : redirectWithFlash(reply, `/admin/mail/${row.id}`, 'error', `Still quarantined: ${result.reason ?? result.reasonCode ?? ''}`);
      },
    }),
  ];
}
