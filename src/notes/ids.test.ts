// OSSN-NNNN allocation under concurrency, on both databases (on PostgreSQL the claims really run in
// parallel over a pool of connections): no number is handed out twice, none is lost to a failed claim, and
// numbering continues above the highest stored note and follows the configured prefix.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, makeUser, type TestApp } from '../testing/harness.js';
import { testDialects } from '../testing/databases.js';
import { createProject } from '../projects/projects.js';
import { AppError } from '../errors/catalogue.js';
import { allocateNoteId } from './ids.js';
import { claimNote, flagNote } from './flagging.js';
import { userScope, type UserScope } from './testing/fixtures.js';

describe.each(testDialects())('note id allocation on %s', (dialect) => {
  let t: TestApp;
  let writers: UserScope[];
  const flag = async (n: number) => (await flagNote(writers[n % writers.length]!, { title: `Wanted note ${n}`, reason: '', projects: ['nova'] })).ref;

  beforeAll(async () => {
    t = await createTestApp(dialect);
    await createProject(t.system, { slug: 'nova', name: 'Nova', branches: ['master'] });
    writers = [];
    for (let i = 0; i < 4; i++) writers.push(await userScope(t, await makeUser(t, { username: `writer${i}`, totp: false })));
  });
  afterAll(async () => t.close());

  it('twelve concurrent claims get twelve different, consecutive ids', async () => {
    const refs = [];
    for (let n = 0; n < 12; n++) refs.push(await flag(n));
    const ids = await Promise.all(refs.map((ref, n) => claimNote(writers[n % writers.length]!, ref)));
    expect(new Set(ids).size).toBe(12);
    expect([...ids].sort()).toEqual(Array.from({ length: 12 }, (_, i) => `OSSN-${String(i + 1).padStart(4, '0')}`));
  });

  it('two people claiming one flag at once: one wins, the other is told, and no number is lost', async () => {
    const ref = await flag(100);
    const results = await Promise.allSettled([claimNote(writers[0]!, ref), claimNote(writers[1]!, ref)]);
    const won = results.filter((r): r is PromiseFulfilledResult<string> => r.status === 'fulfilled');
    const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(won.map((w) => w.value)).toEqual(['OSSN-0013']);
    expect(lost).toHaveLength(1);
    expect(lost[0]!.reason).toBeInstanceOf(AppError);
    expect((lost[0]!.reason as AppError).code).toBe('conflict');
    expect(await claimNote(writers[2]!, await flag(101))).toBe('OSSN-0014');
  });

  it('raw allocation in twenty parallel transactions never repeats a number; each prefix counts on its own', async () => {
    const numbers = await Promise.all(Array.from({ length: 20 }, () => t.ctx.storage.db.transaction().execute((trx) => allocateNoteId(trx, 'SN'))));
    expect(numbers.map((n) => n.sequence).sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    expect(numbers.map((n) => n.publicId)).toContain('SN-0020');
    // A rolled-back transaction gives its number back.
    await expect(
      t.ctx.storage.db.transaction().execute(async (trx) => {
        await allocateNoteId(trx, 'SN');
        throw new Error('rolled back');
      }),
    ).rejects.toThrow('rolled back');
    expect((await t.ctx.storage.db.transaction().execute((trx) => allocateNoteId(trx, 'SN'))).publicId).toBe('SN-0021');
  });

  it('continues above the highest stored number when the counter lags behind', async () => {
    await t.ctx.storage.db.updateTable('note_counters').set({ last_number: 3 }).where('prefix', '=', 'OSSN').execute();
    expect((await t.ctx.storage.db.transaction().execute((trx) => allocateNoteId(trx, 'OSSN'))).publicId).toBe('OSSN-0015');
  });
});
