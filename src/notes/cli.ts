// CLI commands of the notes area (filled in by that work).
import type { Command } from 'commander';

export function registerNotesCommands(_program: Command): void {}
