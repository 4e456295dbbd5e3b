// Writing the results (issue 9 §4): `bench/results/<date>-<db>.json` with a `scenarios` array and the other
// figures by name, and `<date>-<db>.md`, a Markdown table with the machine's core count and the date, and
// each target of the issue marked met or missed (reported honestly, not tuned away).
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { DeadlineResult } from './deadlines.js';
import type { machine } from './options.js';
import type { ImportFigures, PublishFigures } from './publication-figures.js';
import type { ScenarioResult } from './scenarios.js';

export interface BenchResults {
  date: string;
  db: 'sqlite' | 'postgres';
  mode: 'quick' | 'full';
  machine: ReturnType<typeof machine>;
  note: string;
  settings: { connections: number; duration_s: number; warmup_s: number };
  scale: Record<string, number>;
  seeded: { counts: Record<string, number>; seconds: Record<string, number> };
  scenarios: ScenarioResult[];
  server_rss_peak_mb: number | null;
  site_publish: PublishFigures | null;
  corpus_import: ImportFigures | null;
  embargo_deadlines: DeadlineResult | null;
  /** Parts not measured, with the reason. */
  skipped: Record<string, string>;
  targets: TargetCheck[];
  total_seconds: number;
}

export interface TargetCheck {
  target: string;
  value: string;
  met: boolean | null;
}

/** "in one minute" for the issue's window, else "within N s" (a quick run's shorter window). */
function dueWithin(d: DeadlineResult): string {
  return d.window_s === 60 ? 'in one minute' : `within ${d.window_s} s`;
}

export function checkTargets(r: Omit<BenchResults, 'targets'>): TargetCheck[] {
  const out: TargetCheck[] = [];
  const reads = r.scenarios.filter((s) => s.name !== 'create_report');
  for (const s of reads) out.push({ target: `${s.name}: throughput ≥ 50% of the bare baseline`, value: `${Math.round(s.ratio * 100)}%`, met: s.ratio >= 0.5 });
  for (const s of reads) out.push({ target: `${s.name}: p99 < 50 ms at ${r.settings.connections} connections`, value: `${s.p99_ms} ms`, met: s.p99_ms < 50 });
  const search = r.scenarios.find((s) => s.name === 'search');
  if (search) out.push({ target: `search p95 < 50 ms over ${(r.seeded.counts.reports ?? 0).toLocaleString('en')} reports`, value: `${search.p95_ms} ms`, met: search.p95_ms < 50 });
  const reportsList = r.scenarios.find((s) => s.name === 'reports_list');
  if (reportsList) out.push({ target: 'reports_list p95 < 50 ms (issue 17)', value: `${reportsList.p95_ms} ms`, met: reportsList.p95_ms < 50 });
  if (r.site_publish) {
    const full = r.site_publish.advisories >= 20_000;
    out.push({ target: `whole public site for ${r.site_publish.advisories.toLocaleString('en')} advisories < 60 s${full ? '' : ' (target is for 20,000)'}`, value: `${r.site_publish.seconds} s`, met: full ? r.site_publish.seconds < 60 : null });
  }
  if (r.embargo_deadlines) {
    const d = r.embargo_deadlines;
    const full = d.deadlines >= 100_000 && d.window_s <= 60;
    const met = !d.timed_out && d.p99_lateness_s < 5;
    out.push({ target: `p99 deadline lateness < 5 s (${d.deadlines.toLocaleString('en')} due ${dueWithin(d)}${full ? '' : '; target is for 100,000 in one minute'})`, value: `${d.p99_lateness_s} s${d.timed_out ? ` (only ${d.opened} opened)` : ''}`, met: full ? met : null });
  }
  if (r.server_rss_peak_mb !== null) out.push({ target: 'server RSS under load < 500 MB', value: `${r.server_rss_peak_mb} MB`, met: r.server_rss_peak_mb < 500 });
  return out;
}

const mark = (met: boolean | null) => (met === null ? 'n/a' : met ? 'met' : '**missed**');

