// Advisory ids are allocated without gaps per year, also under concurrent allocation: many transactions
// at once (on PostgreSQL truly in parallel, on several pooled connections), some of them rolled back.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../testing/harness.js';
import { testDialects } from '../testing/databases.js';
import { allocateAdvisoryId, reserveAdvisorySeq } from './ids.js';
import { createAdvisory } from './commands.js';
import { makeCast, scopeOf } from './testing/advisories.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe.each(testDialects())('advisory id allocation on %s', (dialect) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(dialect);
  });
  afterAll(async () => t.close());

  it('hands out 001, 002, … per prefix and year, starting again each year', async () => {
    const db = t.ctx.storage.db;
    const got = [];
    for (const year of [2030, 2030, 2031, 2030]) got.push((await db.transaction().execute((trx) => allocateAdvisoryId(trx, 'OSSA', year))).ref);
    got.push((await db.transaction().execute((trx) => allocateAdvisoryId(trx, 'XSA', 2030))).ref);
    expect(got).toEqual(['OSSA-2030-001', 'OSSA-2030-002', 'OSSA-2031-001', 'OSSA-2030-003', 'XSA-2030-001']);
  });

  it('continues after the highest imported number and never goes back', async () => {
    const db = t.ctx.storage.db;
    await db.transaction().execute((trx) => reserveAdvisorySeq(trx, 'OSSA', 2040, 12));
    await db.transaction().execute((trx) => reserveAdvisorySeq(trx, 'OSSA', 2040, 7));
    expect((await db.transaction().execute((trx) => allocateAdvisoryId(trx, 'OSSA', 2040))).ref).toBe('OSSA-2040-013');
  });

  it('never repeats or skips a number when 60 transactions allocate at once, a third of them rolling back', async () => {
    const db = t.ctx.storage.db;
    const committed: number[] = [];
    const attempts = Array.from({ length: 60 }, (_, i) =>
      db
        .transaction()
        .execute(async (trx) => {
          const id = await allocateAdvisoryId(trx, 'OSSA', 2050);
          // Hold the transaction open a little so that the others pile up behind the counter row.
          await sleep(i % 7);
          if (i % 3 === 0) throw new Error('rolled back on purpose');
          return id.seq;
        })
        .then(
          (seq) => void committed.push(seq),
          (error: unknown) => {
            if (!(error instanceof Error) || error.message !== 'rolled back on purpose') throw error;
          },
        ),
    );
    await Promise.all(attempts);
    expect(committed).toHaveLength(40);
    expect([...committed].sort((a, b) => a - b)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    const counter = await db.selectFrom('advisory_sequences').select('last_seq').where('prefix', '=', 'OSSA').where('year', '=', 2050).executeTakeFirstOrThrow();
    expect(Number(counter.last_seq)).toBe(40);
  });

  it('gives 25 advisories drafted at the same moment 25 consecutive ids', async () => {
    t.clock.set(new Date('2060-03-01T12:00:00Z'));
    const cast = await makeCast(t, 'ironic');
    const scope = await scopeOf(t, cast.vmt);
    const refs = await Promise.all(Array.from({ length: 25 }, (_, i) => createAdvisory(scope, { title: `Concurrent draft ${i}` })));
    const seqs = refs.map((r) => Number(r.slice(-3))).sort((a, b) => a - b);
    expect(new Set(refs).size).toBe(25);
    expect(seqs).toEqual(Array.from({ length: 25 }, (_, i) => i + 1));
    expect(refs.every((r) => r.startsWith('OSSA-2060-'))).toBe(true);
  });
});
