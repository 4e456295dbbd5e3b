// `cordon import ossa DIR` and `cordon export ossa DIR` (issue 6): the OpenStack OSSA YAML files become
// published advisories, keeping every value and the file itself; a second run changes nothing; a broken
// file is reported and the others are imported. Export writes YAML that loads to the same data.
import { readdirSync, readFileSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { change, type Scope } from '../context.js';
import { AppError } from '../errors/catalogue.js';
import type { Db } from '../storage/database.js';
import { parseAdvisoryId } from '../identifiers/advisory-ids.js';
import { importOssaYaml } from '../publication/formats/ossa-yaml.js';
import { exportOssaYaml } from '../publication/formats/ossa-export.js';
import { reserveAdvisorySeq } from './ids.js';
import type { AdvisoryRecord } from '../publication/record.js';
import { SIGN_JOB } from './publish.js';
import { advisoryFiles } from '../publication/outputs.js';
import { publishedRecords } from './published.js';
import { summarizePublished } from '../publication/summary.js';
import { rebuildWholeSite, siteContextFor, type ReplaceResult } from '../publication/site-files.js';
import { teamPublicKey } from '../publication/signer.js';

export type ImportOutcome = 'imported' | 'updated' | 'unchanged' | 'failed';

export interface ImportFileResult {
  file: string;
  ref: string | null;
  outcome: ImportOutcome;
  /** One line per oddity the file holds (kept as written). */
  warnings: string[];
  /** Why a failed file was not imported. */
  errors: string[];
}

function messagesOf(error: unknown): string[] {
  if (error instanceof AppError) return error.fields.length ? error.fields.map((f) => `${f.field}: ${f.message}`) : [error.message];
  return [error instanceof Error ? error.message : String(error)];
}

/**
 * Imports one OSSA YAML file as a published advisory. `seen` holds the ids already taken by earlier
 * files of the same run (duplicate ids are refused).
 */
export async function importOssaFile(scope: Scope, file: string, text: string, seen: Map<string, string> = new Map()): Promise<ImportFileResult> {
  const result: ImportFileResult = { file, ref: null, outcome: 'failed', warnings: [], errors: [] };
  let record: AdvisoryRecord;
  try {
    const imported = importOssaYaml(text, file);
    record = imported.record;
    result.warnings = imported.warnings.map((w) => `${w.field}: ${w.message}`);
  } catch (error) {
    result.errors = messagesOf(error);
    return result;
  }
  result.ref = record.id;
  const id = parseAdvisoryId(record.id, scope.app.config.advisoryPrefix);
  if (!id.ok) {
    result.errors = [`id: ${id.message} (ADVISORY_PREFIX is ${scope.app.config.advisoryPrefix})`];
    return result;
  }
  const earlier = seen.get(record.id);
  if (earlier) {
    result.errors = [`id: ${record.id} is also the id of ${earlier}; advisory ids must be unique`];
    return result;
  }
  seen.set(record.id, file);
  try {
    // Every public output must build before the advisory is stored as published.
    advisoryFiles(record, await siteContextFor(scope.app, null));
  } catch (error) {
    result.errors = messagesOf(error);
    return result;
  }
  try {
    result.outcome = await change(scope, async ({ trx, now, audit }) => storeImported(trx, now, audit, record, id.value, text));
  } catch (error) {
    result.outcome = 'failed';
    result.errors = messagesOf(error);
  }
  return result;
}

async function storeImported(
  trx: Db,
  now: Date,
  audit: (action: string, targetType: string, targetId: string | number | null, before?: unknown, after?: unknown) => Promise<void>,
  record: AdvisoryRecord,
  id: { prefix: string; year: number; sequence: number },
  text: string,
): Promise<ImportOutcome> {
  const at = now.toISOString();
  const json = JSON.stringify(record);
  const summary = JSON.stringify(summarizePublished(record));
  const existing = await trx.selectFrom('advisories').selectAll().where('ref', '=', record.id).executeTakeFirst();
  if (existing) {
    if (existing.source_yaml === text) return 'unchanged';
    const ownWork = await trx.selectFrom('advisory_revisions').select('number').where('advisory_id', '=', existing.id).where('kind', '!=', 'imported').executeTakeFirst();
    if (ownWork || existing.status !== 'published') throw new AppError('conflict', `${record.id} was drafted or edited in Cordon; the file does not overwrite it.`);
    const number = existing.current_revision + 1;
    await trx
      .updateTable('advisories')
      .set({ title: record.title, date: record.date, record_json: json, current_revision: number, published_json: json, published_revision: number, published_summary: summary, last_published_at: at, source_yaml: text, updated_at: at })
      .where('id', '=', existing.id)
      .execute();
    await trx.insertInto('advisory_revisions').values({ advisory_id: existing.id, number, kind: 'imported', summary: 'Imported again from a changed OSSA YAML file', record_json: json, author_id: null, author_label: 'cordon import', created_at: at }).execute();
    await audit('advisory.reimported', 'advisory', record.id, { revision: existing.current_revision }, { revision: number });
    return 'updated';
  }
  await reserveAdvisorySeq(trx, id.prefix, id.year, id.sequence);
  const row = await trx
    .insertInto('advisories')
    .values({
      ref: record.id,
      prefix: id.prefix,
      year: id.year,
      seq: id.sequence,
      status: 'published',
      title: record.title,
      date: record.date,
      record_json: json,
      current_revision: 1,
      published_json: json,
      published_revision: 1,
      published_summary: summary,
      published_at: at,
      last_published_at: at,
      report_id: null,
      source_yaml: text,
      created_by: null,
      created_at: at,
      updated_at: at,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  await trx.insertInto('advisory_revisions').values({ advisory_id: row.id, number: 1, kind: 'imported', summary: 'Imported from OSSA YAML', record_json: json, author_id: null, author_label: 'cordon import', created_at: at }).execute();
  await audit('advisory.imported', 'advisory', record.id, undefined, { title: record.title });
  return 'imported';
}

export interface ImportRun {
  results: ImportFileResult[];
  site: ReplaceResult | null;
}

/** Imports every `*.yaml` file of `dir` (in name order), then rebuilds the public site once. */
export async function importOssaDirectory(scope: Scope, dir: string, onResult?: (r: ImportFileResult) => void): Promise<ImportRun> {
  const files = readdirSync(dir).filter((f) => /\.ya?ml$/i.test(f)).sort();
  const seen = new Map<string, string>();
  const results: ImportFileResult[] = [];
  for (const file of files) {
    let text: string;
    try {
      text = readFileSync(path.join(dir, file), 'utf8');
    } catch (error) {
      const r: ImportFileResult = { file, ref: null, outcome: 'failed', warnings: [], errors: messagesOf(error) };
      results.push(r);
      onResult?.(r);
      continue;
    }
    const r = await importOssaFile(scope, file, text, seen);
    results.push(r);
    onResult?.(r);
  }
  let site: ReplaceResult | null = null;
  if (results.some((r) => r.outcome === 'imported' || r.outcome === 'updated')) {
    const teamKey = await teamPublicKey(scope.app.storage.db);
    site = await change(scope, async ({ trx, now, enqueue, audit }) => {
      const rebuilt = await rebuildWholeSite(trx, now, await siteContextFor(scope.app, teamKey, trx));
      await enqueue(SIGN_JOB, { reason: 'import' });
      await audit('publication.rebuilt', 'site', null, undefined, rebuilt);
      return rebuilt;
    });
  }
  return { results, site };
}

/** Writes every published advisory as `<id>.yaml` into `dir`; returns how many. */
export async function exportOssaDirectory(db: Db, dir: string): Promise<number> {
  mkdirSync(dir, { recursive: true });
  const records = await publishedRecords(db);
  for (const record of records) writeFileSync(path.join(dir, `${record.id}.yaml`), exportOssaYaml(record));
  return records.length;
}
