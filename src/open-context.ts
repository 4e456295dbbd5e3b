// Opening the instance for a command or a server: configuration, the database (migrated, statistics
// fresh, sealed secrets checked) and the logger. Apart from server.ts so that a CLI command that only
// needs the database (`cordon publish`, `cordon import`) does not load the web app and every route.
import type { Clock } from './clock.js';
import { systemClock } from './clock.js';
import type { Config } from './config/config.js';
import type { AppContext } from './context.js';
import { createLogger } from './logging.js';
import { openStorage, type Storage } from './storage/database.js';
import { migrateToLatest } from './storage/migrate.js';
import { refreshStatistics } from './storage/statistics.js';
import { prepareSecrets } from './accounts/secrets-at-rest.js';
import { refreshInstanceSettings } from './instance/settings.js';
import { wireSiteSources } from './publication/site-sources.js';
import { publishedAdvisories } from './advisories/published.js';
import { buildNoteSiteFiles } from './notes/site.js';
import { listenToAudits } from './context.js';
import { queueWebhookDeliveries } from './webhooks/emit.js';
import { resealEndpointSecrets } from './webhooks/endpoints.js';
import { registerResealer } from './storage/resealers.js';

/**
 * What lower areas are handed by the domains above them, wired once per process (idempotent), by openContext
 * for commands and workers and by buildApp for the app:
 * - what the public site is built from (publication/site-sources.ts);
 * - the webhook events every change's audit write raises, in its transaction (webhooks/emit.ts);
 * - the webhook secrets `cordon secrets rotate` re-seals with the others (storage/resealers.ts).
 */
export function wireDomains(): void {
  wireSiteSources({ advisories: publishedAdvisories, noteFiles: buildNoteSiteFiles });
  listenToAudits('webhooks', queueWebhookDeliveries);
  registerResealer('webhook_endpoints.secret', resealEndpointSecrets);
}

export async function openContext(config: Config, clock: Clock = systemClock, options: { migrate?: boolean } = {}): Promise<AppContext> {
  const log = createLogger(config);
  wireDomains();
  const storage: Storage = openStorage({
    databaseUrl: config.databaseUrl,
    dataDir: config.dataDir,
    secretsKey: config.secretsKey,
    secretsKeysPrevious: config.secretsKeysPrevious,
    onConnectionError: (err) => log.warn({ err }, 'database connection lost (dropped from the pool; the next query reconnects)'),
  });
  if (options.migrate !== false) {
    const result = await migrateToLatest(storage);
    if (result.applied.length) log.info({ applied: result.applied }, 'database migrated');
    // The planner needs statistics to pick the queue's partial indexes (src/storage/statistics.ts).
    await refreshStatistics(storage);
    // A node with the wrong instance key stops here, before serving anything (SecretsKeyError says how to fix it).
    const { sealed } = await prepareSecrets(storage);
    if (sealed) log.info({ sealed }, 'sealed TOTP secrets stored in clear');
    // Settings an admin stored in the browser apply from the start (the environment still wins).
    await refreshInstanceSettings({ config, storage });
  }
  return { config, storage, clock, log };
}
