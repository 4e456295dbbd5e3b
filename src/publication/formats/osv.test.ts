import { describe, expect, it } from 'vitest';
import { AppError } from '../../errors/catalogue.js';
import { buildOsv } from './osv.js';
import { resolvePublicationSettings } from './settings.js';
import { corpusAdvisories, corpusAdvisory, handWrittenAdvisory, osvValidator, schemaErrors } from '../testing/corpus.js';

const validate = osvValidator();

describe('OSV documents of the whole corpus', () => {
  it('builds one schema-valid OSV document for each of the 183 advisories', () => {
    const records = corpusAdvisories();
    expect(records).toHaveLength(183);
    const failures = records.flatMap((r) => schemaErrors(validate, buildOsv(r)).map((e) => `${r.id}: ${e}`));
    expect(failures).toEqual([]);
  });

  it('lists every assigned CVE id as an alias, never a placeholder', () => {
    const left: string[] = [];
    for (const record of corpusAdvisories()) {
      const ids = record.vulnerabilities.map((v) => v.cveId);
      const expected = ids.filter((id) => /^CVE-\d{4}-\d{4,}$/.test(id));
      left.push(...ids.filter((id) => !expected.includes(id)));
      expect(buildOsv(record).aliases).toEqual(expected);
    }
    expect(left).toEqual(['CVE-2026-pending']);
  });
});

describe('OSV content of specific advisories', () => {
  it('OSSA-2026-012: id, alias, PyPI package, ranges, references and credits', () => {
    const doc = buildOsv(corpusAdvisory('OSSA-2026-012'));
    expect(doc).toMatchObject({
      id: 'x_OSSA-2026-012',
      published: '2026-05-11T00:00:00Z',
      modified: '2026-05-11T00:00:00Z',
      aliases: ['CVE-2026-44916'],
      summary: 'Remote Code Execution in Ironic conductor when Anaconda driver enabled',
      database_specific: { advisory_id: 'OSSA-2026-012', url: 'https://security.openstack.org/ossa/OSSA-2026-012.html' },
    });
    expect(doc.affected).toHaveLength(1);
    expect(doc.affected[0]?.package).toEqual({ ecosystem: 'PyPI', name: 'ironic', purl: 'pkg:pypi/ironic' });
    expect(doc.affected[0]?.ranges?.map((r) => r.events)).toEqual([
      [{ introduced: '17.0.0' }, { fixed: '26.1.7' }],
      [{ introduced: '27.0.0' }, { fixed: '29.0.6' }],
      [{ introduced: '30.0.0' }, { fixed: '32.0.2' }],
      [{ introduced: '33.0.0' }, { fixed: '35.0.2' }],
    ]);
    expect(doc.affected[0]?.database_specific).toEqual({
      product: 'ironic',
      version_text: '>=17.0.0 <26.1.7, >=27.0.0 <29.0.6, >=30.0.0 <32.0.2, >=33.0.0 <35.0.2',
    });
    expect(doc.references[0]).toEqual({ type: 'ADVISORY', url: 'https://security.openstack.org/ossa/OSSA-2026-012.html' });
    expect(doc.references[1]).toEqual({ type: 'REPORT', url: 'https://bugs.launchpad.net/ironic/+bug/2148307' });
    expect(doc.references.filter((r) => r.type === 'FIX')).toHaveLength(8);
    expect(doc.credits).toEqual([
      { name: 'Dmitry Tantsur (Red Hat)', type: 'REPORTER' },
      { name: 'Tuomo Tanskanen (Ericsson Software Technology)', type: 'REPORTER' },
    ]);
    expect(doc).not.toHaveProperty('severity');
  });

  it('OSSA-2023-002: one package per product of a product-qualified text, exact versions as last_affected', () => {
    const doc = buildOsv(corpusAdvisory('OSSA-2023-002'));
    expect(doc.affected.map((a) => a.package?.name)).toEqual(['cinder', 'glance', 'nova']);
    expect(doc.affected[0]?.ranges?.map((r) => r.events)).toEqual([
      [{ introduced: '0' }, { fixed: '19.1.2' }],
      [{ introduced: '20.0.0' }, { fixed: '20.0.2' }],
      [{ introduced: '21.0.0' }, { last_affected: '21.0.0' }],
    ]);
  });

  it('OSSA-2012-001: CVSS v2 severity, prose versions kept, the mailing-list reference', () => {
    const doc = buildOsv(corpusAdvisory('OSSA-2012-001'));
    expect(doc.severity).toEqual([{ type: 'CVSS_V2', score: 'AV:N/AC:L/Au:S/C:P/I:P/A:P' }]);
    expect(doc.affected[0]?.database_specific).toEqual({ product: 'nova', version_text: '2011.3, Essex', unparsed_versions: ['Essex'] });
    expect(doc.references).toContainEqual({ type: 'WEB', url: 'https://lists.launchpad.net/openstack/msg06648.html' });
  });

  it('OSSA-2011-001 ("All versions") and OSSA-2013-014 ("Versions after 0.2.0")', () => {
    expect(buildOsv(corpusAdvisory('OSSA-2011-001')).affected[0]?.ranges).toEqual([
      { type: 'ECOSYSTEM', events: [{ introduced: '0' }], database_specific: { specifier: 'all versions' } },
    ]);
    const client = buildOsv(corpusAdvisory('OSSA-2013-014')).affected.find((a) => a.package?.name === 'python-keystoneclient');
    expect(client?.ranges).toEqual([
      {
        type: 'ECOSYSTEM',
        events: [{ introduced: '0.2.0' }],
        database_specific: { specifier: 'Versions after 0.2.0', introduced_exclusive: true, from_prose: true },
      },
    ]);
  });

  it('OSSA-2016-004: links lose the notes written beside them; errata history is kept', () => {
    const doc = buildOsv(corpusAdvisory('OSSA-2016-004'));
    expect(doc.references.filter((r) => r.type === 'REPORT')).toEqual([
      { type: 'REPORT', url: 'https://bugs.launchpad.net/bugs/1466549' },
      { type: 'REPORT', url: 'https://bugs.launchpad.net/bugs/1493303' },
    ]);
    const errata = buildOsv(corpusAdvisory('OSSA-2016-007'));
    expect(errata.modified).toBe('2016-03-30T00:00:00Z');
    expect(errata.database_specific.history).toEqual(['2016-03-30 - Errata 2', '2016-03-09 - Errata 1', '2016-03-08 - Original Version']);
  });
});

