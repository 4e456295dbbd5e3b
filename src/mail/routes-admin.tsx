// /admin/mail: the incoming-mail quarantine (list, headers and reason, retry) and recent outgoing
// deliveries. Admins are not the VMT (DESIGN.md §1): they see headers and reasons, never a body, and
// nothing of messages that became reports or comments beyond that fact.
import type { FastifyRequest } from 'fastify';
import type { AppContext } from '../context.js';
import { errors } from '../errors/catalogue.js';
import type { RouteDef } from '../http/route.js';
import { formBody, str } from '../http/forms.js';
import { redirectWithFlash, sendPage } from '../http/render.js';
import { Badge, Button, CsrfField, Select, Time } from '../web/components.js';
import type { InboundMessageRow } from '../keys/tables.js';
import { recentDeliveries } from './deliveries.js';
import { headerValue, listInboundMessages, loadInboundMessage, rawHeaderFields } from './inbound-store.js';
import { retryInboundMessage } from './inbound-process.js';
import { Params } from '../http/schemas.js';


const tone = { received: 'info', processed: 'ok', quarantined: 'danger', queued: 'info', sent: 'ok', bounced: 'danger' } as const;

async function messageOr404(app: AppContext, req: FastifyRequest): Promise<InboundMessageRow> {
  const id = Number((req.params as { messageId: string }).messageId);
  const row = Number.isInteger(id) && id > 0 ? await loadInboundMessage(app.storage.db, id) : undefined;
  if (!row) throw errors.notFound('message');
  return row;
}

/** Processed messages became private reports or comments: their headers are for the VMT, not admins. */
const headersVisible = (row: Pick<InboundMessageRow, 'status'>) => row.status !== 'processed';

