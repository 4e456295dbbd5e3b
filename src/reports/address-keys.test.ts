// "Which public keys belong to this mail address", answered once for the outbox and for incoming mail:
// keys on file (the account's, then stakeholder contacts') apart from keys given with reports, which
// prove nothing about who holds the address (issue 13, finding 9).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProject } from '../projects/projects.js';
import { TempGnupg } from '../pgp/testing/gnupg.js';
import { createTestApp, makeUser, type TestApp } from '../testing/harness.js';
import { testDialects } from '../testing/databases.js';
import { setUserKey } from '../keys/public-keys.js';
import { addContact, createOrg } from '../stakeholders/stakeholders.js';
import { keysOfAddress } from './address-keys.js';
import { receiveReport } from './intake.js';

const ANA = 'ana@example.org';

describe.each(testDialects())('the keys of an address on %s', (dialect) => {
  let t: TestApp;
  let gpg: TempGnupg;
  const armored: Record<string, string> = {};
  const refs: Record<string, string> = {};

  beforeAll(async () => {
    t = await createTestApp(dialect);
    gpg = new TempGnupg();
    const generated = new Map<string, string>();
    for (const [name, email] of [['account', ANA], ['contact', ANA], ['older', ANA], ['newer', ANA], ['other', 'someone-else@example.org']] as const) {
      generated.set(name, gpg.exportPublic(gpg.generateKey({ uid: `${name} <${email}>`, algo: 'ed25519', encryptionAlgo: 'cv25519' })).toString('utf8'));
    }
    // After the keys exist: a key signed after the app's "now" is refused.
    t.clock.set(new Date());
    const key = (name: string) => generated.get(name)!;
    const ana = await makeUser(t, { username: 'ana', totp: false });
    await setUserKey(t.system, ana.user.id, key('account'));
    const org = await createOrg(t.system, { name: 'Distro' });
    await addContact(t.system, org, { kind: 'person', name: 'Ana at Distro', email: ANA, wantsEncryption: true, pgpPublicKey: key('contact') });
    await createProject(t.system, { slug: 'nova', name: 'Nova', branches: ['master'] });
    for (const [name, email] of [['older', ANA], ['newer', ANA], ['other', 'someone-else@example.org']] as const) {
      const { report } = await receiveReport(t.system, { title: `A report (${name}) with a key`, description: 'Steps to reproduce: the key given with this report is kept.', projects: ['nova'], email, pgpKey: key(name) }, [], 'web');
      refs[name] = report.ref;
    }
    const db = t.ctx.storage.db;
    armored.account = (await db.selectFrom('user_pgp_keys').select('public_key').where('user_id', '=', ana.user.id).executeTakeFirstOrThrow()).public_key;
    armored.contact = (await db.selectFrom('stakeholder_contacts').select('pgp_public_key').where('email', '=', ANA).executeTakeFirstOrThrow()).pgp_public_key!;
    for (const name of ['older', 'newer', 'other']) armored[name] = (await db.selectFrom('reports').select('reporter_pgp_key').where('ref', '=', refs[name]!).executeTakeFirstOrThrow()).reporter_pgp_key!;
  });
  afterAll(async () => {
    gpg.cleanup();
    await t.close();
  });

  it('keys on file: the account’s, then the stakeholder contacts’, and no key given with a report', async () => {
    expect(await keysOfAddress(t.ctx.storage.db, ANA, { onFile: true })).toEqual([
      { armored: armored.account, source: 'account' },
      { armored: armored.contact, source: 'stakeholder contact' },
    ]);
  });

  it('keys given with the latest reports under the address, newest first and at most as many as asked', async () => {
    const db = t.ctx.storage.db;
    expect(await keysOfAddress(db, ANA, { onFile: false, given: { latest: 20 } })).toEqual([
      { armored: armored.newer, source: 'report' },
      { armored: armored.older, source: 'report' },
    ]);
    expect(await keysOfAddress(db, ANA, { onFile: false, given: { latest: 1 } })).toEqual([{ armored: armored.newer, source: 'report' }]);
  });

  it('the key given with one named report only when its reporter used this address', async () => {
    const db = t.ctx.storage.db;
    expect((await keysOfAddress(db, ANA, { onFile: true, given: { reportRef: refs.older! } })).map((k) => k.source)).toEqual(['account', 'stakeholder contact', 'report']);
    expect((await keysOfAddress(db, ANA, { onFile: true, given: { reportRef: refs.older! } }))[2]!.armored).toBe(armored.older);
    expect(await keysOfAddress(db, ANA, { onFile: false, given: { reportRef: refs.other! } })).toEqual([]);
    expect(await keysOfAddress(db, 'nobody@example.org', { onFile: true, given: { latest: 20 } })).toEqual([]);
  });
});
