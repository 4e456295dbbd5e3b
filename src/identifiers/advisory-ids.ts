// Advisory and note identifiers (DESIGN.md §2): `OSSA-YYYY-NNN` and `OSSN-NNNN` by default. The
// prefixes are instance settings so any project family can run its own instance.
import { errors } from '../errors/catalogue.js';
import { invalid, quoteInput, trimmedText, valid, type Checked } from './checked.js';

export const DEFAULT_ADVISORY_PREFIX = 'OSSA';
export const DEFAULT_NOTE_PREFIX = 'OSSN';

const PREFIX_RE = /^[A-Z][A-Z0-9]{1,15}$/;
const FIRST_ADVISORY_YEAR = 1990;
const ADVISORY_DIGITS = 3;
const NOTE_DIGITS = 4;

export interface AdvisoryIdParts {
  id: string;
  prefix: string;
  year: number;
  sequence: number;
}

export interface NoteIdParts {
  id: string;
  prefix: string;
  sequence: number;
}

/** Validates a configured prefix: 2–16 upper-case letters and digits, starting with a letter. */
export function checkIdPrefix(prefix: unknown): Checked<string> {
  const text = trimmedText(prefix, 'The identifier prefix', 16);
  if (!text.ok) return text;
  const upper = text.value.toUpperCase();
  return PREFIX_RE.test(upper)
    ? valid(upper)
    : invalid(`${quoteInput(text.value)} cannot be an identifier prefix; use 2–16 letters and digits starting with a letter, e.g. OSSA.`);
}

// A bad prefix is a configuration mistake, reported against the setting rather than the user's input.
function configuredPrefix(prefix: string, setting: string): string {
  const checked = checkIdPrefix(prefix);
  if (!checked.ok) throw errors.field(setting, checked.message);
  return checked.value;
}

// Zero-padding fills the minimum width only; wider numbers must not start with 0.
function paddedNumber(digits: string, minDigits: number): number | undefined {
  if (digits.length > minDigits && digits.startsWith('0')) return undefined;
  const n = Number(digits);
  return n >= 1 ? n : undefined;
}

/** Parses `<PREFIX>-YYYY-NNN` (at least three digits, zero-padded), accepting any letter case. */
export function parseAdvisoryId(input: unknown, prefix = DEFAULT_ADVISORY_PREFIX): Checked<AdvisoryIdParts> {
  const expectedPrefix = configuredPrefix(prefix, 'advisoryPrefix');
  const text = trimmedText(input, 'An advisory id', 40);
  if (!text.ok) return text;
  const example = `${expectedPrefix}-2026-001`;
  const m = /^([A-Z0-9]+)-(\d{4})-(\d{3,6})$/.exec(text.value.toUpperCase());
  if (!m || m[1] !== expectedPrefix) {
    return invalid(`${quoteInput(text.value)} is not an advisory id; expected ${expectedPrefix}-YYYY-NNN, e.g. ${example}.`);
  }
  const year = Number(m[2]);
  if (year < FIRST_ADVISORY_YEAR) return invalid(`${quoteInput(text.value)} has an impossible year; expected e.g. ${example}.`);
  const sequence = paddedNumber(m[3] ?? '', ADVISORY_DIGITS);
  if (sequence === undefined) {
    return invalid(`${quoteInput(text.value)} has an invalid number; numbers start at 001 and have no extra leading zeros.`);
  }
  return valid({ id: formatAdvisoryId(year, sequence, expectedPrefix), prefix: expectedPrefix, year, sequence });
}

/** Parses `<PREFIX>-NNNN` (at least four digits, zero-padded), accepting any letter case. */
export function parseNoteId(input: unknown, prefix = DEFAULT_NOTE_PREFIX): Checked<NoteIdParts> {
  const expectedPrefix = configuredPrefix(prefix, 'notePrefix');
  const text = trimmedText(input, 'A note id', 40);
  if (!text.ok) return text;
  const example = `${expectedPrefix}-0042`;
  const m = /^([A-Z0-9]+)-(\d{4,8})$/.exec(text.value.toUpperCase());
  if (!m || m[1] !== expectedPrefix) {
    return invalid(`${quoteInput(text.value)} is not a note id; expected ${expectedPrefix}-NNNN, e.g. ${example}.`);
  }
  const sequence = paddedNumber(m[2] ?? '', NOTE_DIGITS);
  if (sequence === undefined) {
    return invalid(`${quoteInput(text.value)} has an invalid number; numbers start at 0001 and have no extra leading zeros.`);
  }
  return valid({ id: formatNoteId(sequence, expectedPrefix), prefix: expectedPrefix, sequence });
}

/** `OSSA-2026-001`: the id of the `sequence`-th advisory of `year`. */
export function formatAdvisoryId(year: number, sequence: number, prefix = DEFAULT_ADVISORY_PREFIX): string {
  if (!Number.isInteger(year) || year < FIRST_ADVISORY_YEAR || year > 9999) throw errors.field('year', 'must be a four-digit year.');
  if (!Number.isInteger(sequence) || sequence < 1 || sequence > 999_999) throw errors.field('sequence', 'must be from 1 to 999999.');
  return `${configuredPrefix(prefix, 'advisoryPrefix')}-${year}-${String(sequence).padStart(ADVISORY_DIGITS, '0')}`;
}

/** `OSSN-0042`: the id of the `sequence`-th note. */
export function formatNoteId(sequence: number, prefix = DEFAULT_NOTE_PREFIX): string {
  if (!Number.isInteger(sequence) || sequence < 1 || sequence > 99_999_999) throw errors.field('sequence', 'must be from 1 to 99999999.');
  return `${configuredPrefix(prefix, 'notePrefix')}-${String(sequence).padStart(NOTE_DIGITS, '0')}`;
}

/** The canonical advisory id string. */
export function checkAdvisoryId(input: unknown, prefix = DEFAULT_ADVISORY_PREFIX): Checked<string> {
  const parts = parseAdvisoryId(input, prefix);
  return parts.ok ? valid(parts.value.id) : parts;
}

/** The canonical note id string. */
export function checkNoteId(input: unknown, prefix = DEFAULT_NOTE_PREFIX): Checked<string> {
  const parts = parseNoteId(input, prefix);
  return parts.ok ? valid(parts.value.id) : parts;
}
