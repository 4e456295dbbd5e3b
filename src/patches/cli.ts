// CLI commands of the patches area: `cordon patches sync` (clone or refresh the project mirrors and
// queue checks for patches whose branch moved; the worker runs them) and `cordon patches rule`.
import type { Command } from 'commander';
import { withContext } from '../cli/context.js';
import { change, systemScope } from '../context.js';
import { recordSyncOutcomes, syncMirrors } from './mirrors.js';
import { setReviewRule } from './review.js';

export function registerPatchesCommands(program: Command): void {
  const patches = program.command('patches').description('Private patches: project mirrors and review rules');
  patches
    .command('sync')
    .description('Clone or refresh the local mirror of every project repository (DATA_DIR/mirrors) and queue apply checks for patches whose branch moved')
    .option('--project <slug>', 'only this project')
    .action(async (opts: { project?: string }) => {
      await withContext(async (ctx) => {
        const outcomes = await syncMirrors(ctx.storage.db, ctx.config, opts.project !== undefined ? { projectSlug: opts.project } : {});
        const queued = await change(systemScope(ctx), (c) => recordSyncOutcomes(c, outcomes));
        for (const o of outcomes) {
          if (o.error) console.log(`${o.projectSlug}/${o.repository}\tfailed\t${o.error}`);
          else console.log(`${o.projectSlug}/${o.repository}\tok\t${Object.keys(o.heads ?? {}).length} branches`);
        }
        console.log(`${outcomes.length} repositories synced, ${queued} apply checks queued`);
        if (outcomes.some((o) => o.error)) process.exitCode = 1;
      });
    });
  patches
    .command('rule')
    .description('Set the pre-approval rule of a project (default: one +2 from coresec and no -2)')
    .requiredOption('--project <slug>')
    .option('--coresec <n>', '+2 votes needed from coresec', '1')
    .option('--core-reviewers <n>', '+2 votes needed from core reviewers', '0')
    .action(async (opts: { project: string; coresec: string; coreReviewers: string }) => {
      await withContext(async (ctx) => {
        const rule = { coresecApprovals: Number(opts.coresec), coreReviewerApprovals: Number(opts.coreReviewers) };
        await setReviewRule(systemScope(ctx), opts.project, rule);
        console.log(`${opts.project}: pre-approved with ${rule.coresecApprovals} coresec +2, ${rule.coreReviewerApprovals} core reviewer +2 and no -2`);
      });
    });
}
