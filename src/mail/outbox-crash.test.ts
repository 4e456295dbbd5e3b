// Issue 21: a worker killed between delivering a mail and recording it made the next worker deliver it
// again (two .eml files with one Message-ID). The outbox file is now named by the delivery, so the re-run
// finds it: exactly one file. Over SMTP the relay's acceptance cannot be looked up afterwards, so the
// re-run sends again, with the same Message-ID, and says so on the delivery (docs/operations.md). Real
// worker processes: a fixture that stops right before the commit, then the real `cordon worker`.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { enqueueJob } from '../jobs/queue.js';
import { childEnv, createTestStorage, testDialects, type TestStorage } from '../testing/databases.js';
import { cordonCli, WorkerProcesses } from '../testing/worker-processes.js';
import { repoPath } from '../testing/fixture-files.js';
import { MAIL_JOB, mailJobs } from './outbox.js';

const crashWorker = repoPath('dist', 'jobs', 'testing', 'mail-crash-worker.js');

describe.each(testDialects())('mail delivery after a worker crash on %s', (dialect) => {
  let t: TestStorage;
  const processes = new WorkerProcesses([crashWorker]);
  beforeAll(async () => {
    t = await createTestStorage(dialect);
  });
  const smtpChildren: ChildProcess[] = [];
  afterEach(() => {
    processes.killAll();
    for (const c of smtpChildren.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  });
  afterAll(async () => t.cleanup());

  const outboxFiles = (safeId: string) => {
    const dir = path.join(t.dataDir, 'outbox');
    return existsSync(dir) ? readdirSync(dir).filter((f) => f.includes(safeId)) : [];
  };

  it('a worker killed between writing the .eml and recording it: the re-run writes no second file', async () => {
    const messageId = `<${randomBytes(8).toString('hex')}@crash.test>`;
    const safeId = messageId.replace(/[^a-zA-Z0-9._-]/g, '');
    const [job] = mailJobs({ to: ['finder@example.net'], subject: 'Your report', text: 'Thank you.', messageId });
    const id = (await enqueueJob(t.storage.db, new Date(), MAIL_JOB, job!.payload, job!.options))!;

    const doomed = processes.start(t, [crashWorker], { LEASE_MS: '2000', WORKER_ID: 'doomed' });
    expect(await processes.killWhenHolding(doomed)).toBe(id);
    // Delivered, not recorded: the file is there, the delivery still says it was being sent.
    expect(outboxFiles(safeId)).toHaveLength(1);
    const interrupted = await t.storage.db.selectFrom('mail_deliveries').selectAll().where('job_id', '=', id).executeTakeFirstOrThrow();
    expect(interrupted).toMatchObject({ status: 'queued', sent_at: null });
    expect(interrupted.sending_at).not.toBeNull();

    processes.start(t, [cordonCli, 'worker']);
    await processes.until('the mail job to be done', async () => (await t.storage.db.selectFrom('jobs').select('status').where('id', '=', id).executeTakeFirstOrThrow()).status === 'done');
    expect(outboxFiles(safeId)).toHaveLength(1);
    const row = await t.storage.db.selectFrom('jobs').select(['attempts', 'locked_by']).where('id', '=', id).executeTakeFirstOrThrow();
    expect(row.attempts).toBe(2);
    expect(row.locked_by).not.toBe('doomed');
    const delivery = await t.storage.db.selectFrom('mail_deliveries').selectAll().where('job_id', '=', id).executeTakeFirstOrThrow();
    expect(delivery).toMatchObject({ status: 'sent', sending_at: null, message_id: messageId });
  });

  it('over SMTP the re-run sends again, with the same Message-ID, and notes the interrupted attempt', async () => {
    const received: string[] = [];
    const relay = new SMTPServer({
      authOptional: true,
      disabledCommands: ['AUTH', 'STARTTLS'],
      logger: false,
      onData(stream, _session, callback) {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          received.push(Buffer.concat(chunks).toString('latin1'));
          callback();
        });
      },
    });
    await new Promise<void>((resolve) => relay.listen(0, '127.0.0.1', resolve));
    const smtpUrl = `smtp://127.0.0.1:${(relay.server.address() as AddressInfo).port}`;
    // WorkerProcesses sends mail to the file outbox; these two are started with SMTP_URL instead.
    const start = (args: string[], extra: Record<string, string>) => {
      const child = spawn(process.execPath, args, { env: childEnv(t, { IN_PROCESS_WORKER: 'false', SMTP_URL: smtpUrl, ...extra }), stdio: ['ignore', 'pipe', 'pipe'], cwd: repoPath() });
      child.stderr?.on('data', (d: Buffer) => processes.output.push(d.toString()));
      smtpChildren.push(child);
      return child;
    };
    try {
      const messageId = `<${randomBytes(8).toString('hex')}@crash.test>`;
      const [job] = mailJobs({ to: ['relay@example.net'], subject: 'Over SMTP', text: 'Hello.', messageId });
      const id = (await enqueueJob(t.storage.db, new Date(), MAIL_JOB, job!.payload, job!.options))!;
      expect(await processes.killWhenHolding(start([crashWorker], { LEASE_MS: '2000', WORKER_ID: 'doomed-smtp' }))).toBe(id);
      expect(received).toHaveLength(1);

      start([cordonCli, 'worker'], {});
      await processes.until('the mail job to be done', async () => (await t.storage.db.selectFrom('jobs').select('status').where('id', '=', id).executeTakeFirstOrThrow()).status === 'done');
      // At least once: the relay got it twice, both times as the same message.
      expect(received).toHaveLength(2);
      expect(received.map((m) => /^Message-ID: (.*)$/im.exec(m)?.[1]?.trim())).toEqual([messageId, messageId]);
      const delivery = await t.storage.db.selectFrom('mail_deliveries').selectAll().where('job_id', '=', id).executeTakeFirstOrThrow();
      expect(delivery).toMatchObject({ status: 'sent', sending_at: null });
      expect(delivery.last_error).toContain('sent again with the same Message-ID');
    } finally {
      await new Promise<void>((resolve) => relay.close(() => resolve()));
    }
  });
});
