#!/usr/bin/env node
// The `cordon` command line (DESIGN.md §4). Commands are registered without importing what they run:
// each action imports its implementation when it runs, and an area's commands (keys, mail, patches,
// advisories, notes, secrets) are registered only when the command line names that area, so
// `cordon --help` does not load the server, the database drivers or OpenPGP (issue 17: ~1 s → see bench/README.md).
import { readFileSync } from 'node:fs';
import { Command, Option } from 'commander';
import { ConfigError } from '../config/config.js';
import { AppError } from '../errors/catalogue.js';
import { SecretsKeyError } from '../storage/sealing.js';
import type { InstanceRole } from '../storage/tables.js';
import { AREAS, INSTANCE_ROLES } from './areas.js';
import { config, withContext } from './context.js';

const program = new Command();
program.name('cordon').description('Coordinated vulnerability disclosure: reports, embargoes, patches, advisories.');

program
  .command('serve')
  .description('Serve the web UI and JSON API (with an in-process job worker unless IN_PROCESS_WORKER=false or --no-worker)')
  .option('--no-worker', 'do not run a job worker in this process')
  .action(async (opts: { worker: boolean }) => {
    const cfg = config();
    const { startServer } = await import('../server.js');
    const server = await startServer({ ...cfg, inProcessWorker: cfg.inProcessWorker && opts.worker });
    const stop = async () => {
      await server.close();
      process.exit(0);
    };
    process.once('SIGINT', () => void stop());
    process.once('SIGTERM', () => void stop());
  });

program
  .command('worker')
  .description('Run a job worker (run several, on several machines, against one PostgreSQL)')
  .option('--once', 'run the jobs that are due now, then exit')
  .action(async (opts: { once?: boolean }) => {
    const [{ openContext, startWorker }, { buildJobRegistry }, { Worker }, { startSettingsRefresh }] = await Promise.all([
      import('../server.js'),
      import('../jobs/registry.js'),
      import('../jobs/worker.js'),
      import('../instance/settings.js'),
    ]);
    const ctx = await openContext(config());
    const registry = buildJobRegistry(ctx);
    if (opts.once) {
      const worker = new Worker({ storage: ctx.storage, config: ctx.config, clock: ctx.clock, registry });
      await worker.scheduleRecurring();
      const n = await worker.drain();
      console.log(`ran ${n} job(s)`);
      await ctx.storage.close();
      return;
    }
    const worker = startWorker(ctx);
    // Settings changed on /admin/settings reach this worker within a minute (src/instance/settings.ts).
    startSettingsRefresh(ctx);
    ctx.log.info({ worker: worker.id, database: ctx.storage.describe }, 'worker started');
    const stop = async () => {
      await worker.stop();
      await ctx.storage.close();
      process.exit(0);
    };
    process.once('SIGINT', () => void stop());
    process.once('SIGTERM', () => void stop());
  });

program
  .command('migrate')
  .description('Apply database migrations (serve and worker do this on start too)')
  .action(async () => {
    const { migrateToLatest } = await import('../storage/migrate.js');
    await withContext(async (ctx) => {
      const r = await migrateToLatest(ctx.storage);
      console.log(`${ctx.storage.describe}: ${r.applied.length} applied, ${r.alreadyApplied.length} already applied`);
    }, { migrate: false });
  });

program
  .command('setup-link')
  .description('Print a fresh one-time link to create the first admin (only while no account exists)')
  .action(async () => {
    const [{ ensureSetupLink }, { systemScope }] = await Promise.all([import('../accounts/invites.js'), import('../context.js')]);
    await withContext(async (ctx) => {
      const link = await ensureSetupLink(systemScope(ctx), { force: true });
      console.log(link ?? 'Accounts already exist; sign in as an admin instead.');
    });
  });

const user = program.command('user').description('Manage accounts');
user
  .command('create')
  .description('Create an account; the password is read from stdin with --password-stdin, otherwise generated and printed once')
  .requiredOption('--username <name>')
  .requiredOption('--email <address>')
  .requiredOption('--name <display name>')
  .addOption(new Option('--role <role...>', 'instance roles').choices([...INSTANCE_ROLES]))
  .option('--password-stdin', 'read the password from standard input')
  .action(async (opts: { username: string; email: string; name: string; role?: InstanceRole[]; passwordStdin?: boolean }) => {
    const [{ createAccount }, { randomToken }, { systemScope }] = await Promise.all([import('../accounts/users.js'), import('../accounts/secrets.js'), import('../context.js')]);
    const password = opts.passwordStdin ? readFileSync(0, 'utf8').replace(/\r?\n$/, '') : randomToken(18);
    await withContext(async (ctx) => {
      const created = await createAccount(systemScope(ctx), { username: opts.username, email: opts.email, displayName: opts.name, password, roles: opts.role ?? [] });
      console.log(`created ${created.username} (id ${created.id})${opts.passwordStdin ? '' : `\npassword: ${password}`}`);
    });
  });
