// The Atom feed of published advisories (RFC 4287), through the `feed` package. Deterministic: every
// date comes from the records, so an unchanged site gives an unchanged (and still validly signed) feed.
import { Feed } from 'feed';
import { advisoryUrl, type PublicationSettings } from './formats/settings.js';
import { newestFirst, type PublishedSummary } from './summary.js';

export const FEED_PATH = 'feeds/advisories.atom';
/** Entries in the feed: readers want the recent ones; the index lists them all. */
export const FEED_ENTRIES = 50;

/**
 * Newest change first: an erratum to an old advisory is news, so the feed orders by `updated`
 * (RFC 4287 atom:updated), not by number, or an erratum outside the newest 50 would never reach a reader.
 */
export function byUpdateNewestFirst(a: PublishedSummary, b: PublishedSummary): number {
  if (a.updated !== b.updated) return a.updated < b.updated ? 1 : -1;
  return newestFirst(a, b);
}

/** `emptySince` (ISO) dates a feed with no entries yet: the instance's beginning, not 1970. */
export function advisoriesAtom(summaries: readonly PublishedSummary[], settings: PublicationSettings, instanceName: string, emptySince: string): string {
  const entries = [...summaries].sort(byUpdateNewestFirst).slice(0, FEED_ENTRIES);
  const updated = entries[0] ? new Date(`${entries[0].updated}T00:00:00Z`) : new Date(emptySince);
  const feed = new Feed({
    title: `${instanceName} security advisories`,
    id: `${settings.baseUrl}/advisories`,
    link: `${settings.baseUrl}/advisories`,
    description: `Security advisories published by the ${settings.publisher.name}.`,
    updated,
    generator: 'Cordon',
    language: 'en',
    // Atom `rights` only when someone entered a rights line (RFC 4287 §4.2.10 makes it optional).
    copyright: settings.feedRights,
    feedLinks: { atom: `${settings.baseUrl}/${FEED_PATH}` },
    author: { name: settings.publisher.name, link: settings.publisher.namespace },
  });
  for (const s of entries) {
    const url = advisoryUrl(settings, s.ref);
    feed.addItem({
      title: `${s.ref}: ${s.title}${s.cves.length ? ` (${s.cves.join(', ')})` : ''}`,
      id: url,
      link: url,
      date: new Date(`${s.updated}T00:00:00Z`),
      published: new Date(`${s.date}T00:00:00Z`),
      description: s.description,
      ...(s.errata ? { category: [{ name: 'errata', term: 'errata' }] } : {}),
    });
  }
  return `${feed.atom1()}\n`;
}
