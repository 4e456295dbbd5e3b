// /.well-known/security.txt (RFC 9116): where and how to report, recomputed so Expires is always about a
// year ahead (§2.5.5 asks for less than a year), and clear-signed with the team key when one exists
// (§2.3 allows an OpenPGP cleartext signature).
import type { AppContext } from '../context.js';
import { clearSignText } from '../pgp/sign.js';
import { currentTeamKey, unlockTeamKeys } from '../keys/team-keys.js';
import { CSAF_ROOT, csafProviderMetadataUrl } from './formats/csaf-paths.js';
import { readSiteFile } from './site-files.js';

const CSAF_METADATA_PATH = `${CSAF_ROOT}/provider-metadata.json`;

const DAY_MS = 86_400_000;

/**
 * The unsigned file. `expires` is start of today (UTC) plus 365 days. `hasCsaf`: the CSAF provider
 * metadata is published, so the `CSAF` field (CSAF 2.0 requirement 8) points at it.
 */
export function securityTxtBody(config: AppContext['config'], now: Date, hasTeamKey: boolean, hasCsaf = false): string {
  const today = Math.floor(now.getTime() / DAY_MS) * DAY_MS;
  const expires = new Date(today + 365 * DAY_MS).toISOString().replace(/\.\d{3}Z$/, 'Z');
  const base = config.publicUrl;
  const lines = [
    `# Security contact for ${config.instanceName} (RFC 9116). How to report: ${base}/how-to-report`,
    `Contact: mailto:${config.teamEmail}`,
    `Contact: ${base}/report`,
    ...(hasTeamKey ? [`Encryption: ${base}/keys/team.asc`] : []),
    `Policy: ${base}/how-to-report`,
    `Expires: ${expires}`,
    'Preferred-Languages: en',
    `Canonical: ${base}/.well-known/security.txt`,
    ...(hasCsaf ? [`CSAF: ${csafProviderMetadataUrl(base)}`] : []),
  ];
  return `${lines.join('\n')}\n`;
}

// Signing needs the unlocked key; the signed file changes once a day (Expires) or when the key changes.
const signedCache = new Map<string, string>();

export async function securityTxt(app: AppContext): Promise<{ text: string; signed: boolean }> {
  const now = app.clock.now();
  const key = await currentTeamKey(app.storage.db);
  const hasCsaf = !!(await readSiteFile(app.storage.db, CSAF_METADATA_PATH));
  const body = securityTxtBody(app.config, now, !!key, hasCsaf);
  if (!key || !app.config.pgpPassphrase) return { text: body, signed: false };
  const cacheKey = `${key.fingerprint}\n${body}`;
  const cached = signedCache.get(cacheKey);
  if (cached) return { text: cached, signed: true };
  try {
    const { signing } = await unlockTeamKeys(app.storage.db, app.config);
    if (!signing) return { text: body, signed: false };
    const text = await clearSignText(body, signing);
    signedCache.clear();
    signedCache.set(cacheKey, text);
    return { text, signed: true };
  } catch (error) {
    app.log.warn({ err: error }, 'security.txt served unsigned: the team key could not be unlocked');
    return { text: body, signed: false };
  }
}
