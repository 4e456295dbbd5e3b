// Seeding published advisories and security notes synthesised from the real corpus (the repository's
// test-fixtures/ossa and test-fixtures/ossn; the benchmark is a development tool, not the product).
// The advisories and notes areas are being built in parallel, so this module depends on them only at
// run time: it checks that their tables exist and that the helpers it needs load (module specifiers are
// computed, so the benchmark compiles whatever state those folders are in), and otherwise skips with
// the reason. Inserts go through the storage layer in batches, one transaction per batch.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { sql, type Generated, type Insertable, type Kysely } from 'kysely';
import type { Storage } from '../storage/database.js';
import { importOssaYaml } from '../publication/formats/ossa-yaml.js';
import { parseOssnText } from '../notes/formats/ossn-text.js';
import type { Progress } from './progress.js';
import { repoRoot } from './options.js';
import type { Random } from './synthetic-text.js';

export type Outcome<T> = { ok: true; value: T } | { ok: false; reason: string };

/** Load a module of another area by a computed specifier; null when it is not there (yet). */
export async function optionalModule(relative: string): Promise<Record<string, unknown> | null> {
  const url = new URL(relative, import.meta.url);
  try {
    return (await import(url.href)) as Record<string, unknown>;
  } catch {
    return null;
  }
}

export async function tableExists(storage: Storage, table: string): Promise<boolean> {
  try {
    await sql`select 1 from ${sql.table(table)} where 1 = 0`.execute(storage.db);
    return true;
  } catch {
    return false;
  }
}

export function corpusDir(kind: 'ossa' | 'ossn'): string | null {
  const dir = process.env.BENCH_CORPUS_DIR ? path.join(process.env.BENCH_CORPUS_DIR, kind) : path.join(repoRoot, 'test-fixtures', kind);
  return existsSync(dir) ? dir : null;
}

/** The corpus OSSA files as text, by file name. */
export function readOssaCorpus(): Outcome<{ file: string; text: string }[]> {
  const dir = corpusDir('ossa');
  if (!dir) return { ok: false, reason: 'the OSSA corpus (test-fixtures/ossa or $BENCH_CORPUS_DIR/ossa) is not there' };
  const files = readdirSync(dir).filter((f) => /\.ya?ml$/.test(f)).sort();
  return { ok: true, value: files.map((file) => ({ file, text: readFileSync(path.join(dir, file), 'utf8') })) };
}

const ID_LINE = /^id:[ \t]*(\S+)[ \t]*$/m;

/** A corpus advisory under a new id: `OSSA-2014-007` in round 3 becomes `OSSA-2014-3007` (ids stay unique). */
export function renumberedId(id: string, round: number, base = 1_000): string | null {
  const m = /^([A-Z0-9]+)-(\d{4})-(\d{3,6})$/.exec(id);
  if (!m) return null;
  return `${m[1]}-${m[2]}-${base * (round + 1) + Number(m[3])}`;
}

export function withId(yamlText: string, id: string): string {
  return yamlText.replace(ID_LINE, `id: ${id}`);
}

/**
 * An advisory's text (YAML or record JSON) under a new id and new CVE ids (`CVE-YYYY-N` → `CVE-YYYY-(N +
 * offset)`): the site has one file per CVE id, so copies of an advisory must not share them.
 */
export function renumberText(text: string, fromId: string, toId: string, offset: number): string {
  return text
    .split(fromId)
    .join(toId)
    .replace(/CVE-(\d{4})-(\d{4,})/g, (_m, year: string, n: string) => `CVE-${year}-${Number(n) + offset}`);
}

/** CVE offset of a copy round; ids of different rounds never meet (corpus numbers stay below 1,000,000). */
export const cveOffset = (round: number) => (round + 1) * 1_000_000;

// The columns this benchmark writes, as the advisories area defines them today (a local view, so a change
// there shows up as a clear skip at run time rather than a compile error here).
interface BenchAdvisoryDb {
  advisories: {
    ref: string; prefix: string; year: number; seq: number; status: string; title: string; date: string | null; record_json: string; current_revision: number;
    published_json: string | null; published_revision: number | null; published_summary: string | null; published_at: string | null; last_published_at: string | null;
    report_id: number | null; source_yaml: string | null; created_by: number | null; created_at: string; updated_at: string; id: Generated<number>;
  };
  advisory_revisions: { advisory_id: number; number: number; kind: string; summary: string; record_json: string; author_id: number | null; author_label: string; created_at: string };
  advisory_sequences: { prefix: string; year: number; last_seq: number };
}