export function renderMarkdown(r: BenchResults): string {
  const lines: string[] = [];
  lines.push(`# Cordon benchmark — ${r.date}, ${r.db === 'sqlite' ? 'SQLite' : 'PostgreSQL'}, ${r.mode} run`, '');
  lines.push(`Machine: ${r.machine.cores} cores (${r.machine.cpu}), ${r.machine.memory_gb} GB RAM, Node ${r.machine.node}, ${r.machine.platform}; load average at the start ${r.machine.load_average.join(' / ')}.`);
  lines.push(`Load: ${r.settings.connections} connections, ${r.settings.duration_s} s per measured run after ${r.settings.warmup_s} s of warm-up; load generator (autocannon) in its own process.`);
  if (r.note) lines.push('', `> ${r.note}`);
  lines.push('', '## Seeded', '');
  lines.push('| table | rows |', '|---|---:|');
  for (const [table, n] of Object.entries(r.seeded.counts)) lines.push(`| ${table} | ${n.toLocaleString('en')} |`);
  lines.push('', `Seeding took ${Object.entries(r.seeded.seconds).map(([k, v]) => `${k} ${v.toFixed(1)} s`).join(', ')}.`);
  lines.push('', '## HTTP scenarios', '');
  lines.push('| scenario | req/s | p50 ms | p95 ms | p99 ms | baseline req/s | ratio | non-2xx | server RSS MB |', '|---|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const s of r.scenarios) lines.push(`| ${s.name} | ${s.rps} | ${s.p50_ms} | ${s.p95_ms} | ${s.p99_ms} | ${s.baseline_rps} | ${s.ratio} | ${s.non2xx + s.errors} | ${s.server_rss_peak_mb} |`);
  lines.push('');
  for (const s of r.scenarios) lines.push(`- **${s.name}**: ${s.what}.`);
  lines.push('', '## Other figures', '');
  if (r.site_publish) lines.push(`- Whole public site (\`cordon publish --out DIR\`) for ${r.site_publish.advisories.toLocaleString('en')} advisories: **${r.site_publish.seconds} s**, ${r.site_publish.files.toLocaleString('en')} files (${r.site_publish.files_per_s} files/s, ${(r.site_publish.bytes / 1_048_576).toFixed(1)} MB).`);
  if (r.corpus_import) lines.push(`- Importing the OSSA corpus ${r.corpus_import.rounds} times over (${r.corpus_import.files.toLocaleString('en')} files): **${r.corpus_import.advisories_per_s} advisories/s** (${r.corpus_import.imported.toLocaleString('en')} imported, ${r.corpus_import.failed} not, ${r.corpus_import.seconds} s).`);
  if (r.embargo_deadlines) {
    const d = r.embargo_deadlines;
    lines.push(`- ${d.deadlines.toLocaleString('en')} embargo deadlines due ${dueWithin(d)}, ${d.workers} worker process${d.workers > 1 ? 'es' : ''} × ${d.worker_concurrency}: p50 lateness **${d.p50_lateness_s} s**, p99 **${d.p99_lateness_s} s**, the latest opened **${d.last_opened_late_s} s** late; ${d.openings_per_s} openings/s; ${d.opened.toLocaleString('en')} opened${d.timed_out ? ' (timed out before all opened)' : ''}, ${d.duplicate_openings} duplicate openings.`);
  }
  if (r.server_rss_peak_mb !== null) lines.push(`- Server RSS under load (peak over all scenarios): **${r.server_rss_peak_mb} MB**.`);
  if (Object.keys(r.skipped).length) {
    lines.push('', '## Not measured', '');
    for (const [what, why] of Object.entries(r.skipped)) lines.push(`- ${what}: ${why}`);
  }
  lines.push('', '## Targets (issue 9)', '', '| target | measured | |', '|---|---:|---|');
  for (const t of r.targets) lines.push(`| ${t.target} | ${t.value} | ${mark(t.met)} |`);
  lines.push('', `Total run time ${Math.round(r.total_seconds)} s.`, '');
  return lines.join('\n');
}

export function writeResults(dir: string, r: BenchResults, label = ''): { json: string; md: string } {
  mkdirSync(dir, { recursive: true });
  const base = path.join(dir, `${r.date}-${r.db}${r.mode === 'quick' ? '-quick' : ''}${label}`);
  writeFileSync(`${base}.json`, `${JSON.stringify(r, null, 2)}\n`);
  writeFileSync(`${base}.md`, renderMarkdown(r));
  return { json: `${base}.json`, md: `${base}.md` };
}
