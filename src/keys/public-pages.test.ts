// The public contact page, how-to-report page, key files and security.txt (RFC 9116), the last one parsed
// by the RFC's field rules and its clear signature checked with gpg --verify.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TempGnupg } from '../pgp/testing/gnupg.js';
import { createTestApp, makeUser, TestClient, type TestApp } from '../testing/harness.js';
import { testDialects } from '../testing/databases.js';
import { formatFingerprint, setUserKey } from './public-keys.js';
import { generateAndStoreTeamKey } from './team-keys.js';

const BASE = 'https://security.example.org';

/** RFC 9116 §2.3–§2.5 and §4: strips a cleartext signature (§2.3), then checks each line's form. */
function parseSecurityTxt(text: string): [string, string][] {
  let body = text;
  if (text.startsWith('-----BEGIN PGP SIGNED MESSAGE-----\n')) {
    const start = text.indexOf('\n\n') + 2;
    const end = text.indexOf('\n-----BEGIN PGP SIGNATURE-----');
    expect(start).toBeGreaterThan(2);
    expect(end).toBeGreaterThan(start);
    // RFC 4880 §7.1 dash-escaping.
    body = text.slice(start, end).split('\n').map((line) => (line.startsWith('- ') ? line.slice(2) : line)).join('\n');
  }
  const fields: [string, string][] = [];
  for (const line of body.split(/\r?\n/)) {
    if (line === '' || line.startsWith('#')) continue;
    const match = /^([A-Za-z0-9-]+): ([^\r\n]+)$/.exec(line);
    expect(match, `not a field line: ${line}`).not.toBeNull();
    fields.push([match![1]!.toLowerCase(), match![2]!]);
  }
  return fields;
}

function checkRfc9116(fields: [string, string][], now: Date): Record<string, string[]> {
  const known = ['acknowledgments', 'canonical', 'contact', 'encryption', 'expires', 'hiring', 'policy', 'preferred-languages'];
  const byName: Record<string, string[]> = {};
  for (const [name, value] of fields) {
    expect(known, name).toContain(name);
    (byName[name] ??= []).push(value);
  }
  // §2.5.3 Contact: required; mailto:, tel: or https:// URIs.
  expect(byName.contact?.length).toBeGreaterThanOrEqual(1);
  for (const c of byName.contact ?? []) expect(c).toMatch(/^(mailto:[^\s@]+@[^\s@]+|tel:.+|https:\/\/\S+)$/);
  // §2.5.5 Expires: exactly once, an RFC 3339 date-time, recommended less than a year ahead.
  expect(byName.expires).toHaveLength(1);
  const expires = byName.expires![0]!;
  expect(expires).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/);
  const ms = Date.parse(expires) - now.getTime();
  expect(ms).toBeGreaterThan(360 * 86_400_000);
  expect(ms).toBeLessThanOrEqual(366 * 86_400_000);
  // §2.5.8 Preferred-Languages: at most once; §2.5.2/.4/.7 URIs are https.
  expect((byName['preferred-languages'] ?? []).length).toBeLessThanOrEqual(1);
  for (const name of ['canonical', 'encryption', 'policy']) for (const uri of byName[name] ?? []) expect(uri).toMatch(/^https:\/\//);
  return byName;
}

