// Fuzz target (issue 13): `cordon import ossa` one file at a time, on both databases. Invariants: a
// refused file writes nothing (advisories, revisions, sequences, site files and audit rows unchanged)
// and says why; an imported file stores exactly its text and a record that reads back.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDialects } from '../testing/databases.js';
import { hostileText, mutatedText, replayRegressions, runFuzz, seedFiles, type FuzzTarget } from '../testing/fuzz.js';
import { createTestApp, type TestApp } from '../testing/harness.js';
import { importOssaFile } from './import.js';

const SEEDS = seedFiles(import.meta.url, '../../publication/formats/__fuzz__/seeds/ossa').map((s) => s.bytes.toString('utf8'));
const TABLES = ['advisories', 'advisory_revisions', 'advisory_sequences', 'public_site_files', 'audit_events'] as const;

describe.each(testDialects())('fuzz: OSSA import into the database on %s', (dialect) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(dialect);
  });
  afterAll(async () => {
    await t.close();
  });

  async function counts(): Promise<Record<string, number>> {
    const out: Record<string, number> = {};
    for (const table of TABLES) out[table] = Number((await t.ctx.storage.db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
    return out;
  }

  const target: FuzzTarget<string> = {
    name: 'ossa-import-db',
    testFile: import.meta.url,
    arbitrary: fc.oneof({ weight: 5, arbitrary: mutatedText(SEEDS, { maxMutations: 3 }) }, { weight: 1, arbitrary: hostileText }),
    runs: 60,
    longShare: 0.05,
    check: async (text) => {
      const before = await counts();
      const result = await importOssaFile(t.system, 'fuzz.yaml', text);
      if (result.outcome === 'failed') {
        expect(result.errors.length).toBeGreaterThan(0);
        expect(await counts()).toEqual(before);
        return;
      }
      expect(result.errors).toEqual([]);
      const row = await t.ctx.storage.db.selectFrom('advisories').selectAll().where('ref', '=', result.ref!).executeTakeFirstOrThrow();
      expect(row.source_yaml).toBe(text);
      expect((JSON.parse(row.record_json) as { id: string }).id).toBe(result.ref);
      if (result.outcome === 'unchanged') expect(await counts()).toEqual(before);
    },
  };

  it(`${target.name}: committed regression inputs still pass`, async () => {
    await replayRegressions(target);
  });
  it(`${target.name}: generated inputs keep the invariants`, async () => {
    expect((await runFuzz(target)).runs).toBeGreaterThan(0);
  });
});
