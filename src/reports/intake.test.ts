// Report intake through the real HTTP stack on both databases: the web form (real multipart bodies with
// files), the JSON API, CSRF, the honeypot, rate limits, and every kind of bad input refused with a clear
// error, the typed values kept and nothing stored.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import { sha256Hex } from '../accounts/secrets.js';
import { createTestApp, makeUser, signedInClient, TestClient, type TestApp } from '../testing/harness.js';
import { testDialects } from '../testing/databases.js';
import { TempGnupg } from '../pgp/testing/gnupg.js';
import { GOOD_FIELDS, pairs, postMultipart, setUpIntake, storedCounts, type FilePart } from './testing/intake.js';

const LIMITS = { maxAttachmentBytes: 4096, maxAttachments: 3 };

const keys = { publicKey: '', secretKey: '', expiredKey: '' };
let gpg: TempGnupg;

beforeAll(() => {
  gpg = new TempGnupg();
  // Made "in the past" relative to the test clock (2026-01-06), which inspects keys at its own now.
  const good = gpg.generateKey({ uid: 'Ada Finder <ada@example.net>', algo: 'ed25519', encryptionAlgo: 'cv25519', fakedTime: '20251201T000000' });
  keys.publicKey = gpg.exportPublic(good).toString('utf8');
  keys.secretKey = gpg.exportSecret(good);
  const old = gpg.generateKey({ uid: 'Old Key <old@example.net>', algo: 'ed25519', encryptionAlgo: 'cv25519', expire: '1d', fakedTime: '20251201T000000' });
  keys.expiredKey = gpg.exportPublic(old).toString('utf8');
}, 60_000);
afterAll(() => gpg.cleanup());

async function jobsByKind(t: TestApp): Promise<Record<string, number>> {
  const rows = await t.ctx.storage.db.selectFrom('jobs').select(['kind']).execute();
  const out: Record<string, number> = {};
  for (const r of rows) out[r.kind] = (out[r.kind] ?? 0) + 1;
  return out;
}

