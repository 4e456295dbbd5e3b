// Public surface of the OpenPGP module (keys, team key, signing, encryption, verification).
export { PgpError } from './errors.js';
export type { PgpErrorReason } from './errors.js';
export { readKeyring, readSingleKey, readSingleSecretKey } from './read.js';
export type { KeyInput } from './read.js';
export { inspectKey, inspectParsedKey, readRecipientKey } from './keys.js';
export type {
  KeyAlgorithm,
  KeyCapability,
  KeyComponentInfo,
  KeyInspection,
  KeyProblemReason,
  KeyUsability,
} from './keys.js';
export {
  encryptSecretKeyAtRest,
  generateTeamKey,
  minimumPassphraseLength,
  teamKeyPassphraseFromEnv,
  unlockSecretKey,
  unlockSecretKeys,
} from './team-key.js';
export type { GeneratedTeamKey, TeamKeyAlgorithm } from './team-key.js';
export { clearSignText, detachedSignature, signMimeEntity } from './sign.js';
export { encryptAndSign } from './encrypt.js';
export { decryptMessage } from './decrypt.js';
export type { DecryptedMessage, DecryptOptions } from './decrypt.js';
export { classifySignatures, verifyClearSigned, verifyDetachedSignature } from './verify.js';
export type { SignatureCheck, SignatureStatus } from './verify.js';
