// Migration for the embargoed-disclosure area (pre-notices, disclosure runs).
import type { MigrationContext } from './helpers.js';

export async function up(_ctx: MigrationContext): Promise<void> {}
