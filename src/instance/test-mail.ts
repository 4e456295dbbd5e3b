// "Send a test mail" on the settings page: one mail through the real outbox (job, worker, SMTP or .eml),
// and its delivery state read back from the outbox's own record, so a broken From address or relay shows
// on the page where the admin set them, not later on a pre-notice.
import { checkPlainAddress } from '../config/config.js';
import { change, type Scope } from '../context.js';
import { errors } from '../errors/catalogue.js';
import { jobSummary } from '../jobs/store.js';
import { deliveryOfJob } from '../mail/deliveries.js';
import { mailJobs } from '../mail/outbox.js';
import type { Db } from '../storage/database.js';
import { LAST_TEST_MAIL, putValue } from './settings.js';

export type TestMailState = 'queued' | 'sent' | 'failed';

export interface TestMailStatus {
  jobId: number;
  recipient: string;
  state: TestMailState;
  error: string | null;
  queuedAt: string;
  sentAt: string | null;
  protection: string | null;
}

export async function sendTestMail(scope: Scope, rawTo: string): Promise<number> {
  const { config } = scope.app;
  const check = checkPlainAddress(rawTo);
  if (!check.ok) throw errors.field('to', `${check.problem} ${check.fix}`);
  const by = scope.actor.kind === 'user' ? scope.actor.username : 'an administrator';
  const [job] = mailJobs({
    to: [check.value],
    subject: `${config.instanceName}: test mail`,
    text:
      `This is a test mail from ${config.instanceName} (${config.publicUrl}), sent by ${by} from the settings page.\n\n` +
      `It was sent from ${config.mailFrom}. If you can read it, outgoing mail works; replies go to ${config.teamEmail}.\n`,
  });
  return change(scope, async ({ trx, now, audit, enqueue }) => {
    const id = await enqueue(job!.kind, job!.payload, job!.options);
    if (id === null) throw errors.conflict('The test mail could not be queued.');
    await putValue(trx, LAST_TEST_MAIL, String(id), now, scope);
    await audit('instance.test_mail_queued', 'instance', null, undefined, { to: check.value, job_id: id });
    return id;
  });
}

/** The latest test mail and what became of it: the delivery record first, the job when none exists yet. */
export async function lastTestMail(db: Db): Promise<TestMailStatus | null> {
  const stored = await db.selectFrom('instance_settings').select('value').where('key', '=', LAST_TEST_MAIL).executeTakeFirst();
  const jobId = Number(stored?.value);
  if (!Number.isInteger(jobId) || jobId <= 0) return null;
  const job = await jobSummary(db, jobId);
  if (!job) return null;
  const delivery = await deliveryOfJob(db, jobId);
  const recipient = delivery?.recipient ?? ((JSON.parse(job.payload) as { to?: string[] }).to ?? []).join(', ');
  let state: TestMailState = 'queued';
  if (delivery?.status === 'sent') state = 'sent';
  else if (delivery?.status === 'bounced' || job.status === 'dead') state = 'failed';
  return {
    jobId,
    recipient,
    state,
    // A queued mail that is being retried shows its last error too: the relay said something.
    error: delivery?.last_error ?? job.last_error ?? null,
    queuedAt: job.created_at,
    sentAt: delivery?.sent_at ?? null,
    protection: delivery?.protection ?? null,
  };
}
