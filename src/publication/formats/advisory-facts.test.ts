import { describe, expect, it } from 'vitest';
import { AppError } from '../../errors/catalogue.js';
import { scoreCvssVector } from '../../cvss/index.js';
import { creditName, extractLink, productVersions, revisionHistory, scoredAssessments } from './advisory-facts.js';
import { advisoryUrl, openStackPublicationSettings, resolvePublicationSettings } from './settings.js';
import { corpusAdvisories, corpusAdvisory, handWrittenAdvisory } from '../testing/corpus.js';

describe('links as written in real advisories', () => {
  it('separates the URL from the note beside it', () => {
    expect(extractLink('https://review.openstack.org/137560 -   errata')).toEqual({ url: 'https://review.openstack.org/137560', label: 'errata' });
    expect(extractLink('https://review.openstack.org/173365 (keystonemiddleware)')).toEqual({
      url: 'https://review.openstack.org/173365',
      label: 'keystonemiddleware',
    });
    expect(extractLink('Patch attached to https://bugs.launchpad.net/ironic/+bug/2107847/comments/47')).toEqual({
      url: 'https://bugs.launchpad.net/ironic/+bug/2107847/comments/47',
      label: 'Patch attached to',
    });
    expect(extractLink('  https://review.openstack.org/#/c/2960  ')).toEqual({ url: 'https://review.openstack.org/#/c/2960', label: null });
    expect(extractLink('no link here')).toBeNull();
  });

  it('finds a usable URL in every issue, review and reference link of the corpus', () => {
    const unusable = corpusAdvisories().flatMap((r) =>
      [...r.issues.links, ...r.reviews.flatMap((v) => v.links), ...r.references].filter((l) => !extractLink(l)).map((l) => `${r.id}: ${l}`),
    );
    expect(unusable).toEqual([]);
  });
});

describe('products and their ranges', () => {
  it('splits a product-qualified version text into one entry per product (OSSA-2023-002)', () => {
    const entries = productVersions(corpusAdvisory('OSSA-2023-002'));
    expect(entries.map((e) => [e.product, e.packageName, e.ranges.map((r) => r.text)])).toEqual([
      ['Cinder', 'cinder', ['<19.1.2', '>=20.0.0 <20.0.2', '==21.0.0']],
      ['Glance', 'glance', ['<23.0.1', '>=24.0.0 <24.1.1', '==25.0.0']],
      ['Nova', 'nova', ['<24.1.2', '>=25.0.0 <25.0.2', '==26.0.0']],
    ]);
    expect(entries[0]?.versionText).toBe(corpusAdvisory('OSSA-2023-002').affectedProducts[0]?.versions.text);
  });

  it('keeps prose it cannot read and "All versions"', () => {
    expect(productVersions(corpusAdvisory('OSSA-2012-001'))).toEqual([
      { product: 'nova', packageName: 'nova', versionText: '2011.3, Essex', ranges: expect.any(Array) as unknown, allVersions: false, unparsed: ['Essex'] },
    ]);
    expect(productVersions(corpusAdvisory('OSSA-2011-001'))[0]).toMatchObject({ allVersions: true, ranges: [], unparsed: [] });
  });
});

describe('revision history', () => {
  it('reads errata history lines oldest first', () => {
    expect(revisionHistory(corpusAdvisory('OSSA-2016-007'))).toEqual([
      { date: '2016-03-08', summary: 'Original Version' },
      { date: '2016-03-09', summary: 'Errata 1' },
      { date: '2016-03-30', summary: 'Errata 2' },
    ]);
    expect(revisionHistory(corpusAdvisory('OSSA-2026-012'))).toEqual([{ date: '2026-05-11', summary: 'Original Version' }]);
  });
});

describe('CVSS assessments of the corpus', () => {
  it('scores every stored vector, and the stored score agrees except for three source errors', () => {
    const disagreements: string[] = [];
    let count = 0;
    for (const record of corpusAdvisories()) {
      for (const vulnerability of record.vulnerabilities) {
        for (const { assessment, scores } of scoredAssessments(record, vulnerability)) {
          count++;
          if (scores.version !== '4.0' && scores.baseScore !== assessment.score) {
            disagreements.push(`${record.id} ${assessment.vector}: stored ${assessment.score}, computed ${scores.baseScore}`);
          }
        }
      }
    }
    expect(count).toBe(107);
    // The outputs publish the computed score (CSAF test 6.1.9 would reject the stored one).
    expect(disagreements).toEqual([
      'OSSA-2012-004 AV:N/AC:L/Au:N/C:P/I:N/A:N: stored 2.9, computed 5',
      'OSSA-2013-023 AV:N/AC:L/Au:S/C:N/I:N/A:P: stored 5.5, computed 4',
      'OSSA-2013-031 AV:L/AC:L/Au:N/C:P/I:P/A:P: stored 2.1, computed 4.6',
    ]);
  });

  it('rejects a record whose vector is bad, naming the field and the metric', () => {
    const record = handWrittenAdvisory();
    const vulnerability = record.vulnerabilities[0];
    if (!vulnerability?.impactAssessments[0]) throw new Error('fixture changed');
    vulnerability.impactAssessments[0].vector = 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H';
    try {
      scoredAssessments(record, vulnerability);
      throw new Error('expected a validation error');
    } catch (error) {
      expect(error).toBeInstanceOf(AppError);
      expect((error as AppError).fields).toEqual([
        { field: 'vulnerabilities.0.impactAssessments.0.vector', message: 'missing base metric "A" (Availability)' },
      ]);
    }
    expect(scoreCvssVector('AV:N/AC:L/Au:N/C:P/I:N/A:N')).toMatchObject({ baseScore: 5 });
  });
});

describe('credits and settings', () => {
  it('credits reporters with their affiliation unless it is missing or UNKNOWN', () => {
    expect(creditName({ name: 'Jane', affiliation: 'Example', reported: [] })).toBe('Jane (Example)');
    expect(creditName({ name: 'Jane', affiliation: 'UNKNOWN', reported: [] })).toBe('Jane');
    expect(creditName({ name: 'Jane', affiliation: null, reported: [] })).toBe('Jane');
  });

  it('defaults to OpenStack and validates overrides field by field', () => {
    expect(resolvePublicationSettings()).toEqual(openStackPublicationSettings);
    expect(advisoryUrl(resolvePublicationSettings(), 'OSSA-2026-012')).toBe('https://security.openstack.org/ossa/OSSA-2026-012.html');
    const custom = resolvePublicationSettings({ vendorName: 'Example Foundation', advisoryIdPrefix: 'EXSA', cna: { orgId: 'b3476cb9-2e3d-41a6-98d0-0f47421a65b6' } });
    expect(custom).toMatchObject({ vendorName: 'Example Foundation', advisoryIdPrefix: 'EXSA', cna: { orgId: 'b3476cb9-2e3d-41a6-98d0-0f47421a65b6', shortName: 'mitre' } });
    try {
      resolvePublicationSettings({ baseUrl: 'security.example.org/', cna: { orgId: 'not-a-uuid' }, advisoryIdPrefix: 'ex' });
      throw new Error('expected a validation error');
    } catch (error) {
      expect(error).toBeInstanceOf(AppError);
      expect((error as AppError).fields.map((f) => f.field)).toEqual(['advisoryIdPrefix', 'baseUrl', 'cna.orgId']);
    }
  });
});
