// Per-instance random keys (cookie signing, CSRF HMAC) generated on first start and kept in the database,
// so every app node shares them and no operator has to invent one.
import { randomBytes } from 'node:crypto';
import type { Storage } from './database.js';

export async function instanceSecret(storage: Storage, name: string): Promise<string> {
  const existing = await storage.db.selectFrom('instance_secrets').select('value').where('name', '=', name).executeTakeFirst();
  if (existing) return existing.value;
  await storage.db
    .insertInto('instance_secrets')
    .values({ name, value: randomBytes(32).toString('base64url'), created_at: new Date().toISOString() })
    .onConflict((oc) => oc.column('name').doNothing())
    .execute();
  const row = await storage.db.selectFrom('instance_secrets').select('value').where('name', '=', name).executeTakeFirstOrThrow();
  return row.value;
}
