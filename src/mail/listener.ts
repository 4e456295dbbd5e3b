// The built-in SMTP listener (`cordon mail listen`). It accepts mail for the team address and its reply
// addresses only (it is not a relay), stores each message raw before answering 250 — so an accepted
// message is never lost — then processes it. No AUTH: on loopback it sits behind the MTA; on a public
// interface terminate TLS in front of it (docs/mail.md). A bad message never stops the listener.
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import type { AppContext } from '../context.js';
import { systemScope } from '../context.js';
import { defaultInboundLimits } from './mime/index.js';
import { storeInboundMessage } from './inbound-store.js';
import { processInboundMessage, type InboundResult, type MailIntake } from './inbound-process.js';
import { isTeamAddress, tokenInAddress } from './reply-address.js';

export interface MailListener {
  host: string;
  port: number;
  close(): Promise<void>;
}

export interface ListenerOptions {
  host?: string;
  port?: number;
  maxMessageBytes?: number;
  /** Called after each stored message is processed (tests and logs). */
  onProcessed?: (result: InboundResult) => void;
}

function smtpError(code: number, message: string): Error {
  return Object.assign(new Error(message), { responseCode: code });
}

/** `intake` turns processed mail into reports and comments (reports/intake-mail/, wired by the caller). */
export async function startMailListener(app: AppContext, intake: MailIntake, options: ListenerOptions = {}): Promise<MailListener> {
  const maxBytes = options.maxMessageBytes ?? defaultInboundLimits.maxMessageBytes;
  const server = new SMTPServer({
    banner: `${app.config.instanceName} mail intake`,
    size: maxBytes,
    authOptional: true,
    // TLS is terminated in front of the listener; AUTH is never needed to hand mail to the team.
    disabledCommands: ['AUTH', 'STARTTLS'],
    disableReverseLookup: true,
    logger: false,
    maxClients: 50,
    onRcptTo(address, _session, callback) {
      const to = address.address;
      if (isTeamAddress(app.config.teamEmail, to) || tokenInAddress(app.config.teamEmail, to)) return callback();
      return callback(smtpError(550, `5.1.1 <${to.slice(0, 100)}>: this server accepts mail for ${app.config.teamEmail} only`));
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      let size = 0;
      stream.on('data', (chunk: Buffer) => {
        size += chunk.length;
        // Past the limit the rest is drained, not kept (stream.sizeExceeded tells at the end).
        if (size <= maxBytes) chunks.push(chunk);
      });
      stream.on('error', (error) => callback(error));
      stream.on('end', () => {
        if (stream.sizeExceeded || size > maxBytes) {
          return callback(smtpError(552, `5.3.4 The message is larger than ${maxBytes} bytes and was refused.`));
        }
        const raw = Buffer.concat(chunks);
        const envelopeFrom = session.envelope.mailFrom ? session.envelope.mailFrom.address : null;
        const envelopeTo = session.envelope.rcptTo.map((r) => r.address);
        void (async () => {
          let id: number;
          try {
            id = await storeInboundMessage(systemScope(app), { raw, via: 'smtp', envelopeFrom, envelopeTo });
          } catch (error) {
            app.log.error({ err: error }, 'could not store an incoming message');
            // 451: the sender keeps the message and tries again later; nothing is lost.
            return callback(smtpError(451, '4.3.0 The message could not be stored; try again later.'));
          }
          try {
            const result = await processInboundMessage(app, id, intake);
            options.onProcessed?.(result);
          } catch (error) {
            // Stored already: the sweep job (inbound-jobs.ts) processes it later.
            app.log.error({ err: error, inbound: id }, 'processing an incoming message failed');
          }
          callback(null, `Message accepted as #${id}`);
        })();
      });
    },
  });
  server.on('error', (error) => app.log.warn({ err: error }, 'SMTP listener connection error'));
  const host = options.host ?? app.config.mailListenHost;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? app.config.mailListenPort, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.server.address() as AddressInfo;
  return {
    host,
    port: address.port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
