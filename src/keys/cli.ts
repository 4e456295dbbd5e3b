// CLI commands of the keys area (filled in by that work).
import type { Command } from 'commander';

export function registerKeysCommands(_program: Command): void {}
