// Fuzz target (issue 13): OSSA YAML import. Invariants: any text either imports or fails with a
// catalogued error (no TypeError, no stack overflow, no alias bomb running past the budget); an
// imported record exports to YAML that imports again; every public file it publishes to stays
// inside the site (no `..`, no absolute path, no NUL, no backslash).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { testConfig } from '../../config/config.js';
import { parseAdvisoryId } from '../../identifiers/advisory-ids.js';
import { advisoryFiles } from '../outputs.js';
import { publicationProfileOf } from '../settings.js';
import { NOTHING_ENTERED } from '../settings-store.js';
import { catalogued, hostileNames, hostileText, mutatedText, replayRegressions, runFuzz, seedFiles, type FuzzTarget } from '../../testing/fuzz.js';
import { exportOssaYaml } from './ossa-export.js';
import { importOssaYaml } from './ossa-yaml.js';
import { guideValuesFor } from '../guide-starters.js';

const SEEDS = seedFiles(import.meta.url, 'seeds/ossa').map((s) => s.bytes.toString('utf8'));
const config = testConfig({ dataDir: '/nonexistent-fuzz' });
const profile = publicationProfileOf(config, NOTHING_ENTERED, []);
const site = { settings: profile.entered, profile, instanceName: config.instanceName, teamKey: null, guideValues: guideValuesFor(config), createdAt: '2026-01-01T00:00:00.000Z' };

const YAML_FRAGMENTS = [
  '&a ', '*a', '<<: *a', '!!set', '!!omap', '!!binary', '!!python/object/apply:os.system', '? ', ': ', '- ', '|', '>', '|-', '"\\x00"', "'",
  '{', '}', '[', ']', '%TAG ! tag:x:', '--- ', '\n...\n', '\t', 'cve-id: ', 'cvss: ', 'version: ', 'product: ', 'id: ', 'date: ',
  'CVE-2026-1234', '2026-13-45', 'OSSA-2026-999', '../../x', 'null', '~', '.inf', '0x1F', '1_000', 'yes', 'no', '2001-12-14t21:59:43.10-05:00',
];

/** "Billion laughs": each level refers to the one before it several times. */
const aliasBomb = fc.tuple(fc.integer({ min: 2, max: 12 }), fc.integer({ min: 2, max: 9 }), fc.constantFrom('description', 'title', 'notes', 'errata')).map(([levels, fan, key]) => {
  const lines = ['id: OSSA-2026-001', 'date: 2026-01-01', 'title: x', 'a0: &a0 [lol]'];
  for (let i = 1; i <= levels; i++) lines.push(`a${i}: &a${i} [${Array.from({ length: fan }, () => `*a${i - 1}`).join(', ')}]`);
  lines.push(`${key}: *a${levels}`);
  return lines.join('\n');
});

/** A seed with one field replaced by a hostile value (ids, CVE ids, products are used in file names). */
const hostileField = fc.tuple(fc.nat({ max: SEEDS.length - 1 }), fc.constantFrom('id', 'cve-id', 'product', 'date', 'version'), fc.oneof(fc.constantFrom(...hostileNames), fc.string({ maxLength: 20 }))).map(([i, key, value]) =>
  (SEEDS[i] ?? '').replace(new RegExp(`(${key}: ).*`), (_m, k: string) => `${k}${JSON.stringify(value)}`),
);

function assertInsideSite(p: string): void {
  expect(p, p).toMatch(/^[A-Za-z0-9._/-]+$/);
  expect(p.startsWith('/')).toBe(false);
  expect(p.split('/').every((seg) => seg !== '' && seg !== '.' && seg !== '..'), p).toBe(true);
}

const target: FuzzTarget<string> = {
  name: 'ossa-yaml-import',
  testFile: import.meta.url,
  arbitrary: fc.oneof({ weight: 6, arbitrary: mutatedText(SEEDS, { fragments: YAML_FRAGMENTS }) }, { weight: 1, arbitrary: aliasBomb }, { weight: 2, arbitrary: hostileField }, { weight: 1, arbitrary: hostileText }),
  runs: 400,
  longShare: 0.25,
  check: async (text) => {
    const outcome = await catalogued('importOssaYaml', () => importOssaYaml(text, 'fuzz.yaml'));
    if ('error' in outcome) {
      expect(['validation_failed', 'bad_request']).toContain(outcome.error.code);
      return;
    }
    const { record } = outcome.value;
    // As PyYAML's Reader: a stream with a non-printable character is refused whole (reader.py check_printable).
    // eslint-disable-next-line no-control-regex -- the control characters are what is refused
    expect(text).not.toMatch(/[^\x09\x0a\x0d\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\u{10000}-\u{10ffff}]/u);
    // What was imported can be exported, and the export is importable again.
    const exported = await catalogued('exportOssaYaml', () => exportOssaYaml(record));
    if ('value' in exported) await catalogued('importOssaYaml(export)', () => importOssaYaml(exported.value, 'again.yaml'));
    if (!parseAdvisoryId(record.id, config.advisoryPrefix).ok) return; // the importer refuses it before publishing
    const files = await catalogued('advisoryFiles', () => advisoryFiles(record, site));
    if ('value' in files) for (const f of files.value) assertInsideSite(f.path);
  },
};

describe('fuzz: OSSA YAML import', () => {
  it('seeds import cleanly (so mutations start from real advisories)', () => {
    expect(SEEDS.length).toBeGreaterThan(3);
    for (const s of SEEDS) expect(importOssaYaml(s).record.id).toMatch(/^OSSA-/);
  });
  it(`${target.name}: committed regression inputs still pass`, async () => {
    await replayRegressions(target);
  });
  it(`${target.name}: generated inputs keep the invariants`, async () => {
    expect((await runFuzz(target)).runs).toBeGreaterThan(0);
  });
});
