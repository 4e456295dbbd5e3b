import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { fixturePath } from '../../testing/fixture-files.js';
import { emptyAdvisoryRecord, type AdvisoryRecord } from '../record.js';
import { renderNoticeText } from './notice-text.js';
import { importOssaYaml } from './ossa-yaml.js';
import { jinjaWordwrap } from './python-textwrap.js';
import { pyCapitalize, pyStrip } from './python-text.js';

const corpusDir = fixturePath('ossa');
const goldenDir = fixturePath('ossa-notices');
const files = readdirSync(corpusDir).filter((f) => f.endsWith('.yaml')).sort();

function imported(name: string): AdvisoryRecord {
  return importOssaYaml(readFileSync(path.join(corpusDir, `${name}.yaml`), 'utf8'), `${name}.yaml`).record;
}

describe('notice text = what the OpenStack tooling prints (golden files)', () => {
  it('has a golden file for each of the 183 advisories', () => {
    const goldens = readdirSync(goldenDir).filter((f) => f.endsWith('.txt')).sort();
    expect(goldens).toEqual(files.map((f) => f.replace(/\.yaml$/, '.txt')));
  });

  it.each(files)('%s renders byte for byte', (file) => {
    const name = file.replace(/\.yaml$/, '');
    const golden = readFileSync(path.join(goldenDir, `${name}.txt`), 'utf8');
    expect(renderNoticeText(imported(name))).toBe(golden);
  });
});

describe('notice text: quirks reproduced on purpose', () => {
  it('prints a float version as Python does and capitalises the product (OSSA-2014-015)', () => {
    expect(renderNoticeText(imported('OSSA-2014-015'))).toContain('\nAffects\n~~~~~~~\n- Keystone: 2014.1\n');
  });

  it('joins a `reported` string character by character (OSSA-2025-001)', () => {
    expect(renderNoticeText(imported('OSSA-2025-001'))).toContain(
      '- Julia Kreger from Red Hat (C, V, E, -, 2, 0, 2, 5, -, 4, 4, 0, 2, 1)\n',
    );
  });

  it('writes CVE notes, the six-space continuation and skips credits parentheses when `reported` is absent', () => {
    expect(renderNoticeText(imported('OSSA-2016-009'))).toContain(
      ':CVE: CVE-2016-5362 (DHCP spoofing),\n      CVE-2016-5363 (MAC source address spoofing),\n      CVE-2015-8914 (ICMPv6 source address spoofing)\n',
    );
    expect(renderNoticeText(imported('OSSA-2026-008'))).toContain('- Dmitry Tantsur from Metal3.io Security Team\n');
  });

  it('sorts release keys case-insensitively, capitalises them and leaves out `type`', () => {
    const text = renderNoticeText(imported('OSSA-2011-001'));
    expect(text).toContain(
      'Patches\n~~~~~~~\n- https://review.openstack.org/#/c/2284 (Diablo)\n- https://review.openstack.org/#/c/2283 (Essex)\n\n\n',
    );
    expect(text).toContain('- David Black (CVE-2011-4596)\n');
  });
});

describe('notice text of records edited or drafted in Cordon', () => {
  it('reflects an edit (affiliation added) while keeping the unedited quirks', () => {
    const record = imported('OSSA-2015-021');
    const edited = { ...record, reporters: record.reporters.map((r, i) => (i === 0 ? { ...r, affiliation: 'ACME' } : r)) };
    const text = renderNoticeText(edited);
    expect(text).toContain('- Sreekumar S. from ACME (CVE-2015-7713)\n- Suntao (CVE-2015-7713)\n');
  });

  it('renders a draft with errata, notes and a placeholder CVE, in the DESIGN.md §3 section order', () => {
    const draft: AdvisoryRecord = {
      ...emptyAdvisoryRecord('OSSA-2099-001'),
      date: '2099-03-04',
      title: 'Ünïcode title',
      description: 'Something bad.',
      affectedProducts: [{ product: 'python-novaclient', versions: { text: '<1.0.0', ranges: [], allVersions: false, unparsed: [] } }],
      vulnerabilities: [{ cveId: 'Requested', note: null, idAnnotation: null, impactAssessments: [], classifications: [] }],
      reporters: [{ name: 'Ann', affiliation: 'UNKNOWN', reported: ['Requested'] }],
      issues: { links: ['https://launchpad.net/bugs/9'], type: null },
      reviews: [{ branch: 'stable/2025.1', links: [' https://review.opendev.org/9 '] }],
      notes: [`A ${'long '.repeat(20)}note.`],
      errata: { text: 'Corrected.', history: ['2099-03-05 - Errata 1', '2099-03-04 - Original Version'] },
    };
    const rule = '='.repeat('OSSA-2099-001: Ünïcode title'.length);
    expect(renderNoticeText(draft)).toBe(
      `${rule}\nOSSA-2099-001: Ünïcode title\n${rule}\n\n` +
        ':Date: March 04, 2099\n:CVE: Requested\n\n\n' +
        'Affects\n~~~~~~~\n- Python-novaclient: <1.0.0\n\n\n' +
        'Description\n~~~~~~~~~~~\nSomething bad.\n\n\n' +
        'Errata\n~~~~~~\nCorrected.\n\n\n' +
        'Patches\n~~~~~~~\n- https://review.opendev.org/9 (Stable/2025.1)\n\n\n' +
        'Credits\n~~~~~~~\n- Ann (Requested)\n\n\n' +
        'References\n~~~~~~~~~~\n- https://launchpad.net/bugs/9\n\n\n' +
        // Expected wrap checked against jinja2 3.1.6 wordwrap(width=70, ...).
        'Notes\n~~~~~\n- A long long long long long long long long long long long long long\n  long long long long long long long note.\n\n\n' +
        'OSSA History\n~~~~~~~~~~~~\n- 2099-03-05 - Errata 1\n- 2099-03-04 - Original Version\n',
    );
  });

  it('does not crash on a record with no date (the upstream tooling would)', () => {
    const text = renderNoticeText({ ...emptyAdvisoryRecord('OSSA-2099-002'), title: 'T' });
    expect(text.startsWith('================\nOSSA-2099-002: T\n================\n\n:Date: \n:CVE: \n')).toBe(true);
  });
});

describe('Python text helpers used by the template', () => {
  it('capitalize() lower-cases the rest and title-cases the first character', () => {
    expect(pyCapitalize('Cinder, Glance, Nova')).toBe('Cinder, glance, nova');
    expect(pyCapitalize('unmaintained/2023.1 antelope')).toBe('Unmaintained/2023.1 antelope');
    expect(pyCapitalize('ǆemal')).toBe('ǅemal');
    expect(pyCapitalize('ßtraße')).toBe('Sstraße');
  });

  it('strip() removes Python whitespace but not a BOM', () => {
    expect(pyStrip('\x1c\u3000 link \x85')).toBe('link');
    expect(pyStrip('\ufefflink')).toBe('\ufefflink');
  });

  it('wordwrap breaks on hyphens like textwrap and never splits long words when asked not to', () => {
    expect(jinjaWordwrap('aaaa bbbb-cccc dddd', 10)).toBe('aaaa bbbb-\ncccc dddd');
    expect(jinjaWordwrap(`x ${'y'.repeat(30)} z`, 10, { breakLongWords: false, wrapstring: '\n  ' })).toBe(
      `x\n  ${'y'.repeat(30)}\n  z`,
    );
    expect(jinjaWordwrap('one\ntwo three', 5)).toBe('one\ntwo\nthree');
  });
});
