// Facts about one key component (the primary key or a subkey): algorithm, strength, capability
// flags (RFC 4880 §5.2.3.21), expiry and revocation. Validity at "now" is judged here so that the
// usability verdict can name the precise reason a key cannot be used.
import { enums } from 'openpgp';
import type { AlgorithmInfo, Key, SignaturePacket, Subkey } from 'openpgp';
import { minimumRsaBits } from './config.js';

export type KeyAlgorithm =
  | 'rsa'
  | 'dsa'
  | 'elgamal'
  | 'ecdsa'
  | 'ecdh'
  | 'eddsa'
  | 'ed25519'
  | 'ed448'
  | 'x25519'
  | 'x448'
  | 'other';

export type KeyCapability = 'certify' | 'sign' | 'encrypt' | 'authenticate';

/** Why a key (or one of its components) cannot be used. */
export type KeyProblemReason =
  | 'revoked'
  | 'expired'
  | 'weak_rsa'
  | 'weak_algorithm'
  | 'invalid_self_signature'
  | 'no_encryption_subkey'
  | 'no_signing_key'
  | 'unusable';

export interface KeyComponentInfo {
  fingerprint: string;
  keyId: string;
  algorithm: KeyAlgorithm;
  /** GnuPG-style short label such as `rsa4096`, `ed25519`, `cv25519`. */
  label: string;
  bits?: number;
  curve?: string;
  created: Date;
  /** null when the component never expires. */
  expires: Date | null;
  revoked: boolean;
  capabilities: KeyCapability[];
}

export interface ComponentStatus {
  info: KeyComponentInfo;
  problem?: { reason: KeyProblemReason; message: string };
}

const curveLabels: Record<string, string> = {
  ed25519Legacy: 'ed25519',
  curve25519Legacy: 'cv25519',
  nistP256: 'nistp256',
  nistP384: 'nistp384',
  nistP521: 'nistp521',
};

function algorithmOf(info: AlgorithmInfo): KeyAlgorithm {
  switch (info.algorithm) {
    case 'rsaEncryptSign':
    case 'rsaEncrypt':
    case 'rsaSign':
      return 'rsa';
    case 'eddsaLegacy':
      return 'eddsa';
    case 'dsa':
    case 'elgamal':
    case 'ecdsa':
    case 'ecdh':
    case 'ed25519':
    case 'ed448':
    case 'x25519':
    case 'x448':
      return info.algorithm;
    default:
      return 'other';
  }
}

function labelOf(algorithm: KeyAlgorithm, info: AlgorithmInfo): string {
  if (algorithm === 'rsa' || algorithm === 'dsa') return `${algorithm}${info.bits ?? ''}`;
  if (algorithm === 'elgamal') return `elg${info.bits ?? ''}`;
  if (algorithm === 'x25519') return 'cv25519';
  if (info.curve) return curveLabels[info.curve] ?? info.curve;
  return algorithm === 'other' ? info.algorithm : algorithm;
}

function capabilitiesFrom(flags: Uint8Array | null | undefined, algorithm: KeyAlgorithm, primary: boolean): KeyCapability[] {
  const byte = flags?.[0];
  if (byte === undefined) {
    // No key-flags subpacket (old keys): assume what the algorithm can do, as GnuPG does.
    const canEncrypt = ['rsa', 'elgamal', 'ecdh', 'x25519', 'x448'].includes(algorithm);
    const canSign = !['elgamal', 'ecdh', 'x25519', 'x448'].includes(algorithm);
    return [
      ...(primary ? (['certify'] as const) : []),
      ...(canSign ? (['sign'] as const) : []),
      ...(canEncrypt ? (['encrypt'] as const) : []),
    ];
  }
  const capabilities: KeyCapability[] = [];
  if (byte & enums.keyFlags.certifyKeys) capabilities.push('certify');
  if (byte & enums.keyFlags.signData) capabilities.push('sign');
  if (byte & (enums.keyFlags.encryptCommunication | enums.keyFlags.encryptStorage)) capabilities.push('encrypt');
  if (byte & enums.keyFlags.authentication) capabilities.push('authenticate');
  return capabilities;
}

