// `cordon secrets …`: the instance key that seals stored secrets (src/storage/sealing.ts).
import type { Command } from 'commander';
import { withContext } from '../cli/context.js';
import { systemScope } from '../context.js';
import { newKeyText } from '../storage/sealing.js';
import { rotateSecrets } from './secrets-at-rest.js';

export function registerSecretsCommands(program: Command): void {
  const secrets = program.command('secrets').description('The instance key that seals stored secrets (TOTP seeds, signing keys)');
  secrets
    .command('new-key')
    .description('Print a fresh instance key for SECRETS_KEY (nothing is stored)')
    .action(() => {
      console.log(newKeyText());
    });
  secrets
    .command('status')
    .description('Show which instance key is current')
    .action(async () => {
      await withContext(async (ctx) => {
        const s = ctx.storage.secrets;
        console.log(`current key ${s.currentKeyId} (${s.usesKeyFile ? s.keyFile : 'SECRETS_KEY'}); readable: ${s.keyIds.join(', ')}`);
      });
    });
  secrets
    .command('rotate')
    .description('Re-seal every stored secret under a new instance key (with SECRETS_KEY: set the new key, old one in SECRETS_KEY_PREVIOUS)')
    .action(async () => {
      await withContext(async (ctx) => {
        const { keyId, resealed } = await rotateSecrets(systemScope(ctx));
        console.log(`re-sealed ${resealed} secret(s) under key ${keyId}`);
        if (!ctx.storage.secrets.usesKeyFile) console.log('Now remove SECRETS_KEY_PREVIOUS from every node and restart them.');
      });
    });
}
