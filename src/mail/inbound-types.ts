// The shapes passed between the steps of processing one incoming message: inbound-process.ts opens it,
// and the intake by mail (reports/intake-mail/: above mail, so handed in as a MailIntake from composition)
// files a report or adds a comment.
import type { AppContext } from '../context.js';
import type { MailDirectory } from './directory.js';
import type { InboundMessage } from './mime/index.js';

export interface ProcessOptions {
  /** Admin retry of a report whose project could not be told from the mail. */
  projectSlug?: string;
}

/**
 * Where the key that verified a signature came from. Only 'known' says who sent the mail: a key of an
 * account or of the stakeholder registry, each put there by its owner or the VMT. 'given' is a key that
 * came with a report or an earlier mail from the address (anyone may file a report under any address with
 * any key, so it proves nothing about the sender: issue 13, finding 9); 'attached' came with this mail.
 */
export type SignerSource = 'known' | 'given' | 'attached';

/** An opened message and where its signature key came from. */
export interface OpenedMail {
  message: InboundMessage;
  signerSource: SignerSource | null;
}

export interface Processed {
  outcome: 'report' | 'comment';
  reportId: number;
  reportRef: string;
  commentId?: number;
}

/** What becomes of an opened message, and the keys of its sender's address: reports/intake-mail/mail-intake.ts. */
export interface MailIntake {
  keysOfAddress: MailDirectory['keysOfAddress'];
  /** A mail to the team address: a new private report. */
  fileReport(app: AppContext, opened: OpenedMail, options: ProcessOptions): Promise<Processed>;
  /** A mail to a report's reply address: a comment, if the sender may comment there. */
  addReply(app: AppContext, opened: OpenedMail, reportId: number): Promise<Processed>;
}