export function adminMailRoutes(app: AppContext): RouteDef[] {
  const db = app.storage.db;
  return [
    {
      method: 'GET',
      url: '/admin/mail',
      audience: 'mail.admin',
      handler: async (req, reply) => {
        const [messages, deliveries] = await Promise.all([listInboundMessages(db, { limit: 100 }), recentDeliveries(db, 50)]);
        return sendPage(
          app,
          req,
          reply,
          'Mail',
          () => (
            <>
              <h1>Mail</h1>
              <p class="lead">
                Incoming messages are stored raw before they are read; those that could not be processed wait here for a retry. Bodies are never shown.
              </p>
              <h2>Incoming</h2>
              {messages.length === 0 ? <p class="empty">No incoming mail yet.</p> : null}
              {messages.length ? (
                <table class="mail-table">
                  <thead>
                    <tr>
                      <th scope="col">#</th>
                      <th scope="col">Received</th>
                      <th scope="col">Status</th>
                      <th scope="col">From (envelope)</th>
                      <th scope="col">Reason</th>
                    </tr>
                  </thead>
                  <tbody>
                    {messages.map((m) => (
                      <tr>
                        <td>
                          <a href={`/admin/mail/${m.id}`}>#{m.id}</a>
                        </td>
                        <td>
                          <Time iso={m.received_at} />
                        </td>
                        <td>
                          <Badge tone={tone[m.status]}>{m.status}</Badge> {m.outcome ? <span class="muted">{m.outcome}</span> : null}
                        </td>
                        <td>{headersVisible(m) ? (m.envelope_from ?? '—') : '—'}</td>
                        <td>{m.status === 'quarantined' ? `${m.reason_code ?? ''}: ${m.reason ?? ''}` : ''}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              ) : null}
              <h2>Outgoing</h2>
              {deliveries.length === 0 ? <p class="empty">No mail sent yet.</p> : null}
              {deliveries.length ? (
                <table class="mail-table">
                  <thead>
                    <tr>
                      <th scope="col">Queued</th>
                      <th scope="col">To</th>
                      <th scope="col">Subject</th>
                      <th scope="col">Status</th>
                      <th scope="col">Protection</th>
                      <th scope="col">Last error</th>
                    </tr>
                  </thead>
                  <tbody>
                    {deliveries.map((d) => (
                      <tr>
                        <td>
                          <Time iso={d.created_at} />
                        </td>
                        <td>{d.recipient}</td>
                        <td>{d.subject}</td>
                        <td>
                          <Badge tone={tone[d.status]}>{d.status}</Badge> <span class="muted">{d.attempts} attempt(s)</span>
                        </td>
                        <td>
                          {d.protection ?? '—'}
                          {d.private_withheld ? <span class="muted"> (private details withheld)</span> : null}
                        </td>
                        <td>{d.last_error ?? ''}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              ) : null}
            </>
          ),
          { wide: true },
        );
      },
    },
    {
      method: 'GET',
      url: '/admin/mail/:messageId',
      schema: { params: Params('messageId') },
      audience: 'mail.admin',
      leak: { params: { messageId: 'inbound_message' } },
      handler: async (req, reply) => {
        const row = await messageOr404(app, req);
        const fields = headersVisible(row) ? rawHeaderFields(Buffer.from(row.raw)) : [];
        const projects = await db.selectFrom('projects').select(['slug', 'name']).where('vmt_oversees', '=', 1).orderBy('name').execute();
        return sendPage(
          app,
          req,
          reply,
          `Message #${row.id}`,
          (ctx) => (
            <>
              <h1>Incoming message #{row.id}</h1>
              <dl class="facts card">
                <dt>Received</dt>
                <dd>
                  <Time iso={row.received_at} /> by {row.via === 'smtp' ? 'the SMTP listener' : 'the MTA pipe'}, {row.size} bytes
                </dd>
                <dt>Status</dt>
                <dd>
                  <Badge tone={tone[row.status]}>{row.status}</Badge> {row.outcome ?? ''} <span class="muted">({row.attempts} attempt(s))</span>
                </dd>
                {row.status === 'quarantined' ? (
                  <>
                    <dt>Reason</dt>
                    <dd>
                      <code>{row.reason_code ?? ''}</code> {row.reason ?? ''}
                    </dd>
                  </>
                ) : null}
                <dt>Encryption</dt>
                <dd>{row.encryption ?? 'not opened'}</dd>
                <dt>Signature</dt>
                <dd>
                  {row.signature_status ?? 'not checked'} {row.signer_fingerprint ? <code>{row.signer_fingerprint}</code> : null}
                </dd>
                {headersVisible(row) ? (
                  <>
                    <dt>Envelope</dt>
                    <dd>
                      from {row.envelope_from ?? '—'} to {(JSON.parse(row.envelope_to) as string[]).join(', ') || '—'}
                    </dd>
                  </>
                ) : null}
              </dl>
              {headersVisible(row) ? (
                <>
                  <h2>Headers</h2>
                  <p class="muted">As received (encoded words are not decoded). The body is never shown here.</p>
                  <pre class="mail-headers">{fields.map((f) => `${f.name}: ${f.value}`).join('\n')}</pre>
                </>
              ) : (
                <p class="muted">This message became a {row.outcome ?? 'record'}; its content belongs to the report and is visible to the VMT there.</p>
              )}
              {row.status !== 'processed' ? (
                <form method="post" action={`/admin/mail/${row.id}/retry`} class="card stack">
                  <CsrfField token={ctx.csrfToken} />
                  <h2>Process again</h2>
                  <p>
                    After fixing the cause (a <a href="/admin/keys">team key</a>, PGP_PASSPHRASE, the sender’s key), or naming the project the report is about.
                  </p>
                  <Select name="project" label="Project (if the mail does not say)" options={[['', '— as the mail says —'], ...projects.map((p): [string, string] => [p.slug, p.name])]} />
                  <Button>Retry</Button>
                </form>
              ) : null}
              <p>
                <a href="/admin/mail">Back to mail</a>
              </p>
              {headerValue(fields, 'Subject') === undefined && headersVisible(row) ? <p class="muted">The message has no Subject header.</p> : null}
            </>
          ),
          { wide: true },
        );
      },
    },
    {
      method: 'POST',
      url: '/admin/mail/:messageId/retry',
      audience: 'mail.admin',
      leak: { params: { messageId: 'inbound_message' } },
      handler: async (req, reply, scope) => {
        const row = await messageOr404(app, req);
        const project = str(formBody(req), 'project');
        const result = await retryInboundMessage(scope, row.id, project ? { projectSlug: project } : {});
        return result.status === 'processed'
          ? redirectWithFlash(reply, `/admin/mail/${row.id}`, 'success', 'The message was processed.')
          : redirectWithFlash(reply, `/admin/mail/${row.id}`, 'error', `Still quarantined: ${result.reason ?? result.reasonCode ?? ''}`);
      },
    },
  ];
}
