// Helpers for the patch tests: real git repositories made in temp dirs, with fixed authors and
// dates so that commits (and their ids) are the same on every run. Not used by the product.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gitEnvironment, gitSafetyConfig } from '../git.js';

export function makeTempDir(prefix = 'cordon-'): string {
  return mkdtempSync(path.join(os.tmpdir(), prefix));
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

export interface FixtureAuthor {
  name: string;
  email: string;
  /** git date, e.g. `2013-08-07T10:00:00+02:00`. */
  date: string;
}

export const defaultAuthor: FixtureAuthor = {
  name: 'Rongze Zhu',
  email: 'rongze@example.org',
  date: '2013-08-07T10:00:00+02:00',
};

/** A synchronous git for building fixtures, with the same safe environment as the product. */
export function gitSync(cwd: string, args: readonly string[], author: FixtureAuthor = defaultAuthor): string {
  const home = makeTempDir('cordon-home-');
  try {
    return gitWithHome(cwd, args, author, home);
  } finally {
    removeDir(home);
  }
}

function gitWithHome(cwd: string, args: readonly string[], author: FixtureAuthor, home: string): string {
  return execFileSync('git', [...gitSafetyConfig.flatMap((c) => ['-c', c]), ...args], {
    cwd,
    encoding: 'utf8',
    env: {
      ...gitEnvironment(home),
      GIT_AUTHOR_NAME: author.name,
      GIT_AUTHOR_EMAIL: author.email,
      GIT_AUTHOR_DATE: author.date,
      GIT_COMMITTER_NAME: 'Fixture Committer',
      GIT_COMMITTER_EMAIL: 'committer@example.org',
      GIT_COMMITTER_DATE: author.date,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

export function initRepo(dir: string, branch = 'master'): string {
  mkdirSync(dir, { recursive: true });
  gitSync(dir, ['init', '--template=', '-q', '-b', branch]);
  return dir;
}

/** Writes files (null deletes) and commits them; returns the new commit id. */
export function commitFiles(
  repo: string,
  files: Record<string, string | null>,
  message: string,
  author: FixtureAuthor = defaultAuthor,
): string {
  for (const [name, content] of Object.entries(files)) {
    const file = path.join(repo, name);
    if (content === null) {
      gitSync(repo, ['rm', '-q', '--', name]);
      continue;
    }
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, content);
    gitSync(repo, ['add', '--', name]);
  }
  gitSync(repo, ['commit', '-q', '--allow-empty', '-m', message], author);
  return gitSync(repo, ['rev-parse', 'HEAD']).trim();
}

/** Every path under a directory with its size and mtime: a before/after picture of the disk. */
export function snapshotTree(root: string): Map<string, string> {
  const seen = new Map<string, string>();
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      const stat = statSync(full, { throwIfNoEntry: false });
      seen.set(path.relative(root, full), stat ? `${stat.size}:${stat.mtimeMs}` : 'dangling');
      if (entry.isDirectory()) walk(full);
    }
  };
  walk(root);
  return seen;
}

/** `1\n2\n…n\n`: a file with numbered lines. */
export function numberedLines(count: number, change: Record<number, string> = {}): string {
  return Array.from({ length: count }, (_, i) => change[i + 1] ?? `line ${i + 1}`).join('\n') + '\n';
}
