// CLI commands of the advisories area (filled in by that work).
import type { Command } from 'commander';

export function registerAdvisoriesCommands(_program: Command): void {}
