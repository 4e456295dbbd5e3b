// CLI commands of the advisories area: `cordon import ossa DIR`, `cordon export ossa DIR` and
// `cordon publish --out DIR` (DESIGN.md §4, issue 6).
import path from 'node:path';
import type { Command } from 'commander';
import { withContext } from '../cli/context.js';
import { systemScope } from '../context.js';
import { exportOssaDirectory, importOssaDirectory } from './import.js';
import { publishSite } from '../publication/publish-site.js';
import { loadTeamSigner } from '../publication/signer.js';

/**
 * `import` and `export` are shared with other areas (notes import OSSN): reuse the parent command when
 * another area already made it, since commander refuses two commands with one name.
 */
function parentCommand(program: Command, name: string, description: string): Command {
  return program.commands.find((c) => c.name() === name) ?? program.command(name).description(description);
}

export function registerAdvisoriesCommands(program: Command): void {
  parentCommand(program, 'import', 'Import records from other tools')
    .command('ossa <dir>')
    .description('Import every OpenStack OSSA YAML file of DIR as a published advisory (idempotent: a second run changes nothing)')
    .action(async (dir: string) => {
      await withContext(async (ctx) => {
        const counts = { imported: 0, updated: 0, unchanged: 0, failed: 0 };
        let warnings = 0;
        const run = await importOssaDirectory(systemScope(ctx), path.resolve(dir), (r) => {
          counts[r.outcome] += 1;
          for (const w of r.warnings) {
            warnings += 1;
            console.error(`warning: ${r.file}: ${w}`);
          }
          if (r.outcome === 'failed') for (const e of r.errors) console.error(`error: ${r.file}: ${e}`);
        });
        console.log(`${run.results.length} files: ${counts.imported} imported, ${counts.updated} updated, ${counts.unchanged} unchanged, ${counts.failed} failed; ${warnings} warnings`);
        if (run.site) console.log(`public site rebuilt: ${run.site.written} files written, ${run.site.removed} removed`);
        if (counts.failed) process.exitCode = 1;
      });
    });

  parentCommand(program, 'export', 'Export records for other tools')
    .command('ossa <dir>')
    .description('Write every published advisory as OpenStack OSSA YAML into DIR')
    .action(async (dir: string) => {
      await withContext(async (ctx) => {
        const n = await exportOssaDirectory(ctx.storage.db, path.resolve(dir));
        console.log(`exported ${n} advisories to ${path.resolve(dir)}`);
      });
    });

  program
    .command('publish')
    .description('Write the whole public site (advisory pages, notice text, YAML, OSV, CVE JSON 5, CSAF, Atom feed) as static files, each with .sha256 and .asc')
    .requiredOption('--out <dir>', 'directory to write the site into')
    .option('--render-all', 'render every advisory again, even those whose record, settings and Cordon version did not change')
    .action(async (opts: { out: string; renderAll?: boolean }) => {
      await withContext(async (ctx) => {
        const { signer, note } = await loadTeamSigner(ctx);
        const r = await publishSite(ctx, path.resolve(opts.out), signer, { renderAll: opts.renderAll === true });
        console.log(`wrote ${r.written.files} files (each with .sha256) to ${path.resolve(opts.out)}; ${r.written.signatures} signed (.asc)`);
        if (!signer) console.log(`note: ${note}`);
        else if (r.written.unsigned.length) console.log(`note: ${r.written.unsigned.length} files are not signed`);
      });
    });
}
