// One date format on every page (issue 15 item 10, "dates appear in three formats"): representative pages
// for the VMT, an administrator and the public are rendered through HTTP and scanned. Every date must be a
// <time datetime> whose text is "YYYY-MM-DD HH:MM UTC" (or "YYYY-MM-DD" for a day) and agrees with its
// datetime; no date in any other form may appear in the page's text. Published files (the advisory's .txt,
// mails, notices) keep their own formats and are not pages.
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, makeUser, signedInClient, TestClient, type TestApp, type TestClient as Client } from '../testing/harness.js';
import { testDialects } from '../testing/databases.js';
import { fixturePath } from '../testing/fixture-files.js';
import { createProject, setProjectMember } from '../projects/projects.js';
import { importOssaDirectory } from '../advisories/import.js';
import { receiveReport } from '../reports/intake.js';
import { scopeOf } from '../reports/testing/intake.js';
import { acknowledge, setClass } from '../reports/triage.js';
import { subscribe } from '../reports/ladder.js';
import { addComment } from '../reports/collaboration.js';
import { planDisclosure } from '../reports/embargo/decisions.js';

const TIME_TEXT = /^\d{4}-\d{2}-\d{2}( \d{2}:\d{2} UTC)?$/;
/** The viewer's own zone beside a UTC time (Time's `zone`): "(16:00 Europe/Berlin)", with the day when it differs. */
const LOCAL_TEXT = /^ \((\d{4}-\d{2}-\d{2} )?\d{2}:\d{2} [A-Za-z_]+(\/[A-Za-z_+-]+)*\)$/;
const MONTH = '(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)';
/** Dates in any form a page might slip into: ISO days and instants, month names, numeric locale dates, RFC 2822, bare clock times. */
const STRAY_DATE = new RegExp(
  [`\\b\\d{4}-\\d{2}-\\d{2}`, `\\b${MONTH}\\.? \\d{1,2},? \\d{4}`, `\\b\\d{1,2} ${MONTH},? \\d{4}`, `\\b\\d{1,2}/\\d{1,2}/\\d{2,4}\\b`, `\\b(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), \\d{1,2} ${MONTH}`, `\\b\\d{1,2}:\\d{2}\\b`].join('|'),
);

const decode = (s: string) => s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, '&');

