// The shapes passed between the steps of processing one incoming message (inbound-process.ts opens it,
// inbound-report.ts files a report, inbound-reply.ts adds a comment); apart so the steps do not import each other.
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
