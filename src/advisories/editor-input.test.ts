// The editor's text fields ↔ the advisory record: an unchanged form changes nothing (for all 183 real
// advisories, quirks included), edited parts are validated strictly with per-field messages, and vectors
// are scored with src/cvss.
import { describe, expect, it } from 'vitest';
import { AppError } from '../errors/catalogue.js';
import { corpusAdvisories, corpusAdvisory } from '../publication/testing/corpus.js';
import { applyForm, formFromRecord, type AdvisoryForm } from './editor-input.js';
import { diffLines, diffRecords } from './diff.js';
import { emptyAdvisoryRecord } from '../publication/record.js';
import { exportOssaYaml } from '../publication/formats/ossa-export.js';
import { loadPyYaml } from '../publication/formats/pyyaml-load.js';
import { pyEquals } from '../publication/formats/py-value.js';

function issuesOf(fn: () => unknown): { field: string; message: string }[] {
  try {
    fn();
  } catch (error) {
    if (error instanceof AppError && error.code === 'validation_failed') return error.fields;
    throw error;
  }
  throw new Error('expected a validation error');
}

const empty = emptyAdvisoryRecord('OSSA-2026-100');

describe('advisory editor fields', () => {
  it('an unchanged form leaves every one of the 183 corpus records exactly as it was', () => {
    const changed = corpusAdvisories().filter((r) => JSON.stringify(applyForm(r, formFromRecord(r))) !== JSON.stringify(r));
    expect(changed.map((r) => r.id)).toEqual([]);
  });

  it('editing one field of an imported advisory keeps the quirks of the others, also in the exported YAML', () => {
    const record = corpusAdvisory('OSSA-2016-004');
    const edited = applyForm(record, { ...formFromRecord(record), title: 'A clearer title' });
    expect(edited.title).toBe('A clearer title');
    expect(edited.vulnerabilities).toBe(record.vulnerabilities);
    const original = loadPyYaml(record.sourceYaml ?? '', 'a').value as Map<string, unknown>;
    const exported = loadPyYaml(exportOssaYaml(edited), 'b').value as Map<string, unknown>;
    expect(exported.get('title')).toBe('A clearer title');
    for (const key of ['vulnerabilities', 'affected-products', 'reporters', 'reviews']) expect(pyEquals(exported.get(key) as never, original.get(key) as never), key).toBe(true);
  });

  it('keeps a prose version line that was not touched, and refuses prose in an edited one', () => {
    const record = corpusAdvisory('OSSA-2011-001');
    const form = formFromRecord(record);
    expect(form.products).toContain('All versions');
    expect(applyForm(record, { ...form, notes: 'A new note.' }).affectedProducts).toEqual(record.affectedProducts);
    const issues = issuesOf(() => applyForm(record, { ...form, products: `${form.products}\nkeystone: All releases` }));
    expect(issues.map((i) => i.field)).toEqual(['products']);
    expect(issues[0]?.message).toMatch(/^Line 2 \(keystone\): "All releases" read as every release/);
  });

  it('scores CVSS 3.1 and 4.0 vectors, per CVE or for all, and refuses unknown metrics and CVSS v2 for new assessments', () => {
    const r = applyForm(empty, {
      title: 'T',
      cves: 'CVE-2026-1111\nCVE-2026-2222 (second issue)',
      cvss: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H\nCVE-2026-2222: CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N',
      cwes: 'CVE-2026-1111: CWE-20->CWE-22\ncwe-079',
    });
    const [a, b] = r.vulnerabilities;
    expect(a?.impactAssessments.map((x) => [x.version, x.score, x.rating])).toEqual([['3.1', 9.8, 'critical']]);
    expect(b?.note).toBe('second issue');
    expect(b?.impactAssessments.map((x) => [x.version, x.score, x.rating])).toEqual([['3.1', 9.8, 'critical'], ['4.0', 9.3, 'critical']]);
    expect(a?.classifications.map((c) => c.cweIds)).toEqual([['CWE-20', 'CWE-22'], ['CWE-79']]);
    expect(b?.classifications.map((c) => c.detail)).toEqual(['CWE-79']);
    const issues = issuesOf(() => applyForm(empty, { title: 'T', cves: 'CVE-2026-1111', cvss: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/XY:Z\nAV:N/AC:L/Au:N/C:P/I:P/A:P\nCVE-2026-9999: CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H' }));
    expect(issues.map((i) => i.field)).toEqual(['cvss', 'cvss', 'cvss']);
    expect(issues[0]?.message).toContain('Line 1: unknown metric "XY" for CVSS 3.1');
    expect(issues[1]?.message).toContain('Line 2:');
    expect(issues[2]?.message).toBe('Line 3: CVE-2026-9999 is not in the CVE list.');
  });

  it('keeps an imported CVSS v2 assessment (with its source’s score) while its line is unchanged', () => {
    const record = corpusAdvisory('OSSA-2014-029');
    const v2 = record.vulnerabilities[0]?.impactAssessments[0];
    expect(v2?.version).toBe('2.0');
    const form = formFromRecord(record);
    const edited = applyForm(record, { ...form, cves: `${form.cves}\nRequested` });
    expect(edited.vulnerabilities[0]?.impactAssessments[0]).toEqual(v2);
    expect(edited.vulnerabilities).toHaveLength(2);
  });

  it('gives a clear message per field for every kind of bad input, and several problems at once', () => {
    const issues = issuesOf(() =>
      applyForm(empty, {
        title: '   ',
        date: '2026-02-30',
        products: 'nova <20.2.1\nglance: >=2.0 <1.0',
        cves: 'CVE-2026-1111\nCVE-2026-1111\nCVE-26-7',
        cwes: 'CWE-x',
        reporters: 'Jane | Corp | CVE-2030-5555\n | nobody',
        issues: 'bug 123',
        fixes: 'https://review.example.org/1\nmaster: not-a-link',
      }),
    );
    const byField = (f: string) => issues.filter((i) => i.field === f).map((i) => i.message);
    expect(byField('title')).toEqual(['Give the advisory a title.']);
    expect(byField('date')).toEqual(['"2026-02-30" is not a date; write YYYY-MM-DD, e.g. 2026-05-12.']);
    expect(byField('products')[0]).toMatch(/^Line 1: write "product: versions"/);
    expect(byField('products')[1]).toMatch(/^Line 2 \(glance\):/);
    expect(byField('cves')).toEqual(['Line 2: CVE-2026-1111 is listed twice.', expect.stringMatching(/^Line 3: "CVE-26-7" is not a CVE id/)]);
    expect(byField('cwes')[0]).toMatch(/^Line 1: "CWE-x" is not a CWE id/);
    expect(byField('reporters')).toEqual(['Line 1: CVE-2030-5555 is not in the CVE list.', 'Line 2: the reporter\'s name is missing.']);
    expect(byField('issues')).toEqual(['Line 1: "bug 123" does not start with an http:// or https:// link.']);
    expect(byField('fixes')).toEqual([expect.stringMatching(/^Line 1: write "branch: link"/), 'Line 2: "not-a-link" does not start with an http:// or https:// link.']);
  });

  it('groups fix links by branch (branch names may hold spaces) and splits notes on blank lines', () => {
    const r = applyForm(empty, {
      title: 'T',
      fixes: 'master: https://r.example.org/1\n2024.1/caracal (unmaintained): https://r.example.org/2 - errata\nmaster: https://r.example.org/3',
      notes: 'First note\ncontinues here.\n\nSecond note.',
    });
    expect(r.reviews).toEqual([
      { branch: 'master', links: ['https://r.example.org/1', 'https://r.example.org/3'] },
      { branch: '2024.1/caracal (unmaintained)', links: ['https://r.example.org/2 - errata'] },
    ]);
    expect(r.notes).toEqual(['First note continues here.', 'Second note.']);
  });

  it('diffs revisions per field, line by line', () => {
    expect(diffLines('a\nb\nc', 'a\nc\nd')).toEqual([
      { op: 'same', text: 'a' },
      { op: 'del', text: 'b' },
      { op: 'same', text: 'c' },
      { op: 'add', text: 'd' },
    ]);
    const before = corpusAdvisory('OSSA-2016-007');
    const form: Partial<AdvisoryForm> = { ...formFromRecord(before), title: 'New title', fixes: `${formFromRecord(before).fixes}\nmaster: https://review.example.org/99` };
    const diffs = diffRecords(before, applyForm(before, form));
    expect(diffs.map((d) => d.field)).toEqual(['title', 'fixes']);
    expect(diffs[1]?.lines.filter((l) => l.op !== 'same')).toEqual([{ op: 'add', text: 'master: https://review.example.org/99' }]);
  });
});
