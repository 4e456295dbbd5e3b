// The instance key's text form, checked when the configuration is read (config.ts) and when storage
// opens the key file (storage/sealing.ts).

/** Parse a key as given in SECRETS_KEY or the key file; null when it is not base64 of 32 bytes. */
export function parseKey(text: string): Buffer | null {
  const t = text.trim();
  if (!/^[A-Za-z0-9+/_-]{43}=?$/.test(t)) return null;
  const buf = Buffer.from(t.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
  return buf.length === 32 ? buf : null;
}
