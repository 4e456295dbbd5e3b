import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { AppError } from '../../errors/catalogue.js';
import { fixturePath } from '../../testing/fixture-files.js';
import { importOssaYaml, type OssaImportResult } from './ossa-yaml.js';

const corpusDir = fixturePath('ossa');
const files = readdirSync(corpusDir).filter((f) => f.endsWith('.yaml')).sort();
const imported = new Map<string, OssaImportResult>(
  files.map((f) => [f.replace(/\.yaml$/, ''), importOssaYaml(readFileSync(path.join(corpusDir, f), 'utf8'), f)]),
);

function get(id: string): OssaImportResult {
  const r = imported.get(id);
  if (!r) throw new Error(`${id} not in corpus`);
  return r;
}

function importError(text: string, name = 'OSSA-2099-001.yaml'): AppError {
  try {
    importOssaYaml(text, name);
  } catch (e) {
    if (e instanceof AppError) return e;
    throw e;
  }
  throw new Error('expected the import to fail');
}

const minimal = `date: 2024-05-08
id: OSSA-2099-001
title: A title
description: Something.
affected-products:
  - product: nova
    version: '<1.0.0'
vulnerabilities:
  - cve-id: CVE-2099-0001
reporters:
  - name: Someone
    affiliation: Example
    reported:
      - CVE-2099-0001
issues:
  links:
    - https://launchpad.net/bugs/1
reviews:
  master:
    - https://review.opendev.org/1
`;

