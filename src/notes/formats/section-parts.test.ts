import { describe, expect, it } from 'vitest';
import { AppError } from '../../errors/catalogue.js';
import { parseAffectedServices, parseProductLine, parseVersionRanges } from './affected-services.js';
import { parseContactsReferences, saysNoCve } from './contacts-references.js';
import type { NoteRecord } from './note-record.js';
import { validateNoteRecord } from './note-validation.js';
import { parseOssnText } from './ossn-text.js';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fixturePath } from '../../testing/fixture-files.js';

function corpusNote(id: string): NoteRecord {
  return parseOssnText(readFileSync(path.join(fixturePath('ossn'), id), 'utf8'), { id }).note;
}

describe('Affected Services / Software lines', () => {
  it.each([
    ['- nova: <25.1.2, >=26.0.0 <26.1.2, ==27.0.0', 'nova', ['<25.1.2', '>=26.0.0 <26.1.2', '==27.0.0'], []],
    ['- neutron (OVN ML2 driver): <25.2.3', 'neutron (OVN ML2 driver)', ['<25.2.3'], []],
    ['Bandit: < 1.1.0', 'Bandit', ['< 1.1.0'], []],
    ['Swift < 2.10.0', 'Swift', ['< 2.10.0'], ['no ":" between "Swift" and its versions']],
    ['Python-keystoneclient=<0.10.0', 'Python-keystoneclient', ['=<0.10.0'], ['no ":" between "Python-keystoneclient" and its versions', '"=<" read as "<="']],
    ['- ironic: >=32.0.0, <37.0.0', 'ironic', ['>=32.0.0 <37.0.0'], ['">=32.0.0, <37.0.0" read as one range']],
    ['- ironic: >=6.2.0', 'ironic', ['>=6.2.0'], []],
  ])('reads %s', (line, product, ranges, loose) => {
    const parsed = parseProductLine(line);
    expect(parsed?.product.product).toBe(product);
    expect(parsed?.product.ranges.map((r) => r.text)).toEqual(ranges);
    expect(parsed?.loose).toEqual(loose);
  });

  it.each([
    'Nova, LXC, Libvirt, \'Virtualization Driver\'',
    '- Ceph: all versions prior to v20.2.4 or v19.2.6',
    'as Newton (<= 10.0.3), and Ocata (<= 11.0.3).',
    'Cinder: Icehouse, Juno, Kilo, Liberty',
    '- murano: all versions',
  ])('leaves prose alone: %s', (line) => {
    expect(parseProductLine(line)).toBeNull();
  });

  it('reads constraints with their operators, normalising loose ones', () => {
    expect(parseVersionRanges('>=21.0.0 <21.2.1, =<3')?.ranges).toEqual([
      { text: '>=21.0.0 <21.2.1', constraints: [{ operator: '>=', version: '21.0.0' }, { operator: '<', version: '21.2.1' }] },
      { text: '=<3', constraints: [{ operator: '<=', version: '3' }] },
    ]);
    expect(parseVersionRanges('<1.0, later')).toBeNull();
  });

  it('skips indented qualifier lines and reports loose ranges with their line', () => {
    const { affected, warnings } = parseAffectedServices('- ironic: >=6.2.0\n  - /v1/lookup: API version 1.22\n- Sushy-Tools, <=0.21.0', 11);
    expect(affected.products.map((p) => p.product)).toEqual(['ironic', 'Sushy-Tools']);
    expect(warnings).toEqual([{ kind: 'version_range_sloppy', detail: 'Sushy-Tools: no ":" between "Sushy-Tools" and its versions', line: 13 }]);
  });
});

