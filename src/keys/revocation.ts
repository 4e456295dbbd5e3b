// The team key's revocation certificate (RFC 4880 §5.2.1, type 0x20): written once when the key is made,
// readable by the owner only, never kept in the database — whoever holds it can revoke the key. The CLI
// and the key page both leave it in DATA_DIR for the admin to move somewhere safe and offline.
import { chmodSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export function saveRevocation(dataDir: string, fingerprint: string, certificate: string, file?: string): string {
  const target = file ?? path.join(dataDir, `team-key-${fingerprint}.rev`);
  writeFileSync(target, certificate, { mode: 0o600 });
  chmodSync(target, 0o600);
  return target;
}
