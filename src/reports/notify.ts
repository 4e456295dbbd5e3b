// Notifications about a report go through the mail outbox. Until mail can be encrypted to each recipient
// (issue 4), they carry no private content at all: only the report's reference, what kind of thing
// happened and a link. Each recipient gets the event only if the policy lets them see it.
import type { Db } from '../storage/database.js';
import type { CommentVisibility, ReportRow } from '../storage/tables.js';
import type { Config } from '../config/config.js';
import type { EnqueueOptions } from '../jobs/queue.js';
import { enqueueMail } from '../mail/outbox.js';

type Enqueue = (kind: string, payload: unknown, options?: EnqueueOptions) => Promise<number | null>;

export interface Notice {
  /** Short, content-free summary, e.g. "A comment was added." */
  what: string;
  visibility: CommentVisibility;
  /** Also tell the reporter (for everyone-visible events). */
  reporter?: boolean;
  /** Skip this user (the one who caused the event). */
  exceptUserId?: number | null;
}

export async function notifyReport(trx: Db, config: Config, enqueue: Enqueue, report: ReportRow, notice: Notice): Promise<string[]> {
  const vmt = await trx
    .selectFrom('users')
    .innerJoin('user_roles', 'user_roles.user_id', 'users.id')
    .select(['users.id', 'users.email'])
    .where('user_roles.role', '=', 'vmt')
    .where('users.disabled_at', 'is', null)
    .execute();
  const recipients = new Map<string, { url: string }>();
  const teamUrl = `${config.publicUrl}/reports/${report.ref}`;
  for (const u of vmt) if (u.id !== notice.exceptUserId) recipients.set(u.email, { url: teamUrl });
  if (notice.visibility === 'everyone') {
    const subs = await trx
      .selectFrom('report_subscriptions')
      .innerJoin('users', 'users.id', 'report_subscriptions.user_id')
      .select(['users.id', 'users.email'])
      .where('report_subscriptions.report_id', '=', report.id)
      .where('report_subscriptions.removed_at', 'is', null)
      .where('users.disabled_at', 'is', null)
      .execute();
    for (const u of subs) if (u.id !== notice.exceptUserId) recipients.set(u.email, { url: teamUrl });
    // An anonymous reporter has no user id: only skip them when the event's author is their account.
    const reporterIsAuthor = notice.exceptUserId !== null && notice.exceptUserId !== undefined && report.reporter_user_id === notice.exceptUserId;
    if (notice.reporter && report.reporter_email && !reporterIsAuthor) {
      // Anonymous reporters follow their private link; the link itself is never mailed again.
      recipients.set(report.reporter_email, { url: report.reporter_user_id ? teamUrl : `${config.publicUrl}/reports` });
    }
  }
  for (const [to, { url }] of recipients) {
    await enqueueMail(enqueue, {
      to: [to],
      subject: `[${config.instanceName} ${report.ref}] ${notice.what}`,
      text: `${notice.what}\n\nReport ${report.ref} — sign in to read it:\n${url}\n\nFor your protection this mail carries no details of the report.\n`,
      headers: { 'X-Cordon-Report': report.ref },
    });
  }
  return [...recipients.keys()];
}
