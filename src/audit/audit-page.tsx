// The audit log's markup: the page with the chain's verdict, and the table of events (also on a user's page).
import type { SafeHtml } from '../web/jsx.js';
import { Badge, Time } from '../web/components.js';
import type { Actor } from '../access/actor.js';
import type { ChainVerdict } from './audit.js';
import { withDetailsFor, type AuditEventRow } from './visible.js';

export const AUDIT_PAGE_SIZE = 50;

export function AuditPage({ events, verdict, viewer }: { events: AuditEventRow[]; verdict: ChainVerdict; viewer: Actor }): SafeHtml {
  return (
    <>
      <h1>Audit log</h1>
      <p>
        {verdict.ok ? <Badge tone="ok">chain intact</Badge> : <Badge tone="danger">chain broken at event {verdict.brokenAt?.id}</Badge>} {verdict.checked} events verified.
      </p>
      <AuditTable events={events} viewer={viewer} />
      {events.length === AUDIT_PAGE_SIZE ? (
        <p class="pager">
          <a href={`/admin/audit?before=${events[events.length - 1]!.id}`}>Older events →</a>
        </p>
      ) : null}
    </>
  );
}

export function AuditTable({ events: all, viewer }: { events: AuditEventRow[]; viewer: Actor }): SafeHtml {
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
