// `npm run bench` (issue 9): seed a large instance, load the real server and a bare baseline, measure
// publication, import and embargo deadlines, and write the results under bench/results/. Not part of
// `npm test`. Progress goes to stderr; the result file names are printed at the end.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createSession, SESSION_COOKIE } from '../accounts/sessions.js';
import { createBenchDatabase, type BenchDatabase } from './bench-db.js';
import { runDeadlines, type DeadlineResult } from './deadlines.js';
import { startServerProcess, type ServerHandle } from './ipc.js';
import { machine, parseOptions, UsageError, type BenchOptions } from './options.js';
import { say } from './progress.js';
import { importCorpusRounds, publishWholeSite, type ImportFigures, type PublishFigures } from './publication-figures.js';
import { checkTargets, writeResults, type BenchResults } from './results.js';
import { defineScenarios, probe, runScenario, type ScenarioResult } from './scenarios.js';
import { seedInstance, type SeedResult } from './seed.js';
import { Random } from './synthetic-text.js';

const here = path.dirname(fileURLToPath(import.meta.url));

async function sessionCookie(db: BenchDatabase, userId: number, mfaPassed: boolean): Promise<string> {
  const { token } = await createSession(db.storage.db, new Date(), userId, { ip: '127.0.0.1', userAgent: 'cordon-bench', mfaPassed });
  return `${SESSION_COOKIE}=${token}`;
}

async function httpPhase(o: BenchOptions, db: BenchDatabase, seed: SeedResult, skipped: Record<string, string>): Promise<{ scenarios: ScenarioResult[]; rssPeakMb: number | null }> {
  const env = db.env({ TRUST_PROXY: 'true', PUBLIC_URL: 'http://127.0.0.1', HOST: '127.0.0.1' });
  const execArgv = o.cpuProfileDir ? ['--cpu-prof', '--cpu-prof-dir', o.cpuProfileDir] : [];
  say('starting the server and the baseline');
  const app = await startServerProcess(path.join(here, 'server-process.js'), env, execArgv);
  let baseline: ServerHandle | undefined;
  const scenarios: ScenarioResult[] = [];
  let rssPeak = 0;
  try {
    baseline = await startServerProcess(path.join(here, 'baseline-server.js'), env);
    const vmtCookie = await sessionCookie(db, seed.people.vmtIds[0]!, true);
    const subscriberCookie = await sessionCookie(db, seed.people.subscriberId, false);
    const queue = await probe(app.url, { method: 'GET', paths: ['/vmt'], headers: { accept: 'text/html', cookie: vmtCookie } });
    const subscriberRefs = seed.reports.subscriberPrivateRefs.length ? seed.reports.subscriberPrivateRefs : seed.reports.privateRefs.slice(0, 100);
    if (!seed.reports.subscriberPrivateRefs.length) skipped.report_page_subscriber = 'the subscriber has no private report in this sample; the report page scenario reads private reports as VMT';
    // The reviewer's second page of /reports starts after the first page's last row (keyset paging).
    const firstPage = await fetch(`${app.url}/api/v1/reports`, { headers: { accept: 'application/json', cookie: subscriberCookie } });
    const secondPageAfter = firstPage.ok ? ((await firstPage.json()) as { next_after: string | null }).next_after : null;
    if (!secondPageAfter) skipped.reports_list = `the reviewer's /api/v1/reports answered ${firstPage.status} without a second page; not loaded`;
    const list = defineScenarios({
      advisoryRefs: seed.advisories?.refs ?? [],
      subscriberCookie: seed.reports.subscriberPrivateRefs.length ? subscriberCookie : vmtCookie,
      subscriberRefs,
      vmtCookie,
      queuePath: queue.ok ? '/vmt' : '/reports',
      projectSlugs: seed.people.projects.slice(0, 50).map((p) => p.slug),
      ...(secondPageAfter ? { reviewer: { userId: seed.people.subscriberId, cookie: subscriberCookie, secondPageAfter } } : {}),
    });
    if (!seed.advisories) skipped.advisory_page = skipped.advisory_json = `no advisories were seeded (${seed.skipped.advisories ?? 'unknown reason'})`;
    if (!queue.ok) skipped.vmt_queue_page = `GET /vmt answered ${queue.status}; the queue scenario loads /reports as a VMT member instead`;
    for (const s of list) {
      if (o.only.length && !o.only.includes(s.name)) continue;
      const check = await probe(app.url, s.app);
      const checkBaseline = await probe(baseline.url, s.baseline);
      if (!check.ok || !checkBaseline.ok) {
        skipped[s.name] = `a first request answered ${check.status} (app) / ${checkBaseline.status} (baseline); not loaded`;
        say(`  ${s.name}: skipped (${skipped[s.name]})`);
        continue;
      }
      const r = await runScenario(s, app, baseline, { connections: o.connections, durationSeconds: o.durationSeconds, warmupSeconds: o.warmupSeconds });
      scenarios.push(r);
      rssPeak = Math.max(rssPeak, r.server_rss_peak_mb);
    }
  } finally {
    await baseline?.stop();
    await app.stop();
  }
  return { scenarios, rssPeakMb: scenarios.length ? rssPeak : null };
}

