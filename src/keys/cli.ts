// `cordon keys …`: the team key (init, import, rotate, list, export); also registers `cordon mail …`.
import { readFileSync } from 'node:fs';
import { Option, type Command } from 'commander';
import { withContext } from '../cli/context.js';
import { systemScope } from '../context.js';
import type { TeamKeyAlgorithm } from '../pgp/team-key.js';
import { registerMailCommands } from '../mail/cli.js';
import { placeholderAddressIssues } from '../config/placeholder-addresses.js';
import { saveRevocation } from './revocation.js';
import { formatFingerprint } from './public-keys.js';
import { currentTeamKey, generateAndStoreTeamKey, importTeamKey, listTeamKeys, teamKeyAlgorithms } from './team-keys.js';

interface NewKeyFlags {
  name?: string;
  email?: string;
  algorithm?: TeamKeyAlgorithm;
  expiresDays?: string;
  revocationFile?: string;
}

function readStdinLine(): string {
  return readFileSync(0, 'utf8').replace(/\r?\n$/, '');
}

function warnAboutAddresses(mailFrom: string, teamEmail: string): void {
  for (const issue of placeholderAddressIssues({ mailFrom, teamEmail })) console.error(`warning: ${issue.message}`);
}

function newKeyOptions(command: Command): Command {
  return command
    .option('--name <name>', 'user id name (default: INSTANCE_NAME security team, or the current key’s)')
    .option('--email <address>', 'user id email (default: TEAM_EMAIL, or the current key’s)')
    .addOption(new Option('--algorithm <algorithm>', 'key type').choices([...teamKeyAlgorithms]).default('ed25519'))
    .option('--expires-days <days>', 'expire the key after this many days (default: never)')
    .option('--revocation-file <path>', 'where to write the revocation certificate (default: DATA_DIR/team-key-FPR.rev)');
}

async function generate(flags: NewKeyFlags, rotate: boolean): Promise<void> {
  await withContext(async (ctx) => {
    const { fingerprint, revocationCertificate } = await generateAndStoreTeamKey(
      systemScope(ctx),
      {
        ...(flags.name ? { name: flags.name } : {}),
        ...(flags.email ? { email: flags.email } : {}),
        ...(flags.algorithm ? { algorithm: flags.algorithm } : {}),
        ...(flags.expiresDays ? { expiresInDays: Number(flags.expiresDays) } : {}),
      },
      rotate,
    );
    const file = saveRevocation(ctx.config.dataDir, fingerprint, revocationCertificate, flags.revocationFile);
    console.log(`${rotate ? 'rotated: new current team key' : 'team key created'} ${formatFingerprint(fingerprint)}`);
    console.log(`revocation certificate written to ${file} — move it somewhere safe and offline.`);
    warnAboutAddresses(ctx.config.mailFrom, ctx.config.teamEmail);
  });
}

export function registerKeysCommands(program: Command): void {
  const keys = program.command('keys').description('The team’s OpenPGP key (its secret part is stored encrypted under PGP_PASSPHRASE)');

  newKeyOptions(keys.command('init').description('Generate the team key (v4, ed25519/cv25519 by default)')).action((flags: NewKeyFlags) => generate(flags, false));

  newKeyOptions(keys.command('rotate').description('Make a new current team key; the old one is retired and still opens old mail'))
    .option('--from <file>', 'import this secret key as the new current key instead of generating one')
    .option('--passphrase-stdin', 'read the imported key’s current passphrase from standard input')
    .action(async (flags: NewKeyFlags & { from?: string; passphraseStdin?: boolean }) => {
      if (!flags.from) return generate(flags, true);
      const input = readFileSync(flags.from);
      const keyPassphrase = flags.passphraseStdin ? readStdinLine() : undefined;
      await withContext(async (ctx) => {
        const { fingerprint } = await importTeamKey(systemScope(ctx), new Uint8Array(input), { rotate: true, ...(keyPassphrase !== undefined ? { keyPassphrase } : {}) });
        console.log(`rotated: new current team key ${formatFingerprint(fingerprint)} (imported)`);
      });
    });

  keys
    .command('import <file>')
    .description('Import an existing secret key (armored or binary) as the team key')
    .option('--passphrase-stdin', 'read the key’s current passphrase from standard input (it is then stored under PGP_PASSPHRASE)')
    .action(async (file: string, flags: { passphraseStdin?: boolean }) => {
      const input = readFileSync(file);
      const keyPassphrase = flags.passphraseStdin ? readStdinLine() : undefined;
      await withContext(async (ctx) => {
        const { fingerprint } = await importTeamKey(systemScope(ctx), new Uint8Array(input), keyPassphrase !== undefined ? { keyPassphrase } : {});
        console.log(`team key imported ${formatFingerprint(fingerprint)}`);
        warnAboutAddresses(ctx.config.mailFrom, ctx.config.teamEmail);
      });
    });

  keys
    .command('list')
    .description('List the team keys: fingerprint, status, algorithm, created, expires, user ids')
    .action(async () => {
      await withContext(async (ctx) => {
        const rows = await listTeamKeys(ctx.storage.db);
        if (!rows.length) console.log('no team key yet: run `cordon keys init`');
        for (const k of rows) {
          const uids = (JSON.parse(k.user_ids) as string[]).join('; ');
          console.log(`${k.fingerprint}\t${k.status}\t${k.algorithm}\tcreated ${k.key_created_at.slice(0, 10)}\texpires ${k.expires_at?.slice(0, 10) ?? 'never'}\t${uids}`);
        }
      });
    });

  keys
    .command('export')
    .description('Print the current team public key (armored)')
    .option('--all', 'also print retired keys')
    .action(async (flags: { all?: boolean }) => {
      await withContext(async (ctx) => {
        const rows = flags.all ? await listTeamKeys(ctx.storage.db) : [await currentTeamKey(ctx.storage.db)].filter((k) => k !== undefined);
        if (!rows.length) {
          console.error('error: no team key yet: run `cordon keys init`');
          process.exitCode = 1;
        }
        for (const k of rows) process.stdout.write(k.public_key.endsWith('\n') ? k.public_key : `${k.public_key}\n`);
      });
    });

  registerMailCommands(program);
}
