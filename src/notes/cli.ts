// CLI commands of the notes area: `cordon notes import DIR` and `cordon notes export DIR` (the OSSN text
// files of a notes repository, e.g. test-fixtures/ossn). Registered under `notes` so that the top-level
// `import`/`export` groups stay free for every format (DESIGN.md §4).
import type { Command } from 'commander';
import { existsSync, statSync } from 'node:fs';
import { withContext } from '../cli/context.js';
import { systemScope } from '../context.js';
import { AppError } from '../errors/catalogue.js';
import { exportOssnDir, importOssnDir } from './import-export.js';

function requireDir(dir: string): void {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new AppError('validation_failed', `${dir} is not a directory.`);
}

export function registerNotesCommands(program: Command): void {
  const notes = program.command('notes').description('Security notes (OSSN): import and export the plain-text notes');
  notes
    .command('import <dir>')
    .description('Import every OSSN text file in DIR as a published note (idempotent; a warning per oddity; files that are not notes are reported and skipped)')
    .option('--quiet', 'print only the summary and skipped files, not every warning')
    .option('--strict', 'exit with status 1 when a file was skipped or conflicts with an existing note')
    .action(async (dir: string, opts: { quiet?: boolean; strict?: boolean }) => {
      requireDir(dir);
      await withContext(async (ctx) => {
        const r = await importOssnDir(systemScope(ctx), dir);
        if (!opts.quiet) {
          for (const w of r.warnings) console.log(`warning: ${w.id} (${w.file}${w.line ? `:${w.line}` : ''}): ${w.kind}: ${w.detail}`);
        }
        for (const c of r.conflicts) console.log(`conflict: ${c.id} (${c.file}): ${c.message}`);
        for (const s of r.skipped) console.error(`skipped: ${s.file}: ${s.reason}`);
        console.log(`${r.imported.length} imported, ${r.unchanged.length} unchanged, ${r.conflicts.length} conflicting, ${r.skipped.length} skipped, ${r.warnings.length} warning(s)`);
        if (opts.strict && (r.skipped.length || r.conflicts.length)) process.exitCode = 1;
      });
    });
  notes
    .command('export <dir>')
    .description('Write every published note into DIR as OSSN text (one file per note, named like OSSN-0042; an imported note as it came in, only edited sections laid out afresh)')
    .action(async (dir: string) => {
      await withContext(async (ctx) => {
        const written = await exportOssnDir(ctx, dir);
        console.log(`${written.length} note(s) written to ${dir}`);
      });
    });
}
