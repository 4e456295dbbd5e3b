// `cordon mail ingest` as an MTA runs it: the compiled CLI in a child process, the message on stdin.
// Mail encrypted and signed by gpg (PGP/MIME built here, and inline armor) becomes a private report in
// the VMT queue with its signature status recorded; anything else is stored and quarantined.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { buildUserActor } from '../access/load-actor.js';
import type { UserActor } from '../access/actor.js';
import { createProject } from '../projects/projects.js';
import { listReports } from '../reports/store.js';
import { TempGnupg } from '../pgp/testing/gnupg.js';
import { childEnv, testDialects } from '../testing/databases.js';
import { repoPath } from '../testing/fixture-files.js';
import { createTestApp, makeUser, type TestApp } from '../testing/harness.js';
import { currentTeamKey, generateAndStoreTeamKey } from '../keys/team-keys.js';
import { gpgEncrypt, inlineMessage, innerEntity, pgpMimeMessage } from './testing/mail.js';

const PASSPHRASE = 'ingest cli passphrase';
const ENV = { PGP_PASSPHRASE: PASSPHRASE, TEAM_EMAIL: 'security@example.org', MAIL_FROM: 'Example VMT <security@example.org>' };

describe.each(testDialects())('cordon mail ingest on %s', (dialect) => {
  let t: TestApp;
  let gpg: TempGnupg;
  let vmt: UserActor;
  let teamFpr: string;
  let ritaFpr: string;

  function ingest(input: Buffer, env: Record<string, string> = ENV, args: string[] = []) {
    const r = spawnSync(process.execPath, [repoPath('bin', 'cordon.js'), 'mail', 'ingest', ...args], { env: childEnv(t.db, env), input, cwd: repoPath(), encoding: 'utf8' });
    return { code: r.status, out: r.stdout, err: r.stderr };
  }
  const lastRow = () => t.ctx.storage.db.selectFrom('inbound_messages').selectAll().orderBy('id', 'desc').executeTakeFirstOrThrow();
  const queue = async () => (await listReports(t.ctx.storage.db, t.ctx.storage.dialect, vmt)).items.map((r) => r.ref);

  beforeAll(async () => {
    t = await createTestApp(dialect);
    t.clock.set(new Date());
    await createProject(t.system, { slug: 'nova', name: 'Nova', branches: ['master'] });
    const user = await makeUser(t, { username: 'vmt', roles: ['vmt'] });
    vmt = await buildUserActor(t.ctx.storage.db, t.ctx.config, user.user, { kind: 'session', mfaPassed: true });
    const scope = { ...t.system, app: { ...t.ctx, config: { ...t.ctx.config, pgpPassphrase: PASSPHRASE, teamEmail: 'security@example.org' } } };
    ({ fingerprint: teamFpr } = await generateAndStoreTeamKey(scope, { name: 'Example VMT' }));
    gpg = new TempGnupg();
    gpg.importKey((await currentTeamKey(t.ctx.storage.db))!.public_key);
    ritaFpr = gpg.generateKey({ uid: 'Rita Reporter <rita@example.net>', algo: 'ed25519', encryptionAlgo: 'cv25519' });
  });
  afterAll(async () => {
    gpg.cleanup();
    await t.close();
  });

  it('turns a gpg PGP/MIME mail (encrypted, signed, key attached) into a private report in the VMT queue', async () => {
    const inner = innerEntity('Nova leaks tokens.', [{ filename: 'rita.asc', contentType: 'application/pgp-keys', content: gpg.exportPublic(ritaFpr).toString('utf8') }]);
    const raw = pgpMimeMessage({ from: 'Rita <rita@example.net>', to: 'security@example.org', subject: '[nova] Token leak' }, gpgEncrypt(gpg, inner, teamFpr, ritaFpr));
    const r = ingest(raw, ENV, ['--recipient', 'security@example.org']);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const ref = /processed \(report (R-[A-Z2-9]{8})\)/.exec(r.out)?.[1];
    expect(ref).toBeDefined();
    expect(await queue()).toContain(ref);
    expect(await lastRow()).toMatchObject({ via: 'pipe', status: 'processed', encryption: 'pgp-mime', signature_status: 'valid', signer_fingerprint: ritaFpr, envelope_to: '["security@example.org"]' });
  });

  it('turns an inline-armored gpg mail into a report; the signature verifies with the key the sender gave before', async () => {
    const raw = inlineMessage({ from: 'rita@example.net', to: 'security@example.org', subject: '[nova] Second flaw' }, gpgEncrypt(gpg, 'Another flaw in Nova.\n', teamFpr, ritaFpr));
    const r = ingest(raw);
    expect(r.code).toBe(0);
    const ref = /processed \(report (R-[A-Z2-9]{8})\)/.exec(r.out)?.[1];
    expect(await queue()).toContain(ref);
    expect(await lastRow()).toMatchObject({ encryption: 'inline', signature_status: 'valid', signer_fingerprint: ritaFpr });
  });

  it('stores and quarantines what it cannot process, exiting 0 so the MTA does not bounce it', async () => {
    const garbage = ingest(Buffer.from('this is not a mail\r\n\r\n-----BEGIN PGP MESSAGE-----\r\nxx\r\n-----END PGP MESSAGE-----\r\n'));
    expect(garbage.code).toBe(0);
    expect(garbage.out).toMatch(/stored as inbound message #\d+: quarantined: /);
    expect((await lastRow()).status).toBe('quarantined');
    // Without PGP_PASSPHRASE the team key stays locked: the encrypted mail waits in the quarantine.
    const locked = ingest(pgpMimeMessage({ from: 'rita@example.net', to: 'security@example.org', subject: '[nova] x' }, gpgEncrypt(gpg, innerEntity('x'), teamFpr)), { TEAM_EMAIL: 'security@example.org', PGP_PASSPHRASE: '' });
    expect(locked.code).toBe(0);
    expect(await lastRow()).toMatchObject({ status: 'quarantined', reason_code: 'team_key_locked' });
    expect((await lastRow()).reason).toContain('PGP_PASSPHRASE');
  });

  it('refuses empty input with EX_DATAERR', () => {
    const r = ingest(Buffer.alloc(0));
    expect(r.code).toBe(65);
    expect(r.err).toContain('standard input is empty');
  });
});
