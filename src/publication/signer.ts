// Signing published files with the team key: every file of the public site gets a detached armored
// signature (`.asc`, CSAF 2.0 §7.1.18) made over its exact bytes. The key itself belongs to the keys
// work (table `team_keys`, secret key protected by PGP_PASSPHRASE); publication only needs this small
// interface, so tests and other key sources can hand in their own signer.
import type { PrivateKey } from 'openpgp';
import type { AppContext } from '../context.js';
import type { Db } from '../storage/database.js';
import { detachedSignature } from '../pgp/sign.js';
import { unlockSecretKey } from '../pgp/team-key.js';
import { currentTeamKey } from '../keys/team-keys.js';

export interface TeamSigner {
  /** An armored detached signature over exactly these bytes. */
  sign(data: Uint8Array): Promise<string>;
  /** Hex fingerprint of the signing key (listed in the CSAF provider metadata). */
  readonly fingerprint?: string;
  /** The armored public key, published beside the CSAF provider metadata (`.well-known/csaf/openpgp/`). */
  readonly publicKeyArmored?: string;
}

/** A signer from an unlocked OpenPGP key. */
export function signerFromKey(key: PrivateKey): TeamSigner {
  return {
    sign: (data) => detachedSignature(data, key),
    fingerprint: key.getFingerprint().toUpperCase(),
    publicKeyArmored: key.toPublic().armor(),
  };
}

/** A signer from a stored, passphrase-protected armored secret key. */
export async function signerFromArmoredKey(secretKeyArmored: string, passphrase: string): Promise<TeamSigner> {
  return signerFromKey(await unlockSecretKey(secretKeyArmored, passphrase));
}

export interface SignerLookup {
  signer: TeamSigner | null;
  /** Why there is no signer (shown to whoever publishes), or which key signs. */
  note: string;
}

export interface TeamPublicKey {
  fingerprint: string;
  publicKeyArmored: string;
}

async function currentTeamKeyRow(db: Db): Promise<{ fingerprint: string; public_key: string; secret_key: string } | null | 'no-table'> {
  try {
    return (await currentTeamKey(db)) ?? null;
  } catch {
    // The keys work may not have created its table in this database yet. (Call this outside a
    // transaction: on PostgreSQL a failed statement aborts the transaction around it.)
    return 'no-table';
  }
}

/** The current team key's public part, without unlocking anything; null when there is none. */
export async function teamPublicKey(db: Db): Promise<TeamPublicKey | null> {
  const row = await currentTeamKeyRow(db);
  return row && row !== 'no-table' ? { fingerprint: row.fingerprint.toUpperCase(), publicKeyArmored: row.public_key } : null;
}

/**
 * The team signer: the current key of `team_keys` unlocked with PGP_PASSPHRASE. Without a key or
 * passphrase, files are published unsigned and the note says why (never a crash).
 */
export async function loadTeamSigner(ctx: AppContext): Promise<SignerLookup> {
  const row = await currentTeamKeyRow(ctx.storage.db);
  if (row === 'no-table' || row === null) return { signer: null, note: 'No team key is set up yet, so the published files are not signed (.asc files are skipped). Set up the team key (Admin → Team key, /admin/keys, or `cordon keys init`), then publish again.' };
  if (!ctx.config.pgpPassphrase) return { signer: null, note: 'PGP_PASSPHRASE is not set, so the team key cannot be unlocked and the published files are not signed.' };
  try {
    const signer = await signerFromArmoredKey(row.secret_key, ctx.config.pgpPassphrase);
    return { signer, note: `Signed with the team key ${row.fingerprint.toUpperCase()}.` };
  } catch (error) {
    return { signer: null, note: `The team key could not be unlocked (${error instanceof Error ? error.message : String(error)}); the published files are not signed.` };
  }
}
