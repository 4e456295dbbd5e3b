// `cordon mail …`: ingest one message from an MTA pipe, run the SMTP listener, and inspect or retry
// the quarantine. Exit codes follow sysexits(3), which MTAs understand: 75 (EX_TEMPFAIL) makes the MTA
// keep the message and retry, 65 (EX_DATAERR) bounces it.
import type { Command } from 'commander';
import { withContext } from '../cli/context.js';
import { openContext } from '../open-context.js';
import { config as loadCliConfig } from '../cli/context.js';
import { systemScope } from '../context.js';
import { defaultInboundLimits } from './mime/index.js';
import { listInboundMessages, storeInboundMessage, unprocessedMessageIds } from './inbound-store.js';
import { processInboundMessage, retryInboundMessage, type InboundResult } from './inbound-process.js';
import { startMailListener } from './listener.js';
import { mailIntake } from '../reports/intake-mail/mail-intake.js';

const EX_DATAERR = 65;
const EX_TEMPFAIL = 75;

/** Reads standard input up to `max` bytes; returns null when it is larger (the rest is drained). */
async function readStdin(max: number): Promise<Buffer | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of process.stdin) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size <= max) chunks.push(buffer);
  }
  return size > max ? null : Buffer.concat(chunks);
}

function describe(result: InboundResult): string {
  if (result.status === 'processed') return `processed${result.reportRef ? ` (${result.commentId ? 'comment on' : 'report'} ${result.reportRef})` : result.reason ? ` (${result.reason})` : ''}`;
  return `${result.status}: ${result.reasonCode ?? ''} — ${result.reason ?? ''}`;
}

export function registerMailCommands(program: Command): void {
  const mail = program.command('mail').description('Incoming mail: MTA pipe, SMTP listener, quarantine');

  mail
    .command('ingest')
    .description('Store and process one message from standard input (for an MTA pipe: `| cordon mail ingest`)')
    .option('--recipient <address...>', 'envelope recipient(s), as the MTA knows them (e.g. ${original_recipient})')
    .option('--sender <address>', 'envelope sender')
    .action(async (flags: { recipient?: string[]; sender?: string }) => {
      const raw = await readStdin(defaultInboundLimits.maxMessageBytes);
      if (raw === null) {
        console.error(`error: the message is larger than ${defaultInboundLimits.maxMessageBytes} bytes and was refused.`);
        process.exitCode = EX_DATAERR;
        return;
      }
      if (raw.length === 0) {
        console.error('error: standard input is empty; pipe a whole message (headers, blank line, body).');
        process.exitCode = EX_DATAERR;
        return;
      }
      let ctx;
      let id: number;
      try {
        ctx = await openContext({ ...loadCliConfig(), logLevel: process.env.LOG_LEVEL ? loadCliConfig().logLevel : 'warn' });
        id = await storeInboundMessage(systemScope(ctx), { raw, via: 'pipe', envelopeFrom: flags.sender ?? null, envelopeTo: flags.recipient ?? [] });
      } catch (error) {
        console.error(`error: the message could not be stored (${error instanceof Error ? error.message : String(error)}); the MTA should retry.`);
        process.exitCode = EX_TEMPFAIL;
        await ctx?.storage.close();
        return;
      }
      try {
        console.log(`stored as inbound message #${id}: ${describe(await processInboundMessage(ctx, id, mailIntake))}`);
      } catch (error) {
        // Stored: the sweep job processes it later; the MTA must not bounce or resend it.
        console.error(`stored as inbound message #${id}; processing failed and will be retried: ${error instanceof Error ? error.message : String(error)}`);
      } finally {
        await ctx.storage.close();
      }
    });

  mail
    .command('listen')
    .description('Run the SMTP listener on MAIL_LISTEN_HOST:MAIL_LISTEN_PORT (terminate TLS in front of it)')
    .option('--host <host>', 'interface (default MAIL_LISTEN_HOST)')
    .option('--port <port>', 'port (default MAIL_LISTEN_PORT; 0 picks a free one)')
    .action(async (flags: { host?: string; port?: string }) => {
      const ctx = await openContext(loadCliConfig());
      // Messages stored by an earlier run but not processed are handled first.
      for (const id of await unprocessedMessageIds(ctx.storage.db, ctx.clock.now())) await processInboundMessage(ctx, id, mailIntake);
      const listener = await startMailListener(ctx, mailIntake, {
        ...(flags.host ? { host: flags.host } : {}),
        ...(flags.port !== undefined ? { port: Number(flags.port) } : {}),
        onProcessed: (result) => ctx.log.info({ inbound: result.id, status: result.status, reason: result.reasonCode }, 'incoming message'),
      });
      console.log(`listening for mail to ${ctx.config.teamEmail} on ${listener.host}:${listener.port}`);
      const stop = async () => {
        await listener.close();
        await ctx.storage.close();
        process.exit(0);
      };
      process.once('SIGINT', () => void stop());
      process.once('SIGTERM', () => void stop());
    });

  mail
    .command('list')
    .description('List incoming messages (default: the quarantine)')
    .option('--all', 'every status, not only quarantined')
    .action(async (flags: { all?: boolean }) => {
      await withContext(async (ctx) => {
        const rows = await listInboundMessages(ctx.storage.db, flags.all ? {} : { status: 'quarantined' });
        if (!rows.length) console.log(flags.all ? 'no messages' : 'the quarantine is empty');
        for (const r of rows) console.log(`#${r.id}\t${r.received_at}\t${r.status}\t${r.reason_code ?? r.outcome ?? ''}\t${r.reason ?? ''}`);
      });
    });

  mail
    .command('retry <id>')
    .description('Process a quarantined message again (after fixing the keys, or naming the project)')
    .option('--project <slug>', 'the affected project, when the mail did not say')
    .action(async (id: string, flags: { project?: string }) => {
      await withContext(async (ctx) => {
        const result = await retryInboundMessage(systemScope(ctx), Number(id), mailIntake, flags.project ? { projectSlug: flags.project } : {});
        console.log(`#${result.id}: ${describe(result)}`);
      });
    });
}