describe('import of the whole OpenStack corpus', () => {
  it('imports all 183 advisories, each id matching its file name', () => {
    expect(files).toHaveLength(183);
    for (const [name, { record }] of imported) {
      expect(record.id).toBe(name);
      expect(record.date).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      expect(record.title.length).toBeGreaterThan(0);
      expect(record.affectedProducts.length).toBeGreaterThan(0);
      expect(record.sourceYaml).not.toBeNull();
    }
  });

  it('reports every oddity once, by kind', () => {
    const counts: Record<string, number> = {};
    for (const { warnings } of imported.values()) for (const w of warnings) counts[w.kind] = (counts[w.kind] ?? 0) + 1;
    expect(counts).toEqual({
      'prose-version': 142,
      'sloppy-version': 38,
      'product-qualified-version': 1,
      'non-string-value': 1,
      'annotated-cve-id': 2,
      'invalid-cve-id': 1,
      'string-for-list': 1,
      'missing-affiliation': 9,
      'unknown-affiliation': 12,
      'missing-reported': 6,
      'unlisted-reported-cve': 1,
      'stray-type': 1,
    });
  });

  it('OSSA-2014-015: the version `2014.1` is a YAML 1.1 float, kept as the text Python prints', () => {
    const { record, warnings } = get('OSSA-2014-015');
    expect(record.affectedProducts[0]?.versions.text).toBe('2014.1');
    expect(record.affectedProducts[0]?.versions.ranges[0]).toMatchObject({ introduced: '2014.1', lastAffected: '2014.1' });
    expect(warnings).toContainEqual(
      expect.objectContaining({ kind: 'non-string-value', field: 'affected-products.0.version' }),
    );
    expect((record.raw as { 'affected-products': Array<{ version: unknown }> })['affected-products'][0]?.version).toBe(2014.1);
  });

  it('OSSA-2016-004: annotated CVE ids are split into id and annotation', () => {
    const { record, warnings } = get('OSSA-2016-004');
    expect(record.vulnerabilities.map((v) => [v.cveId, v.idAnnotation])).toEqual([
      ['CVE-2016-0737', 'client to proxy'],
      ['CVE-2016-0738', 'proxy to server'],
    ]);
    expect(warnings.filter((w) => w.kind === 'annotated-cve-id').map((w) => w.field)).toEqual([
      'vulnerabilities.0.cve-id',
      'vulnerabilities.1.cve-id',
    ]);
  });

  it('OSSA-2016-009: explicit CVE notes are kept', () => {
    expect(get('OSSA-2016-009').record.vulnerabilities.map((v) => v.note)).toEqual([
      'DHCP spoofing',
      'MAC source address spoofing',
      'ICMPv6 source address spoofing',
    ]);
  });

  it('OSSA-2025-001: a `reported` string becomes a one-item list, with a warning', () => {
    const { record, warnings } = get('OSSA-2025-001');
    expect(record.reporters[0]?.reported).toEqual(['CVE-2025-44021']);
    expect(warnings).toContainEqual(expect.objectContaining({ kind: 'string-for-list', field: 'reporters.0.reported' }));
    expect(record.reviews[0]).toEqual({ branch: 'master', links: ['https://review.opendev.org/c/openstack/ironic/+/949172'] });
    expect(record.reviews).toHaveLength(12);
  });

  it('OSSA-2011-001: `UNKNOWN` affiliation kept, CVSS 2 and CWE chain typed, review order kept', () => {
    const { record } = get('OSSA-2011-001');
    expect(record.reporters[0]).toEqual({ name: 'David Black', affiliation: 'UNKNOWN', reported: ['CVE-2011-4596'] });
    expect(record.vulnerabilities[0]?.impactAssessments).toEqual([
      { version: '2.0', vector: 'AV:N/AC:M/Au:N/C:P/I:P/A:N', score: 5.8, source: 'Red Hat Product Security', rating: 'moderate' },
    ]);
    expect(record.vulnerabilities[0]?.classifications[0]?.cweIds).toEqual(['CWE-20', 'CWE-22']);
    expect(record.reviews.map((r) => r.branch)).toEqual(['essex', 'diablo']);
    expect(record.reviewsType).toBe('gerrit');
    expect(record.issues).toEqual({
      links: ['https://launchpad.net/bugs/885167', 'https://launchpad.net/bugs/894755'],
      type: 'launchpad',
    });
    expect(record.references).toEqual(['https://lists.launchpad.net/openstack/msg06105.html']);
    expect(record.affectedProducts[0]?.versions.allVersions).toBe(true);
    expect(record.dateText).toBe('2011-12-13');
  });

  it('OSSA-2015-021: reporters without affiliation get null, with a warning each', () => {
    const { record, warnings } = get('OSSA-2015-021');
    expect(record.reporters.map((r) => r.affiliation)).toEqual([null, null]);
    expect(warnings.filter((w) => w.kind === 'missing-affiliation')).toHaveLength(2);
  });

  it('OSSA-2016-008: a top-level `type` is kept and flagged', () => {
    const { record, warnings } = get('OSSA-2016-008');
    expect(record.type).toBe('gerrit');
    expect(warnings).toContainEqual(expect.objectContaining({ kind: 'stray-type', field: 'type' }));
  });

  it('OSSA-2023-002: product-qualified version text is split per product', () => {
    const { record } = get('OSSA-2023-002');
    const products = new Set(record.affectedProducts[0]?.versions.ranges.map((r) => r.product));
    expect([...products]).toEqual(['Cinder', 'Glance', 'Nova']);
  });

  it('OSSA-2026-008: errata with history (newest first), reporters without `reported`', () => {
    const { record, warnings } = get('OSSA-2026-008');
    expect(record.errata?.history).toEqual(['2026-04-29 - Errata 1', '2026-04-27 - Original Version']);
    expect(record.errata?.text).toMatch(/^When the original advisory was published/);
    expect(record.reporters.map((r) => r.reported)).toEqual([[], []]);
    expect(warnings.filter((w) => w.kind === 'missing-reported')).toHaveLength(2);
  });

  it('OSSA-2026-007: a non-CVE placeholder id is kept as written, with a warning', () => {
    const { record, warnings } = get('OSSA-2026-007');
    expect(record.vulnerabilities[0]?.cveId).toBe('CVE-2026-pending');
    expect(warnings).toContainEqual(expect.objectContaining({ kind: 'invalid-cve-id' }));
  });
});

