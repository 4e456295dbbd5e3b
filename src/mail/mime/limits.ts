// Resource limits for incoming mail. Every limit violation is a MailRejection with a reason,
// checked before any expensive work, so hostile input cannot exhaust memory or loop forever.

export interface InboundLimits {
  /** Largest accepted raw message (and largest decrypted payload). */
  maxMessageBytes: number;
  /** Most MIME entities (counting multiparts and leaves) in the message, outer and inner. */
  maxParts: number;
  /** Deepest nesting of multiparts and message/rfc822 parts. */
  maxDepth: number;
  /** Largest header section of any one entity. */
  maxHeaderBytes: number;
}

export const defaultInboundLimits: InboundLimits = {
  maxMessageBytes: 25 * 1024 * 1024,
  maxParts: 250,
  maxDepth: 16,
  maxHeaderBytes: 256 * 1024,
};
