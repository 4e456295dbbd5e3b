// What mail needs to know from the domains above it: the public keys that belong to an address (an
// account's, a stakeholder contact's, a reporter's: accounts, stakeholders and reports own them) and a
// report's id by its ref. Mail sits below those domains (ARCHITECTURE.md), so it may not call their stores;
// the answer is given to it instead, wired in composition (jobs/registry.ts, http/routes-index.ts,
// mail/cli.ts) from reports/address-keys.ts.
import type { Db } from '../storage/database.js';

export type AddressKeySource = 'account' | 'stakeholder contact' | 'report';

export interface AddressKey {
  armored: string;
  source: AddressKeySource;
}

/** Keys given with reports: the one report a mail is about, or the latest reports filed under the address. */
export type GivenKeys = { reportRef: string } | { latest: number };

export interface MailDirectory {
  /** Keys on file for the address (account, then stakeholder contacts) and/or keys given with reports. */
  keysOfAddress(db: Db, address: string, which: { onFile: boolean; given?: GivenKeys }): Promise<AddressKey[]>;
  reportIdByRef(db: Db, ref: string): Promise<number | null>;
}
