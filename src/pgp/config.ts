// OpenPGP.js settings shared by every PGP operation in Cordon.
// GnuPG 2.2 (still the common installed version) speaks only RFC 4880 v4 keys and SEIPDv1, so we
// never emit v6 keys or AEAD packets (RFC 9580 §5.13.2) even though OpenPGP.js 6 could.
import { config as libraryDefaults, enums } from 'openpgp';
import type { Config, PartialConfig } from 'openpgp';

export const gnupgCompatibleConfig: PartialConfig = {
  v6Keys: false,
  aeadProtect: false,
  // RFC 3156 §5 asks for a micalg parameter; SHA-256 is the algorithm every client verifies.
  preferredHashAlgorithm: enums.hash.sha256,
  preferredSymmetricAlgorithm: enums.symmetric.aes256,
  showVersion: false,
  showComment: false,
};

/** Bits below which an RSA key counts as weak (NIST SP 800-131A retired RSA-1024 in 2013). */
export const minimumRsaBits = 2048;

/** Stricter than OpenPGP.js defaults: decides whether Cordon will encrypt to or trust a key. */
export const strictKeyUseConfig: PartialConfig = {
  ...gnupgCompatibleConfig,
  minRSABits: minimumRsaBits,
  rejectPublicKeyAlgorithms: new Set([enums.publicKey.dsa, enums.publicKey.elgamal]),
};

/** Key and message methods take a full Config; only the top-level functions merge defaults. */
export function fullConfig(partial: PartialConfig): Config {
  return { ...libraryDefaults, ...partial };
}