user
  .command('list')
  .description('List accounts and roles')
  .action(async () => {
    const { listUsers } = await import('../accounts/users.js');
    await withContext(async (ctx) => {
      for (const u of await listUsers(ctx.storage.db, { limit: 10_000 })) {
        console.log(`${u.username}\t${u.email}\t${u.roles.join(',') || '-'}\t${u.disabled_at ? 'disabled' : 'active'}\t${u.totp_enabled_at ? '2fa' : 'no-2fa'}`);
      }
    });
  });
user
  .command('roles <username> [roles...]')
  .description('Set the instance roles of an account (admin, vmt, security_core); none to remove all')
  .action(async (username: string, roles: string[]) => {
    const [{ findUserByLogin, setInstanceRoles }, { systemScope }] = await Promise.all([import('../accounts/users.js'), import('../context.js')]);
    await withContext(async (ctx) => {
      const u = await findUserByLogin(ctx.storage.db, username);
      if (!u) throw new AppError('not_found', `No user ${username}.`);
      await setInstanceRoles(systemScope(ctx), u.id, roles as InstanceRole[]);
      console.log(`${u.username}: ${roles.join(', ') || 'no roles'}`);
    });
  });
user
  .command('disable <username>')
  .description('Disable an account and end its sessions')
  .action(async (username: string) => {
    const [{ findUserByLogin, setDisabled }, { systemScope }] = await Promise.all([import('../accounts/users.js'), import('../context.js')]);
    await withContext(async (ctx) => {
      const u = await findUserByLogin(ctx.storage.db, username);
      if (!u) throw new AppError('not_found', `No user ${username}.`);
      await setDisabled(systemScope(ctx), u.id, true);
      console.log(`${u.username} disabled`);
    });
  });

const project = program.command('project').description('Manage projects');
project
  .command('create')
  .requiredOption('--slug <slug>')
  .requiredOption('--name <name>')
  .option('--description <text>', '', '')
  .option('--branch <branch...>', 'supported branches', ['master'])
  .option('--repo <name=url...>', 'git repositories as NAME=URL')
  .option('--not-overseen', 'the VMT does not oversee this project')
  .option('--contact <text>', 'security contact for projects the VMT does not oversee', '')
  .action(async (opts: { slug: string; name: string; description: string; branch: string[]; repo?: string[]; notOverseen?: boolean; contact: string }) => {
    const [{ createProject }, { systemScope }] = await Promise.all([import('../projects/projects.js'), import('../context.js')]);
    await withContext(async (ctx) => {
      const p = await createProject(systemScope(ctx), {
        slug: opts.slug,
        name: opts.name,
        description: opts.description,
        branches: opts.branch,
        vmtOversees: !opts.notOverseen,
        securityContact: opts.contact,
        repositories: (opts.repo ?? []).map((r) => {
          const i = r.indexOf('=');
          return { name: r.slice(0, i), remoteUrl: r.slice(i + 1) };
        }),
      });
      console.log(`created project ${p.slug} (${p.branches.join(', ')})`);
    });
  });
project
  .command('list')
  .action(async () => {
    const { listProjects } = await import('../projects/projects.js');
    await withContext(async (ctx) => {
      for (const p of await listProjects(ctx.storage.db)) console.log(`${p.slug}\t${p.name}\t${p.vmt_oversees ? 'vmt' : 'self-managed'}`);
    });
  });

program
  .command('audit')
  .description('Audit log tools')
  .command('verify')
  .description('Recompute the hash chain of the whole audit log; exit 1 if any event was altered or deleted')
  .action(async () => {
    const { verifyAuditChain } = await import('../audit/audit.js');
    await withContext(async (ctx) => {
      const verdict = await verifyAuditChain(ctx.storage.db);
      if (verdict.ok) console.log(`audit log intact: ${verdict.checked} events verified`);
      else {
        console.error(`audit log BROKEN at event ${verdict.brokenAt?.id}: ${verdict.brokenAt?.reason} (${verdict.checked} events verified before it)`);
        process.exitCode = 1;
      }
    });
  });

/**
 * Register the areas the command line names (`cordon keys …`, `cordon help keys`); with no command, or
 * only options (`cordon --help`), just their names and descriptions for the overview. A name no area
 * claims loads every area, so commander can answer it (or say it is unknown).
 */
async function registerAreas(argv: readonly string[]): Promise<void> {
  const words = argv.slice(2).filter((a) => !a.startsWith('-'));
  const named = words[0] === 'help' ? words[1] : words[0];
  const core = new Set(program.commands.map((c) => c.name()));
  if (named === undefined || named === 'help') {
    for (const area of AREAS) for (const [name, description] of Object.entries(area.names)) program.command(name).description(description);
    return;
  }
  if (core.has(named)) return;
  const claimed = AREAS.filter((a) => named in a.names);
  for (const area of claimed.length ? claimed : AREAS) await area.register(program);
}

registerAreas(process.argv)
  .then(() => program.parseAsync(process.argv))
  .catch((error: unknown) => {
  if (error instanceof ConfigError) console.error(error.message);
  else if (error instanceof SecretsKeyError) console.error(`Cordon cannot open its stored secrets: ${error.message}`);
  else if (error instanceof AppError) {
    console.error(`error: ${error.message}`);
    for (const f of error.fields) console.error(`  ${f.field}: ${f.message}`);
  } else console.error(error);
  process.exit(1);
});
