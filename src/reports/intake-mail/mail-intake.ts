// Intake by mail: what mail's processing of an incoming message (mail/inbound-process.ts: store, decrypt,
// verify, quarantine) hands to the reports domain — a new report, or a reply that becomes a comment —
// and the keys of the sender's address. Mail is below reports, so it gets this object from composition
// (jobs/registry.ts, http/routes-index.ts, mail/cli.ts) instead of importing it.
import type { MailIntake } from '../../mail/inbound-types.js';
import { keysOfAddress } from '../address-keys.js';
import { fileMailedReport } from './file-report.js';
import { addMailedReply } from './reply.js';

export const mailIntake: MailIntake = { keysOfAddress, fileReport: fileMailedReport, addReply: addMailedReply };
