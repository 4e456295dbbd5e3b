// Import of the real OpenStack history (183 OSSA files) as published advisories, idempotent, with
// warnings for the quirks and errors for broken files; export that loads to the same data.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createTestApp, type TestApp } from '../testing/harness.js';
import { testDialects } from '../testing/databases.js';
import { fixturePath } from '../testing/fixture-files.js';
import { systemScope } from '../context.js';
import { exportOssaDirectory, importOssaDirectory } from './import.js';
import { loadPyYaml } from '../publication/formats/pyyaml-load.js';
import { pyEquals } from '../publication/formats/py-value.js';
import { createAdvisory } from './commands.js';
import { makeCast, scopeOf } from './testing/advisories.js';

const corpus = fixturePath('ossa');

describe.each(testDialects())('OSSA import and export on %s', (dialect) => {
  let t: TestApp;
  let tmp: string;
  beforeAll(async () => {
    t = await createTestApp(dialect);
    tmp = mkdtempSync(path.join(os.tmpdir(), 'cordon-'));
  });
  afterAll(async () => {
    rmSync(tmp, { recursive: true, force: true });
    await t.close();
  });

  it('imports all 183 advisories as published, keeping the source file, with a warning per oddity', async () => {
    const run = await importOssaDirectory(systemScope(t.ctx), corpus);
    expect(run.results).toHaveLength(183);
    expect(run.results.filter((r) => r.outcome !== 'imported').map((r) => `${r.file}: ${r.errors.join('; ')}`)).toEqual([]);
    const warnings = run.results.flatMap((r) => r.warnings.map((w) => `${r.file}: ${w}`));
    expect(warnings.length).toBeGreaterThan(50);
    expect(warnings.some((w) => w.startsWith('OSSA-2016-004.yaml: vulnerabilities.0.cve-id'))).toBe(true);
    const rows = await t.ctx.storage.db.selectFrom('advisories').select(['ref', 'status', 'source_yaml']).execute();
    expect(rows).toHaveLength(183);
    expect(rows.every((r) => r.status === 'published')).toBe(true);
    const one = rows.find((r) => r.ref === 'OSSA-2016-007');
    expect(one?.source_yaml).toBe(readFileSync(path.join(corpus, 'OSSA-2016-007.yaml'), 'utf8'));
    expect(run.site?.written).toBeGreaterThan(183 * 5);
  });

  it('changes nothing on a second run', async () => {
    const db = t.ctx.storage.db;
    const count = async (table: 'advisory_revisions' | 'audit_events' | 'jobs') => (await db.selectFrom(table).select('id').execute()).length;
    const before = [await count('advisory_revisions'), await count('audit_events'), await count('jobs')];
    const files = await db.selectFrom('public_site_files').select(['path', 'sha256', 'updated_at']).orderBy('path').execute();
    const run = await importOssaDirectory(systemScope(t.ctx), corpus);
    expect(run.results.every((r) => r.outcome === 'unchanged')).toBe(true);
    expect(run.site).toBeNull();
    expect([await count('advisory_revisions'), await count('audit_events'), await count('jobs')]).toEqual(before);
    expect(await db.selectFrom('public_site_files').select(['path', 'sha256', 'updated_at']).orderBy('path').execute()).toEqual(files);
  });

  it('exports YAML that loads to the same data as the original, for all 183 files', async () => {
    const out = path.join(tmp, 'export');
    expect(await exportOssaDirectory(t.ctx.storage.db, out)).toBe(183);
    const differ: string[] = [];
    for (const file of readdirSync(corpus).filter((f) => f.endsWith('.yaml'))) {
      const original = loadPyYaml(readFileSync(path.join(corpus, file), 'utf8'), file).value;
      const exported = loadPyYaml(readFileSync(path.join(out, file), 'utf8'), file).value;
      if (!pyEquals(original, exported)) differ.push(file);
    }
    expect(differ).toEqual([]);
  });

  it('continues numbering after the imported ids', async () => {
    t.clock.set(new Date('2026-07-01T12:00:00Z'));
    const cast = await makeCast(t);
    expect(await createAdvisory(await scopeOf(t, cast.vmt), { title: 'After the import' })).toBe('OSSA-2026-013');
  });

  it('reports broken files (not YAML, wrong types, duplicate or foreign ids) and imports the others', async () => {
    const dir = path.join(tmp, 'mixed');
    rmSync(dir, { recursive: true, force: true });
    const t2 = await createTestApp(dialect);
    try {
      mkdirSync(dir, { recursive: true });
      copyFileSync(path.join(corpus, 'OSSA-2014-001.yaml'), path.join(dir, 'OSSA-2014-001.yaml'));
      copyFileSync(path.join(corpus, 'OSSA-2015-002.yaml'), path.join(dir, 'OSSA-2015-002.yaml'));
      writeFileSync(path.join(dir, 'a-not-yaml.yaml'), 'title: [unclosed\n  - : :\n');
      writeFileSync(path.join(dir, 'b-wrong-types.yaml'), 'date: 2020-01-01\nid: OSSA-2020-900\ntitle: [1, 2]\ndescription: x\naffected-products: 12\n');
      writeFileSync(path.join(dir, 'c-duplicate.yaml'), readFileSync(path.join(corpus, 'OSSA-2014-001.yaml'), 'utf8').replace('OSSA-2014-001', 'OSSA-2015-002'));
      writeFileSync(path.join(dir, 'd-foreign.yaml'), readFileSync(path.join(corpus, 'OSSA-2014-001.yaml'), 'utf8').replace('OSSA-2014-001', 'XSA-2014-001'));
      const run = await importOssaDirectory(systemScope(t2.ctx), dir);
      const by = Object.fromEntries(run.results.map((r) => [r.file, r]));
      expect(by['OSSA-2014-001.yaml']?.outcome).toBe('imported');
      expect(by['OSSA-2015-002.yaml']?.outcome).toBe('imported');
      expect(by['a-not-yaml.yaml']?.outcome).toBe('failed');
      expect(by['a-not-yaml.yaml']?.errors.join(' ')).toMatch(/yaml/i);
      expect(by['b-wrong-types.yaml']?.outcome).toBe('failed');
      expect(by['b-wrong-types.yaml']?.errors.join(' ')).toContain('title');
      expect(by['b-wrong-types.yaml']?.errors.join(' ')).toContain('affected-products');
      // Files are read in name order, so the real OSSA-2015-002.yaml came first and c-duplicate.yaml is refused.
      expect(by['c-duplicate.yaml']?.outcome).toBe('failed');
      expect(by['c-duplicate.yaml']?.errors.join(' ')).toContain('OSSA-2015-002 is also the id of OSSA-2015-002.yaml');
      expect(by['d-foreign.yaml']?.errors.join(' ')).toContain('ADVISORY_PREFIX');
      const rows = await t2.ctx.storage.db.selectFrom('advisories').select('ref').orderBy('ref').execute();
      expect(rows.map((r) => r.ref)).toEqual(['OSSA-2014-001', 'OSSA-2015-002']);
    } finally {
      await t2.close();
    }
  });
});