export interface SeededAdvisories {
  count: number;
  refs: string[];
  seconds: number;
}

interface AdvisoryLike {
  id: string;
  title: string;
  date: string | null;
  sourceYaml: string | null;
}

export async function seedAdvisories(storage: Storage, now: Date, count: number, progress?: Progress): Promise<Outcome<SeededAdvisories>> {
  const started = Date.now();
  if (!(await tableExists(storage, 'advisories'))) return { ok: false, reason: 'the advisories tables do not exist (src/advisories is not built yet)' };
  const summary = await optionalModule('../publication/summary.js');
  const summarize = summary?.summarizePublished;
  if (typeof summarize !== 'function') return { ok: false, reason: 'src/publication/summary.ts (summarizePublished) is not there yet' };
  const corpus = readOssaCorpus();
  if (!corpus.ok) return corpus;
  const bases: { id: string; json: string }[] = [];
  for (const { file, text } of corpus.value) {
    try {
      const { record } = importOssaYaml(text, file);
      bases.push({ id: record.id, json: JSON.stringify(record) });
    } catch {
      // A corpus file the importer refuses is simply not used as a template.
    }
  }
  if (!bases.length) return { ok: false, reason: 'no corpus advisory could be read' };
  const db = storage.db as unknown as Kysely<BenchAdvisoryDb>;
  const at = now.toISOString();
  const refs: string[] = [];
  const lastSeq = new Map<string, number>();
  try {
    for (let start = 0; start < count; start += 500) {
      const rows: Insertable<BenchAdvisoryDb['advisories']>[] = [];
      for (let i = start; i < Math.min(count, start + 500); i++) {
        const base = bases[i % bases.length]!;
        const round = Math.floor(i / bases.length);
        const id = renumberedId(base.id, round);
        if (!id) continue;
        const [prefix, year, seq] = id.split('-') as [string, string, string];
        // The whole record (typed fields, the loaded YAML and the source text) under the new id and CVE ids.
        const json = renumberText(base.json, base.id, id, cveOffset(round));
        const record = JSON.parse(json) as AdvisoryLike;
        const key = `${prefix}-${year}`;
        lastSeq.set(key, Math.max(lastSeq.get(key) ?? 0, Number(seq)));
        rows.push({
          ref: id, prefix, year: Number(year), seq: Number(seq), status: 'published', title: record.title, date: record.date, record_json: json, current_revision: 1,
          published_json: json, published_revision: 1, published_summary: JSON.stringify((summarize as (r: unknown) => unknown)(record)), published_at: at, last_published_at: at,
          report_id: null, source_yaml: record.sourceYaml, created_by: null, created_at: at, updated_at: at,
        });
      }
      await db.transaction().execute(async (trx) => {
        for (let i = 0; i < rows.length; i += 100) {
          const chunk = rows.slice(i, i + 100);
          const ids = await trx.insertInto('advisories').values(chunk).returning(['id', 'ref', 'record_json']).execute();
          await trx
            .insertInto('advisory_revisions')
            .values(ids.map((a) => ({ advisory_id: a.id, number: 1, kind: 'imported', summary: 'Imported from OSSA YAML (benchmark seed)', record_json: a.record_json, author_id: null, author_label: 'cordon bench', created_at: at })))
            .execute();
        }
      });
      refs.push(...rows.map((r) => r.ref));
      progress?.add(rows.length);
    }
    // Later allocations continue above the seeded numbers, as after a real import.
    for (const [key, last] of lastSeq) {
      const [prefix, year] = key.split('-') as [string, string];
      await db
        .insertInto('advisory_sequences')
        .values({ prefix, year: Number(year), last_seq: last })
        .onConflict((oc) => oc.columns(['prefix', 'year']).doUpdateSet({ last_seq: last }))
        .execute();
    }
  } catch (error) {
    return { ok: false, reason: `inserting advisories failed (the table shape may have changed): ${error instanceof Error ? error.message : String(error)}` };
  }
  return { ok: true, value: { count: refs.length, refs, seconds: (Date.now() - started) / 1000 } };
}

