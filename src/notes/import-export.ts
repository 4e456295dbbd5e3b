// `cordon notes import DIR` and `cordon notes export DIR`: the OSSN text files of an existing notes
// repository (test-fixtures/ossn layout: one file per note, named OSSN-NNNN) in and out.
// Import keeps each note as a published note with its original text, tolerates the drift of real notes
// (a warning per oddity, formats/import-warnings.ts), skips and reports files that are not notes, and is
// idempotent: a note already imported with the same text is left alone. Nothing is announced.
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { change, type Scope } from '../context.js';
import type { AppContext } from '../context.js';
import { AppError } from '../errors/catalogue.js';
import { parseNoteId } from '../identifiers/advisory-ids.js';
import type { ImportWarning } from './formats/import-warnings.js';
import { MAX_NOTE_BYTES } from './formats/note-input.js';
import { parseOssnText } from './formats/ossn-text.js';
import { raiseNoteCounter } from './ids.js';
import { bodyOf, newNoteRef } from './store.js';
import { publishedNotes } from './site.js';
import { exportOssnText } from './formats/ossn-source.js';

export interface ImportReport {
  imported: string[];
  unchanged: string[];
  /** Ids that exist already with other text (or were written in Cordon): left as they are. */
  conflicts: { file: string; id: string; message: string }[];
  /** Files that are not notes (or cannot be read), with the reason. */
  skipped: { file: string; reason: string }[];
  warnings: ({ file: string; id: string } & ImportWarning)[];
}

/** The files of DIR to consider, sorted: regular files, not hidden. */
function candidateFiles(dir: string): string[] {
  return readdirSync(dir)
    .filter((name) => !name.startsWith('.'))
    .filter((name) => statSync(path.join(dir, name)).isFile())
    .sort();
}

export async function importOssnDir(scope: Scope, dir: string): Promise<ImportReport> {
  const prefix = scope.app.config.notePrefix;
  const report: ImportReport = { imported: [], unchanged: [], conflicts: [], skipped: [], warnings: [] };
  const db = scope.app.storage.db;
  for (const file of candidateFiles(dir)) {
    const full = path.join(dir, file);
    if (statSync(full).size > MAX_NOTE_BYTES) {
      report.skipped.push({ file, reason: `larger than ${MAX_NOTE_BYTES} bytes; a security note is a few kilobytes` });
      continue;
    }
    const fromName = parseNoteId(file.replace(/\.txt$/i, ''), prefix);
    let parsed;
    try {
      parsed = parseOssnText(new Uint8Array(readFileSync(full)), { prefix, ...(fromName.ok ? { id: fromName.value.id } : {}) });
    } catch (error) {
      if (error instanceof AppError) {
        report.skipped.push({ file, reason: error.fields.map((f) => f.message).join('; ') || error.message });
        continue;
      }
      throw error;
    }
    const { note, warnings } = parsed;
    const id = parseNoteId(note.id, prefix);
    if (!id.ok) {
      report.skipped.push({ file, reason: id.message });
      continue;
    }
    const publicId = id.value.id;
    const existing = await db.selectFrom('notes').select(['id', 'origin', 'imported_text']).where('public_id', '=', publicId).executeTakeFirst();
    if (existing) {
      if (existing.origin === 'import' && existing.imported_text === note.raw) report.unchanged.push(publicId);
      else report.conflicts.push({ file, id: publicId, message: existing.origin === 'import' ? 'imported before with different text; left as it is' : 'a note with this id was written in Cordon; left as it is' });
      continue;
    }
    report.warnings.push(...warnings.map((w) => ({ file, id: publicId, ...w })));
    await change(scope, async ({ trx, now, audit }) => {
      const at = now.toISOString();
      const row = await trx
        .insertInto('notes')
        .values({
          ref: newNoteRef(),
          public_id: publicId,
          sequence: id.value.sequence,
          state: 'published',
          origin: 'import',
          flag_title: note.title,
          flag_reason: '',
          flagged_at: at,
          current_revision: 1,
          published_revision: 1,
          published_at: at,
          imported_text: note.raw,
          created_at: at,
          updated_at: at,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      await trx
        .insertInto('note_revisions')
        .values({ note_id: row.id, revision: 1, title: note.title, body: JSON.stringify(bodyOf(note)), author_id: null, author_label: 'import', message: `Imported from ${file}`, created_at: at })
        .execute();
      // Allocation continues above the highest number stored (the corpus has gaps).
      await raiseNoteCounter(trx, prefix);
      await audit('note.imported', 'note', row.id, undefined, { public_id: publicId, file, warnings: warnings.length });
    }, { system: true });
    report.imported.push(publicId);
  }
  return report;
}

/**
 * Write every published note as OSSN text into DIR: an imported note as it came in (only edited parts laid
 * out afresh, formats/ossn-source.ts), a note written in Cordon in the template layout (title, `---`,
 * `### Section ###`, wrapped at 72).
 */
export async function exportOssnDir(ctx: AppContext, dir: string): Promise<string[]> {
  mkdirSync(dir, { recursive: true });
  const written: string[] = [];
  for (const n of await publishedNotes(ctx.storage.db)) {
    writeFileSync(path.join(dir, n.publicId), exportOssnText(n.record));
    written.push(n.publicId);
  }
  return written.sort();
}
