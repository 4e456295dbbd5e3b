import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { AppError } from '../../errors/catalogue.js';
import { fixturePath } from '../../testing/fixture-files.js';
import { buildCveRecord, buildCveRecords } from './cve5.js';
import { resolvePublicationSettings } from './settings.js';
import { corpusAdvisories, corpusAdvisory, cveValidator, handWrittenAdvisory, schemaErrors } from '../testing/corpus.js';

const validate = cveValidator();

describe('CVE JSON 5 records of the whole corpus', () => {
  it('the validator accepts the official example and rejects a broken record', () => {
    const example: unknown = JSON.parse(readFileSync(fixturePath('schemas', 'cve-record-5.example.json'), 'utf8'));
    expect(schemaErrors(validate, example)).toEqual([]);
    const broken = buildCveRecord(corpusAdvisory('OSSA-2026-012'), 'CVE-2026-44916');
    broken.containers.cna.affected = [];
    expect(schemaErrors(validate, broken).length).toBeGreaterThan(0);
  });

  it('builds a schema-valid record for every assigned CVE id of the 183 advisories', () => {
    const records = corpusAdvisories();
    const expectedIds = records.flatMap((r) => r.vulnerabilities.map((v) => v.cveId).filter((id) => /^CVE-\d{4}-\d{4,}$/.test(id)));
    const built = records.flatMap((r) => buildCveRecords(r));
    expect(built.map((c) => c.cveMetadata.cveId)).toEqual(expectedIds);
    expect(built.length).toBeGreaterThan(190);
    const failures = built.flatMap((c) => schemaErrors(validate, c).map((e) => `${c.cveMetadata.cveId}: ${e}`));
    expect(failures).toEqual([]);
  });
});

describe('CVE JSON 5 content of specific advisories', () => {
  it('OSSA-2026-012 / CVE-2026-44916: metadata, affected ranges, references and credits', () => {
    const cve = buildCveRecord(corpusAdvisory('OSSA-2026-012'), 'CVE-2026-44916');
    expect(cve.dataVersion).toBe('5.1');
    expect(cve.cveMetadata).toEqual({
      cveId: 'CVE-2026-44916',
      assignerOrgId: '8254265b-2729-46b6-b9e3-3dfca2d5bfca',
      assignerShortName: 'mitre',
      state: 'PUBLISHED',
      datePublished: '2026-05-11T00:00:00.000Z',
    });
    const cna = cve.containers.cna;
    expect(cna.title).toBe('Remote Code Execution in Ironic conductor when Anaconda driver enabled');
    expect(cna.affected).toEqual([
      {
        vendor: 'OpenStack',
        product: 'ironic',
        collectionURL: 'https://pypi.org',
        packageName: 'ironic',
        versions: [
          { version: '17.0.0', status: 'affected', versionType: 'python', lessThan: '26.1.7' },
          { version: '27.0.0', status: 'affected', versionType: 'python', lessThan: '29.0.6' },
          { version: '30.0.0', status: 'affected', versionType: 'python', lessThan: '32.0.2' },
          { version: '33.0.0', status: 'affected', versionType: 'python', lessThan: '35.0.2' },
        ],
        defaultStatus: 'unaffected',
      },
    ]);
    expect(cna.references[0]).toEqual({ url: 'https://security.openstack.org/ossa/OSSA-2026-012.html', name: 'OSSA-2026-012', tags: ['vendor-advisory'] });
    expect(cna.references).toContainEqual({ url: 'https://review.opendev.org/c/openstack/ironic/+/987774', name: '2026.1/gazpacho', tags: ['patch'] });
    expect(cna.credits).toEqual([
      { lang: 'en', value: 'Dmitry Tantsur (Red Hat)', type: 'finder' },
      { lang: 'en', value: 'Tuomo Tanskanen (Ericsson Software Technology)', type: 'finder' },
    ]);
    expect(cna.source).toEqual({ advisory: 'OSSA-2026-012' });
  });

  it('OSSA-2012-001 / CVE-2012-0030: CVSS v2 metrics and prose versions', () => {
    const cna = buildCveRecord(corpusAdvisory('OSSA-2012-001'), 'CVE-2012-0030').containers.cna;
    expect(cna.metrics).toEqual([
      {
        format: 'CVSS',
        scenarios: [{ lang: 'en', value: 'GENERAL' }],
        cvssV2_0: {
          version: '2.0',
          vectorString: 'AV:N/AC:L/Au:S/C:P/I:P/A:P',
          accessVector: 'NETWORK',
          accessComplexity: 'LOW',
          authentication: 'SINGLE',
          confidentialityImpact: 'PARTIAL',
          integrityImpact: 'PARTIAL',
          availabilityImpact: 'PARTIAL',
          baseScore: 6.5,
        },
      },
    ]);
    expect(cna.affected[0]).toMatchObject({
      versions: [
        { version: '2011.3', status: 'affected' },
        { version: 'Essex', status: 'affected' },
      ],
      defaultStatus: 'unknown',
    });
  });

  it('uses the computed CVSS score where the source stored a wrong one (OSSA-2012-004)', () => {
    const cna = buildCveRecord(corpusAdvisory('OSSA-2012-004'), 'CVE-2012-2094').containers.cna;
    expect(cna.metrics?.[0]).toMatchObject({ cvssV2_0: { vectorString: 'AV:N/AC:L/Au:N/C:P/I:N/A:N', baseScore: 5 } });
  });

  it('OSSA-2014-029: CWE problem type with the catalogue name', () => {
    const record = corpusAdvisory('OSSA-2014-029');
    const cve = buildCveRecords(record)[0];
    expect(cve?.containers.cna.problemTypes).toEqual([
      { descriptions: [{ lang: 'en', cweId: 'CWE-200', description: 'CWE-200 Exposure of Sensitive Information to an Unauthorized Actor', type: 'CWE' }] },
    ]);
  });

  it('OSSA-2016-009: one record per CVE, titled with the CVE note', () => {
    const records = buildCveRecords(corpusAdvisory('OSSA-2016-009'));
    expect(records.map((r) => [r.cveMetadata.cveId, r.containers.cna.title])).toEqual([
      ['CVE-2016-5362', 'Neutron IPTables firewall anti-spoof protection bypass (DHCP spoofing)'],
      ['CVE-2016-5363', 'Neutron IPTables firewall anti-spoof protection bypass (MAC source address spoofing)'],
      ['CVE-2015-8914', 'Neutron IPTables firewall anti-spoof protection bypass (ICMPv6 source address spoofing)'],
    ]);
  });

  it('OSSA-2023-003: a description longer than 4096 characters is shortened, the full text attached', () => {
    const record = corpusAdvisory('OSSA-2023-003');
    const description = buildCveRecords(record)[0]?.containers.cna.descriptions[0];
    expect(record.description.trim().length).toBeGreaterThan(4096);
    expect(description?.value.length).toBeLessThanOrEqual(4096);
    expect(description?.value).toMatch(/The full description is at https:\/\/security\.openstack\.org\/ossa\/OSSA-2023-003\.html$/);
    expect(description?.supportingMedia).toEqual([{ type: 'text/plain', base64: false, value: record.description.trim() }]);
  });
});

