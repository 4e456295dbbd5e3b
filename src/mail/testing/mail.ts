// Test helpers for the mail pipeline: messages built the way mail clients build them, encrypted and
// signed by the real GnuPG, and checks of our outgoing .eml files with gpg.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { TempGnupg } from '../../pgp/testing/gnupg.js';
import { splitMultipart } from './mime.js';

export interface TestHeaders {
  from: string;
  to: string;
  subject: string;
  messageId?: string;
  extra?: string[];
}

export function headerLines(h: TestHeaders, contentType: string): string {
  return [
    `From: ${h.from}`,
    `To: ${h.to}`,
    `Subject: ${h.subject}`,
    'Date: Tue, 10 Nov 2026 10:00:00 +0000',
    `Message-ID: ${h.messageId ?? `<${Math.random().toString(36).slice(2)}@example.net>`}`,
    ...(h.extra ?? []),
    'MIME-Version: 1.0',
    `Content-Type: ${contentType}`,
  ].join('\r\n');
}

export function plainMessage(h: TestHeaders, body: string, charset = 'utf-8'): Buffer {
  return Buffer.concat([Buffer.from(`${headerLines(h, `text/plain; charset=${charset}`)}\r\nContent-Transfer-Encoding: 8bit\r\n\r\n`), Buffer.from(body.replace(/\r?\n/g, '\r\n'), charset === 'utf-8' ? 'utf8' : 'latin1')]);
}

/** The MIME entity a client encrypts: text plus optional attachments (e.g. the sender's public key). */
export function innerEntity(text: string, attachments: { filename: string; contentType: string; content: string }[] = []): string {
  if (!attachments.length) return `Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n${text.replace(/\r?\n/g, '\r\n')}`;
  const parts = [
    '--inner',
    'Content-Type: text/plain; charset=utf-8',
    'Content-Transfer-Encoding: 8bit',
    '',
    text.replace(/\r?\n/g, '\r\n'),
    ...attachments.flatMap((a) => [
      '--inner',
      `Content-Type: ${a.contentType}; name="${a.filename}"`,
      `Content-Disposition: attachment; filename="${a.filename}"`,
      'Content-Transfer-Encoding: base64',
      '',
      Buffer.from(a.content).toString('base64'),
    ]),
    '--inner--',
    '',
  ];
  return `Content-Type: multipart/mixed; boundary="inner"\r\n\r\n${parts.join('\r\n')}`;
}

/** gpg --encrypt --sign (armored) to `recipient`, signed by `signer` when given. */
export function gpgEncrypt(gpg: TempGnupg, data: string | Buffer, recipient: string, signer?: string): string {
  return gpg
    .ok(['--armor', '--trust-model', 'always', '--encrypt', ...(signer ? ['--sign', '--local-user', signer] : []), '--recipient', recipient], typeof data === 'string' ? Buffer.from(data, 'utf8') : data)
    .toString('utf8');
}

/** RFC 3156 §4 multipart/encrypted around an armored OpenPGP message. */
export function pgpMimeMessage(h: TestHeaders, armored: string): Buffer {
  return Buffer.from(
    [
      headerLines(h, 'multipart/encrypted; protocol="application/pgp-encrypted"; boundary="enc"'),
      '',
      'This is an OpenPGP/MIME encrypted message (RFC 4880 and 3156)',
      '--enc',
      'Content-Type: application/pgp-encrypted',
      'Content-Description: PGP/MIME version identification',
      '',
      'Version: 1',
      '',
      '--enc',
      'Content-Type: application/octet-stream; name="encrypted.asc"',
      'Content-Disposition: inline; filename="encrypted.asc"',
      '',
      armored.replace(/\r?\n/g, '\r\n').trimEnd(),
      '',
      '--enc--',
      '',
    ].join('\r\n'),
  );
}

/** Inline PGP: the armored block is the text body. */
export function inlineMessage(h: TestHeaders, armored: string): Buffer {
  return Buffer.from(`${headerLines(h, 'text/plain; charset=us-ascii')}\r\n\r\n${armored.replace(/\r?\n/g, '\r\n')}`);
}

/** The .eml files the outbox wrote (no SMTP_URL), oldest first. */
export function outboxMessages(dataDir: string): { file: string; raw: string }[] {
  const dir = path.join(dataDir, 'outbox');
  let files: string[];
  try {
    files = readdirSync(dir).filter((f) => f.endsWith('.eml')).sort();
  } catch {
    return [];
  }
  return files.map((file) => ({ file, raw: readFileSync(path.join(dir, file), 'latin1') }));
}

export function headerOf(raw: string, name: string): string | undefined {
  const head = raw.slice(0, raw.search(/\r?\n\r?\n/)).replace(/\r?\n[ \t]+/g, ' ');
  const line = head.split(/\r?\n/).find((l) => l.toLowerCase().startsWith(`${name.toLowerCase()}:`));
  return line?.slice(name.length + 1).trim();
}

/** gpg --verify over a PGP/MIME signed message (RFC 3156 §5), exactly as a mail client checks it. */
export function gpgVerifyPgpMime(gpg: TempGnupg, raw: string) {
  const [signed, signature] = splitMultipart(raw);
  const data = gpg.writeFile(`signed-${Math.random().toString(36).slice(2)}.eml`, Buffer.from(signed?.raw ?? '', 'latin1'));
  const sig = gpg.writeFile(`sig-${Math.random().toString(36).slice(2)}.asc`, signature?.body ?? '');
  return gpg.run(['--verify', sig, data]);
}

/** gpg --decrypt of a PGP/MIME encrypted message: returns gpg's result (stdout is the inner entity). */
export function gpgDecryptPgpMime(gpg: TempGnupg, raw: string) {
  const [, payload] = splitMultipart(raw);
  return gpg.run(['--decrypt'], payload?.body ?? '');
}

/** A message as the sink received it; `raw` is latin1 text, so its bytes are exactly those sent (for gpg). */
export interface SunkMessage {
  from: string;
  to: string[];
  raw: string;
}

/**
 * A real SMTP server on loopback that keeps what it receives (one helper for every test that needs a
 * relay). `refuse` maps a recipient to the reply the relay gives instead of accepting it — a code, or a
 * code and text; it is live, so a test can stop refusing (`sink.refuse.clear()`) and retry.
 */
export interface SmtpSink {
  url: string;
  received: SunkMessage[];
  refuse: Map<string, number | { code: number; text: string }>;
  close(): Promise<void>;
}

export async function startSmtpSink(options: { refuse?: Record<string, number | { code: number; text: string }> } = {}): Promise<SmtpSink> {
  const { SMTPServer } = await import('smtp-server');
  const received: SunkMessage[] = [];
  const refuse = new Map(Object.entries(options.refuse ?? {}));
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    logger: false,
    onRcptTo(address, _session, callback) {
      const reply = refuse.get(address.address);
      if (reply === undefined) return callback();
      const code = typeof reply === 'number' ? reply : reply.code;
      const text = typeof reply === 'number' ? `${code === 550 ? '5.1.1 No such user' : '4.2.1 Try again later'} (${address.address})` : reply.text;
      return callback(Object.assign(new Error(text), { responseCode: code }));
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const from = session.envelope.mailFrom ? session.envelope.mailFrom.address : '';
        received.push({ from, to: session.envelope.rcptTo.map((r) => r.address), raw: Buffer.concat(chunks).toString('latin1') });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as { port: number }).port;
  return { url: `smtp://127.0.0.1:${port}`, received, refuse, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}
