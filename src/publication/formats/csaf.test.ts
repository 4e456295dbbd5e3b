import { beforeAll, describe, expect, it } from 'vitest';
import { buildCsaf, type CsafDocument } from './csaf.js';
import { versRange } from './csaf-product-tree.js';
import { resolvePublicationSettings } from './settings.js';
import { corpusAdvisories, corpusAdvisory, handWrittenAdvisory } from '../testing/corpus.js';

interface TestMessage {
  message: string;
  instancePath: string;
}
type DocumentTest = (doc: unknown) => unknown;
interface ValidationResult {
  isValid: boolean;
  tests: { name: string; isValid: boolean; errors: TestMessage[]; warnings?: TestMessage[] }[];
}

// The BSI/secvisogram CSAF validator is plain JavaScript without types: import by computed specifier.
const library = '@secvisogram/csaf-validator-lib';
let validateStrict: (tests: DocumentTest[], doc: unknown) => Promise<ValidationResult>;
let tests: DocumentTest[];

beforeAll(async () => {
  validateStrict = ((await import(`${library}/validateStrict.js`)) as { default: typeof validateStrict }).default;
  const schema = (await import(`${library}/schemaTests.js`)) as { csaf_2_0_strict: DocumentTest };
  const mandatory = (await import(`${library}/mandatoryTests.js`)) as Record<string, DocumentTest>;
  const optional = (await import(`${library}/optionalTests.js`)) as Record<string, DocumentTest>;
  // §6.2.11 "Missing Canonical URL" is an optional test; Cordon's documents pass it (issue 18).
  tests = [schema.csaf_2_0_strict, ...Object.values(mandatory), optional.optionalTest_6_2_11 as DocumentTest];
});

/** Every failing test with its errors; empty when the document passes. */
async function problems(doc: CsafDocument): Promise<string[]> {
  const result = await validateStrict(tests, doc);
  return result.tests.flatMap((t) => [...t.errors, ...(t.warnings ?? [])].map((e) => `${t.name} ${e.instancePath} ${e.message}`));
}

describe('CSAF 2.0 documents of the whole corpus', () => {
  it('runs the strict schema test, every mandatory test (6.1.1–6.1.33) and the canonical URL test (6.2.11)', () => {
    const names = tests.map((t) => (t as { name: string }).name);
    expect(names).toContain('optionalTest_6_2_11');
    expect(names).toContain('csaf_2_0_strict');
    expect(names).toContain('mandatoryTest_6_1_9');
    expect(names).toContain('mandatoryTest_6_1_27_11');
    expect(names.length).toBeGreaterThan(40);
  });

  it('builds a document for each of the 183 advisories that passes with no errors', async () => {
    const failures: string[] = [];
    const records = corpusAdvisories();
    expect(records).toHaveLength(183);
    for (const record of records) {
      for (const p of await problems(buildCsaf(record))) failures.push(`${record.id}: ${p}`);
    }
    expect(failures).toEqual([]);
  });

  it('the validator is live: a wrong CVSS score, a wrong CWE name and a dangling product id fail', async () => {
    const doc = buildCsaf(corpusAdvisory('OSSA-2014-029'));
    const vulnerability = doc.vulnerabilities[0];
    if (!vulnerability?.scores?.[0]?.cvss_v2 || !vulnerability.cwe) throw new Error('fixture changed');
    vulnerability.scores[0].cvss_v2.baseScore = 9.9;
    vulnerability.cwe.name = 'Something else';
    vulnerability.product_status.known_affected = ['no-such-product'];
    const found = (await problems(doc)).map((p) => p.split(' ')[0]);
    expect(found).toEqual(expect.arrayContaining(['mandatoryTest_6_1_1', 'mandatoryTest_6_1_9', 'mandatoryTest_6_1_11']));
  });
});