async function main(): Promise<void> {
  let o: BenchOptions;
  try {
    o = parseOptions(process.argv.slice(2));
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(error.message.startsWith('npm run bench') ? 0 : 2);
    }
    throw error;
  }
  const started = Date.now();
  const date = new Date().toISOString().slice(0, 10);
  const host = machine();
  say(`cordon bench: ${o.quick ? 'quick' : 'full'} run on ${o.db}, ${host.cores} cores, load average ${host.load_average.join(' / ')}`);
  const db = await createBenchDatabase(o.db, o.databaseUrl);
  const skipped: Record<string, string> = {};
  let seed: SeedResult | undefined;
  let scenarios: ScenarioResult[] = [];
  let rssPeakMb: number | null = null;
  let site: PublishFigures | null = null;
  let imports: ImportFigures | null = null;
  let deadlines: DeadlineResult | null = null;
  try {
    say(`seeding ${db.dialect === 'sqlite' ? db.sqliteFile : `schema ${db.pgSchema}`}`);
    seed = await seedInstance(db.storage, o.scale, { progress: true, publication: !o.skip.has('seed-publication') });
    Object.assign(skipped, Object.fromEntries(Object.entries(seed.skipped).map(([k, v]) => [`seed ${k}`, v])));
    const phases = o.only.length ? new Set(['http']) : new Set(['http', 'publish', 'import', 'deadlines'].filter((p) => !o.skip.has(p)));

    if (phases.has('http')) ({ scenarios, rssPeakMb } = await httpPhase(o, db, seed, skipped));

    if (phases.has('publish')) {
      if (!seed.advisories) skipped.site_publish = `no advisories were seeded (${seed.skipped.advisories ?? ''})`;
      else {
        say(`building the whole public site for ${seed.advisories.count.toLocaleString('en')} advisories (cordon publish --out DIR)`);
        const r = await publishWholeSite(db, seed.advisories.count, o.quick ? 600 : 3_600);
        if (r.ok) {
          site = r.value;
          say(`  ${site.seconds} s, ${site.files.toLocaleString('en')} files, ${site.files_per_s} files/s`);
        } else skipped.site_publish = r.reason;
      }
    }
    if (phases.has('import')) {
      const rounds = o.scale.importRounds;
      say(`importing the OSSA corpus ${rounds} times over`);
      const r = await importCorpusRounds(db, rounds);
      if (r.ok) {
        imports = r.value;
        say(`  ${imports.advisories_per_s} advisories/s (${imports.imported} imported, ${imports.failed} not)`);
      } else skipped.corpus_import = r.reason;
    }
    if (phases.has('deadlines')) {
      const rate = seed.reports.count / Math.max(0.1, seed.reports.seconds);
      deadlines = await runDeadlines(db, new Random(99), o.scale.deadlines, { windowSeconds: o.scale.deadlineWindowSeconds, insertRatePerSecond: rate, timeoutSeconds: o.quick ? 600 : 1_800, cpuProfileDir: o.cpuProfileDir });
      say(`  p50 lateness ${deadlines.p50_lateness_s} s, p99 ${deadlines.p99_lateness_s} s, latest ${deadlines.last_opened_late_s} s, ${deadlines.duplicate_openings} duplicates`);
    }
  } finally {
    if (o.keep) say(`kept the database: ${db.dialect === 'sqlite' ? db.dataDir : `schema ${db.pgSchema}`}`);
    else await db.drop();
  }

  const partial: Omit<BenchResults, 'targets'> = {
    date,
    db: o.db,
    mode: o.quick ? 'quick' : 'full',
    machine: host,
    note: o.note,
    settings: { connections: o.connections, duration_s: o.durationSeconds, warmup_s: o.warmupSeconds },
    scale: { ...o.scale },
    seeded: { counts: seed.counts, seconds: Object.fromEntries(Object.entries(seed.seconds).map(([k, v]) => [k, Math.round(v * 10) / 10])) },
    scenarios,
    server_rss_peak_mb: rssPeakMb,
    site_publish: site,
    corpus_import: imports,
    embargo_deadlines: deadlines,
    skipped,
    total_seconds: Math.round((Date.now() - started) / 1000),
  };
  const results: BenchResults = { ...partial, targets: checkTargets(partial) };
  const files = writeResults(o.outDir, results, o.label);
  say(`\nwrote ${path.relative(process.cwd(), files.json)} and ${path.relative(process.cwd(), files.md)} (${results.total_seconds} s)`);
  for (const t of results.targets) say(`  ${t.met === null ? 'n/a   ' : t.met ? 'met   ' : 'MISSED'} ${t.target}: ${t.value}`);
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
