// Secrets at rest (issue 13): values the app must read back in clear — TOTP seeds, the instance's own
// signing keys — are sealed with AES-256-GCM under an instance key that is NOT in the database: SECRETS_KEY
// from the environment, or else DATA_DIR/secrets.key, a 0600 file made on first use. A database dump alone
// then holds no live TOTP seed and no signing key. Sealed values read `sealed:v1:<key id>:<iv|ct|tag>`;
// the key id lets `cordon secrets rotate` re-seal under a new key while the old one still opens the rest.
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, linkSync, mkdirSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseKey } from '../config/secrets-key.js';

const PREFIX = 'sealed:v1:';
export const KEY_FILE = 'secrets.key';

/** Where the instance key comes from. */
export interface KeySource {
  /** SECRETS_KEY (base64 of 32 bytes); unset: the key file in dataDir. */
  key?: string | undefined;
  /** SECRETS_KEY_PREVIOUS: older keys that still open values during a rotation. */
  previous?: string[] | undefined;
  dataDir: string;
}

/** A sealed value cannot be opened: no key with its id, or the wrong key/tampering. Says how to fix it. */
export class SecretsKeyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SecretsKeyError';
  }
}

export function keyId(key: Buffer): string {
  return createHash('sha256').update('cordon secrets key id\0').update(key).digest('hex').slice(0, 12);
}

export function newKeyText(): string {
  return randomBytes(32).toString('base64url');
}

export class Sealer {
  private keys: Buffer[] | undefined;
  /** The key file's mtime when read: another process (a rotation) may change it under us. */
  private loadedStamp = '';

  constructor(private readonly source: KeySource) {}

  get keyFile(): string {
    return path.join(this.source.dataDir, KEY_FILE);
  }

  get usesKeyFile(): boolean {
    return !this.source.key;
  }

  /** The keys, current first. Reads (and on first use creates) the key file when SECRETS_KEY is unset. */
  private ring(): Buffer[] {
    if (this.keys && this.usesKeyFile && fileStamp(this.keyFile) !== this.loadedStamp) this.keys = undefined;
    if (!this.keys) {
      this.keys = this.load();
      if (this.usesKeyFile) this.loadedStamp = fileStamp(this.keyFile);
    }
    return this.keys;
  }

  private load(): Buffer[] {
    const previous = (this.source.previous ?? []).map((k) => parseKey(k)).filter((k): k is Buffer => k !== null);
    if (this.source.key) {
      const key = parseKey(this.source.key);
      if (!key) throw new SecretsKeyError('SECRETS_KEY is not base64 of 32 bytes. Make one with `cordon secrets new-key`.');
      return [key, ...previous];
    }
    return [...readKeyFile(this.keyFile), ...previous];
  }

  /** Forget the loaded keys (after the key file changed, e.g. by a rotation on this host). */
  reload(): void {
    this.keys = undefined;
  }

  get currentKeyId(): string {
    return keyId(this.ring()[0]!);
  }

  get keyIds(): string[] {
    return this.ring().map(keyId);
  }

  static isSealed(value: string): boolean {
    return value.startsWith(PREFIX);
  }

  /** `purpose` (e.g. `users.totp_secret`) is bound in as associated data: a value opens only where it was sealed. */
  seal(purpose: string, value: string): string {
    const key = this.ring()[0]!;
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', key, iv);
    cipher.setAAD(Buffer.from(purpose));
    const body = Buffer.concat([iv, cipher.update(value, 'utf8'), cipher.final(), cipher.getAuthTag()]);
    return `${PREFIX}${keyId(key)}:${body.toString('base64url')}`;
  }

  /**
   * Open a sealed value. A value without the prefix is a clear one from before sealing existed: it is
   * returned as is (start-up seals such rows, see sealStoredSecrets).
   */
  open(purpose: string, stored: string): string {
    if (!Sealer.isSealed(stored)) return stored;
    const [kid, data] = stored.slice(PREFIX.length).split(':');
    let key = this.ring().find((k) => keyId(k) === kid);
    if (!key && this.usesKeyFile) {
      // Another process on this host may have rotated the key file since we read it.
      this.reload();
      key = this.ring().find((k) => keyId(k) === kid);
    }
    if (!key) {
      throw new SecretsKeyError(
        `A stored secret was sealed with instance key ${kid}, but this node has ${this.keyIds.join(', ')}. ` +
          `Every node must use the same key: set SECRETS_KEY to it (or copy ${KEY_FILE} from the DATA_DIR of the node that made it); during a rotation give the old key in SECRETS_KEY_PREVIOUS.`,
      );
    }
    const body = Buffer.from(data ?? '', 'base64url');
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, body.subarray(0, 12));
      decipher.setAAD(Buffer.from(purpose));
      decipher.setAuthTag(body.subarray(body.length - 16));
      return Buffer.concat([decipher.update(body.subarray(12, body.length - 16)), decipher.final()]).toString('utf8');
    } catch {
      throw new SecretsKeyError(`A stored secret (${purpose}) does not open with instance key ${kid}: it was altered, or the key is not the one it was sealed with.`);
    }
  }

  /** Rotation on the key-file setup: put a fresh key first, keeping the old ones readable. */
  addFileKey(): string {
    if (!this.usesKeyFile) throw new SecretsKeyError('SECRETS_KEY is set: put the new key in SECRETS_KEY and the old one in SECRETS_KEY_PREVIOUS, then run `cordon secrets rotate` again.');
    const keys = readKeyFile(this.keyFile);
    const fresh = newKeyText();
    writeKeyFile(this.keyFile, [fresh, ...keys.map((k) => k.toString('base64url'))]);
    this.reload();
    return keyId(parseKey(fresh)!);
  }

  /** After a rotation: keep only the current key in the key file. */
  dropOldFileKeys(): void {
    if (!this.usesKeyFile) return;
    const [current] = readKeyFile(this.keyFile);
    writeKeyFile(this.keyFile, [current!.toString('base64url')]);
    this.reload();
  }
}

function fileStamp(file: string): string {
  try {
    const st = statSync(file);
    return `${st.mtimeMs}:${st.size}:${st.ino}`;
  } catch {
    return '';
  }
}

function readKeyFile(file: string): Buffer[] {
  if (!existsSync(file)) {
    mkdirSync(path.dirname(file), { recursive: true });
    // Written aside and hard-linked into place: of two processes starting on one DATA_DIR, one creates
    // the whole file and the other reads it (link fails if the name exists; it never sees half a file).
    const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.new`;
    writeFileSync(tmp, `${newKeyText()}\n`, { mode: 0o600 });
    try {
      linkSync(tmp, file);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    } finally {
      unlinkSync(tmp);
    }
  }
  const mode = statSync(file).mode & 0o777;
  if (mode & 0o077) throw new SecretsKeyError(`${file} is readable by others (mode ${mode.toString(8)}). Run: chmod 600 ${file}`);
  const lines = readFileSync(file, 'utf8').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
  const keys = lines.map((l) => parseKey(l));
  if (!keys.length || keys.some((k) => k === null)) throw new SecretsKeyError(`${file} must hold one base64 key of 32 bytes per line (current first).`);
  return keys as Buffer[];
}

function writeKeyFile(file: string, keys: string[]): void {
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, `${keys.join('\n')}\n`, { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, file);
}
