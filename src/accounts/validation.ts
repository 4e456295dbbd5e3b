// Account field rules, shared by the web forms, the JSON API and the CLI.
import { IssueCollector } from '../errors/catalogue.js';

export const USERNAME_RE = /^[a-z0-9][a-z0-9._-]{1,38}$/;

export function normaliseUsername(raw: string): string {
  return raw.trim().toLowerCase();
}

export function normaliseEmail(raw: string): string {
  return raw.trim().toLowerCase();
}

export function checkUsername(issues: IssueCollector, username: string): void {
  if (!USERNAME_RE.test(username)) {
    issues.add('username', 'Use 2–39 characters: lowercase letters, digits, dot, dash or underscore, starting with a letter or digit.');
  }
}

export function checkEmail(issues: IssueCollector, email: string): void {
  // Pragmatic RFC 5321 checks: one @, no spaces or control characters, length limits, a dotted domain.
  const at = email.lastIndexOf('@');
  const local = email.slice(0, at);
  const domain = email.slice(at + 1);
  const ok =
    email.length <= 254 &&
    at > 0 &&
    local.length <= 64 &&
    !/[\s\p{Cc}<>()[\]\\,;:"]/u.test(email) &&
    email.indexOf('@') === at &&
    /^[a-z0-9-]+(\.[a-z0-9-]+)+$/i.test(domain);
  if (!ok) issues.add('email', 'Enter a valid email address such as name@example.org.');
}

export function checkPassword(issues: IssueCollector, password: string, field = 'password'): void {
  if (password.length < 12) issues.add(field, 'Use at least 12 characters.');
  else if (password.length > 1024) issues.add(field, 'Use at most 1024 characters.');
}

export function checkDisplayName(issues: IssueCollector, name: string): void {
  if (!name.trim()) issues.add('display_name', 'Enter your name as others should see it.');
  else if (name.length > 120 || /\p{Cc}/u.test(name)) issues.add('display_name', 'Use at most 120 printable characters.');
}

export function checkTimeZone(issues: IssueCollector, tz: string): void {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
  } catch {
    issues.add('time_zone', 'Use an IANA time zone such as Europe/Berlin or UTC.');
  }
}
