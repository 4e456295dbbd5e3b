// Per-instance random keys (cookie signing, CSRF HMAC, reply-address tokens) generated on first start and
// kept in the database, so every app node shares them and no operator has to invent one. They are sealed
// with the instance key (sealing.ts): a database dump alone does not let anyone forge cookies or tokens.
import { randomBytes } from 'node:crypto';
import type { Db, Storage } from './database.js';
import { Sealer, SecretsKeyError } from './sealing.js';

const purpose = (name: string) => `instance_secrets.${name}`;
const KEY_CHECK = 'secrets_key_check';
const KEY_CHECK_TEXT = 'cordon instance key check';

export async function instanceSecret(storage: Storage, name: string): Promise<string> {
  const existing = await storage.db.selectFrom('instance_secrets').select('value').where('name', '=', name).executeTakeFirst();
  if (existing) return storage.secrets.open(purpose(name), existing.value);
  await storage.db
    .insertInto('instance_secrets')
    .values({ name, value: storage.secrets.seal(purpose(name), randomBytes(32).toString('base64url')), created_at: new Date().toISOString() })
    .onConflict((oc) => oc.column('name').doNothing())
    .execute();
  const row = await storage.db.selectFrom('instance_secrets').select('value').where('name', '=', name).executeTakeFirstOrThrow();
  return storage.secrets.open(purpose(name), row.value);
}

/**
 * At start: prove this node's instance key is the one the database's secrets were sealed with (the first
 * node to start records a sealed check value), so a node with another key stops at once with a fix-it
 * message instead of failing sign-ins later. Then seal instance secrets still stored in clear.
 */
export async function checkInstanceKey(storage: Storage): Promise<void> {
  const check = await instanceSecretRow(storage, KEY_CHECK);
  if (!check) {
    await storage.db
      .insertInto('instance_secrets')
      .values({ name: KEY_CHECK, value: storage.secrets.seal(purpose(KEY_CHECK), KEY_CHECK_TEXT), created_at: new Date().toISOString() })
      .onConflict((oc) => oc.column('name').doNothing())
      .execute();
  }
  const value = (await instanceSecretRow(storage, KEY_CHECK))!;
  if (storage.secrets.open(purpose(KEY_CHECK), value) !== KEY_CHECK_TEXT) throw new SecretsKeyError('The instance key check value is wrong.');
  const clear = await storage.db.selectFrom('instance_secrets').select(['name', 'value']).where('value', 'not like', 'sealed:%').execute();
  for (const row of clear) {
    await storage.db
      .updateTable('instance_secrets')
      .set({ value: storage.secrets.seal(purpose(row.name), row.value) })
      .where('name', '=', row.name)
      .where('value', '=', row.value)
      .execute();
  }
}

async function instanceSecretRow(storage: Storage, name: string): Promise<string | undefined> {
  return (await storage.db.selectFrom('instance_secrets').select('value').where('name', '=', name).executeTakeFirst())?.value;
}

/** Re-seal every instance secret not sealed under the current key (a rotation); returns how many. */
export async function resealInstanceSecrets(storage: Storage, db: Db = storage.db): Promise<number> {
  const current = storage.secrets.currentKeyId;
  const rows = await db.selectFrom('instance_secrets').select(['name', 'value']).execute();
  let n = 0;
  for (const row of rows) {
    if (Sealer.isSealed(row.value) && row.value.startsWith(`sealed:v1:${current}:`)) continue;
    const clear = storage.secrets.open(purpose(row.name), row.value);
    await db.updateTable('instance_secrets').set({ value: storage.secrets.seal(purpose(row.name), clear) }).where('name', '=', row.name).execute();
    n += 1;
  }
  return n;
}
