// Two publication figures (issue 9 §3): building the whole public site with `cordon publish --out DIR`
// for the seeded advisories, and importing the OSSA corpus many times over (each round under new ids, so
// every file is a new advisory). Both depend on the advisories area and are skipped with a reason when it
// is not there yet.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../config/config.js';
import { systemClock } from '../clock.js';
import type { Scope } from '../context.js';
import { createLogger } from '../logging.js';
import type { BenchDatabase } from './bench-db.js';
import { repoRoot } from './options.js';
import { Progress } from './progress.js';
import { cveOffset, optionalModule, readOssaCorpus, renumberedId, renumberText, withId, type Outcome } from './seed-publication.js';

export interface PublishFigures {
  advisories: number;
  seconds: number;
  files: number;
  files_per_s: number;
  bytes: number;
  cli_output: string;
}

function countFiles(dir: string): { files: number; bytes: number } {
  let files = 0;
  let bytes = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      const sub = countFiles(p);
      files += sub.files;
      bytes += sub.bytes;
    } else {
      files += 1;
      bytes += statSync(p).size;
    }
  }
  return { files, bytes };
}

export async function publishWholeSite(db: BenchDatabase, advisories: number, timeoutSeconds: number): Promise<Outcome<PublishFigures>> {
  if (!existsSync(path.join(repoRoot, 'dist', 'publication', 'publish-site.js'))) return { ok: false, reason: '`cordon publish` is not built yet (dist/publication/publish-site.js is missing)' };
  const out = mkdtempSync(path.join(os.tmpdir(), 'cordon-bench-site-'));
  try {
    const started = Date.now();
    const result = await new Promise<{ code: number | null; output: string }>((resolve) => {
      const child = spawn(process.execPath, [path.join(repoRoot, 'bin', 'cordon.js'), 'publish', '--out', out], { env: db.env({ LOG_LEVEL: 'warn' }), cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
      let output = '';
      child.stdout.on('data', (d: Buffer) => (output += d.toString()));
      child.stderr.on('data', (d: Buffer) => (output += d.toString()));
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutSeconds * 1000);
      child.on('exit', (code) => {
        clearTimeout(timer);
        resolve({ code, output: output.slice(-2_000) });
      });
    });
    const seconds = (Date.now() - started) / 1000;
    if (result.code !== 0) return { ok: false, reason: `cordon publish failed (exit ${result.code}): ${result.output.trim().slice(-500)}` };
    const { files, bytes } = countFiles(out);
    return { ok: true, value: { advisories, seconds: Math.round(seconds * 100) / 100, files, files_per_s: Math.round(files / seconds), bytes, cli_output: result.output.trim() } };
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

export interface ImportFigures {
  rounds: number;
  files: number;
  imported: number;
  failed: number;
  seconds: number;
  advisories_per_s: number;
  first_errors: string[];
}

type ImportOssaFile = (scope: Scope, file: string, text: string, seen: Map<string, string>) => Promise<{ outcome: string; errors: string[] }>;

/** Ids of round r are `OSSA-YYYY-(200000 + 1000·r + NNN)`, clear of the seeded advisories' ids. */
const IMPORT_ID_BASE = 200_000;
/** CVE ids of import rounds are offset beyond those of the seeded copies. */
const IMPORT_ROUND_BASE = 200;

export async function importCorpusRounds(db: BenchDatabase, rounds: number): Promise<Outcome<ImportFigures>> {
  const mod = await optionalModule('../advisories/import.js');
  const importOssaFile = mod?.importOssaFile as ImportOssaFile | undefined;
  if (typeof importOssaFile !== 'function') return { ok: false, reason: 'src/advisories/import.ts (importOssaFile) is not there yet' };
  const corpus = readOssaCorpus();
  if (!corpus.ok) return corpus;
  const config = loadConfig(db.env());
  const scope: Scope = { app: { config, storage: db.storage, clock: systemClock, log: createLogger({ logLevel: 'silent' }) }, actor: { kind: 'anonymous' }, requestId: null };
  const bar = new Progress('importing the corpus', rounds * corpus.value.length);
  const seen = new Map<string, string>();
  let imported = 0;
  let failed = 0;
  const errors: string[] = [];
  const started = Date.now();
  for (let round = 0; round < rounds; round++) {
    for (const { file, text } of corpus.value) {
      const original = /^id:[ \t]*(\S+)/m.exec(text)?.[1] ?? '';
      const id = renumberedId(original, round, 1_000)?.replace(/-(\d+)$/, (_m, n: string) => `-${IMPORT_ID_BASE + Number(n)}`);
      const renumbered = id ? withId(renumberText(text, original, id, cveOffset(IMPORT_ROUND_BASE + round)), id) : text;
      const r = await importOssaFile(scope, file, renumbered, seen);
      if (r.outcome === 'imported') imported += 1;
      else {
        failed += 1;
        if (errors.length < 5) errors.push(`${file}: ${r.outcome} ${r.errors.join('; ')}`.slice(0, 300));
      }
      bar.add(1);
    }
  }
  bar.finish();
  const seconds = (Date.now() - started) / 1000;
  return { ok: true, value: { rounds, files: rounds * corpus.value.length, imported, failed, seconds: Math.round(seconds * 100) / 100, advisories_per_s: Math.round((imported / seconds) * 10) / 10, first_errors: errors } };
}