describe('CSAF 2.0 content of specific advisories', () => {
  it('OSSA-2026-012: tracking, publisher, product tree with vers ranges and fixed releases', () => {
    const doc = buildCsaf(corpusAdvisory('OSSA-2026-012'));
    expect(doc.document).toMatchObject({
      category: 'csaf_security_advisory',
      title: 'OSSA-2026-012: Remote Code Execution in Ironic conductor when Anaconda driver enabled',
      publisher: { category: 'vendor', name: 'OpenStack Vulnerability Management Team', namespace: 'https://security.openstack.org' },
      tracking: {
        id: 'OSSA-2026-012',
        status: 'final',
        version: '1',
        initial_release_date: '2026-05-11T00:00:00.000Z',
        current_release_date: '2026-05-11T00:00:00.000Z',
        revision_history: [{ number: '1', date: '2026-05-11T00:00:00.000Z', summary: 'Original Version' }],
      },
    });
    const vendor = doc.product_tree.branches[0];
    expect(vendor?.name).toBe('OpenStack');
    const ironic = vendor?.branches?.[0];
    expect(ironic?.name).toBe('ironic');
    expect(ironic?.branches?.map((b) => [b.category, b.name, b.product?.product_id])).toEqual([
      ['product_version_range', 'vers:pypi/>=17.0.0|<26.1.7', 'ironic:affected:1'],
      ['product_version_range', 'vers:pypi/>=27.0.0|<29.0.6', 'ironic:affected:2'],
      ['product_version_range', 'vers:pypi/>=30.0.0|<32.0.2', 'ironic:affected:3'],
      ['product_version_range', 'vers:pypi/>=33.0.0|<35.0.2', 'ironic:affected:4'],
      ['product_version', '26.1.7', 'ironic:fixed:26.1.7'],
      ['product_version', '29.0.6', 'ironic:fixed:29.0.6'],
      ['product_version', '32.0.2', 'ironic:fixed:32.0.2'],
      ['product_version', '35.0.2', 'ironic:fixed:35.0.2'],
    ]);
    const vulnerability = doc.vulnerabilities[0];
    expect(vulnerability?.cve).toBe('CVE-2026-44916');
    expect(vulnerability?.product_status.fixed).toEqual(['ironic:fixed:26.1.7', 'ironic:fixed:29.0.6', 'ironic:fixed:32.0.2', 'ironic:fixed:35.0.2']);
    expect(vulnerability?.remediations?.[0]).toEqual({
      category: 'vendor_fix',
      details: 'Patch for 2026.1/gazpacho.',
      url: 'https://review.opendev.org/c/openstack/ironic/+/987774',
      product_ids: ['ironic:affected:1', 'ironic:affected:2', 'ironic:affected:3', 'ironic:affected:4'],
    });
    expect(vulnerability?.remediations).toContainEqual({ category: 'vendor_fix', details: 'Upgrade ironic to 26.1.7.', product_ids: ['ironic:affected:1'] });
    expect(vulnerability?.acknowledgments).toEqual([
      { names: ['Dmitry Tantsur'], organization: 'Red Hat', summary: 'Dmitry Tantsur (Red Hat) reported the vulnerability.' },
      { names: ['Tuomo Tanskanen'], organization: 'Ericsson Software Technology', summary: 'Tuomo Tanskanen (Ericsson Software Technology) reported the vulnerability.' },
    ]);
  });

  it('has its own JSON URL in the provider layout as the self reference (§6.2.11), the page as external', async () => {
    const doc = buildCsaf(corpusAdvisory('OSSA-2025-001'));
    // The folder is the year of initial_release_date (2024-05-08), the file the §5.1 name of the id.
    expect(doc.document.references.slice(0, 2)).toEqual([
      { category: 'self', summary: 'OSSA-2025-001 as CSAF 2.0', url: 'https://security.openstack.org/.well-known/csaf/white/2024/ossa-2025-001.json' },
      { category: 'external', summary: 'OSSA-2025-001 advisory page', url: 'https://security.openstack.org/ossa/OSSA-2025-001.html' },
    ]);
    expect(doc.document.references.filter((r) => r.category === 'self')).toHaveLength(1);
    // The validator's test is live: the page as self reference fails it.
    doc.document.references[0] = { category: 'self', summary: 'page', url: 'https://security.openstack.org/ossa/OSSA-2025-001.html' };
    expect(await problems(doc)).toEqual(['optionalTest_6_2_11 /document/references missing canonical url']);
  });

  it('OSSA-2016-007: the errata history becomes the revision history', () => {
    const tracking = buildCsaf(corpusAdvisory('OSSA-2016-007')).document.tracking;
    expect(tracking.version).toBe('3');
    expect(tracking.revision_history).toEqual([
      { number: '1', date: '2016-03-08T00:00:00.000Z', summary: 'Original Version' },
      { number: '2', date: '2016-03-09T00:00:00.000Z', summary: 'Errata 1' },
      { number: '3', date: '2016-03-30T00:00:00.000Z', summary: 'Errata 2' },
    ]);
    expect(tracking.current_release_date).toBe('2016-03-30T00:00:00.000Z');
  });

  it('OSSA-2014-029 and OSSA-2011-001: CWE with catalogue name, CVSS v2 score, a CWE chain', () => {
    const vulnerability = buildCsaf(corpusAdvisory('OSSA-2014-029')).vulnerabilities[0];
    expect(vulnerability?.cwe).toEqual({ id: 'CWE-200', name: 'Exposure of Sensitive Information to an Unauthorized Actor' });
    expect(vulnerability?.scores?.[0]?.cvss_v2).toMatchObject({ version: '2.0', vectorString: expect.stringMatching(/^AV:/) as unknown });
    const chain = buildCsaf(corpusAdvisory('OSSA-2011-001')).vulnerabilities[0];
    expect(chain?.cwe?.id).toBe('CWE-22');
    expect(chain?.notes).toContainEqual({ category: 'other', title: 'CWE classification', text: 'CWE-20->CWE-22 (Red Hat Product Security)' });
  });

  it('OSSA-2012-001: prose versions stay as written in a version range branch', () => {
    const product = buildCsaf(corpusAdvisory('OSSA-2012-001')).product_tree.branches[0]?.branches?.[0];
    expect(product?.branches?.map((b) => [b.category, b.name])).toEqual([
      ['product_version_range', 'vers:pypi/2011.3'],
      ['product_version_range', 'Essex'],
    ]);
  });
});

