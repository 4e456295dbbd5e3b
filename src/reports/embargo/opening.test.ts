// Opening reports (opening.ts): the batch lane of embargo.open writes the same rows as the job's own `run`:
// for pairs of reports set up alike, one opened by `run`, the other within a `batch.run`, the report row,
// the timeline, the cancelled deadline jobs, the notification mail (VMT, subscriber, reporter) and the
// audit event are equal up to the report's own ref and id; reports already public or whose embargo moved
// are left alone by both. Both databases.
import { afterEach, describe, expect, it } from 'vitest';
import { verifyAuditChain } from '../../audit/audit.js';
import { changeIn } from '../../context.js';
import { EMBARGO_OPEN_JOB, type EmbargoJobPayload } from './schedule.js';
import { buildJobRegistry } from '../../jobs/registry.js';
import type { JobContext, JobHandler } from '../../jobs/worker.js';
import { MAIL_JOB } from '../../mail/outbox.js';
import type { JobRow } from '../../storage/tables.js';
import { testDialects } from '../../testing/databases.js';
import { createTestApp, makeUser, type TestApp } from '../../testing/harness.js';
import { subscribe } from '../ladder.js';
import { receive, setUpTeam, userScope } from '../testing/deadline-fixtures.js';

describe.each(testDialects())('opening reports in a batch on %s', (dialect) => {
  let t: TestApp;
  afterEach(async () => t?.close());

  it('writes the same rows as opening them one by one', async () => {
    t = await createTestApp(dialect);
    const team = await setUpTeam(t);
    await makeUser(t, { username: 'cora', totp: false });
    const reporter = await makeUser(t, { username: 'rita', totp: false });
    const db = t.ctx.storage.db;

    // Four shapes, each twice: anonymous reporter with a subscribed developer; a reporter with an account whose report
    // was closed as invalid (it keeps its state); already public (left alone); embargo moved (left alone).
    async function shape(kind: 'anonymous' | 'closed' | 'public' | 'moved') {
      const report = kind === 'closed' ? await receive(t, { email: 'rita@example.org' }, await userScope(t, reporter)) : await receive(t);
      if (kind === 'anonymous') await subscribe(team.vmtScope, report.ref, { username: 'cora', level: 'developer', reason: 'writes the fix' });
      if (kind === 'closed') await db.updateTable('reports').set({ state: 'invalid' }).where('id', '=', report.id).execute();
      if (kind === 'public') await db.updateTable('reports').set({ visibility: 'public' }).where('id', '=', report.id).execute();
      if (kind === 'moved') await db.updateTable('reports').set({ embargo_version: report.embargo_version + 1 }).where('id', '=', report.id).execute();
      return { id: report.id, ref: report.ref, payload: { reportId: report.id, version: report.embargo_version } satisfies EmbargoJobPayload };
    }
    const kinds = ['anonymous', 'closed', 'public', 'moved'] as const;
    type Shape = Awaited<ReturnType<typeof shape>>;
    const single: Shape[] = [];
    const batched: Shape[] = [];
    for (const kind of kinds) single.push(await shape(kind));
    for (const kind of kinds) batched.push(await shape(kind));

    const handler: JobHandler = buildJobRegistry(t.ctx).get(EMBARGO_OPEN_JOB)!;
    const storage = t.ctx.storage;
    const clock = t.clock;
    const commit: JobContext['commit'] = (fn) => db.transaction().execute((trx) => fn(changeIn(trx, { dialect: storage.dialect, config: t.ctx.config }, clock.now())));
    const asJob = (payload: EmbargoJobPayload, id: number) => ({ id, kind: EMBARGO_OPEN_JOB, payload: JSON.stringify(payload) }) as JobRow;
    const mailsBefore = (await db.selectFrom('jobs').select('id').where('kind', '=', MAIL_JOB).execute()).map((j) => j.id);

    t.clock.advance(60_000);
    for (const [i, s] of single.entries()) await handler.run({ job: asJob(s.payload, -1 - i), payload: s.payload, storage, clock, commit });
    await handler.batch!.run({ jobs: batched.map((b, i) => asJob(b.payload, -100 - i)), storage, clock, commit });

    const newMail = (await db.selectFrom('jobs').select(['id', 'payload']).where('kind', '=', MAIL_JOB).orderBy('id').execute()).filter((j) => !mailsBefore.includes(j.id));
    async function effects(r: { id: number; ref: string }) {
      const norm = (text: string) => text.split(r.ref).join('REF');
      const row = await db.selectFrom('reports').select(['visibility', 'state', 'public_at']).where('id', '=', r.id).executeTakeFirstOrThrow();
      const timeline = (await db.selectFrom('report_events').select(['kind', 'actor_label', 'visibility', 'data', 'at']).where('report_id', '=', r.id).orderBy('id').execute()).map((e) => ({ ...e, data: norm(e.data) }));
      const deadlineJobs = (await db.selectFrom('jobs').select(['kind', 'status', 'dedupe_key']).where('dedupe_key', 'like', `embargo-%:${r.id}:%`).orderBy('kind').orderBy('dedupe_key').execute()).map((j) => ({ kind: j.kind, status: j.status, key: (j.dedupe_key ?? '').replace(`:${r.id}:`, ':ID:') }));
      const mails = newMail.filter((m) => m.payload.includes(r.ref)).map((m) => {
        const p = JSON.parse(m.payload) as { to: string[]; subject: string; text: string; headers: Record<string, string> };
        return { to: p.to, subject: norm(p.subject), text: norm(p.text), headers: JSON.parse(norm(JSON.stringify(p.headers))) as unknown };
      });
      const audit = (await db.selectFrom('audit_events').select(['action', 'actor_label', 'target_type', 'before_json', 'after_json']).where('target_type', '=', 'report').where('target_id', '=', String(r.id)).execute()).filter((a) => a.action.startsWith('report.opened'));
      return { row, timeline, deadlineJobs, mails: mails.sort((a, b) => a.to[0]!.localeCompare(b.to[0]!)), audit };
    }
    for (const [i, kind] of kinds.entries()) {
      const one = await effects(single[i]!);
      const many = await effects(batched[i]!);
      expect(many, kind).toEqual(one);
      if (kind === 'anonymous' || kind === 'closed') {
        expect(one.row.visibility).toBe('public');
        expect(one.timeline.at(-1)?.kind).toBe('opened_at_embargo_end');
        expect(one.audit).toHaveLength(1);
        expect(one.deadlineJobs.filter((j) => j.kind === 'embargo.warn').every((j) => j.status === 'cancelled')).toBe(true);
        // The VMT (two members) and the reporter; the subscriber too for the first shape.
        expect(one.mails.map((m) => m.to[0])).toEqual(kind === 'anonymous' ? ['cora@example.org', 'finder@example.net', ...team.vmt.map((u) => u.user.email)].sort() : ['rita@example.org', ...team.vmt.map((u) => u.user.email)].sort());
      } else {
        expect(one.audit).toEqual([]);
        expect(one.mails).toEqual([]);
      }
    }
    expect(single[1] && (await effects(single[1])).row.state).toBe('invalid');
    expect(await verifyAuditChain(db)).toMatchObject({ ok: true });
  });
});
