// Command-line options of `npm run bench` and the scale of each run (issue 9). The full run seeds the
// sizes the issue names; `--quick` seeds a tenth or less so the whole run takes about a minute.
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export type BenchDb = 'sqlite' | 'postgres';

export interface Scale {
  projects: number;
  users: number;
  reports: number;
  advisories: number;
  notes: number;
  /** Embargo deadlines due within `deadlineWindowSeconds`. */
  deadlines: number;
  /** How long the window the deadlines fall in lasts (the minute; 6 s on a quick run, a tenth of the full rate). */
  deadlineWindowSeconds: number;
  /** How many times the OSSA corpus is imported over. */
  importRounds: number;
}

export const FULL_SCALE: Scale = { projects: 1_000, users: 10_000, reports: 100_000, advisories: 20_000, notes: 2_000, deadlines: 100_000, deadlineWindowSeconds: 60, importRounds: 100 };
// The quick run checks that every phase works end to end in about a minute on 2 cores; its figures are
// not comparable with the full run's (far fewer rows, 2 s load runs).
export const QUICK_SCALE: Scale = { projects: 50, users: 500, reports: 5_000, advisories: 500, notes: 50, deadlines: 1_000, deadlineWindowSeconds: 6, importRounds: 1 };

export interface BenchOptions {
  quick: boolean;
  db: BenchDb;
  /** postgres:// URL (from --database-url, BENCH_DATABASE_URL or TEST_DATABASE_URL). */
  databaseUrl: string | undefined;
  scale: Scale;
  /** Concurrent connections of the load generator (the targets are stated at 32). */
  connections: number;
  /** Seconds each measured load run lasts, after a warm-up of `warmupSeconds`. */
  durationSeconds: number;
  warmupSeconds: number;
  /** Where results are written (bench/results). */
  outDir: string;
  /** Scenario names to run (all when empty); other phases are skipped when given. */
  only: string[];
  /** Phases to skip: seed-publication, http, publish, import, deadlines. */
  skip: Set<string>;
  /** Run the app server and the deadline workers under `node --cpu-prof`, profiles written to this directory. */
  cpuProfileDir: string | undefined;
  /** Keep the database (temp dir or PostgreSQL schema) after the run, for a look afterwards. */
  keep: boolean;
  /** Free text recorded with the results (e.g. "machine busy with other test runs"). */
  note: string;
  /** Suffix for the result file names (`<date>-<db><suffix>.json`), e.g. `-before`. */
  label: string;
}

/** The repository root (dist/bench/ → ../..; src/bench/ under vitest → ../..). */
export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

export const HELP = `npm run bench -- [options]

  --quick               a twentieth of the data and 2 s load runs (about a minute)
  --db sqlite|postgres  database (default sqlite); postgres uses BENCH_DATABASE_URL or TEST_DATABASE_URL
  --database-url URL    PostgreSQL server to use (a fresh schema is created and dropped)
  --connections N       concurrent connections of the load generator (default 32)
  --duration S          seconds per measured load run (default 10; quick 2), after a warm-up (3 s; quick 0.5 s)
  --only a,b            run only these HTTP scenarios (skips the other phases)
  --skip a,b            skip phases: seed-publication, http, publish, import, deadlines
  --cpu-prof DIR        run the app server and the workers under node --cpu-prof, profiles into DIR
  --note TEXT           a note stored with the results (e.g. what else ran on the machine)
  --label TEXT          suffix of the result file names (e.g. -before)
  --out DIR             where to write results (default bench/results)
  --keep                keep the database afterwards
`;

export class UsageError extends Error {}

function positiveInt(name: string, value: string | undefined): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`${name} needs a whole number of at least 1 (got ${JSON.stringify(value ?? '')}).`);
  return n;
}

export function parseOptions(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): BenchOptions {
  const args = [...argv];
  let quick = false;
  let db: BenchDb = 'sqlite';
  let databaseUrl = env.BENCH_DATABASE_URL?.trim() || env.TEST_DATABASE_URL?.trim() || undefined;
  let connections = 32;
  let duration: number | undefined;
  let outDir = path.join(repoRoot, 'bench', 'results');
  let only: string[] = [];
  const skip = new Set<string>();
  let cpuProfileDir: string | undefined;
  let keep = false;
  let note = '';
  let label = '';
  while (args.length) {
    const arg = args.shift()!;
    const value = (): string => {
      const v = args.shift();
      if (v === undefined) throw new UsageError(`${arg} needs a value.`);
      return v;
    };
    switch (arg) {
      case '--quick':
        quick = true;
        break;
      case '--db': {
        const v = value();
        if (v !== 'sqlite' && v !== 'postgres') throw new UsageError(`--db is sqlite or postgres (got ${JSON.stringify(v)}).`);
        db = v;
        break;
      }
      case '--database-url':
        databaseUrl = value();
        break;
      case '--connections':
        connections = positiveInt(arg, value());
        break;
      case '--duration':
        duration = positiveInt(arg, value());
        break;
      case '--only':
        only = value().split(',').map((s) => s.trim()).filter(Boolean);
        break;
      case '--skip':
        for (const s of value().split(',')) if (s.trim()) skip.add(s.trim());
        break;
      case '--cpu-prof':
        cpuProfileDir = path.resolve(value());
        break;
      case '--out':
        outDir = path.resolve(value());
        break;
      case '--note':
        note = value();
        break;
      case '--label':
        label = value().replace(/[^A-Za-z0-9._-]/g, '');
        break;
      case '--keep':
        keep = true;
        break;
      case '--help':
      case '-h':
        throw new UsageError(HELP);
      default:
        throw new UsageError(`Unknown option ${arg}.\n\n${HELP}`);
    }
  }
  if (db === 'postgres' && !databaseUrl) throw new UsageError('--db postgres needs a server: set BENCH_DATABASE_URL (or TEST_DATABASE_URL) or pass --database-url.');
  if (databaseUrl && !/^postgres(ql)?:\/\//.test(databaseUrl)) throw new UsageError('The database URL must start with postgres://.');
  return {
    quick,
    db,
    databaseUrl: db === 'postgres' ? databaseUrl : undefined,
    scale: quick ? QUICK_SCALE : FULL_SCALE,
    connections,
    durationSeconds: duration ?? (quick ? 2 : 10),
    warmupSeconds: quick ? 0.5 : 3,
    outDir,
    only,
    skip,
    cpuProfileDir,
    keep,
    note,
    label,
  };
}

export function machine(): { cores: number; cpu: string; memory_gb: number; node: string; platform: string; load_average: number[] } {
  const cpus = os.cpus();
  return {
    cores: cpus.length,
    cpu: cpus[0]?.model.trim() ?? 'unknown',
    memory_gb: Math.round((os.totalmem() / 1024 ** 3) * 10) / 10,
    node: process.version,
    platform: `${os.platform()} ${os.release()}`,
    load_average: os.loadavg().map((l) => Math.round(l * 100) / 100),
  };
}
