/**
 * Reading the "Contacts / References" section of an OSSN: `Label : value` lines, where a label may
 * head a list (`Authors:` then `- name` lines, OSSN-0092) or indented continuation lines
 * (`Further discussion of the issue:` then URLs, OSSN-0017), wiki bullets (`* Author: …`, OSSN-0094),
 * `Author Name` without a colon (OSSN-0020) and bare URLs. The text stays the source of truth.
 */
import type { ContactEntry, ContactsReferences } from './note-record.js';

const BULLET = /^[-*+][ \t]+/;
/** `Label : value`; the label is short and is not a URL scheme or a footnote mark (`[1]:`). */
const LABELLED = /^([A-Za-z][^:]{0,60}?)[ \t]*:(?!\/\/)[ \t]*(.*)$/;
const AUTHOR_NO_COLON = /^(Authors?)[ \t]+(?=[A-Z])(.*)$/;
const CVE_ID = /CVE-\d{4}-\d{4,}/g;
const URL = /^(https?|ftp):\/\/\S+$/i;
const NO_VALUE = /^(none|n\/a|na|-)$/i;

function labelOf(text: string): { label: string; value: string } | null {
  const m = LABELLED.exec(text) ?? AUTHOR_NO_COLON.exec(text);
  if (!m) return null;
  return { label: (m[1] ?? '').trim(), value: (m[2] ?? '').trim() };
}

export function parseContactEntries(text: string): ContactEntry[] {
  const entries: ContactEntry[] = [];
  // A label with no value on its line (`Authors:`) collects the list or indented lines after it.
  let open: ContactEntry | null = null;
  for (const rawLine of text.split('\n')) {
    if (rawLine.trim() === '') continue;
    const indented = /^\s/.test(rawLine);
    const bulleted = BULLET.test(rawLine.trim());
    const content = rawLine.trim().replace(BULLET, '');
    const labelled = labelOf(content);
    const last = entries.at(-1);
    if (labelled && !indented) {
      const entry: ContactEntry = { label: labelled.label, values: labelled.value ? [labelled.value] : [] };
      entries.push(entry);
      open = labelled.value ? null : entry;
      continue;
    }
    if (open && (bulleted || indented)) {
      open.values.push(content);
      continue;
    }
    if (indented && last) {
      // `ARP Poisoning: http://a` then an indented `http://b`: one more value of the same entry.
      last.values.push(content);
      continue;
    }
    open = null;
    entries.push({ label: null, values: [content] });
  }
  return entries;
}

function valuesFor(entries: ContactEntry[], label: RegExp): string[] {
  return entries.filter((e) => e.label !== null && label.test(e.label)).flatMap((e) => e.values);
}

export function parseContactsReferences(text: string): ContactsReferences {
  const entries = parseContactEntries(text);
  const authors = valuesFor(entries, /^authors?$/i);
  const noteUrl = valuesFor(entries, /^this ossn( bug)?$/i)[0] ?? null;
  const originalBugs = valuesFor(entries, /^original\b.*\bbugs?$/i).filter((v) => URL.test(v));
  let mailingList: string | null = null;
  for (const e of entries) {
    if (mailingList !== null || e.label === null) continue;
    const rest = /^mailing list\b\s*(.*)$/i.exec(e.label);
    if (rest) mailingList = [rest[1], ...e.values].filter(Boolean).join(' ');
    else if (/^openstack security ml$/i.test(e.label)) mailingList = e.values.join(' ') || null;
  }
  const cveLines = valuesFor(entries, /^cves?$/i);
  const cves = [...new Set(text.match(CVE_ID) ?? [])];
  return {
    text,
    authors,
    noteUrl,
    originalBugs,
    mailingList,
    cves,
    cveText: cveLines.length ? cveLines.join(', ') : null,
    entries,
  };
}

/** Whether the CVE line says there is none (`none`, `N/A`). */
export function saysNoCve(contacts: ContactsReferences): boolean {
  return contacts.cveText !== null && NO_VALUE.test(contacts.cveText.trim());
}
