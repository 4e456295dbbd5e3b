// "Which public keys belong to this mail address": an account's key (accounts), stakeholder contacts'
// keys (stakeholders), and keys reporters gave with their reports (here). One answer for both questions
// mail asks — the key to encrypt private mail to (mail/compose.ts) and the keys that may verify a signed
// incoming mail (mail/inbound-process.ts) — given to mail through its directory hook (mail/directory.ts),
// since reports is the lowest domain above all three owners.
import { pgpKeysOfAccountEmail } from '../accounts/users.js';
import type { AddressKey, GivenKeys, MailDirectory } from '../mail/directory.js';
import { pgpKeysOfContactEmail } from '../stakeholders/stakeholders.js';
import type { Db } from '../storage/database.js';
import { reporterKeyOfReport, reporterKeysGivenBy, reportIdByRef } from './store-reads.js';

/**
 * The keys of an address (matched exactly: callers normalise), best first: keys on file (the account's,
 * then stakeholder contacts') and keys given with reports — with the one report named by ref only when
 * its reporter used this address, or with the latest reports filed under it.
 */
export async function keysOfAddress(db: Db, address: string, which: { onFile: boolean; given?: GivenKeys }): Promise<AddressKey[]> {
  const keys: AddressKey[] = [];
  if (which.onFile) {
    const [accounts, contacts] = await Promise.all([pgpKeysOfAccountEmail(db, address), pgpKeysOfContactEmail(db, address)]);
    keys.push(...accounts.map((armored) => ({ armored, source: 'account' as const })), ...contacts.map((armored) => ({ armored, source: 'stakeholder contact' as const })));
  }
  const given = which.given;
  if (given && 'reportRef' in given) {
    const report = await reporterKeyOfReport(db, given.reportRef);
    if (report?.reporter_pgp_key && report.reporter_email.toLowerCase() === address) keys.push({ armored: report.reporter_pgp_key, source: 'report' });
  } else if (given) {
    keys.push(...(await reporterKeysGivenBy(db, address, given.latest)).map((armored) => ({ armored, source: 'report' as const })));
  }
  return keys;
}

/** What mail asks of the domains above it (mail/directory.ts), wired in composition. */
export const mailDirectory: MailDirectory = { keysOfAddress, reportIdByRef };
