// Notifications about a report go through the mail outbox. Until mail can be encrypted to each recipient
// (issue 4), they carry no private content at all: only the report's reference, what kind of thing
// happened and a link. Each recipient gets the event only if the policy lets them see it.
import type { ChangeContext } from '../context.js';
import type { Db } from '../storage/database.js';
import type { CommentVisibility, ReportRow } from '../storage/tables.js';
import type { Config } from '../config/config.js';
import { enqueueMail, type OutgoingMail } from '../mail/outbox.js';
import { activeUsersWithRole } from '../accounts/users.js';


export interface Notice {
  /** Short, content-free summary, e.g. "A comment was added." */
  what: string;
  visibility: CommentVisibility;
  /** Also tell the reporter (for everyone-visible events). */
  reporter?: boolean;
  /** Skip this user (the one who caused the event). */
  exceptUserId?: number | null;
}

export interface NotifyPeople {
  /** Active VMT members. */
  vmt: { id: number; email: string }[];
  /** Active subscribers of the report (only needed for everyone-visible notices). */
  subscribers: { id: number; email: string }[];
}

export async function activeVmt(trx: Db): Promise<NotifyPeople['vmt']> {
  return (await activeUsersWithRole(trx, 'vmt')).map(({ id, email }) => ({ id, email }));
}

/** Active subscribers of each report, by report id (one query for many reports). */
export async function activeSubscribers(trx: Db, reportIds: readonly number[]): Promise<Map<number, NotifyPeople['subscribers']>> {
  const byReport = new Map<number, NotifyPeople['subscribers']>();
  if (!reportIds.length) return byReport;
  const rows = await trx
    .selectFrom('report_subscriptions')
    .innerJoin('users', 'users.id', 'report_subscriptions.user_id')
    .select(['report_subscriptions.report_id', 'users.id', 'users.email'])
    .where('report_subscriptions.report_id', 'in', [...reportIds])
    .where('report_subscriptions.removed_at', 'is', null)
    .where('users.disabled_at', 'is', null)
    .orderBy('report_subscriptions.id')
    .execute();
  for (const r of rows) {
    const list = byReport.get(r.report_id) ?? [];
    list.push({ id: r.id, email: r.email });
    byReport.set(r.report_id, list);
  }
  return byReport;
}

/** The notification mails of one notice (pure: who may see it gets a content-free mail with a link). */
export function notificationMails(config: Config, report: ReportRow, notice: Notice, people: NotifyPeople): OutgoingMail[] {
  const recipients = new Map<string, { url: string }>();
  const teamUrl = `${config.publicUrl}/reports/${report.ref}`;
  for (const u of people.vmt) if (u.id !== notice.exceptUserId) recipients.set(u.email, { url: teamUrl });
  if (notice.visibility === 'everyone') {
    for (const u of people.subscribers) if (u.id !== notice.exceptUserId) recipients.set(u.email, { url: teamUrl });
    // An anonymous reporter has no user id: only skip them when the event's author is their account.
    const reporterIsAuthor = notice.exceptUserId !== null && notice.exceptUserId !== undefined && report.reporter_user_id === notice.exceptUserId;
    if (notice.reporter && report.reporter_email && !reporterIsAuthor) {
      // Anonymous reporters follow their private link; the link itself is never mailed again.
      recipients.set(report.reporter_email, { url: report.reporter_user_id ? teamUrl : `${config.publicUrl}/reports` });
    }
  }
  return [...recipients].map(([to, { url }]) => ({
    to: [to],
    subject: `[${config.instanceName} ${report.ref}] ${notice.what}`,
    text: `${notice.what}\n\nReport ${report.ref} — sign in to read it:\n${url}\n\nFor your protection this mail carries no details of the report.\n`,
    headers: { 'X-Cordon-Report': report.ref },
  }));
}

/** Queues the notice's mails in the change that caused it (its transaction and outbox: the ChangeContext's parts). */
export async function notifyReport({ trx, config, enqueue }: Pick<ChangeContext, 'trx' | 'config' | 'enqueue'>, report: ReportRow, notice: Notice): Promise<string[]> {
  const people: NotifyPeople = {
    vmt: await activeVmt(trx),
    subscribers: notice.visibility === 'everyone' ? ((await activeSubscribers(trx, [report.id])).get(report.id) ?? []) : [],
  };
  const mails = notificationMails(config, report, notice, people);
  for (const mail of mails) await enqueueMail(enqueue, mail);
  return mails.map((m) => m.to[0]!);
}
