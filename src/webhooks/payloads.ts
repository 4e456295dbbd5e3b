// The body of a delivery, built when it is sent. Public events carry what the public JSON API shows of
// the record, read as an anonymous visitor through the same access policy (a record that is not public
// any more yields its reference only). Private events carry the report's ref and a link, nothing else:
// not its title, not its projects, not who reported it (issue 19).
import type { AppContext, Scope } from '../context.js';
import { AppError } from '../errors/catalogue.js';
import { publishedRecord } from '../advisories/published.js';
import { presentRecord } from '../advisories/routes-api.js';
import { noteForActor } from '../notes/store.js';
import { noteUrl } from '../notes/note-template.js';
import { presentNote } from '../notes/routes-api.js';
import { advisoryUrl } from '../publication/formats/settings.js';
import { publicationSettingsFor } from '../publication/settings.js';
import { reportForActor } from '../reports/load-for-actor.js';
import { displayTitle } from '../reports/present.js';
import { isPublicEvent } from './events.js';
import type { WebhookDeliveryRow } from './tables.js';

async function publicRecordOf(app: AppContext, event: string, subject: string): Promise<Record<string, unknown>> {
  const visitor: Scope = { app, actor: { kind: 'anonymous' }, requestId: null };
  if (event.startsWith('advisory.')) {
    const record = await publishedRecord(app.storage.db, subject);
    const url = advisoryUrl(publicationSettingsFor(app.config), subject);
    return record ? { advisory: { id: subject, url, record: presentRecord(record) } } : { advisory: { id: subject, url } };
  }
  if (event.startsWith('note.')) {
    const url = noteUrl(app.config, subject);
    try {
      return { note: { ...(await presentNote(visitor, await noteForActor(visitor, { publicId: subject }))), url } };
    } catch (error) {
      if (error instanceof AppError && error.code === 'not_found') return { note: { id: subject, url } };
      throw error;
    }
  }
  const url = `${app.config.publicUrl}/reports/${subject}`;
  try {
    const report = await reportForActor(visitor, subject);
    return { report: { ref: subject, url, title: displayTitle(report), state: report.row.state, public_at: report.row.public_at } };
  } catch (error) {
    if (error instanceof AppError && error.code === 'not_found') return { report: { ref: subject, url } };
    throw error;
  }
}

export async function deliveryBody(app: AppContext, delivery: Pick<WebhookDeliveryRow, 'id' | 'event' | 'subject' | 'occurred_at'>): Promise<string> {
  const head = { event: delivery.event, delivery: String(delivery.id), occurred_at: delivery.occurred_at };
  if (isPublicEvent(delivery.event)) return JSON.stringify({ ...head, ...(await publicRecordOf(app, delivery.event, delivery.subject)) });
  // A private report: its ref and the link the VMT follows (sign-in required there), nothing more.
  return JSON.stringify({ ...head, report: { ref: delivery.subject, url: `${app.config.publicUrl}/reports/${delivery.subject}` } });
}
