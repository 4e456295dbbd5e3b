// Public surface of mail building (outbound) and opening (inbound).
export { buildEncryptedMessage, buildInlineSignedMessage, buildPlainMessage, buildSignedMessage } from './outbound.js';
export type { BuiltMail, MailAddress, OutgoingAttachment, OutgoingMail } from './outbound.js';
export { openInboundMessage } from './inbound.js';
export type {
  AttachedPublicKey,
  InboundAddress,
  InboundAttachment,
  InboundEncryption,
  InboundMessage,
  InboundSignature,
  OpenInboundOptions,
} from './inbound.js';
export { defaultInboundLimits } from './limits.js';
export type { InboundLimits } from './limits.js';
export { MailBuildError, MailRejection } from './errors.js';
export type { MailBuildReason, MailRejectionReason } from './errors.js';
export { safeAttachmentFilename } from './entity.js';
