// Seeding a large instance for the benchmark (issue 9 §1): projects, accounts, reports with their ladder,
// timeline and comments, then advisories and notes when those areas exist. Everything goes through the
// storage layer (Kysely), in batches inside transactions; nothing goes through HTTP.
import { sql } from 'kysely';
import type { Storage } from '../storage/database.js';
import { refreshStatistics } from '../storage/statistics.js';
import { COUNTED_TABLES, tableCounts } from './bench-db.js';
import type { Scale } from './options.js';
import { Progress, say } from './progress.js';
import { seedPeople, type SeededPeople } from './seed-people.js';
import { seedAdvisories, seedNotes, type SeededAdvisories } from './seed-publication.js';
import { seedReports, type SeededReports } from './seed-reports.js';
import { Random } from './synthetic-text.js';

export interface SeedResult {
  people: SeededPeople;
  reports: SeededReports;
  advisories: SeededAdvisories | null;
  /** Why a part was not seeded (the area is not built yet, …), by part. */
  skipped: Record<string, string>;
  counts: Record<string, number>;
  seconds: Record<string, number>;
}

export interface SeedOptions {
  now?: Date;
  seed?: number;
  /** Show progress bars on stderr. */
  progress?: boolean;
  /** Seed advisories and notes (when their areas exist). */
  publication?: boolean;
}

export async function seedInstance(storage: Storage, scale: Pick<Scale, 'projects' | 'users' | 'reports' | 'advisories' | 'notes'>, options: SeedOptions = {}): Promise<SeedResult> {
  const now = options.now ?? new Date();
  const r = new Random(options.seed ?? 20260101);
  const bar = (label: string, total: number) => (options.progress ? new Progress(label, total) : undefined);
  const seconds: Record<string, number> = {};
  const skipped: Record<string, string> = {};

  let t = Date.now();
  const peopleBar = bar('users and projects', scale.users);
  const people = await seedPeople(storage, now, { projects: scale.projects, users: scale.users }, peopleBar);
  peopleBar?.finish();
  seconds.people = (Date.now() - t) / 1000;

  const reportsBar = bar('reports', scale.reports);
  const reports = await seedReports(storage, r, now, people, scale.reports, reportsBar);
  reportsBar?.finish();
  seconds.reports = reports.seconds;

  let advisories: SeededAdvisories | null = null;
  if (options.publication !== false) {
    const advBar = bar('advisories', scale.advisories);
    const a = await seedAdvisories(storage, now, scale.advisories, advBar);
    if (a.ok) {
      advBar?.finish();
      advisories = a.value;
      seconds.advisories = a.value.seconds;
    } else {
      advBar?.finish('(skipped)');
      skipped.advisories = a.reason;
      if (options.progress) say(`  advisories skipped: ${a.reason}`);
    }
    const notesBar = bar('notes', scale.notes);
    const authors = people.userIds.slice(5, 8);
    const n = await seedNotes(storage, r, now, scale.notes, { projectIds: people.projects.map((p) => p.id), authorIds: authors.length ? authors : people.userIds }, notesBar);
    if (n.ok) {
      notesBar?.finish();
      seconds.notes = n.value.seconds;
    } else {
      notesBar?.finish('(skipped)');
      skipped.notes = n.reason;
      if (options.progress) say(`  notes skipped: ${n.reason}`);
    }
  } else {
    skipped.advisories = skipped.notes = 'not requested';
  }

  t = Date.now();
  // PostgreSQL's autovacuum would vacuum and analyse the new tables within minutes; do it now so the
  // planner sees real statistics and index-only scans find the visibility map set, as on an instance
  // that has been running (otherwise whether autovacuum got there first decides the plans mid-run).
  // SQLite gets what the app does at start-up and daily (storage/statistics.ts): the bench's server opens the
  // database without migrating, which is where the app refreshes them, so without this it ran without any.
  // Only the bench schema's tables: a bare VACUUM would walk every schema of the shared database.
  if (storage.dialect === 'postgres') {
    const tables = await sql<{ name: string }>`select table_name as name from information_schema.tables where table_schema = current_schema() and table_type = 'BASE TABLE'`.execute(storage.db);
    if (tables.rows.length) await sql`vacuum analyze ${sql.join(tables.rows.map((t) => sql.id(t.name)))}`.execute(storage.db);
  } else await refreshStatistics(storage);
  seconds.analyze = (Date.now() - t) / 1000;
  const counts = await tableCounts(storage, COUNTED_TABLES);
  return { people, reports, advisories, skipped, counts, seconds };
}