describe('import of synthetic files', () => {
  it('imports a minimal clean advisory without warnings', () => {
    const { record, warnings } = importOssaYaml(minimal, 'min.yaml');
    expect(warnings).toEqual([]);
    expect(record.affectedProducts[0]?.versions.ranges[0]?.fixed).toBe('1.0.0');
  });

  it('warns about a missing date and keeps the record', () => {
    const { record, warnings } = importOssaYaml(minimal.replace('date: 2024-05-08\n', ''), 'nodate.yaml');
    expect(record.date).toBeNull();
    expect(record.dateText).toBe('');
    expect(warnings).toEqual([expect.objectContaining({ kind: 'missing-date', field: 'date' })]);
  });

  it('reads a quoted date, with a warning, and keeps its text', () => {
    const { record, warnings } = importOssaYaml(minimal.replace('date: 2024-05-08', "date: '2024-5-8'"), 'q.yaml');
    expect(record.date).toBe('2024-05-08');
    expect(record.dateText).toBe('2024-5-8');
    expect(warnings.map((w) => w.kind)).toEqual(['date-not-a-date']);
  });

  it('keeps unknown keys in `extra` and flags the `Requested` placeholder', () => {
    const text = `${minimal.replace('cve-id: CVE-2099-0001', 'cve-id: Requested')}cvss-v4: 'CVSS:4.0/AV:N'\n`;
    const { record, warnings } = importOssaYaml(text, 'x.yaml');
    expect(record.extra).toEqual({ 'cvss-v4': 'CVSS:4.0/AV:N' });
    expect(record.vulnerabilities[0]?.cveId).toBe('Requested');
    expect(warnings.map((w) => w.kind).sort()).toEqual(['cve-placeholder', 'unknown-key', 'unlisted-reported-cve']);
  });
});

describe('refused input: clear errors naming file and field', () => {
  it('not YAML', () => {
    const e = importError('id: [unclosed\n', 'broken.yaml');
    expect(e.code).toBe('validation_failed');
    expect(e.message).toMatch(/^broken\.yaml: not valid YAML at line \d+, column \d+: /);
  });

  it('not a mapping', () => {
    expect(importError('- a\n- b\n', 'list.yaml').message).toBe(
      'list.yaml: expected a mapping of advisory fields at the top level, found list',
    );
    expect(importError('', 'empty.yaml').message).toBe('empty.yaml: the file is empty');
  });

  it('missing id', () => {
    const e = importError(minimal.replace('id: OSSA-2099-001\n', ''), 'noid.yaml');
    expect(e.message).toBe('noid.yaml: id: advisory id is missing');
    expect(e.fields).toEqual([{ field: 'id', message: 'advisory id is missing' }]);
  });

  it('malformed id', () => {
    expect(importError(minimal.replace('id: OSSA-2099-001', 'id: advisory-1')).fields).toEqual([
      { field: 'id', message: 'advisory id `advisory-1` is not of the form OSSA-YYYY-NNN' },
    ]);
  });

  it('wrong types, all reported together with their paths', () => {
    const text = minimal
      .replace("affected-products:\n  - product: nova\n    version: '<1.0.0'", 'affected-products: nova')
      .replace('reporters:\n  - name: Someone', 'reporters:\n  - name: [Some, One]')
      .replace('title: A title', 'title: {a: b}');
    const e = importError(text, 'types.yaml');
    expect(e.fields).toEqual([
      { field: 'title', message: 'expected title (text), found dict' },
      { field: 'affected-products', message: 'expected affected products (a list), found str' },
      { field: 'reporters.0.name', message: 'expected reporter name (text), found list' },
    ]);
    expect(e.message).toBe('types.yaml: title: expected title (text), found dict (and 2 more)');
  });

  it('a vulnerability without cve-id and a review branch that is a mapping', () => {
    const text = minimal
      .replace('  - cve-id: CVE-2099-0001', '  - note: nothing')
      .replace('  master:\n    - https://review.opendev.org/1', '  master: {a: 1}');
    expect(importError(text).fields).toEqual([
      { field: 'vulnerabilities.0.cve-id', message: 'cve-id is missing' },
      { field: 'reviews.master', message: 'expected review links (a list), found dict' },
    ]);
  });
});
