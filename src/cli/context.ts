// Shared by every CLI command: configuration from the environment and an opened, migrated database.
import { loadConfig, type Config } from '../config/config.js';
import type { AppContext } from '../context.js';

export function config(): Config {
  return loadConfig(process.env);
}

/** Run `fn` with an app context (quiet logs unless LOG_LEVEL is set), closing the database afterwards. */
export async function withContext<T>(fn: (ctx: AppContext) => Promise<T>, options: { migrate?: boolean } = {}): Promise<T> {
  const cfg = config();
  // Imported here, not at the top: `cordon --help` and commands without a database never open one.
  const { openContext } = await import('../open-context.js');
  const ctx = await openContext({ ...cfg, logLevel: process.env.LOG_LEVEL ? cfg.logLevel : 'warn' }, undefined, options);
  try {
    return await fn(ctx);
  } finally {
    await ctx.storage.close();
  }
}
