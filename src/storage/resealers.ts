// Sealed columns re-sealed by `cordon secrets rotate` (accounts/secrets-at-rest.ts) that belong to domains
// above accounts (the webhook secrets): each owner re-seals its own rows, and composition (open-context.ts)
// registers it here, so the rotation needs no import of those domains.
import type { Db, Storage } from './database.js';

/** Re-seal every value not sealed under the current key, in the rotation's transaction; returns how many. */
export type Resealer = (storage: Storage, trx: Db) => Promise<number>;

const resealers = new Map<string, Resealer>();

/** Register (or replace) the re-sealer of one sealed column. */
export function registerResealer(name: string, reseal: Resealer): void {
  resealers.set(name, reseal);
}

/** Run every registered re-sealer. */
export async function resealRegistered(storage: Storage, trx: Db): Promise<number> {
  let n = 0;
  for (const reseal of resealers.values()) n += await reseal(storage, trx);
  return n;
}