describe.each(testDialects())('contact pages and security.txt on %s', (dialect) => {
  let t: TestApp;
  let gpg: TempGnupg;
  const anon = () => new TestClient(t);

  beforeAll(async () => {
    t = await createTestApp(dialect, { pgpPassphrase: 'public pages passphrase', teamEmail: 'security@example.org', publicUrl: BASE, ackBusinessDays: 4 });
    gpg = new TempGnupg();
    t.clock.set(new Date());
  });
  afterAll(async () => {
    gpg.cleanup();
    await t.close();
  });

  it('before a team key exists: the address, no key, and an unsigned security.txt without Encryption', async () => {
    const contact = await anon().get('/contact');
    expect(contact.statusCode).toBe(200);
    expect(contact.body).toContain('mailto:security@example.org');
    expect(contact.body).toContain('The team has no OpenPGP key yet.');
    expect((await anon().get('/keys/team.asc')).statusCode).toBe(404);
    const txt = await anon().get('/.well-known/security.txt');
    expect(txt.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(txt.body.startsWith('-----BEGIN PGP SIGNED MESSAGE-----')).toBe(false);
    const fields = checkRfc9116(parseSecurityTxt(txt.body), t.clock.now());
    expect(fields.encryption).toBeUndefined();
    // Issue 15 "report from anywhere": the mail address first, then the web form; the policy is the how-to page.
    expect(fields.contact).toEqual(['mailto:security@example.org', `${BASE}/report`]);
    expect(fields.policy).toEqual([`${BASE}/how-to-report`]);
  });

  it('shows the team key’s fingerprint and serves the key; security.txt is clear-signed and gpg --verify accepts it', async () => {
    const { fingerprint } = await generateAndStoreTeamKey(t.system, { name: 'Example VMT' });
    const contact = await anon().get('/contact');
    expect(contact.body).toContain(formatFingerprint(fingerprint));
    const key = await anon().get('/keys/team.asc');
    expect(key.statusCode).toBe(200);
    expect(key.headers['content-type']).toBe('application/pgp-keys; charset=utf-8');
    gpg.importKey(key.body);
    expect(gpg.fingerprintOf('security@example.org')).toBe(fingerprint);

    const txt = await anon().get('/.well-known/security.txt');
    expect(txt.body.startsWith('-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA')).toBe(true);
    const verified = gpg.run(['--verify'], txt.body);
    expect(verified.status).toBe(0);
    expect(verified.stderr).toMatch(/Good signature from "Example VMT <security@example.org>"/);
    const fields = checkRfc9116(parseSecurityTxt(txt.body), t.clock.now());
    expect(fields.contact).toEqual(['mailto:security@example.org', `${BASE}/report`]);
    expect(fields.encryption).toEqual([`${BASE}/keys/team.asc`]);
    expect(fields.policy).toEqual([`${BASE}/how-to-report`]);
    expect(fields['preferred-languages']).toEqual(['en']);
    expect(fields.canonical).toEqual([`${BASE}/.well-known/security.txt`]);
    // A tampered copy fails.
    expect(gpg.run(['--verify'], txt.body.replace('Preferred-Languages: en', 'Preferred-Languages: fr')).stderr).toMatch(/BAD signature/);
  });

  it('recomputes Expires as time passes', async () => {
    t.clock.advance(40 * 86_400_000);
    const fields = checkRfc9116(parseSecurityTxt((await anon().get('/.well-known/security.txt')).body), t.clock.now());
    expect(Date.parse(fields.expires![0]!)).toBeGreaterThan(Date.now() + 390 * 86_400_000);
    t.clock.set(new Date());
  });

  it('lists VMT members with their keys, and publishes only their keys', async () => {
    const keyed = gpg.generateKey({ uid: 'Vera VMT <vera@example.org>', algo: 'ed25519', encryptionAlgo: 'cv25519' });
    const other = gpg.generateKey({ uid: 'Nick Notvmt <nick@example.org>', algo: 'ed25519', encryptionAlgo: 'cv25519' });
    t.clock.set(new Date());
    const vera = await makeUser(t, { username: 'vera', roles: ['vmt'] });
    await makeUser(t, { username: 'victor', roles: ['vmt'] });
    const nick = await makeUser(t, { username: 'nick', totp: false });
    await setUserKey(t.system, vera.user.id, gpg.exportPublic(keyed).toString('utf8'));
    await setUserKey(t.system, nick.user.id, gpg.exportPublic(other).toString('utf8'));
    const contact = (await anon().get('/contact')).body;
    expect(contact).toContain('User vera');
    expect(contact).toContain(formatFingerprint(keyed));
    expect(contact).toContain(`/keys/${keyed}.asc`);
    expect(contact).toMatch(/User victor<\/strong><span class="muted"> — no public key on file/);
    expect(contact).not.toContain('User nick');
    expect(contact).not.toContain('vera@example.org');
    const veraKey = await anon().get(`/keys/${keyed}.asc`);
    expect(veraKey.statusCode).toBe(200);
    expect(veraKey.body).toContain('BEGIN PGP PUBLIC KEY BLOCK');
    expect((await anon().get(`/keys/${other}.asc`)).statusCode).toBe(404);
    expect((await anon().get('/keys/nonsense.asc')).statusCode).toBe(404);
  });

  it('explains how to report and what happens next', async () => {
    const page = (await anon().get('/how-to-report')).body;
    expect(page).toContain('href="/report"');
    expect(page).toContain('mailto:security@example.org');
    expect(page).toContain('href="/keys/team.asc"');
    expect(page).toContain('acknowledges your report within 4 business days');
    expect(page).toContain('at most 90 days');
  });
});
