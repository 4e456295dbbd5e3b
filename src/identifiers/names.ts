// Project slugs and usernames: they appear in URLs, mail subjects, file names and audit lines, so
// both are plain lower-case ASCII with no way to smuggle markup, paths or look-alike characters.
import { invalid, quoteInput, trimmedText, valid, type Checked } from './checked.js';

const SLUG_RE = /^[a-z0-9][a-z0-9-]{1,62}$/;
// 2–32 characters; letters, digits and . _ - inside, never two punctuation marks in a row.
const USERNAME_RE = /^[a-z0-9](?:[a-z0-9]|[._-](?=[a-z0-9])){1,31}$/;

// Names that would read as the platform or a role speaking in comments, mail and the audit log.
const RESERVED_USERNAMES: ReadonlySet<string> = new Set([
  'admin',
  'administrator',
  'root',
  'system',
  'cordon',
  'anonymous',
  'vmt',
  'security',
  'postmaster',
  'abuse',
  'noreply',
  'no-reply',
]);

/** A project slug `[a-z0-9][a-z0-9-]{1,62}`; upper case is folded to lower case. */
export function checkProjectSlug(input: unknown): Checked<string> {
  const text = trimmedText(input, 'The project slug', 63);
  if (!text.ok) return text;
  const slug = text.value.toLowerCase();
  if (slug.length < 2) return invalid('The project slug must be at least 2 characters.');
  if (!SLUG_RE.test(slug)) {
    return invalid(`${quoteInput(text.value)} is not a project slug; use lower-case letters, digits and hyphens, starting with a letter or digit, e.g. nova or python-novaclient.`);
  }
  return valid(slug);
}

/** A username: 2–32 of a-z 0-9 . _ -, starting and ending with a letter or digit; folded to lower case. */
export function checkUsername(input: unknown): Checked<string> {
  const text = trimmedText(input, 'The username', 32);
  if (!text.ok) return text;
  const name = text.value.toLowerCase();
  if (name.length < 2) return invalid('The username must be at least 2 characters.');
  if (!USERNAME_RE.test(name)) {
    return invalid(`${quoteInput(text.value)} is not a valid username; use letters, digits and single . _ - between them.`);
  }
  if (RESERVED_USERNAMES.has(name)) return invalid(`The username ${quoteInput(name)} is reserved; choose another.`);
  return valid(name);
}
