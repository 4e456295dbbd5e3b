// The advisories feed orders by change, newest first: an erratum to an old advisory is news and must
// reach a reader even when fifty newer advisories exist.
import { describe, expect, it } from 'vitest';
import { advisoriesAtom, FEED_ENTRIES } from './atom.js';
import type { PublishedSummary } from './summary.js';
import { enteredPublicationSettings } from './formats/settings.js';

function summary(seq: number, date: string, updated = date): PublishedSummary {
  const ref = `OSSA-2026-${String(seq).padStart(3, '0')}`;
  return { ref, title: `Advisory ${seq}`, date, updated, year: 2026, seq, cves: [], products: [], projects: [], description: `about ${seq}`, errata: updated === date ? 0 : 1 };
}

const settings = enteredPublicationSettings({ baseUrl: 'https://security.example', publisher: { name: 'Example Security Team', namespace: 'https://example.org' } });

function entryTitles(atom: string): string[] {
  return [...atom.matchAll(/<entry>\s*<title[^>]*><!\[CDATA\[([^\]]*)\]\]><\/title>/g)].map((m) => m[1]!);
}

describe('the advisories Atom feed', () => {
  it('puts an erratum to an old advisory first, even beyond the newest fifty by number', () => {
    const summaries = Array.from({ length: FEED_ENTRIES + 10 }, (_, i) => summary(i + 1, `2026-0${1 + Math.floor(i / 20)}-${String(1 + (i % 20)).padStart(2, '0')}`));
    summaries[0] = summary(1, '2026-01-01', '2026-06-30');
    const atom = advisoriesAtom(summaries, settings, 'Example', '2026-01-01T00:00:00.000Z');
    const titles = entryTitles(atom);
    expect(titles).toHaveLength(FEED_ENTRIES);
    expect(titles[0]).toBe('OSSA-2026-001: Advisory 1');
    // The rest by their own dates, newest first; the oldest unchanged ones fall off the end.
    expect(titles[1]).toBe(`OSSA-2026-0${FEED_ENTRIES + 10}: Advisory ${FEED_ENTRIES + 10}`);
    expect(titles).not.toContain('OSSA-2026-002: Advisory 2');
    expect(atom).toMatch(/<updated>2026-06-30T00:00:00.000Z<\/updated>/);
  });

  it('is dated when the instance began while it has no entries', () => {
    const atom = advisoriesAtom([], settings, 'Example', '2026-03-04T05:06:07.000Z');
    expect(atom).not.toContain('<entry>');
    expect(atom).toContain('<updated>2026-03-04T05:06:07.000Z</updated>');
  });
});
