// Migration for the keys and mail area (filled in by that work; an empty migration is recorded as applied).
import type { MigrationContext } from './helpers.js';

export async function up(_ctx: MigrationContext): Promise<void> {}