describe('Contacts / References', () => {
  it('reads the classic layout (OSSN-0003)', () => {
    const c = corpusNote('OSSN-0003').contacts;
    expect(c?.authors).toEqual(['Robert Clark, HP']);
    expect(c?.noteUrl).toBe('https://bugs.launchpad.net/ossn/+bug/1168252');
    expect(c?.originalBugs).toEqual(['https://bugs.launchpad.net/devstack/+bug/1168252']);
    expect(c?.mailingList).toBe('openstack-security@lists.openstack.org');
    expect(c?.cves).toEqual(['CVE-2013-1977']);
    expect(c?.cveText).toBe('CVE-2013-1977');
  });

  it('reads author lists, bug lists and "none" (OSSN-0102, OSSN-0108)', () => {
    const c = corpusNote('OSSN-0102').contacts;
    expect(c?.authors).toEqual(['Goutham Pacha Ravi, Red Hat']);
    expect(c?.originalBugs).toEqual(['https://bugs.launchpad.net/neutron/+bug/2150121', 'https://bugs.launchpad.net/neutron/+bug/2152109']);
    expect(c?.mailingList).toBe('[security-sig] tag on openstack-discuss@lists.openstack.org');
    expect(c && saysNoCve(c)).toBe(true);
    const ceph = corpusNote('OSSN-0108').contacts;
    expect(ceph?.authors).toEqual(['John Fulton, Red Hat', 'Goutham Pacha Ravi, Red Hat', 'Sage McTaggart, IBM']);
    expect(ceph?.originalBugs).toEqual([]);
    expect(ceph?.cves).toEqual(['CVE-2025-30156', 'CVE-2026-39944', 'CVE-2026-50152', 'CVE-2026-54330']);
    expect(ceph && saysNoCve(ceph)).toBe(false);
  });

  it('reads the drift: no colon after Author, labels with continuation lines, CVEs in URLs', () => {
    expect(corpusNote('OSSN-0020').contacts?.authors).toEqual(['Priti Desai, Symantec']);
    const c0027 = corpusNote('OSSN-0027').contacts;
    expect(c0027?.entries.at(-1)).toEqual({
      label: 'ARP Poisoning',
      values: ['http://en.wikipedia.org/wiki/ARP_spoofing', 'http://www.watchguard.com/infocenter/editorial/135324.asp'],
    });
    expect(corpusNote('OSSN-0030').contacts?.cves).toEqual(['CVE-2014-6271', 'CVE-2014-7169']);
    expect(corpusNote('OSSN-0064').contacts?.mailingList).toBe('[Security] tag on openstack-dev@lists.openstack.org');
    expect(corpusNote('OSSN-0044').contacts?.cveText).toBe('in progress-http://www.openwall.com/lists/oss-security/2015/02/17/1');
  });

  it('keeps bare lines and footnote references as unlabelled entries', () => {
    const c = parseContactsReferences('Author: A\n[1]: https://example.org/one\nhttps://example.org/two');
    expect(c.entries).toEqual([
      { label: 'Author', values: ['A'] },
      { label: null, values: ['[1]: https://example.org/one'] },
      { label: null, values: ['https://example.org/two'] },
    ]);
  });
});

describe('validating a note written in Cordon', () => {
  function fieldsOf(note: NoteRecord): string[] {
    try {
      validateNoteRecord(note);
    } catch (e) {
      if (e instanceof AppError) return e.fields.map((f) => `${f.field}: ${f.message}`);
      throw e;
    }
    return [];
  }

  it('accepts complete corpus notes and names what an incomplete one lacks', () => {
    expect(fieldsOf(corpusNote('OSSN-0108'))).toEqual([]);
    expect(fieldsOf(corpusNote('OSSN-0030'))).toEqual([]);
    expect(fieldsOf(corpusNote('OSSN-0073'))).toEqual(['recommendedActions: the Recommended Actions section is required']);
  });

  it('wants a proper id, a one-sentence one-line title and no section heading inside a body', () => {
    const note = { ...corpusNote('OSSN-0108') };
    expect(fieldsOf({ ...note, id: 'OSSN-12' })).toEqual(['id: must look like OSSN-0001']);
    expect(fieldsOf({ ...note, title: 'Ceph is broken. Upgrade now' })).toEqual(['title: must be one sentence']);
    expect(fieldsOf({ ...note, title: 'Ceph vs. OpenStack keyrings' })).toEqual([]);
    expect(fieldsOf({ ...note, title: 'Two\nlines' })).toEqual(['title: must be one line']);
    expect(fieldsOf({ ...note, summary: 'Text\n### Credits ###\nmore' })).toEqual([
      'summary: "### Credits ###" would start a new section; use #### for a sub-heading',
    ]);
  });
});
