// Reading keys from user input: armored text or binary packets. Every failure becomes a PgpError
// (RFC 4880 §11.1 transferable keys; several keys may be concatenated in a keyring).
import { readKeys } from 'openpgp';
import type { Key, PrivateKey } from 'openpgp';
import { gnupgCompatibleConfig } from './config.js';
import { PgpError, packetParseError } from './errors.js';

export type KeyInput = string | Uint8Array;

const armorBeginPattern = /-----BEGIN PGP ([A-Z ,/0-9]+)-----/g;

/** Armored text when the input is (or looks like) ASCII armor, otherwise null for binary. */
function armoredText(input: KeyInput): string | null {
  if (typeof input === 'string') return input;
  const head = Buffer.from(input.subarray(0, 2048)).toString('latin1');
  return head.includes('-----BEGIN PGP') ? Buffer.from(input).toString('utf8') : null;
}

/** Splits concatenated armored blocks, e.g. a keyring file exported key by key. */
function armoredBlocks(text: string): { type: string; block: string }[] {
  const blocks: { type: string; block: string }[] = [];
  for (const match of text.matchAll(armorBeginPattern)) {
    const type = match[1] ?? '';
    const endMarker = `-----END PGP ${type}-----`;
    const start = match.index;
    const end = text.indexOf(endMarker, start);
    // A block without its END line is kept whole so the parser reports it as truncated.
    blocks.push({ type, block: end < 0 ? text.slice(start) : text.slice(start, end + endMarker.length) });
  }
  return blocks;
}

/** Reads every key in the input (a keyring). Throws a PgpError on anything that is not keys. */
export async function readKeyring(input: KeyInput, field = 'key'): Promise<Key[]> {
  if (input.length === 0) throw new PgpError('no_key', field, 'No key was given.');
  const text = armoredText(input);
  if (text === null) {
    try {
      return await readKeys({ binaryKeys: input as Uint8Array, config: gnupgCompatibleConfig });
    } catch (error) {
      throw packetParseError(error, field, 'key');
    }
  }
  const blocks = armoredBlocks(text);
  if (blocks.length === 0) {
    throw new PgpError(
      'not_armored',
      field,
      'This is not an ASCII-armored OpenPGP key. Paste the block that starts with -----BEGIN PGP PUBLIC KEY BLOCK-----.',
    );
  }
  const keys: Key[] = [];
  for (const { type, block } of blocks) {
    if (type !== 'PUBLIC KEY BLOCK' && type !== 'PRIVATE KEY BLOCK') {
      throw new PgpError('not_a_key', field, `Expected an OpenPGP key but found a PGP ${type.toLowerCase()}.`);
    }
    try {
      keys.push(...(await readKeys({ armoredKeys: block, config: gnupgCompatibleConfig })));
    } catch (error) {
      throw packetParseError(error, field, 'key');
    }
  }
  return keys;
}

/** Reads exactly one key; several keys where one is expected is refused rather than guessed. */
export async function readSingleKey(input: KeyInput, field = 'key'): Promise<Key> {
  const keys = await readKeyring(input, field);
  const [first] = keys;
  if (!first) throw new PgpError('no_key', field, 'The input holds no OpenPGP key.');
  if (keys.length > 1) {
    const list = keys.map((key) => key.getFingerprint().toUpperCase()).join(', ');
    throw new PgpError('multiple_keys', field, `Expected one key but found ${keys.length} (${list}). Give one key at a time.`);
  }
  return first;
}

/** Reads exactly one secret key. */
export async function readSingleSecretKey(input: KeyInput, field = 'key'): Promise<PrivateKey> {
  const key = await readSingleKey(input, field);
  if (!key.isPrivate()) {
    throw new PgpError('secret_key_required', field, 'Expected a secret (private) key but this is a public key.');
  }
  return key;
}
