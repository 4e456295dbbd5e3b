// Fuzz targets (issue 13): incoming mail. (1) MIME opening (postal-mime plus our structure scan,
// PGP/MIME and inline PGP): any bytes are opened or refused with a catalogued MailRejection/AppError,
// never a crash, within the budget. (2) The whole ingest pipeline on both databases: a stored message
// is processed or quarantined with a reason (never "internal_error"); a quarantined message adds no
// report, comment or attachment; stored attachment names never carry a path.
import fc from 'fast-check';
import { createMessage, encrypt, readKey, type PrivateKey } from 'openpgp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { currentTeamKey, generateAndStoreTeamKey } from '../keys/team-keys.js';
import { unlockSecretKey } from '../pgp/team-key.js';
import { createProject } from '../projects/projects.js';
import { testDialects } from '../testing/databases.js';
import { catalogued, hostileNames, hostileText, mutatedBytes, mutatedText, replayRegressions, runFuzz, seedFiles, type FuzzTarget } from '../testing/fuzz.js';
import { createTestApp, type TestApp } from '../testing/harness.js';
import { processInboundMessage } from './inbound-process.js';
import { storeInboundMessage } from './inbound-store.js';
import { openInboundMessage } from './mime/inbound.js';
import { mailIntake } from '../reports/intake-mail/mail-intake.js';

const SEED_FILES = seedFiles(import.meta.url, '../mime/__fuzz__/seeds/mail');
const SEED_BYTES = SEED_FILES.map((s) => new Uint8Array(s.bytes));
const SEEDS = SEED_FILES.map((s) => s.bytes.toString('latin1'));
const pgpSeed = (name: string): string => seedFiles(import.meta.url, '../../pgp/__fuzz__/seeds/pgp').find((s) => s.file === name)?.bytes.toString('utf8') ?? '';
const NOW = new Date('2026-06-01T00:00:00Z');

const MIME_FRAGMENTS = [
  'Content-Type: multipart/mixed; boundary="b"\r\n', 'Content-Type: message/rfc822\r\n', 'Content-Type: multipart/encrypted; protocol="application/pgp-encrypted"; boundary=e\r\n',
  'Content-Type: multipart/signed; micalg=pgp-sha256; protocol="application/pgp-signature"; boundary=s\r\n', 'Content-Transfer-Encoding: base64\r\n', 'Content-Transfer-Encoding: quoted-printable\r\n',
  'Content-Disposition: attachment; filename="../../etc/passwd"\r\n', "Content-Disposition: attachment; filename*=UTF-8''%2e%2e%2f%00x\r\n", 'Content-Disposition: attachment; filename="a\\\\b.pgp"\r\n',
  '\r\n--b\r\n', '\r\n--b--\r\n', '\r\n\r\n', '=?UTF-8?B?', '=?x?q?=0A?=', '=\r\n', '=ZZ', 'From: <>\r\n', 'From: a@b, c@d\r\n', 'To: ;\r\n', 'Subject: \u0000\r\n',
  'charset="utf-7"', 'charset=iso-2022-jp', '\t', ' folded\r\n', 'Auto-Submitted: auto-replied\r\n', '-----BEGIN PGP MESSAGE-----', '-----BEGIN PGP SIGNED MESSAGE-----',
];

const mailBytes = fc.oneof(
  { weight: 5, arbitrary: mutatedText(SEEDS, { fragments: [...MIME_FRAGMENTS, ...hostileNames] }).map((t) => Buffer.from(t, 'latin1')) },
  { weight: 3, arbitrary: mutatedBytes(SEED_BYTES).map((b) => Buffer.from(b)) },
  { weight: 1, arbitrary: hostileText.map((t) => Buffer.from(t, 'utf8')) },
);

let secretKey: PrivateKey;
beforeAll(async () => {
  secretKey = await unlockSecretKey(pgpSeed('secret-key.asc'), 'fuzz seed passphrase (test only)');
});

function assertPlainName(name: string): void {
  expect(name, JSON.stringify(name)).not.toMatch(/[/\\\0]/);
  // eslint-disable-next-line no-control-regex -- control characters are what is refused
  expect(name).not.toMatch(/[\x00-\x1f\x7f]/);
  expect(['', '.', '..']).not.toContain(name);
}

const openTarget: FuzzTarget<Uint8Array> = {
  name: 'mail-open',
  testFile: import.meta.url,
  arbitrary: mailBytes,
  runs: 300,
  longShare: 0.2,
  decode: (_file, bytes) => bytes,
  check: async (raw) => {
    const known = [await readKey({ armoredKey: pgpSeed('public-key.asc') })];
    const opened = await catalogued('openInboundMessage', () => openInboundMessage(Buffer.from(raw), { secretKeys: [secretKey], knownPublicKeys: known, now: NOW, limits: { maxMessageBytes: 1 << 20 } }));
    if ('value' in opened) {
      expect(typeof opened.value.textBody).toBe('string');
      expect(typeof opened.value.subject).toBe('string');
    }
  },
};

describe('fuzz: incoming mail, MIME opening', () => {
  it('seeds open cleanly (so mutations start from real mail)', async () => {
    const known = [await readKey({ armoredKey: pgpSeed('public-key.asc') })];
    for (const s of SEED_FILES) {
      const m = await openInboundMessage(s.bytes, { secretKeys: [secretKey], knownPublicKeys: known, now: NOW });
      expect(m.textBody, s.file).toContain('nova-api crashes');
    }
  });
  it(`${openTarget.name}: committed regression inputs still pass`, async () => {
    await replayRegressions(openTarget);
  });
  it(`${openTarget.name}: generated inputs keep the invariants`, async () => {
    expect((await runFuzz(openTarget)).runs).toBeGreaterThan(0);
  });
});

