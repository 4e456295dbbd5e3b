// Placeholder addresses: the quick-start default `security@localhost` is valid syntax (RFC 5321 §4.1.2),
// so mail built with it goes out, but nobody outside this machine can reply to it and many relays refuse a
// sender domain that does not resolve. Mail that leaves the team (the pre-notice) is refused early with
// this explanation instead of failing later or arriving unanswerable (issue 15).
import type { Config } from './config.js';
import type { FieldIssue } from '../errors/catalogue.js';

// RFC 6761 §6.3 (localhost), §6.4 (invalid), RFC 6762 (local, multicast DNS only): never routable on the
// Internet. A name without a dot is only meaningful inside one network.
const unroutableSuffixes = ['.localhost', '.invalid', '.local'];

/** Whether an address's domain cannot be reached from the Internet. */
export function isPlaceholderAddress(address: string): boolean {
  const at = address.lastIndexOf('@');
  if (at < 0) return true;
  const domain = address.slice(at + 1).trim().toLowerCase().replace(/\.$/, '');
  if (!domain.includes('.')) return true;
  return unroutableSuffixes.some((suffix) => domain.endsWith(suffix));
}

/** The team and From addresses that are placeholders, each with what to do about it. */
export function placeholderAddressIssues(config: Pick<Config, 'mailFrom' | 'teamEmail'>): FieldIssue[] {
  const issues: FieldIssue[] = [];
  // MAIL_FROM may be "Name <address>" (compose.ts parseMailbox).
  const from = /<([^<>\s]+)>\s*$/.exec(config.mailFrom)?.[1] ?? config.mailFrom.trim();
  if (isPlaceholderAddress(from)) {
    issues.push({ field: 'MAIL_FROM', message: `The From address ${from} is a placeholder that no one outside this machine can reply to: set MAIL_FROM to the team's real address (for example "Security team <security@example.org>") and restart Cordon.` });
  }
  if (isPlaceholderAddress(config.teamEmail)) {
    issues.push({ field: 'TEAM_EMAIL', message: `The team address ${config.teamEmail} is a placeholder: set TEAM_EMAIL to the address where the team receives reports and replies, and restart Cordon.` });
  }
  return issues;
}
