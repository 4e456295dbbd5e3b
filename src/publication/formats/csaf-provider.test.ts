import { describe, expect, it } from 'vitest';
import { buildCsaf } from './csaf.js';
import { csafChangesCsv, csafDocumentPath, csafFileName, csafIndexTxt, csafProviderFiles, csafProviderMetadata } from './csaf-provider.js';
import { resolvePublicationSettings } from './settings.js';
import { corpusAdvisories, corpusAdvisory } from '../testing/corpus.js';

const settings = resolvePublicationSettings();

describe('CSAF provider layout (CSAF 2.0 §7.1)', () => {
  it('names files after the tracking id (§5.1) inside a folder of the initial release year', () => {
    expect(csafFileName('OSSA-2026-012')).toBe('ossa-2026-012.json');
    expect(csafFileName('Example Co/SA:2024 #1+x')).toBe('example_co_sa_2024_1+x.json');
    expect(csafDocumentPath(buildCsaf(corpusAdvisory('OSSA-2016-007')))).toBe('2016/ossa-2016-007.json');
  });

  it('lays out all 183 corpus documents with provider metadata, index.txt and changes.csv', () => {
    const documents = corpusAdvisories().map((r) => buildCsaf(r));
    const files = csafProviderFiles(documents, settings, {
      openPgpKeys: [{ fingerprint: '0123456789abcdef0123456789abcdef01234567', url: 'https://security.openstack.org/.well-known/csaf/openpgp/key.asc' }],
    });
    expect(files).toHaveLength(5 + 183);
    expect(files.slice(0, 5).map((f) => f.path)).toEqual([
      '.well-known/csaf/provider-metadata.json',
      '.well-known/csaf/white/index.txt',
      '.well-known/csaf/white/changes.csv',
      '.well-known/csaf/white/csaf-feed-tlp-white.json',
      '.well-known/csaf/service.json',
    ]);
    const docFile = files.find((f) => f.path === '.well-known/csaf/white/2026/ossa-2026-012.json');
    expect(JSON.parse(docFile?.content ?? '{}')).toEqual(buildCsaf(corpusAdvisory('OSSA-2026-012')));
    for (const [i, file] of files.slice(5).entries()) {
      // The folder is the year of initial_release_date, not of the id (OSSA-2025-001 is dated 2024-05-08).
      const year = documents[i]?.document.tracking.initial_release_date.slice(0, 4) ?? '';
      expect(file.path).toMatch(new RegExp(`^\\.well-known/csaf/white/${year}/ossa-\\d{4}-\\d{3}\\.json$`));
    }
    expect(files.map((f) => f.path)).toContain('.well-known/csaf/white/2024/ossa-2025-001.json');

    const metadata = JSON.parse(files[0]?.content ?? '{}') as Record<string, unknown>;
    expect(metadata).toEqual({
      canonical_url: 'https://security.openstack.org/.well-known/csaf/provider-metadata.json',
      distributions: [
        {
          directory_url: 'https://security.openstack.org/.well-known/csaf/white/',
          rolie: {
            feeds: [{ summary: 'All TLP:WHITE advisories of OpenStack Vulnerability Management Team.', tlp_label: 'WHITE', url: 'https://security.openstack.org/.well-known/csaf/white/csaf-feed-tlp-white.json' }],
            services: ['https://security.openstack.org/.well-known/csaf/service.json'],
          },
        },
      ],
      last_updated: '2026-05-11T00:00:00.000Z',
      list_on_CSAF_aggregators: true,
      metadata_version: '2.0',
      mirror_on_CSAF_aggregators: true,
      public_openpgp_keys: [{ fingerprint: '0123456789ABCDEF0123456789ABCDEF01234567', url: 'https://security.openstack.org/.well-known/csaf/openpgp/key.asc' }],
      publisher: documents[0]?.document.publisher,
      role: 'csaf_provider',
    });

    const index = (files[1]?.content ?? '').split('\n');
    expect(index.at(-1)).toBe('');
    expect(index.slice(0, -1)).toHaveLength(183);
    expect(index[0]).toBe('2011/ossa-2011-001.json');
    expect(index).toContain('2026/ossa-2026-012.json');

    const changes = (files[2]?.content ?? '').trimEnd().split('\n');
    expect(changes).toHaveLength(183);
    for (const line of changes) expect(line).toMatch(/^"\d{4}\/ossa-\d{4}-\d{3}\.json","\d{4}-\d{2}-\d{2}T00:00:00\.000Z"$/);
    const dates = changes.map((l) => l.split(',')[1] ?? '');
    expect([...dates].sort().reverse()).toEqual(dates);
    expect(changes[0]).toBe('"2026/ossa-2026-012.json","2026-05-11T00:00:00.000Z"');
  });

  it('lists every document in the ROLIE feed, newest first, with its hash and (when signed) signature links', () => {
    const documents = ['OSSA-2021-002', 'OSSA-2021-005', 'OSSA-2021-006'].map((id) => buildCsaf(corpusAdvisory(id)));
    const feed = (signed: boolean) => (JSON.parse(csafProviderFiles(documents, settings, { signed })[3]?.content ?? '{}') as { feed: { entry: { id: string; updated: string; link: { rel: string; href: string }[]; content: { src: string } }[] } }).feed;
    const url = 'https://security.openstack.org/.well-known/csaf/white/2021/ossa-2021-002.json';
    expect(feed(true).entry.map((e) => [e.id, e.updated])).toEqual([
      ['OSSA-2021-002', '2021-09-27T00:00:00.000Z'],
      ['OSSA-2021-006', '2021-09-09T00:00:00.000Z'],
      ['OSSA-2021-005', '2021-08-31T00:00:00.000Z'],
    ]);
    expect(feed(true).entry[0]?.link).toEqual([
      { rel: 'self', href: url },
      { rel: 'hash', href: `${url}.sha256` },
      { rel: 'hash', href: `${url}.sha512` },
      { rel: 'signature', href: `${url}.asc` },
    ]);
    expect(feed(true).entry[0]?.content.src).toBe(url);
    // Unsigned (no team key): no signature link to a file that is not there.
    expect(feed(false).entry[0]?.link.map((l) => l.rel)).toEqual(['self', 'hash', 'hash']);
  });

  it('orders changes.csv by current release date, so an erratum moves a document up', () => {
    // OSSA-2021-002 (2021-07-29) had an erratum on 2021-09-27, after OSSA-2021-006 (2021-09-09).
    const documents = ['OSSA-2021-002', 'OSSA-2021-005', 'OSSA-2021-006'].map((id) => buildCsaf(corpusAdvisory(id)));
    expect(csafChangesCsv(documents)).toBe(
      '"2021/ossa-2021-002.json","2021-09-27T00:00:00.000Z"\n' +
        '"2021/ossa-2021-006.json","2021-09-09T00:00:00.000Z"\n' +
        '"2021/ossa-2021-005.json","2021-08-31T00:00:00.000Z"\n',
    );
    expect(csafIndexTxt(documents)).toBe('2021/ossa-2021-002.json\n2021/ossa-2021-005.json\n2021/ossa-2021-006.json\n');
  });

  it('takes the base URL, publisher and role from the settings and options', () => {
    const custom = resolvePublicationSettings({ baseUrl: 'https://sec.example.org', publisher: { name: 'Example VMT', namespace: 'https://example.org' } });
    expect(csafProviderMetadata(custom, [], { lastUpdated: '2030-01-01T00:00:00.000Z', role: 'csaf_trusted_provider' })).toMatchObject({
      canonical_url: 'https://sec.example.org/.well-known/csaf/provider-metadata.json',
      last_updated: '2030-01-01T00:00:00.000Z',
      publisher: { category: 'vendor', name: 'Example VMT', namespace: 'https://example.org' },
      role: 'csaf_trusted_provider',
    });
  });
});