describe('CVE JSON 5 from a hand-written record', () => {
  it('computes CVSS 3.1 and 4.0 metrics, maps every range kind and takes the instance settings', () => {
    const settings = resolvePublicationSettings({
      vendorName: 'Example Foundation',
      cna: { orgId: 'b3476cb9-2e3d-41a6-98d0-0f47421a65b6', shortName: 'example' },
    });
    const records = buildCveRecords(handWrittenAdvisory(), { settings, dateUpdated: '2030-03-21T10:00:00.000Z' });
    expect(records).toHaveLength(1);
    const cve = records[0];
    if (!cve) throw new Error('no record');
    expect(schemaErrors(validate, cve)).toEqual([]);
    const cna = cve.containers.cna;
    expect(cna.providerMetadata).toEqual({ orgId: 'b3476cb9-2e3d-41a6-98d0-0f47421a65b6', shortName: 'example', dateUpdated: '2030-03-21T10:00:00.000Z' });
    expect(cna.metrics).toMatchObject([
      { cvssV3_1: { version: '3.1', baseScore: 9.8, baseSeverity: 'CRITICAL', attackVector: 'NETWORK' } },
      { cvssV4_0: { version: '4.0', baseScore: 9.3, baseSeverity: 'CRITICAL', vulnConfidentialityImpact: 'HIGH' } },
    ]);
    expect(cna.affected).toEqual([
      {
        vendor: 'Example Foundation',
        product: 'Examplesvc',
        collectionURL: 'https://pypi.org',
        packageName: 'examplesvc',
        versions: [
          { version: '0', status: 'affected', versionType: 'python', lessThan: '20.2.1' },
          { version: '21.0.0', status: 'affected', versionType: 'python', lessThan: '21.2.1' },
          { version: '22.0.0', status: 'affected' },
        ],
        defaultStatus: 'unaffected',
      },
      {
        vendor: 'Example Foundation',
        product: 'python-exampleclient',
        collectionURL: 'https://pypi.org',
        packageName: 'python-exampleclient',
        versions: [
          { version: '1.0.0', status: 'unaffected' },
          { version: '1.0.0', status: 'affected', versionType: 'python', lessThan: '*' },
        ],
        defaultStatus: 'unaffected',
      },
    ]);
    expect(cna.credits).toEqual([
      { lang: 'en', value: 'Jane Doe (Example Corp)', type: 'finder' },
      { lang: 'en', value: 'Anon', type: 'finder' },
    ]);
    expect(cna.references.map((r) => r.tags?.[0])).toEqual(['vendor-advisory', 'issue-tracking', 'patch', 'patch', 'mailing-list']);
    expect(cna.references[3]).toEqual({ url: 'https://review.example.org/c/1002', name: '2029.2/zebra errata', tags: ['patch'] });
  });

  it('refuses a CVE id the advisory does not hold and an advisory without a date', () => {
    expect(() => buildCveRecord(handWrittenAdvisory(), 'CVE-2030-9999')).toThrow(/CVE-2030-9999 is not an assigned CVE id/);
    expect(() => buildCveRecord(handWrittenAdvisory(), 'Requested')).toThrow(AppError);
    expect(() => buildCveRecords({ ...handWrittenAdvisory(), date: null })).toThrow(/has no valid date/);
  });
});
