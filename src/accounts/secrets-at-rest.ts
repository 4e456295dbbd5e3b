// TOTP seeds at rest, and the start-up and rotation steps for every sealed secret (src/storage/sealing.ts).
import { change, type Scope } from '../context.js';
import type { Db, Storage } from '../storage/database.js';
import { checkInstanceKey, resealInstanceSecrets } from '../storage/instance-secrets.js';
import { Sealer } from '../storage/sealing.js';
import { resealRegistered } from '../storage/resealers.js';

const TOTP_PURPOSE = 'users.totp_secret';

export function sealTotpSecret(storage: Storage, secret: string): string {
  return storage.secrets.seal(TOTP_PURPOSE, secret);
}

export function openTotpSecret(storage: Storage, stored: string): string {
  return storage.secrets.open(TOTP_PURPOSE, stored);
}

/**
 * Run at every start (serve, worker, CLI): check the instance key against the database, then seal any
 * secret still stored in clear — rows written before sealing existed (migration 0010 cannot do it: the
 * key is not in the database, by design). Idempotent; each row is sealed in place with a guarded update.
 */
export async function prepareSecrets(storage: Storage): Promise<{ sealed: number }> {
  await checkInstanceKey(storage);
  const clear = await storage.db.selectFrom('users').select(['id', 'totp_secret']).where('totp_secret', 'is not', null).where('totp_secret', 'not like', 'sealed:%').execute();
  for (const row of clear) {
    await storage.db
      .updateTable('users')
      .set({ totp_secret: sealTotpSecret(storage, row.totp_secret!) })
      .where('id', '=', row.id)
      .where('totp_secret', '=', row.totp_secret)
      .execute();
  }
  return { sealed: clear.length };
}

async function resealTotpSecrets(storage: Storage, trx: Db): Promise<number> {
  const current = storage.secrets.currentKeyId;
  const rows = await trx.selectFrom('users').select(['id', 'totp_secret']).where('totp_secret', 'is not', null).execute();
  let n = 0;
  for (const row of rows) {
    if (Sealer.isSealed(row.totp_secret!) && row.totp_secret!.startsWith(`sealed:v1:${current}:`)) continue;
    const clear = openTotpSecret(storage, row.totp_secret!);
    await trx.updateTable('users').set({ totp_secret: sealTotpSecret(storage, clear) }).where('id', '=', row.id).execute();
    n += 1;
  }
  return n;
}

/**
 * `cordon secrets rotate`: with the key file, a fresh key is put first (the old ones still open values),
 * everything is re-sealed under it in one transaction, and then the old keys leave the file. With
 * SECRETS_KEY the operator has already set the new key and given the old one in SECRETS_KEY_PREVIOUS.
 */
export async function rotateSecrets(scope: Scope): Promise<{ keyId: string; resealed: number }> {
  const { storage } = scope.app;
  if (storage.secrets.usesKeyFile) storage.secrets.addFileKey();
  const keyId = storage.secrets.currentKeyId;
  const resealed = await change(
    scope,
    async ({ trx, audit }) => {
      const n = (await resealInstanceSecrets(storage, trx)) + (await resealTotpSecrets(storage, trx)) + (await resealRegistered(storage, trx));
      await audit('secrets.rotated', 'instance', null, undefined, { key_id: keyId, resealed: n });
      return n;
    },
    { system: true },
  );
  storage.secrets.dropOldFileKeys();
  return { keyId, resealed };
}