describe('CSAF 2.0 from a hand-written record', () => {
  it('keeps CVSS 4.0 in a note (CSAF 2.0 has no field for it), leaves the placeholder without cve, and passes', async () => {
    const settings = resolvePublicationSettings({ vendorName: 'Example Foundation', publisher: { name: 'Example VMT', namespace: 'https://example.org', contactDetails: 'vmt@example.org' } });
    const doc = buildCsaf(handWrittenAdvisory(), { settings });
    expect(await problems(doc)).toEqual([]);
    expect(doc.document.publisher).toEqual({ category: 'vendor', name: 'Example VMT', namespace: 'https://example.org', contact_details: 'vmt@example.org' });
    expect(doc.product_tree.branches[0]?.name).toBe('Example Foundation');
    const [first, second] = doc.vulnerabilities;
    expect(first?.scores).toEqual([
      {
        products: ['examplesvc:affected:1', 'examplesvc:affected:2', 'examplesvc:affected:3', 'python-exampleclient:affected:1'],
        cvss_v3: expect.objectContaining({ version: '3.1', baseScore: 9.8, baseSeverity: 'CRITICAL' }) as unknown,
      },
    ]);
    expect(first?.notes).toContainEqual({
      category: 'other',
      title: 'CVSS v4.0',
      text: 'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N: 9.3 (Critical, CVSS-B).',
    });
    expect(second).not.toHaveProperty('cve');
    expect(second?.title).toBe('second issue');
    expect(doc.document.tracking.revision_history.map((r) => r.summary)).toEqual(['Original Version', 'Errata 1']);
    expect(doc.document.notes.map((n) => n.title)).toEqual(['Summary', 'Description', 'Errata', 'Note 1']);
  });

  it('writes vers ranges for every clause kind', () => {
    const r = { text: '', product: null, constraints: [], introducedExclusive: false, fromProse: false };
    expect(versRange({ ...r, introduced: null, fixed: '20.2.1', lastAffected: null }, 'pypi')).toBe('vers:pypi/<20.2.1');
    expect(versRange({ ...r, introduced: '22.0.0', fixed: null, lastAffected: '22.0.0' }, 'pypi')).toBe('vers:pypi/22.0.0');
    expect(versRange({ ...r, introduced: null, fixed: null, lastAffected: '7.0.4' }, 'pypi')).toBe('vers:pypi/<=7.0.4');
    expect(versRange({ ...r, introduced: '0.2.0', introducedExclusive: true, fixed: null, lastAffected: null }, 'pypi')).toBe('vers:pypi/>0.2.0');
    expect(versRange({ ...r, introduced: null, fixed: null, lastAffected: null }, 'generic')).toBe('vers:generic/*');
  });
});
