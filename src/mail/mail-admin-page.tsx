// The admin's mail pages (/admin/mail): the incoming-mail quarantine and recent outgoing deliveries, and
// one incoming message's headers and reason. Admins are not the VMT (DESIGN.md §1): they see headers and
// reasons, never a body, and nothing of messages that became reports or comments beyond that fact.
import type { SafeHtml } from '../web/jsx.js';
import { Badge, Button, CsrfField, Select, Time } from '../web/components.js';
import type { PageContext } from '../web/layout.js';
import type { InboundMessageRow, MailDeliveryRow } from '../keys/tables.js';
import { headerValue, type listInboundMessages, type rawHeaderFields } from './inbound-store.js';

const tone = { received: 'info', processed: 'ok', quarantined: 'danger', queued: 'info', sent: 'ok', bounced: 'danger' } as const;

/** Processed messages became private reports or comments: their headers are for the VMT, not admins. */
export const headersVisible = (row: Pick<InboundMessageRow, 'status'>) => row.status !== 'processed';

export function MailAdminPage({ messages, deliveries }: { messages: Awaited<ReturnType<typeof listInboundMessages>>; deliveries: MailDeliveryRow[] }): SafeHtml {
  return (
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
  );
}

export interface MessagePageData {
  row: InboundMessageRow;
  /** The raw header fields, empty when the admin may not see them. */
  fields: ReturnType<typeof rawHeaderFields>;
  /** The projects a retry may name (those the VMT oversees). */
  projects: { slug: string; name: string }[];
}

export function MessagePage({ ctx, d }: { ctx: PageContext; d: MessagePageData }): SafeHtml {
  const { row, fields, projects } = d;
  return (
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
  );
}
