// Pragmatic e-mail address checks for accounts and intake. Not the full RFC 5322 grammar: quoted
// local parts, comments and address literals are refused because real reporters never need them
// and they are where header-injection and parser-confusion tricks live.
import { invalid, quoteInput, valid, type Checked } from './checked.js';

// RFC 5321 §4.5.3.1: local part ≤ 64 octets, domain ≤ 255 octets, path ≤ 256 octets including
// the angle brackets, which leaves 254 for the address itself.
const MAX_LOCAL_OCTETS = 64;
const MAX_DOMAIN_OCTETS = 255;
const MAX_ADDRESS_OCTETS = 254;
const MAX_LABEL_OCTETS = 63;

// RFC 5322 atext, plus any non-ASCII character as RFC 6531 (SMTPUTF8) allows.
const ATOM_RE = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~\u0080-\u{10FFFF}-]+$/u;
// RFC 1035 letters-digits-hyphens labels, with non-ASCII letters for internationalised names.
const LABEL_RE = /^[\p{L}\p{N}](?:[\p{L}\p{N}\p{M}-]*[\p{L}\p{N}\p{M}])?$/u;
const FORBIDDEN_RE = /[\s\p{Cc}\p{Cf}\p{Z}]/u;

export interface EmailCheckOptions {
  /**
   * Accept `user@localhost`-style addresses (no dot, or a `localhost` domain). Off by default and
   * for intake: replies to such an address would go nowhere or to this very machine.
   */
  allowLocalDomains?: boolean;
}

const octets = (s: string) => new TextEncoder().encode(s).length;

/** Checks an address and normalises it: trimmed, NFC, domain in lower case (the local part keeps its case, RFC 5321 §2.4). */
export function checkEmailAddress(input: unknown, options: EmailCheckOptions = {}): Checked<string> {
  if (typeof input !== 'string') return invalid('The e-mail address must be text.');
  if (input.length > MAX_ADDRESS_OCTETS * 2) return invalid(`The e-mail address is too long (at most ${MAX_ADDRESS_OCTETS} bytes).`);
  const address = input.trim().normalize('NFC');
  if (address === '') return invalid('The e-mail address is required.');
  if (FORBIDDEN_RE.test(address)) {
    return invalid(`${quoteInput(address)} contains spaces, line breaks or control characters; give one plain address.`);
  }
  const at = address.split('@');
  if (at.length !== 2) {
    return invalid(at.length < 2 ? `${quoteInput(address)} has no @; expected name@example.org.` : `${quoteInput(address)} has more than one @; give one plain address.`);
  }
  const [local = '', rawDomain = ''] = at;
  const domain = rawDomain.toLowerCase();
  const normalised = `${local}@${domain}`;
  if (octets(normalised) > MAX_ADDRESS_OCTETS) return invalid(`The e-mail address is too long (at most ${MAX_ADDRESS_OCTETS} bytes).`);

  if (local === '') return invalid(`${quoteInput(address)} has nothing before the @.`);
  if (octets(local) > MAX_LOCAL_OCTETS) return invalid(`The part before the @ is too long (at most ${MAX_LOCAL_OCTETS} bytes).`);
  if (local.startsWith('.') || local.endsWith('.') || local.includes('..')) {
    return invalid(`${quoteInput(address)}: the part before the @ may not start or end with a dot or have two dots in a row.`);
  }
  if (!local.split('.').every((atom) => ATOM_RE.test(atom))) {
    return invalid(`${quoteInput(address)}: the part before the @ has characters an address cannot have (such as quotes, commas, brackets or semicolons).`);
  }

  if (domain === '') return invalid(`${quoteInput(address)} has nothing after the @.`);
  if (domain.startsWith('[')) return invalid(`${quoteInput(address)}: IP address literals are not accepted; use a domain name.`);
  if (octets(domain) > MAX_DOMAIN_OCTETS) return invalid(`The domain is too long (at most ${MAX_DOMAIN_OCTETS} bytes).`);
  const labels = domain.split('.');
  const badLabel = labels.find((label) => !LABEL_RE.test(label) || octets(label) > MAX_LABEL_OCTETS);
  if (badLabel !== undefined) {
    return invalid(
      badLabel === ''
        ? `${quoteInput(address)}: the domain may not start or end with a dot or have two dots in a row.`
        : `${quoteInput(address)}: the domain part ${quoteInput(badLabel)} is not valid (letters, digits and inner hyphens, at most ${MAX_LABEL_OCTETS} bytes).`,
    );
  }
  if (/^\d+$/.test(labels[labels.length - 1] ?? '')) return invalid(`${quoteInput(address)}: IP addresses are not accepted; use a domain name.`);
  if (!options.allowLocalDomains) {
    if (labels.length < 2) return invalid(`${quoteInput(address)}: the domain needs a dot, e.g. name@example.org.`);
    // RFC 6761 §6.3: localhost and its subdomains are this machine.
    if (labels[labels.length - 1] === 'localhost') return invalid(`${quoteInput(address)}: localhost addresses are not accepted.`);
  }
  return valid(normalised);
}
