// CLI commands of the patches area (filled in by that work).
import type { Command } from 'commander';

export function registerPatchesCommands(_program: Command): void {}