describe('OSV from a hand-written record', () => {
  it('carries CVSS 3.1 and 4.0 vectors, the exclusive lower bound and stays schema-valid', () => {
    const doc = buildOsv(handWrittenAdvisory(), { modified: '2030-03-21T10:00:00Z' });
    expect(schemaErrors(validate, doc)).toEqual([]);
    expect(doc.severity).toEqual([
      { type: 'CVSS_V3', score: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H' },
      { type: 'CVSS_V4', score: 'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N' },
    ]);
    expect(doc.aliases).toEqual(['CVE-2030-1234']);
    expect(doc.modified).toBe('2030-03-21T10:00:00Z');
    expect(doc.affected.map((a) => a.package?.name)).toEqual(['examplesvc', 'python-exampleclient']);
    expect(doc.credits).toEqual([{ name: 'Jane Doe (Example Corp)', type: 'REPORTER' }, { name: 'Anon', type: 'REPORTER' }]);
    expect(doc.database_specific).toMatchObject({ cwe_ids: ['CWE-200'], cve_notes: { Requested: 'second issue' } });
  });

  it('uses the instance settings, and shows why an unregistered prefix needs "x_"', () => {
    const record = { ...handWrittenAdvisory(), id: 'EXSA-2030-007' };
    const settings = resolvePublicationSettings({ advisoryIdPrefix: 'EXSA', baseUrl: 'https://security.example.org', osv: { ecosystem: 'npm', idPrefix: '' } });
    const doc = buildOsv(record, { settings });
    expect(doc.id).toBe('EXSA-2030-007');
    expect(doc.affected[0]?.package).toEqual({ ecosystem: 'npm', name: 'examplesvc', purl: 'pkg:npm/examplesvc' });
    expect(doc.references[0]?.url).toBe('https://security.example.org/ossa/EXSA-2030-007.html');
    expect(schemaErrors(validate, doc).some((e) => e.startsWith('/id '))).toBe(true);
    expect(() => buildOsv(handWrittenAdvisory(), { settings })).toThrow(AppError);
  });
});
