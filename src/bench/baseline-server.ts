// The baseline of every HTTP scenario (issue 9 §2): a minimal `node:http` server on the same loopback setup
// that runs the same database queries with the bare driver (better-sqlite3 or pg) and sends the rows as
// JSON: no framework, no sessions, no policy, no rendering. The app's throughput divided by this one's is
// the "ratio" of each scenario. What each route queries is listed in bench/README.md.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHash, randomBytes } from 'node:crypto';
import path from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import pg from 'pg';
import { fts5QueryText, searchTerms, tsqueryText } from '../reports/queue-search.js';
import { SECTION_LIMIT } from '../reports/queue-data.js';
import type { ParentMessage, ServerMessage } from './ipc.js';

interface Driver {
  all(sqlText: string, params: unknown[]): Promise<Record<string, unknown>[]>;
  /** Run `fn` in one transaction. */
  transaction<T>(fn: (q: (sqlText: string, params: unknown[]) => Promise<Record<string, unknown>[]>) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

function sqliteDriver(file: string): Driver {
  const db = new SqliteDatabase(file);
  // The same pragmas as the app (src/storage/database.ts).
  db.pragma('journal_mode = WAL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  db.pragma('synchronous = NORMAL');
  const cache = new Map<string, SqliteDatabase.Statement>();
  const stmt = (s: string) => {
    let p = cache.get(s);
    if (!p) cache.set(s, (p = db.prepare(s)));
    return p;
  };
  const run = async (s: string, params: unknown[]) => {
    const p = stmt(s);
    return p.reader ? (p.all(...params) as Record<string, unknown>[]) : (p.run(...params), []);
  };
  return {
    all: run,
    transaction: async (fn) => {
      db.exec('begin immediate');
      try {
        const r = await fn(run);
        db.exec('commit');
        return r;
      } catch (e) {
        db.exec('rollback');
        throw e;
      }
    },
    close: async () => {
      db.close();
    },
  };
}

function postgresDriver(url: string): Driver {
  const pool = new pg.Pool({ connectionString: url, max: 10 });
  const numbered = (s: string) => {
    let i = 0;
    return s.replace(/\?/g, () => `$${++i}`);
  };
  return {
    all: async (s, params) => (await pool.query(numbered(s), params)).rows as Record<string, unknown>[],
    transaction: async (fn) => {
      const client = await pool.connect();
      try {
        await client.query('begin');
        const r = await fn(async (s, params) => (await client.query(numbered(s), params)).rows as Record<string, unknown>[]);
        await client.query('commit');
        return r;
      } catch (e) {
        await client.query('rollback');
        throw e;
      } finally {
        client.release();
      }
    },
    close: () => pool.end(),
  };
}

const dialect = process.env.DATABASE_URL ? 'postgres' : 'sqlite';
const driver = dialect === 'postgres' ? postgresDriver(process.env.DATABASE_URL!) : sqliteDriver(path.join(process.env.DATA_DIR ?? '.', 'cordon.sqlite'));

const LIST_COLUMNS = `reports.id, reports.ref, reports.title, reports.state, reports.class, reports.visibility, reports.received_at, reports.acknowledged_at,
  reports.ack_deadline_at, reports.escalated_at, reports.embargo_end_at, reports.public_at, reports.coordinator_id, c.username as coordinator_username, c.display_name as coordinator_name`;
const REF_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
const OPEN_STATES = `('new','incomplete','confirmed','triaged','in_progress','fix_committed','public')`;

/** A list section as the app's listReports runs it for a VMT member: the count (unless known) and one ordered page. */
async function section(where: string, params: unknown[], order: string, limit: number, knownTotal?: number): Promise<{ total: number; rows: Record<string, unknown>[] }> {
  const [count, rows] = await Promise.all([
    knownTotal === undefined ? driver.all(`select count(*) as n from reports where ${where}`, params) : Promise.resolve([{ n: knownTotal }]),
    driver.all(`select ${LIST_COLUMNS} from reports left join users c on c.id = reports.coordinator_id where ${where} order by ${order}, reports.id desc limit ${limit}`, params),
  ]);
  return { total: Number(count[0]?.n ?? 0), rows };
}

/** The cheapest correct counts (issue 17): the counters table (migration 0020), summed per key. */
async function counterSums(): Promise<{ unacknowledged: number; inProgress: number; openByClass: Map<string, number>; allByClass: Map<string, number> }> {
  const rows = await driver.all('select class_key, state, acknowledged, sum(n) as n from report_counts group by class_key, state, acknowledged', []);
  const out = { unacknowledged: 0, inProgress: 0, openByClass: new Map<string, number>(), allByClass: new Map<string, number>() };
  for (const r of rows) {
    const n = Number(r.n);
    const open = OPEN_STATES.includes(`'${String(r.state)}'`);
    const acknowledged = Number(r.acknowledged) === 1;
    const key = String(r.class_key) || 'unclassified';
    if (!acknowledged && r.state !== 'invalid' && r.state !== 'wont_fix') out.unacknowledged += n;
    if (acknowledged && open) out.inProgress += n;
    if (open) out.openByClass.set(key, (out.openByClass.get(key) ?? 0) + n);
    out.allByClass.set(key, (out.allByClass.get(key) ?? 0) + n);
  }
  return out;
}

async function handle(method: string, url: URL, body: string): Promise<[number, unknown]> {
  const parts = url.pathname.split('/').filter(Boolean);
  if (method === 'GET' && parts[0] === 'advisory' && parts[1]) {
    const rows = await driver.all('select published_json from advisories where ref = ? and published_json is not null', [parts[1]]);
    return rows[0] ? [200, rows[0].published_json] : [404, null];
  }
  if (method === 'GET' && parts[0] === 'report' && parts[1]) {
    const rows = await driver.all('select * from reports where ref = ?', [parts[1]]);
    const report = rows[0];
    if (!report) return [404, null];
    const [events, comments] = await Promise.all([
      driver.all('select * from report_events where report_id = ? order by id', [report.id]),
      driver.all('select * from report_comments where report_id = ? order by id', [report.id]),
    ]);
    return [200, { report, events, comments }];
  }
  if (method === 'GET' && parts[0] === 'queue') {
    const soon = new Date(Date.now() + 14 * 86_400_000).toISOString();
    const counts = await counterSums();
    const [unacknowledged, embargoSoon, inProgress] = await Promise.all([
      section(`reports.acknowledged_at is null and reports.state not in ('invalid','wont_fix')`, [], 'reports.ack_deadline_at asc', SECTION_LIMIT, counts.unacknowledged),
      section(`reports.visibility = 'private' and reports.embargo_end_at < ?`, [soon], 'reports.embargo_end_at asc', SECTION_LIMIT),
      section(`reports.acknowledged_at is not null and reports.state in ${OPEN_STATES}`, [], 'reports.received_at desc', SECTION_LIMIT, counts.inProgress),
    ]);
    return [200, { unacknowledged, embargoSoon, inProgress, openByClass: [...counts.openByClass], allByClass: [...counts.allByClass] }];
  }
  if (method === 'GET' && parts[0] === 'list') {
    // The cheapest correct `/reports` for a viewer who is not VMT (issue 17): the count as the public
    // reports (from the visibility index) plus the private ones the viewer takes part in (subscribed or
    // filed: a probe per private report), and one keyset page newest filed first, with the page's
    // projects and CVE ids.
    const user = Number(url.searchParams.get('user'));
    const cursor = /^(.+)_(\d+)$/.exec(url.searchParams.get('after') ?? '');
    const takesPart = 'reports.reporter_user_id = ? or exists (select 1 from report_subscriptions s where s.report_id = reports.id and s.user_id = ? and s.removed_at is null)';
    const [publicCount, privateCount, rows] = await Promise.all([
      driver.all(`select count(*) as n from reports where visibility = 'public'`, []),
      driver.all(`select count(*) as n from reports where visibility = 'private' and (${takesPart})`, [user, user]),
      driver.all(
        `select ${LIST_COLUMNS} from reports left join users c on c.id = reports.coordinator_id
         where (reports.visibility = 'public' or ${takesPart})${cursor ? ' and (reports.received_at, reports.id) < (?, ?)' : ''}
         order by reports.received_at desc, reports.id desc limit 50`,
        cursor ? [user, user, cursor[1], Number(cursor[2])] : [user, user],
      ),
    ]);
    const ids = rows.map((r) => Number(r.id));
    const marks = ids.map(() => '?').join(', ') || 'null';
    const [projects, cves] = await Promise.all([
      driver.all(`select rp.report_id, p.id, p.slug, p.name from report_projects rp join projects p on p.id = rp.project_id where rp.report_id in (${marks}) order by p.name`, ids),
      driver.all(`select report_id, cve_id from report_cves where report_id in (${marks}) order by cve_id`, ids),
    ]);
    return [200, { total: Number(publicCount[0]?.n ?? 0) + Number(privateCount[0]?.n ?? 0), rows, projects, cves }];
  }
  if (method === 'GET' && parts[0] === 'search') {
    // The cheapest correct answer (issue 17): a count capped at 1,001 matches and the first page newest
    // filed first, the LIMIT inside the full-text query on SQLite.
    const terms = searchTerms(url.searchParams.get('q') ?? '');
    const pg = dialect === 'postgres';
    const query = pg ? tsqueryText(terms) : fts5QueryText(terms);
    if (pg) {
      // PostgreSQL: the capped count and a 50-row page, newest first (cheaper there than ordering 1,001 ids).
      const [count, rows] = await Promise.all([
        driver.all(`select count(*) as n from (select 1 from reports where reports.search @@ to_tsquery('english', ?) limit 1001) m`, [query]),
        driver.all(`select ${LIST_COLUMNS} from reports left join users c on c.id = reports.coordinator_id where reports.search @@ to_tsquery('english', ?) order by reports.id desc limit 50`, [query]),
      ]);
      return [200, { total: Math.min(Number(count[0]?.n ?? 0), 1000), rows }];
    }
    // SQLite: one search gives both, the ids of the newest 1,001 matches (the capped count) and the first 50 of them joined.
    const ids = (await driver.all('select rowid as id from reports_fts where reports_fts match ? order by rowid desc limit 1001', [query])).map((r) => Number(r.id));
    const page = ids.slice(0, 50);
    const rows = page.length
      ? await driver.all(`select ${LIST_COLUMNS} from reports left join users c on c.id = reports.coordinator_id where reports.id in (${page.map(() => '?').join(', ')}) order by reports.id desc`, page)
      : [];
    return [200, { total: Math.min(ids.length, 1000), rows }];
  }
  if (method === 'POST' && parts[0] === 'reports') {
    const input = JSON.parse(body) as { title: string; description: string; projects: string[]; email: string };
    const now = new Date();
    const at = now.toISOString();
    const ref = `R-${[...randomBytes(8)].map((b) => REF_ALPHABET[b % REF_ALPHABET.length]).join('')}`;
    const result = await driver.transaction(async (q) => {
      const project = (await q('select id from projects where slug = ?', [input.projects[0] ?? '']))[0];
      const inserted = await q(
        `insert into reports (ref, title, description, reporter_email, reporter_token_hash, source, state, visibility, received_at, ack_deadline_at, embargo_end_at, created_at, updated_at)
         values (?, ?, ?, ?, ?, 'api', 'new', 'private', ?, ?, ?, ?, ?) returning id`,
        [ref, input.title, input.description, input.email, createHash('sha256').update(randomBytes(32)).digest('hex'), at, new Date(now.getTime() + 3 * 86_400_000).toISOString(), new Date(now.getTime() + 90 * 86_400_000).toISOString(), at, at],
      );
      const id = inserted[0]?.id;
      if (project) await q('insert into report_projects (report_id, project_id) values (?, ?)', [id, project.id]);
      await q(`insert into report_events (report_id, at, actor_id, actor_label, kind, visibility, data) values (?, ?, null, 'reporter', 'received', 'everyone', '{}')`, [id, at]);
      return { ref };
    });
    return [201, result];
  }
  return [404, null];
}

const server = http.createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    handle(req.method ?? 'GET', new URL(req.url ?? '/', 'http://baseline'), Buffer.concat(chunks).toString('utf8')).then(
      ([status, payload]) => {
        const text = typeof payload === 'string' ? payload : JSON.stringify(payload);
        res.writeHead(status, { 'content-type': 'application/json' }).end(text);
      },
      (error: unknown) => {
        process.stderr.write(`baseline: ${error instanceof Error ? error.message : String(error)}\n`);
        res.writeHead(500).end();
      },
    );
  });
});

server.listen(0, '127.0.0.1', () => {
  let peak = process.memoryUsage.rss();
  process.on('message', (m: ParentMessage) => {
    if (m.type === 'memory') {
      const rss = process.memoryUsage.rss();
      peak = Math.max(peak, rss);
      process.send?.({ type: 'memory', rss, peak, heapUsed: process.memoryUsage().heapUsed } satisfies ServerMessage);
    } else if (m.type === 'stop') server.close(() => void driver.close().then(() => process.exit(0)));
  });
  process.send?.({ type: 'ready', port: (server.address() as AddressInfo).port } satisfies ServerMessage);
});
