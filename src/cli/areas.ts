// The command areas `cordon` loads only when the command line names them (src/cli/main.ts), with the
// top-level names and descriptions `cordon --help` lists without loading them. A test checks that these
// names are exactly the commands each area registers.
import type { Command } from 'commander';
import type { InstanceRole } from '../storage/tables.js';

/** Instance roles (src/accounts/users.ts `instanceRoles`; a test keeps them equal), for `--role` without importing accounts. */
export const INSTANCE_ROLES: readonly InstanceRole[] = ['admin', 'vmt', 'security_core'];

export interface CommandArea {
  /** Top-level command name → its description in the overview. */
  names: Record<string, string>;
  register: (program: Command) => Promise<void>;
}

/** The areas that register their own commands: the top-level names each one adds, and how to load it. */
export const AREAS: CommandArea[] = [
  {
    names: { keys: 'The team’s OpenPGP key (its secret part is stored encrypted under PGP_PASSPHRASE)', mail: 'Incoming mail: MTA pipe, SMTP listener, quarantine' },
    register: async (program) => (await import('../keys/cli.js')).registerKeysCommands(program),
  },
  { names: { patches: 'Private patches: project mirrors and review rules' }, register: async (program) => (await import('../patches/cli.js')).registerPatchesCommands(program) },
  {
    names: { import: 'Import records from other tools', export: 'Export records for other tools', publish: 'Write the whole public site as static files' },
    register: async (program) => (await import('../advisories/cli.js')).registerAdvisoriesCommands(program),
  },
  { names: { notes: 'Security notes (OSSN): import and export the plain-text notes' }, register: async (program) => (await import('../notes/cli.js')).registerNotesCommands(program) },
  { names: { secrets: 'The instance key that seals stored secrets (TOTP seeds, signing keys)' }, register: async (program) => (await import('../accounts/cli.js')).registerSecretsCommands(program) },
];

