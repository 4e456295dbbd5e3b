// Test helper: a throw-away GnuPG home (never the user's keyring) driven through the real `gpg`
// binary, so tests prove interoperability with GnuPG rather than with ourselves.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface GpgResult {
  status: number;
  stdout: Buffer;
  stderr: string;
}

export class TempGnupg {
  readonly home: string;

  constructor() {
    this.home = mkdtempSync(path.join(os.tmpdir(), 'cordon-gnupg-'));
  }

  /** Runs gpg with this home; never throws, the caller asserts on status. */
  run(args: string[], input?: string | Uint8Array, extraEnv: Record<string, string> = {}): GpgResult {
    const result = spawnSync('gpg', ['--homedir', this.home, '--batch', '--no-tty', '--utf8-strings', '--pinentry-mode', 'loopback', '--passphrase', '', ...args], {
      input: input === undefined ? undefined : Buffer.from(input),
      env: { ...process.env, GNUPGHOME: this.home, LC_ALL: 'C', ...extraEnv },
      maxBuffer: 64 * 1024 * 1024,
    });
    return { status: result.status ?? -1, stdout: result.stdout, stderr: result.stderr.toString('utf8') };
  }

  /** Runs gpg and throws with its stderr when it fails. */
  ok(args: string[], input?: string | Uint8Array): Buffer {
    const result = this.run(args, input);
    if (result.status !== 0) throw new Error(`gpg ${args.join(' ')} failed (${result.status}):\n${result.stderr}`);
    return result.stdout;
  }

  /** Generates a key; returns its fingerprint. `encryptionAlgo` adds an encryption subkey. */
  generateKey(options: {
    uid: string;
    algo: string;
    encryptionAlgo?: string;
    expire?: string;
    fakedTime?: string;
  }): string {
    const timeArgs = options.fakedTime ? ['--faked-system-time', options.fakedTime] : [];
    this.ok([...timeArgs, '--quick-gen-key', options.uid, options.algo, 'sign,cert', options.expire ?? 'never']);
    const fingerprint = this.fingerprintOf(options.uid);
    if (options.encryptionAlgo) {
      this.ok([...timeArgs, '--quick-add-key', fingerprint, options.encryptionAlgo, 'encr', options.expire ?? 'never']);
    }
    return fingerprint;
  }

  fingerprintOf(query: string): string {
    const listing = this.ok(['--with-colons', '--fingerprint', '--list-keys', query]).toString('utf8');
    const line = listing.split('\n').find((row) => row.startsWith('fpr:'));
    const fingerprint = line?.split(':')[9];
    if (!fingerprint) throw new Error(`no key for ${query}`);
    return fingerprint;
  }

  exportPublic(fingerprint: string, armor = true): Buffer {
    return this.ok([...(armor ? ['--armor'] : []), '--export', fingerprint]);
  }

  exportSecret(fingerprint: string): string {
    return this.ok(['--armor', '--export-secret-keys', fingerprint]).toString('utf8');
  }

  importKey(armored: string | Uint8Array): void {
    this.ok(['--import'], armored);
  }

  /** Revokes a key by importing the revocation certificate gpg made at generation time. */
  revoke(fingerprint: string): void {
    const certificate = readFileSync(path.join(this.home, 'openpgp-revocs.d', `${fingerprint}.rev`), 'utf8');
    // gpg prefixes the armor with ":" so the file is not imported by accident.
    this.importKey(certificate.replace(/^:-----BEGIN/m, '-----BEGIN'));
  }

  /** Writes a file inside the home (for --verify with a detached signature). */
  writeFile(name: string, data: string | Uint8Array): string {
    const file = path.join(this.home, name);
    writeFileSync(file, data);
    return file;
  }

  cleanup(): void {
    // Stop the agent this home started, then remove the directory.
    spawnSync('gpgconf', ['--kill', 'gpg-agent'], { env: { ...process.env, GNUPGHOME: this.home } });
    rmSync(this.home, { recursive: true, force: true });
  }
}