/** The problems of one page: each <time> checked, then any date left in the text outside them. */
export function dateProblems(html: string): string[] {
  const problems: string[] = [];
  let body = html.slice(html.indexOf('<body'));
  // Code, preformatted text and scripts are content (patches, notices), not the page's own wording.
  body = body.replace(/<(script|style|pre|code|textarea)[\s>][\s\S]*?<\/\1>/g, ' ');
  body = body.replace(/<time([^>]*)>([\s\S]*?)<\/time>(<span class="local">([^<]*)<\/span>)?/g, (_all, attrs: string, inner: string, _local, localText: string | undefined) => {
    const text = decode(inner.replace(/<[^>]*>/g, ''));
    const datetime = /\sdatetime="([^"]*)"/.exec(attrs)?.[1];
    if (!datetime) problems.push(`<time> without datetime: ${text}`);
    else if (!TIME_TEXT.test(text)) problems.push(`<time datetime="${datetime}"> reads "${text}", not the one format`);
    else {
      const iso = new Date(/^\d{4}-\d{2}-\d{2}$/.test(datetime) ? `${datetime}T00:00:00Z` : datetime).toISOString();
      const expected = text.length === 10 ? iso.slice(0, 10) : `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
      if (text !== expected) problems.push(`<time datetime="${datetime}"> reads "${text}", expected "${expected}"`);
    }
    if (localText !== undefined && !LOCAL_TEXT.test(decode(localText))) problems.push(`local time beside <time> reads "${localText}"`);
    return ' ';
  });
  const text = decode(body.replace(/<[^>]*>/g, ' ')).replace(/\s+/g, ' ');
  for (const m of text.matchAll(new RegExp(STRAY_DATE.source, 'g'))) {
    problems.push(`date outside <time>: "…${text.slice(Math.max(0, m.index - 40), m.index + m[0].length + 20)}…"`);
  }
  return problems;
}

describe('dateProblems', () => {
  it('accepts the one format and refuses the others', () => {
    expect(dateProblems('<body><time datetime="2026-12-05T15:00:00.000Z">2026-12-05 15:00 UTC</time> and <time datetime="2016-03-08">2016-03-08</time></body>')).toEqual([]);
    expect(dateProblems('<body><time datetime="2026-12-05T15:00:00.000Z">2026-12-05 15:00 UTC</time><span class="local"> (16:00 Europe/Berlin)</span></body>')).toEqual([]);
    for (const bad of [
      '<body>Published 5 December 2026</body>',
      '<body>Date March 8, 2016</body>',
      '<body>ends 2026-12-01 15:00 UTC, 9 days left</body>',
      '<body><time title="x">2026-12-05</time></body>',
      '<body><time datetime="2026-12-05T15:00:00.000Z">Dec 5, 2026, 4:00 PM</time></body>',
      '<body><time datetime="2026-12-05T15:00:00.000Z">2026-12-05 16:00 UTC</time></body>',
      '<body>at 12/05/2026</body>',
    ]) {
      expect(dateProblems(bad), bad).not.toEqual([]);
    }
  });
});

describe.each(testDialects())('one date format on the pages, on %s', (dialect) => {
  let t: TestApp;
  let vmt: Client;
  let berlin: Client;
  let anon: Client;
  let ref = '';
  let token = '';
  let corpusDir = '';
  beforeAll(async () => {
    t = await createTestApp(dialect);
    t.clock.set(new Date('2026-03-02T09:30:00.000Z'));
    await createProject(t.system, { slug: 'nova', name: 'Nova', branches: ['master'] });
    const vera = await makeUser(t, { username: 'vera', roles: ['vmt', 'admin'] });
    const cora = await makeUser(t, { username: 'cora', totp: false });
    await setProjectMember(t.system, 'nova', cora.user.id, 'coresec', true);
    const received = await receiveReport(t.system, { title: 'Metadata leak', description: 'Forged header.', projects: ['nova'], email: 'finder@example.net' }, [], 'web');
    ref = received.report.ref;
    token = received.reporterToken;
    const scope = await scopeOf(t, vera);
    t.clock.advance(3 * 3600_000);
    await acknowledge(scope, ref);
    await setClass(scope, ref, 'A');
    await subscribe(scope, ref, { username: 'cora', level: 'coresec', reason: 'fix' });
    await addComment(scope, ref, { body: 'Confirmed on master.', visibility: 'everyone' });
    await planDisclosure(scope, ref, '2026-04-14');
    corpusDir = mkdtempSync(path.join(os.tmpdir(), 'cordon-ossa-'));
    copyFileSync(fixturePath('ossa', 'OSSA-2016-007.yaml'), path.join(corpusDir, 'OSSA-2016-007.yaml'));
    await importOssaDirectory(t.system, corpusDir);
    vmt = await signedInClient(t, vera);
    // A subscriber who chose a time zone sees it beside the embargo end.
    await t.ctx.storage.db.updateTable('users').set({ time_zone: 'Europe/Berlin' }).where('id', '=', cora.user.id).execute();
    berlin = await signedInClient(t, cora);
    anon = new TestClient(t);
  }, 60_000);
  afterAll(async () => {
    await t?.close();
    if (corpusDir) rmSync(corpusDir, { recursive: true, force: true });
  });

  const pages = (): [string, () => Client, string][] => [
    ['VMT', () => vmt, `/reports/${ref}`],
    ['VMT', () => vmt, '/reports'],
    ['VMT', () => vmt, '/vmt'],
    ['VMT', () => vmt, `/reports/${ref}/disclosure`],
    ['VMT', () => vmt, '/disclosures'],
    ['subscriber in Europe/Berlin', () => berlin, `/reports/${ref}`],
    ['admin', () => vmt, '/admin'],
    ['admin', () => vmt, '/admin/users'],
    ['admin', () => vmt, '/admin/jobs'],
    ['admin', () => vmt, '/admin/mail'],
    ['admin', () => vmt, '/admin/audit'],
    ['public', () => anon, '/'],
    ['public', () => anon, '/advisories'],
    ['public', () => anon, '/advisories/OSSA-2016-007'],
    ['public', () => anon, '/projects/nova'],
    ['public', () => anon, '/report'],
    ['reporter', () => anon, `/r/${token}`],
  ];

  it('shows every date in the one format, inside <time>', async () => {
    let dated = 0;
    for (const [who, client, url] of pages()) {
      const res = await client().get(url);
      expect(res.statusCode, `${who} ${url}`).toBe(200);
      expect(dateProblems(res.body), `${who} ${url}`).toEqual([]);
      dated += (res.body.match(/<time datetime=/g) ?? []).length;
    }
    // The pages do show dates: the scan looked at some, and the Berlin subscriber's zone was among them.
    expect(dated).toBeGreaterThan(10);
    expect((await berlin.get(`/reports/${ref}`)).body).toMatch(/<\/time><span class="local"> \(\d\d:\d\d Europe\/Berlin\)<\/span>/);
  });
});