describe.each(testDialects())('report intake on %s', (dialect) => {
  let t: TestApp;
  let vmtEmail: string;
  beforeAll(async () => {
    t = await createTestApp(dialect, LIMITS);
    const { vmt } = await setUpIntake(t);
    vmtEmail = vmt.user.email;
  });
  afterAll(async () => t.close());

  it('shows the form: overseen projects to choose, the others with their contact, a hidden honeypot, a multipart form whose first field is its CSRF token (none in the URL)', async () => {
    const res = await new TestClient(t).get('/report');
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('enctype="multipart/form-data"');
    expect(res.body).toMatch(/<form method="post" action="\/report" enctype="multipart\/form-data" class="intake"><input type="hidden" name="_csrf" value="[^"]+">/);
    expect(res.body).not.toContain('_csrf=');
    expect(res.body).toContain('name="projects" value="nova"');
    expect(res.body).toContain('name="projects" value="glance"');
    expect(res.body).not.toContain('value="horizon-extras"');
    expect(res.body).toContain('Horizon Extras');
    expect(res.body).toContain('href="mailto:security@horizon-extras.example"');
    expect(res.body).toMatch(/<div class="field honeypot"><label for="f-leave_this_blank">Leave this field empty<\/label><input [^>]*name="leave_this_blank"[^>]*tabindex="-1" autocomplete="off">/);
    expect(res.body).toContain('At most 3 files of up to 4 KiB each.');
  });

  it('is one click from anywhere: the home card, the header, a project page; the project page preselects its project (issue 15)', async () => {
    const c = new TestClient(t);
    const home = (await c.get('/')).body;
    expect(home).toContain('<a class="btn primary" href="/report">Report a vulnerability</a>');
    expect(home).toMatch(/<nav class="nav-wide" aria-label="Main">[\s\S]*<a href="\/report" class="nav-report">Report a vulnerability<\/a>[\s\S]*<\/nav>/);
    const project = (await c.get('/projects/nova')).body;
    expect(project).toContain('<a href="/report?project=nova">report vulnerabilities here</a>');
    const isChecked = (body: string, slug: string) => new RegExp(`<input type="checkbox" id="f-projects-${slug}" name="projects" value="${slug}" checked`).test(body);
    const chosen = (await c.get('/report?project=nova')).body;
    expect(isChecked(chosen, 'nova')).toBe(true);
    expect(isChecked(chosen, 'glance')).toBe(false);
    const plain = (await c.get('/report')).body;
    expect(isChecked(plain, 'nova')).toBe(false);
    // A project that handles its own reports, or no such project, ticks nothing.
    for (const slug of ['horizon-extras', 'no-such-project']) {
      const other = (await c.get(`/report?project=${slug}`)).body;
      expect(isChecked(other, 'nova') || isChecked(other, 'glance')).toBe(false);
    }
    // The credit name is required unless anonymous: marked, without the browser's hard check.
    expect(plain).toMatch(/<label for="f-credit_name">Name to credit<span class="req" aria-hidden="true"> \*<\/span><\/label>/);
    expect(plain).not.toMatch(/name="credit_name"[^>]*required/);
  });

  it('accepts a web report with an attachment: stored with its file, embargo, warnings, ack deadline and VMT mail, then redirects to the private link shown once', async () => {
    const before = await jobsByKind(t);
    const c = new TestClient(t);
    const poc: FilePart = { filename: 'poc.py', content: Buffer.from('import requests\nprint("poc")\n'), type: 'text/x-python' };
    const posted = await postMultipart(t, c, '/report', pairs({ ...GOOD_FIELDS, already_public: 'on' }), [poc]);
    expect(posted.statusCode).toBe(303);
    expect(posted.headers.location).toBe('/report/received');
    const res = await c.get('/report/received');
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('Keep this link; it is the only way back without an account.');
    const token = /http:\/\/cordon\.test\/r\/([A-Za-z0-9_-]{43})/.exec(res.body)?.[1];
    const ref = /R-[A-Z2-9]{8}/.exec(res.body)?.[0];
    expect(token && ref).toBeTruthy();

    const db = t.ctx.storage.db;
    const row = await db.selectFrom('reports').selectAll().where('ref', '=', ref!).executeTakeFirstOrThrow();
    expect(row).toMatchObject({
      title: GOOD_FIELDS.title,
      description: GOOD_FIELDS.description,
      affected_versions: '<=29.0.1',
      disclosure_terms: 'I will publish on 2026-03-01.',
      credit_name: 'Ada Finder',
      credit_affiliation: 'Example Labs',
      credit_wanted: 1,
      already_public: 1,
      exploited: 0,
      reporter_email: 'ada@example.net',
      reporter_user_id: null,
      reporter_token_hash: sha256Hex(token!),
      source: 'web',
      visibility: 'private',
      state: 'new',
    });
    const files = await db.selectFrom('report_attachments').selectAll().where('report_id', '=', row.id).execute();
    expect(files).toHaveLength(1);
    expect(files[0]).toMatchObject({ filename: 'poc.py', visibility: 'everyone', size: poc.content.length, content_type: 'application/octet-stream' });
    expect(Buffer.from(files[0]!.content).equals(poc.content)).toBe(true);

    // Everything the report starts was queued with it, in the same change (same moment as the report).
    const after = await jobsByKind(t);
    const added = (k: string) => (after[k] ?? 0) - (before[k] ?? 0);
    expect([added('embargo.open'), added('embargo.warn'), added('report.ack_deadline'), added('mail.send')]).toEqual([1, 3, 1, 1]);
    const jobs = await db.selectFrom('jobs').selectAll().where('created_at', '=', row.received_at).execute();
    expect(jobs.map((j) => j.kind).sort()).toEqual(['embargo.open', 'embargo.warn', 'embargo.warn', 'embargo.warn', 'mail.send', 'report.ack_deadline']);
    const mail = JSON.parse(jobs.find((j) => j.kind === 'mail.send')!.payload) as { to: string[]; subject: string; text: string };
    expect(mail.to).toEqual([vmtEmail]);
    expect(mail.subject).toContain(ref!);
    expect(mail.text).not.toContain(GOOD_FIELDS.title as string);

    const page = await new TestClient(t).get(`/r/${token}`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain(GOOD_FIELDS.title as string);
  });

  it('links a signed-in reporter’s report to the account and points to /reports/<ref>, without showing a private link', async () => {
    const u = await makeUser(t, { totp: false });
    const c = await signedInClient(t, u);
    const posted = await postMultipart(t, c, '/report', pairs(GOOD_FIELDS));
    expect(posted.statusCode).toBe(303);
    const res = await c.get(posted.headers.location as string);
    const ref = /R-[A-Z2-9]{8}/.exec(res.body)![0];
    expect(res.body).toContain(`href="/reports/${ref}"`);
    expect(res.body).not.toMatch(/\/r\/[A-Za-z0-9_-]{43}/);
    const row = await t.ctx.storage.db.selectFrom('reports').select(['reporter_user_id']).where('ref', '=', ref).executeTakeFirstOrThrow();
    expect(row.reporter_user_id).toBe(u.user.id);
  });

  it('accepts an anonymous API report without cookies or CSRF token, with a base64 attachment and a public key', async () => {
    const content = Buffer.from([0, 1, 2, 250, 251, 252, 10, 13]);
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/reports',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      remoteAddress: '10.9.0.1',
      payload: JSON.stringify({
        title: 'API report',
        description: 'Found by a scanner.',
        projects: ['glance'],
        email: 'scanner@example.net',
        exploited: true,
        stay_anonymous: true,
        pgp_key: keys.publicKey,
        attachments: [{ filename: 'dump.bin', content_base64: content.toString('base64') }],
      }),
    });
    expect(res.statusCode).toBe(201);
    const body = JSON.parse(res.body) as { ref: string; follow_url: string };
    expect(Object.keys(body).sort()).toEqual(['follow_url', 'ref']);
    expect(body.ref).toMatch(/^R-[A-Z2-9]{8}$/);
    expect(body.follow_url).toMatch(/^http:\/\/cordon\.test\/r\/[A-Za-z0-9_-]{43}$/);
    const db = t.ctx.storage.db;
    const row = await db.selectFrom('reports').selectAll().where('ref', '=', body.ref).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ source: 'api', exploited: 1, credit_wanted: 0, credit_name: '', reporter_pgp_key: keys.publicKey.trim() });
    const file = await db.selectFrom('report_attachments').selectAll().where('report_id', '=', row.id).executeTakeFirstOrThrow();
    expect(Buffer.from(file.content).equals(content)).toBe(true);
    const view = await new TestClient(t).get(new URL(body.follow_url).pathname);
    expect(view.statusCode).toBe(200);
    expect(view.body).toContain('API report');
    // The report's JSON gives each file's hash (the OpenAPI description promises it), so a reader can check a download.
    const vmt = await signedInClient(t, await makeUser(t, { roles: ['vmt'] }));
    const json = await vmt.request('GET', `/api/v1/reports/${body.ref}`, { accept: 'application/json' });
    expect(json.statusCode).toBe(200);
    const files = (JSON.parse(json.body) as { attachments: { filename: string; sha256: string }[] }).attachments;
    expect(files).toEqual([expect.objectContaining({ filename: 'dump.bin', sha256: createHash('sha256').update(content).digest('hex') })]);
  });

  it('an API call that carries a session cookie needs the CSRF token, and is then linked to the account', async () => {
    const u = await makeUser(t, { totp: false });
    const c = await signedInClient(t, u);
    const payload = { title: 'From the UI', description: 'd', projects: ['nova'], email: 'ui@example.net', stay_anonymous: true };
    const before = await storedCounts(t);
    const forged = await c.request('POST', '/api/v1/reports', { json: payload, accept: 'application/json' });
    expect(forged.statusCode).toBe(403);
    expect(JSON.parse(forged.body).error.code).toBe('csrf_invalid');
    expect(await storedCounts(t)).toEqual(before);
    const ok = await c.json('POST', '/api/v1/reports', payload);
    expect(ok.statusCode).toBe(201);
    const row = await t.ctx.storage.db.selectFrom('reports').select(['reporter_user_id']).where('ref', '=', JSON.parse(ok.body).ref).executeTakeFirstOrThrow();
    expect(row.reporter_user_id).toBe(u.user.id);
  });

  it('refuses a web form without a valid CSRF token (403) and stores nothing', async () => {
    const before = await storedCounts(t);
    const missing = await postMultipart(t, new TestClient(t), '/report', pairs(GOOD_FIELDS), [], { csrf: null });
    expect(missing.statusCode).toBe(403);
    const wrong = await postMultipart(t, new TestClient(t), '/report', pairs(GOOD_FIELDS), [], { csrf: 'forged-token' });
    expect(wrong.statusCode).toBe(403);
    expect(wrong.body).toContain('The form expired or was sent from another site.');
    expect(await storedCounts(t)).toEqual(before);
  });

  type Case = { name: string; fields?: Record<string, string | string[]>; files?: FilePart[]; status: number; message: string; field?: string };
  const cases: Case[] = [
    { name: 'missing title', fields: { title: '' }, status: 400, message: 'This is required.', field: 'title' },
    { name: 'too long title', fields: { title: 'T'.repeat(201) }, status: 400, message: 'Use at most 200 characters.', field: 'title' },
    { name: 'title on two lines', fields: { title: 'one\ntwo' }, status: 400, message: 'Use a single line.', field: 'title' },
    { name: 'missing description', fields: { description: ' ' }, status: 400, message: 'This is required.', field: 'description' },
    { name: 'control characters', fields: { reproduction: 'step\u0007bell' }, status: 400, message: 'Remove control characters.', field: 'reproduction' },
    { name: 'field over the multipart size limit', fields: { disclosure_terms: 'x'.repeat(100_001) }, status: 400, message: 'This is too long', field: 'disclosure_terms' },
    { name: 'missing email', fields: { email: '' }, status: 400, message: 'The e-mail address is required.', field: 'email' },
    { name: 'bad email', fields: { email: 'ada at example.net' }, status: 400, message: 'contains spaces', field: 'email' },
    { name: 'a PGP secret key', fields: { pgp_key: '@secret' }, status: 400, message: 'That is a secret key.', field: 'pgp_key' },
    { name: 'a garbage PGP key', fields: { pgp_key: '-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nnot a key\n-----END PGP PUBLIC KEY BLOCK-----' }, status: 400, message: 'Not a usable OpenPGP public key', field: 'pgp_key' },
    { name: 'an expired PGP key', fields: { pgp_key: '@expired' }, status: 400, message: 'We cannot encrypt to that key', field: 'pgp_key' },
    { name: 'no project', fields: { projects: [] }, status: 400, message: 'Choose the affected project.', field: 'projects' },
    { name: 'a project the VMT does not oversee', fields: { projects: ['horizon-extras'] }, status: 400, message: 'Horizon Extras handles its own vulnerability reports: security@horizon-extras.example', field: 'projects' },
    { name: 'an unknown project', fields: { projects: ['nova', 'no-such'] }, status: 400, message: 'Unknown project &quot;no-such&quot;.', field: 'projects' },
    { name: 'credit wanted without a name', fields: { credit_name: '' }, status: 400, message: 'Give the name to credit, or choose to stay anonymous.', field: 'credit_name' },
    { name: 'a filled honeypot', fields: { leave_this_blank: 'http://spam.example' }, status: 400, message: 'must be empty: it is there to stop automated spam', field: 'leave_this_blank' },
    { name: 'an empty attachment', files: [{ filename: 'empty.txt', content: Buffer.alloc(0) }], status: 400, message: 'empty.txt is empty.', field: 'attachments' },
    { name: 'a too large attachment', files: [{ filename: 'big.bin', content: Buffer.alloc(5000, 7) }], status: 413, message: 'big.bin is larger than 4 KiB', field: 'attachments' },
    {
      name: 'too many attachments',
      files: [1, 2, 3, 4].map((i) => ({ filename: `f${i}.txt`, content: Buffer.from(`file ${i}`) })),
      status: 413,
      message: 'Attach at most 3 files.',
      field: 'attachments',
    },
  ];

  for (const bad of cases) {
    it(`refuses ${bad.name}: clear error, typed values kept, nothing stored`, async () => {
      const fields = { ...GOOD_FIELDS, ...(bad.fields ?? {}) };
      if (fields.pgp_key === '@secret') fields.pgp_key = keys.secretKey;
      if (fields.pgp_key === '@expired') fields.pgp_key = keys.expiredKey;
      const before = await storedCounts(t);
      const res = await postMultipart(t, new TestClient(t), '/report', pairs(fields), bad.files ?? []);
      expect(res.statusCode).toBe(bad.status);
      expect(res.body).toContain(bad.message);
      // The error sits at its field, and the summary links to it.
      if (bad.field) expect(res.body).toContain(`href="#f-${bad.field}"`);
      // Typed values are back in the form; files must be chosen again, and the page says so.
      for (const name of ['affected_versions', 'credit_affiliation'] as const) expect(res.body).toContain(String(fields[name]).replace('<', '&lt;'));
      if (bad.fields?.email === undefined) expect(res.body).toContain('value="ada@example.net"');
      if (!bad.fields?.projects) expect(res.body).toContain('name="projects" value="nova" checked');
      expect(res.body).toContain('Choose your files again');
      expect(await storedCounts(t)).toEqual(before);
    });
  }

  it('keeps a filled honeypot visible with its value, so a person can clear it', async () => {
    const res = await postMultipart(t, new TestClient(t), '/report', pairs({ ...GOOD_FIELDS, leave_this_blank: 'autofilled' }));
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('class="field honeypot has-error shown"');
    expect(res.body).toContain('value="autofilled"');
  });

  it('refuses bad API input with field errors and stores nothing', async () => {
    const base = { title: 'API', description: 'd', projects: ['nova'], email: 'a@example.net', stay_anonymous: true };
    const send = (body: unknown, address: string) =>
      t.app.inject({ method: 'POST', url: '/api/v1/reports', headers: { 'content-type': 'application/json', accept: 'application/json' }, remoteAddress: address, payload: JSON.stringify(body) });
    const before = await storedCounts(t);
    const expectFields = async (body: unknown, fields: { field: string; message: RegExp }[], status = 400) => {
      const res = await send(body, `10.8.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}`);
      expect(res.statusCode).toBe(status);
      const got = (JSON.parse(res.body) as { error: { fields?: { field: string; message: string }[] } }).error.fields ?? [];
      for (const f of fields) expect(got.some((g) => g.field === f.field && f.message.test(g.message)), `${f.field} in ${JSON.stringify(got)}`).toBe(true);
    };
    await expectFields({ ...base, extra: 1 }, [{ field: 'extra', message: /is not a known field/ }]);
    await expectFields({ title: 'x', description: 'd', projects: ['nova'] }, [{ field: 'email', message: /is required/ }]);
    await expectFields({ ...base, title: 'x'.repeat(201), email: 'nope' }, [
      { field: 'title', message: /at most 200/ },
      { field: 'email', message: /has no @/ },
    ]);
    await expectFields({ ...base, attachments: [{ filename: 'a.txt', content_base64: 'not base64!' }] }, [{ field: 'attachments.0.content_base64', message: /not valid base64/ }]);
    await expectFields({ ...base, attachments: [{ filename: 'big.bin', content_base64: Buffer.alloc(5000).toString('base64') }] }, [{ field: 'attachments.0', message: /larger than/ }]);
    await expectFields({ ...base, attachments: [1, 2, 3, 4].map((i) => ({ filename: `${i}.txt`, content_base64: 'eA==' })) }, [{ field: 'attachments', message: /at most 3 files/ }]);
    await expectFields({ ...base, pgp_key: keys.secretKey }, [{ field: 'pgp_key', message: /secret key/ }]);
    await expectFields({ ...base, projects: ['horizon-extras'] }, [{ field: 'projects', message: /handles its own/ }]);
    await expectFields({ ...base, stay_anonymous: false }, [{ field: 'credit_name', message: /Give the name/ }]);
    // A body over the route's limit is refused before it is parsed.
    const huge = await send({ ...base, description: 'x'.repeat(1_200_000) }, '10.7.0.1');
    expect(huge.statusCode).toBe(413);
    expect(await storedCounts(t)).toEqual(before);
  });

  it('rate-limits the form: the eleventh submission in a minute from one address answers 429', async () => {
    const c = new TestClient(t);
    const statuses: number[] = [];
    for (let i = 0; i < 11; i++) statuses.push((await postMultipart(t, c, '/report', pairs({ ...GOOD_FIELDS, leave_this_blank: 'bot' }))).statusCode);
    expect(statuses.slice(0, 10).every((s) => s === 400)).toBe(true);
    expect(statuses[10]).toBe(429);
  });

  it('gives the address slot back before the answer leaves: a client sending again at once is not counted as still sending', async () => {
    const c = new TestClient(t);
    for (let i = 0; i < 3; i++) {
      const res = await postMultipart(t, c, '/report', pairs({ ...GOOD_FIELDS, leave_this_blank: 'bot' }));
      expect(res.statusCode).toBe(400);
      // Read at once, in the same tick the answer arrived: the slot must already be finished.
      const open = await t.ctx.storage.db.selectFrom('intake_slots').select('id').where('address', '=', c.remoteAddress).where('finished_at', 'is', null).execute();
      expect(open).toEqual([]);
    }
  });

  it('writes the report and everything it starts in one transaction: if queuing the mail fails, nothing is stored', async () => {
    const db = t.ctx.storage.db;
    if (dialect === 'sqlite') {
      await sql`create trigger intake_test_fail before insert on jobs when new.kind = 'mail.send' begin select raise(abort, 'outbox down'); end`.execute(db);
    } else {
      await sql`create function intake_test_fail() returns trigger language plpgsql as $$ begin if new.kind = 'mail.send' then raise exception 'outbox down'; end if; return new; end $$`.execute(db);
      await sql`create trigger intake_test_fail before insert on jobs for each row execute function intake_test_fail()`.execute(db);
    }
    try {
      const before = await storedCounts(t);
      const res = await postMultipart(t, new TestClient(t), '/report', pairs(GOOD_FIELDS), [{ filename: 'poc.txt', content: Buffer.from('poc') }]);
      expect(res.statusCode).toBe(500);
      expect(await storedCounts(t)).toEqual(before);
    } finally {
      if (dialect === 'sqlite') await sql`drop trigger intake_test_fail`.execute(db);
      else {
        await sql`drop trigger intake_test_fail on jobs`.execute(db);
        await sql`drop function intake_test_fail()`.execute(db);
      }
    }
    // And with the outbox back, the same submission goes through.
    expect((await postMultipart(t, new TestClient(t), '/report', pairs(GOOD_FIELDS))).statusCode).toBe(303);
  });
});