describe.each(testDialects())('fuzz: incoming mail, ingest pipeline on %s', (dialect) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(dialect, { teamEmail: 'vmt@example.org', mailFrom: 'VMT <vmt@example.org>', publicUrl: 'https://security.example.org', pgpPassphrase: 'fuzz team passphrase' });
    t.clock.set(NOW);
    await createProject(t.system, { slug: 'nova', name: 'Nova', branches: ['master'] });
    await generateAndStoreTeamKey(t.system, { name: 'VMT', email: 'vmt@example.org' });
  });
  afterAll(async () => {
    await t.close();
  });

  async function counts(): Promise<Record<string, number>> {
    const db = t.ctx.storage.db;
    const count = async (table: 'reports' | 'report_comments' | 'report_attachments'): Promise<number> =>
      Number((await db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
    return { reports: await count('reports'), comments: await count('report_comments'), attachments: await count('report_attachments') };
  }

  const ingestTarget: FuzzTarget<Uint8Array> = {
    name: 'mail-ingest',
    testFile: import.meta.url,
    arbitrary: mailBytes,
    runs: 100,
    longShare: 0.05,
    decode: (_file, bytes) => bytes,
    check: async (raw) => {
      const before = await counts();
      const id = await storeInboundMessage(t.system, { raw: Buffer.from(raw), via: 'pipe', envelopeTo: ['vmt@example.org'] });
      const result = await processInboundMessage(t.ctx, id, mailIntake);
      const row = await t.ctx.storage.db.selectFrom('inbound_messages').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
      expect(Buffer.from(row.raw).equals(Buffer.from(raw))).toBe(true);
      expect(row.reason_code, row.reason ?? '').not.toBe('internal_error');
      const after = await counts();
      if (result.status === 'quarantined') expect(after).toEqual(before);
      else expect(result.status).toBe('processed');
      const names = await t.ctx.storage.db.selectFrom('report_attachments').select('filename').execute();
      for (const { filename } of names) assertPlainName(filename);
    },
  };

  // The name an attacker gives an attachment: a quoted parameter, RFC 2231 (any byte, percent-encoded),
  // RFC 2047 encoded words, or the file name inside an encrypted attachment's literal data packet
  // (RFC 4880 §5.9), which the mail code uses when the outer name is just `x.pgp`.
  type NamedAttachment = { name: string; how: 'quoted' | 'rfc2231' | 'rfc2047' | 'literal' };
  async function mailWithAttachment({ name, how }: NamedAttachment): Promise<Buffer> {
    const b = 'fuzzatt';
    let disposition: string;
    let body = Buffer.from('print(1)\n').toString('base64');
    if (how === 'quoted') disposition = `attachment; filename="${name.replace(/["\\\r\n]/g, (c) => `\\${c}`)}"`;
    else if (how === 'rfc2231') disposition = `attachment; filename*=UTF-8''${Buffer.from(name, 'utf8').toString('hex').replace(/../g, '%$&')}`;
    else if (how === 'rfc2047') disposition = `attachment; filename="=?UTF-8?B?${Buffer.from(name, 'utf8').toString('base64')}?="`;
    else {
      const team = await readKey({ armoredKey: (await currentTeamKey(t.ctx.storage.db))!.public_key });
      const message = await createMessage({ binary: new TextEncoder().encode('print(1)\n'), filename: name });
      body = Buffer.from((await encrypt({ message, encryptionKeys: team, format: 'binary' })) as Uint8Array).toString('base64');
      disposition = 'attachment; filename="poc.py.pgp"';
    }
    return Buffer.from(
      `From: Ada <ada@example.net>\r\nTo: vmt@example.org\r\nSubject: [nova] overflow\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="${b}"\r\n\r\n` +
        `--${b}\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nnova-api crashes.\r\n` +
        `--${b}\r\nContent-Type: application/octet-stream\r\nContent-Disposition: ${disposition}\r\nContent-Transfer-Encoding: base64\r\n\r\n${body}\r\n--${b}--\r\n`,
      'utf8',
    );
  }

  const namesTarget: FuzzTarget<NamedAttachment> = {
    name: 'mail-attachment-names',
    testFile: import.meta.url,
    arbitrary: fc.record({ name: fc.oneof(fc.constantFrom(...hostileNames), fc.string({ unit: 'binary', maxLength: 30 })), how: fc.constantFrom('quoted', 'rfc2231', 'rfc2047', 'literal') }),
    runs: 60,
    longShare: 0.02,
    check: async (input) => {
      await ingestTarget.check(new Uint8Array(await mailWithAttachment(input)));
    },
  };

  for (const target of [ingestTarget, namesTarget] as FuzzTarget<never>[]) {
    it(`${target.name}: committed regression inputs still pass`, async () => {
      await replayRegressions(target);
    });
    it(`${target.name}: generated inputs keep the invariants`, async () => {
      expect((await runFuzz(target)).runs).toBeGreaterThan(0);
    });
  }
  it('a mail with a plainly named attachment files a report that keeps the attachment', async () => {
    const before = await counts();
    const id = await storeInboundMessage(t.system, { raw: await mailWithAttachment({ name: 'poc.py', how: 'literal' }), via: 'pipe', envelopeTo: ['vmt@example.org'] });
    const result = await processInboundMessage(t.ctx, id, mailIntake);
    expect(result.status, result.reason).toBe('processed');
    expect((await counts()).attachments).toBe((before.attachments ?? 0) + 1);
  });
});
