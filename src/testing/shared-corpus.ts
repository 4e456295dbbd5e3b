// Tests may read ../shared (the corpus and official schemas); the product never does at run time.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Absolute path of a file under ../shared, e.g. sharedPath('corpus', 'ossa'). */
export function sharedPath(...parts: string[]): string {
  const p = path.join(repoRoot, '..', 'shared', ...parts);
  if (!existsSync(p)) throw new Error(`shared data missing: ${p} (tests expect ../shared beside the project)`);
  return p;
}

export function repoPath(...parts: string[]): string {
  return path.join(repoRoot, ...parts);
}