function weakness(algorithm: KeyAlgorithm, bits: number | undefined, label: string): ComponentStatus['problem'] {
  if (algorithm === 'rsa' && (bits ?? 0) < minimumRsaBits) {
    return { reason: 'weak_rsa', message: `${label} is too weak: RSA keys need at least ${minimumRsaBits} bits.` };
  }
  if (algorithm === 'dsa' || algorithm === 'elgamal') {
    return { reason: 'weak_algorithm', message: `${label} uses ${algorithm.toUpperCase()}, which is deprecated (RFC 9580 §9.1); use an ed25519/cv25519 or RSA ≥ ${minimumRsaBits} key.` };
  }
  return undefined;
}

function toDateOrNull(value: Date | number | null): Date | null {
  return value instanceof Date ? value : null;
}

function newestFirst(signatures: SignaturePacket[]): SignaturePacket[] {
  return [...signatures].sort((a, b) => (b.created?.getTime() ?? 0) - (a.created?.getTime() ?? 0));
}

// OpenPGP.js treats a null date as "ignore time" (used internally by getExpirationTime); the
// typings only admit Date, hence this one cast.
const anyTime = null as unknown as Date;

export async function primaryStatus(key: Key, now: Date): Promise<ComponentStatus> {
  const algorithmInfo = key.getAlgorithmInfo();
  const algorithm = algorithmOf(algorithmInfo);
  const label = labelOf(algorithm, algorithmInfo);
  let flags: Uint8Array | null = null;
  try {
    flags = (await key.getPrimaryUser(anyTime)).selfCertification.keyFlags;
  } catch {
    // No valid user self-signature; verifyPrimaryKey below reports it.
  }
  const revoked = await key.isRevoked(undefined, undefined, now);
  let expires: Date | null = null;
  try {
    expires = toDateOrNull(await key.getExpirationTime());
  } catch {
    expires = null;
  }
  const info: KeyComponentInfo = {
    fingerprint: key.getFingerprint().toUpperCase(),
    keyId: key.getKeyID().toHex().toUpperCase(),
    algorithm,
    label,
    ...(algorithmInfo.bits !== undefined ? { bits: algorithmInfo.bits } : {}),
    ...(algorithmInfo.curve !== undefined ? { curve: algorithmInfo.curve } : {}),
    created: key.getCreationTime(),
    expires,
    revoked,
    capabilities: capabilitiesFrom(flags, algorithm, true),
  };
  if (revoked) return { info, problem: { reason: 'revoked', message: `The key ${info.fingerprint} has been revoked.` } };
  if (expires && expires <= now) {
    return { info, problem: { reason: 'expired', message: `The key ${info.fingerprint} expired on ${expires.toISOString()}.` } };
  }
  const weak = weakness(algorithm, algorithmInfo.bits, `The primary key (${label})`);
  if (weak) return { info, problem: weak };
  try {
    await key.verifyPrimaryKey(now);
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    return { info, problem: { reason: 'invalid_self_signature', message: `The key has no valid self-signature (${detail}).` } };
  }
  return { info };
}

export async function subkeyStatus(subkey: Subkey, now: Date): Promise<ComponentStatus> {
  const algorithmInfo = subkey.getAlgorithmInfo();
  const algorithm = algorithmOf(algorithmInfo);
  const label = labelOf(algorithm, algorithmInfo);
  const binding = newestFirst(subkey.bindingSignatures)[0];
  const revoked = await subkey.isRevoked(undefined as unknown as SignaturePacket, undefined as unknown as Key['keyPacket'], now);
  const expires = toDateOrNull(await subkey.getExpirationTime(anyTime));
  const info: KeyComponentInfo = {
    fingerprint: subkey.getFingerprint().toUpperCase(),
    keyId: subkey.getKeyID().toHex().toUpperCase(),
    algorithm,
    label,
    ...(algorithmInfo.bits !== undefined ? { bits: algorithmInfo.bits } : {}),
    ...(algorithmInfo.curve !== undefined ? { curve: algorithmInfo.curve } : {}),
    created: subkey.getCreationTime(),
    expires,
    revoked,
    capabilities: capabilitiesFrom(binding?.keyFlags, algorithm, false),
  };
  const name = `The subkey ${info.keyId} (${label})`;
  if (revoked) return { info, problem: { reason: 'revoked', message: `${name} has been revoked.` } };
  if (expires && expires <= now) {
    return { info, problem: { reason: 'expired', message: `${name} expired on ${expires.toISOString()}.` } };
  }
  const weak = weakness(algorithm, algorithmInfo.bits, name);
  if (weak) return { info, problem: weak };
  try {
    await subkey.verify(now);
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    return { info, problem: { reason: 'invalid_self_signature', message: `${name} has no valid binding signature (${detail}).` } };
  }
  return { info };
}