interface BenchNoteDb {
  notes: {
    id: Generated<number>; ref: string; public_id: string | null; sequence: number | null; state: string; origin: string; report_id: number | null; flag_title: string; flag_reason: string;
    flagged_by: number | null; flagged_at: string; author_id: number | null; claimed_at: string | null; current_revision: number; published_at: string | null; published_revision: number | null;
    imported_text: string | null; created_at: string; updated_at: string;
  };
  note_revisions: { note_id: number; revision: number; title: string; body: string; author_id: number | null; author_label: string; message: string; created_at: string };
  note_projects: { note_id: number; project_id: number };
  note_counters: { prefix: string; last_number: number };
}

export async function seedNotes(storage: Storage, r: Random, now: Date, count: number, context: { projectIds: number[]; authorIds: number[] }, progress?: Progress): Promise<Outcome<{ count: number; seconds: number }>> {
  const started = Date.now();
  if (!(await tableExists(storage, 'notes'))) return { ok: false, reason: 'the notes tables do not exist (src/notes is not built yet)' };
  const store = await optionalModule('../notes/store.js');
  const bodyOf = store?.bodyOf;
  if (typeof bodyOf !== 'function') return { ok: false, reason: 'src/notes/store.ts (bodyOf) is not there yet' };
  const dir = corpusDir('ossn');
  if (!dir) return { ok: false, reason: 'the OSSN corpus (test-fixtures/ossn or $BENCH_CORPUS_DIR/ossn) is not there' };
  const bases: { title: string; raw: string | null; id: string; record: Record<string, unknown> }[] = [];
  for (const file of readdirSync(dir).sort()) {
    try {
      const { note } = parseOssnText(new Uint8Array(readFileSync(path.join(dir, file))), { prefix: 'OSSN' });
      bases.push({ title: note.title, raw: note.raw, id: note.id, record: note as unknown as Record<string, unknown> });
    } catch {
      // Files that are not notes are not templates.
    }
  }
  if (!bases.length) return { ok: false, reason: 'no corpus note could be read' };
  const db = storage.db as unknown as Kysely<BenchNoteDb>;
  const at = now.toISOString();
  try {
    for (let start = 0; start < count; start += 500) {
      const batch: { note: Insertable<BenchNoteDb['notes']>; title: string; body: string; projectId: number }[] = [];
      for (let i = start; i < Math.min(count, start + 500); i++) {
        const base = bases[i % bases.length]!;
        const publicId = `OSSN-${String(i + 1).padStart(4, '0')}`;
        const draft = r.chance(0.1);
        const author = draft ? r.pick(context.authorIds) : null;
        batch.push({
          note: {
            ref: `N-${r.reportRef().slice(2)}`, public_id: publicId, sequence: i + 1, state: draft ? 'draft' : 'published', origin: draft ? 'flag' : 'import', report_id: null, flag_title: base.title, flag_reason: '',
            flagged_by: author, flagged_at: at, author_id: author, claimed_at: draft ? at : null, current_revision: 1, published_at: draft ? null : at, published_revision: draft ? null : 1,
            imported_text: draft ? null : (base.raw?.split(base.id).join(publicId) ?? null), created_at: at, updated_at: at,
          },
          title: base.title,
          body: JSON.stringify((bodyOf as (n: unknown) => unknown)({ ...base.record, id: publicId })),
          projectId: r.pick(context.projectIds),
        });
      }
      await db.transaction().execute(async (trx) => {
        for (let i = 0; i < batch.length; i += 100) {
          const chunk = batch.slice(i, i + 100);
          const ids = await trx.insertInto('notes').values(chunk.map((b) => b.note)).returning(['id', 'public_id']).execute();
          const byPublicId = new Map(ids.map((x) => [x.public_id, x.id]));
          const rows = chunk.map((b) => ({ id: byPublicId.get(b.note.public_id as string)!, b }));
          await trx.insertInto('note_revisions').values(rows.map(({ id, b }) => ({ note_id: id, revision: 1, title: b.title, body: b.body, author_id: b.note.author_id, author_label: b.note.author_id ? 'author' : 'import', message: 'benchmark seed', created_at: at }))).execute();
          await trx.insertInto('note_projects').values(rows.map(({ id, b }) => ({ note_id: id, project_id: b.projectId }))).execute();
        }
      });
      progress?.add(batch.length);
    }
    await db.insertInto('note_counters').values({ prefix: 'OSSN', last_number: count }).onConflict((oc) => oc.column('prefix').doUpdateSet({ last_number: count })).execute();
  } catch (error) {
    return { ok: false, reason: `inserting notes failed (the table shape may have changed): ${error instanceof Error ? error.message : String(error)}` };
  }
  return { ok: true, value: { count, seconds: (Date.now() - started) / 1000 } };
}
