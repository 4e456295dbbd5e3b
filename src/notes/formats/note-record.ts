/**
 * The security note record Cordon stores for an OpenStack-style security note (OSSN), DESIGN.md §2–3.
 *
 *   NoteRecord
 *   ├─ id `OSSN-NNNN`, title (one sentence, one line)
 *   ├─ the standard sections, each `null` when the source lacks it:
 *   │    summary, affected { text, products[] }, discussion, recommendedActions,
 *   │    credits (optional by design), contacts { text, authors, noteUrl, bugs, mailing list, CVEs }
 *   ├─ sectionLayout: every section in document order with its heading as written; extra sections
 *   │    found in real data (`Patches`, `Notes / References`, …) live here with their text
 *   └─ raw: the verbatim source text (null for notes written in Cordon), so nothing is ever lost
 *
 * Section text keeps its line breaks (lists, preformatted blocks); the renderer re-wraps prose.
 * Parsed parts (`affected.products`, the contacts fields) are views of the text: the text is what
 * is rendered, so an import never drops a line the parser did not understand.
 */

import type { VersionClause } from '../../identifiers/version-specifiers.js';

/** `OSSN-NNNN`; the prefix is an instance setting (DESIGN.md §2), OpenStack's is the default. */
export const NOTE_ID_PATTERN = /^[A-Z][A-Z0-9]*-\d{4,}$/;
export const DEFAULT_NOTE_PREFIX = 'OSSN';

/** The sections DESIGN.md §3 names, in the order the OSSN template uses. String values (DESIGN.md §6). */
export const StandardSection = {
  summary: 'summary',
  affected: 'affected',
  discussion: 'discussion',
  recommendedActions: 'recommended_actions',
  credits: 'credits',
  contacts: 'contacts',
} as const;
export type StandardSection = (typeof StandardSection)[keyof typeof StandardSection];

export const STANDARD_SECTION_ORDER: readonly StandardSection[] = [
  'summary',
  'affected',
  'discussion',
  'recommended_actions',
  'credits',
  'contacts',
];

/** Headings as the OSSN template spells them; the renderer writes these for standard sections. */
export const CANONICAL_HEADINGS: Readonly<Record<StandardSection, string>> = {
  summary: 'Summary',
  affected: 'Affected Services / Software',
  discussion: 'Discussion',
  recommended_actions: 'Recommended Actions',
  credits: 'Credits',
  contacts: 'Contacts / References',
};

/** Sections every published note has; `credits` is optional (DESIGN.md §3). */
export const REQUIRED_SECTIONS: readonly StandardSection[] = [
  'summary',
  'affected',
  'discussion',
  'recommended_actions',
  'contacts',
];

/** A `product: version-range` line of the Affected section, e.g. `- nova: <25.1.2, >=26.0.0 <26.1.2`. */
export interface AffectedProduct {
  product: string;
  /** The version text as written. */
  versions: string;
  ranges: VersionClause[];
}

export interface AffectedServices {
  /** The section text as written; this is what is rendered. */
  text: string;
  /** Lines that read as `product: version-range`; prose lines ("Nova, Havana") yield none. */
  products: AffectedProduct[];
}

/** One labelled line (with any list or continuation lines under it) of Contacts / References. */
export interface ContactEntry {
  /** `Author`, `This OSSN`, `Original LaunchPad Bug`, …; null for a bare line or list item. */
  label: string | null;
  /** The value on the label's line, then each list item or continuation line. */
  values: string[];
}

export interface ContactsReferences {
  /** The section text as written; this is what is rendered. */
  text: string;
  authors: string[];
  /** The note's own URL (`This OSSN : …`); real notes sometimes point at a bug instead. */
  noteUrl: string | null;
  /** Original bug links (`Original LaunchPad Bug`, `Original Storyboard bug`, …). */
  originalBugs: string[];
  /** `Mailing List : [Security] tag on …` / `OpenStack Security ML : …`. */
  mailingList: string | null;
  /** Every CVE id named in the section, in order, without duplicates. */
  cves: string[];
  /** The `CVE:` line as written (`none`, `N/A`, `CVE-2015-0204 (OpenSSL)`), null when absent. */
  cveText: string | null;
  entries: ContactEntry[];
}

/** A section in document order. Standard sections point at the record's field; extras carry their text. */
export type SectionSlot =
  | { kind: StandardSection; heading: string }
  | { kind: 'extra'; heading: string; text: string };

export interface NoteRecord {
  id: string;
  title: string;
  summary: string | null;
  affected: AffectedServices | null;
  discussion: string | null;
  recommendedActions: string | null;
  credits: string | null;
  contacts: ContactsReferences | null;
  /** Document order and headings as written. Standard sections missing from it render in template order. */
  sectionLayout: SectionSlot[];
  /** The source text as imported; null for a note written in Cordon. */
  raw: string | null;
}

/** What a reader of the rendered note sees: one heading and one body per section, in order. */
export interface ResolvedSection {
  kind: StandardSection | 'extra';
  heading: string;
  text: string;
}

export function standardSectionText(note: NoteRecord, kind: StandardSection): string | null {
  switch (kind) {
    case 'summary':
      return note.summary;
    case 'affected':
      return note.affected?.text ?? null;
    case 'discussion':
      return note.discussion;
    case 'recommended_actions':
      return note.recommendedActions;
    case 'credits':
      return note.credits;
    case 'contacts':
      return note.contacts?.text ?? null;
  }
}

/**
 * The note's sections in the order they are rendered, skipping standard sections whose field is null:
 * - listed sections keep the layout's order; an extra section follows the standard section before it;
 * - a standard section the layout does not list goes before the first listed one that follows it in
 *   the template (a note written in Cordon can leave the layout empty);
 * - extras listed before any standard section go just before Contacts / References, where real notes
 *   put them (`Patches`, `Notes / References`); an untitled extra (text before the first heading) first.
 * Standard sections take the template heading; extras keep theirs.
 */
export function resolveSections(note: NoteRecord): ResolvedSection[] {
  const untitled: ResolvedSection[] = [];
  const leading: ResolvedSection[] = [];
  const order: StandardSection[] = [];
  const followers = new Map<StandardSection, ResolvedSection[]>();
  for (const slot of note.sectionLayout) {
    if (slot.kind === 'extra') {
      const extra: ResolvedSection = { kind: 'extra', heading: slot.heading, text: slot.text };
      const anchor = order.at(-1);
      if (slot.heading === '') untitled.push(extra);
      else if (anchor) followers.get(anchor)?.push(extra);
      else leading.push(extra);
    } else if (!order.includes(slot.kind)) {
      order.push(slot.kind);
      followers.set(slot.kind, []);
    }
  }
  for (const kind of STANDARD_SECTION_ORDER) {
    if (order.includes(kind)) continue;
    const rank = STANDARD_SECTION_ORDER.indexOf(kind);
    const before = order.findIndex((k) => STANDARD_SECTION_ORDER.indexOf(k) > rank);
    order.splice(before === -1 ? order.length : before, 0, kind);
  }
  const out: ResolvedSection[] = [...untitled];
  for (const kind of order) {
    if (kind === 'contacts') out.push(...leading.splice(0));
    const text = standardSectionText(note, kind);
    if (text !== null) out.push({ kind, heading: CANONICAL_HEADINGS[kind], text });
    out.push(...(followers.get(kind) ?? []));
  }
  out.push(...leading);
  return out;
}
