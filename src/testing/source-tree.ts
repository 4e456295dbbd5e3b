// The source tree as the structure checks read it (architecture.test.ts, storage/sql-placement.test.ts),
// and the ratchet they share: a list of what still breaks a rule, with counts that may only fall.
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { repoPath } from './fixture-files.js';

export const SRC = repoPath('src');

/** Every .ts and .tsx file under src/ (declarations excepted), as a path relative to src/ with `/`. */
export function sourceFiles(dir: string = SRC, out: string[] = []): string[] {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) sourceFiles(full, out);
    else if (/\.tsx?$/.test(entry.name) && !entry.name.endsWith('.d.ts')) out.push(path.relative(SRC, full).split(path.sep).join('/'));
  }
  return out;
}

/** What grew past its listed count (a new break), and what is listed higher than found (lower the list). */
export function ratchet(found: Record<string, number>, listed: Record<string, number>): { grown: string[]; shrunk: string[] } {
  return {
    grown: Object.entries(found)
      .filter(([key, n]) => n > (listed[key] ?? 0))
      .map(([key, n]) => `${key}: ${n}`),
    shrunk: Object.entries(listed)
      .filter(([key, n]) => (found[key] ?? 0) < n)
      .map(([key]) => `${key}: ${found[key] ?? 0}`),
  };
}
