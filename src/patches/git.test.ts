import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { git, GitCommandError, gitSafetyConfig, runGit } from './git.js';
import { commitFiles, gitSync, initRepo, makeTempDir, removeDir } from './testing/support.js';

let tmp: string;
let marker: string;

beforeAll(() => {
  tmp = makeTempDir();
  marker = path.join(tmp, 'pwned');
});
afterAll(() => removeDir(tmp));

describe('runGit environment', () => {
  it('reads no user or system configuration and inherits no GIT_* variables', async () => {
    const fakeHome = path.join(tmp, 'home-with-config');
    mkdirSync(fakeHome);
    writeFileSync(path.join(fakeHome, '.gitconfig'), '[alias]\n\tevil = !touch pwned\n[user]\n\tname = From Global\n');
    const saved = { HOME: process.env.HOME, GIT_CONFIG_GLOBAL: process.env.GIT_CONFIG_GLOBAL, GIT_DIR: process.env.GIT_DIR };
    process.env.HOME = fakeHome;
    process.env.GIT_CONFIG_GLOBAL = path.join(fakeHome, '.gitconfig');
    process.env.GIT_DIR = path.join(tmp, 'not-a-repo');
    try {
      const result = await runGit(['config', '--list', '--show-origin'], { cwd: tmp });
      expect(result.exitCode).toBe(0);
      const origins = new Set(result.stdout.trim().split('\n').map((l) => l.split('\t')[0]));
      expect([...origins]).toEqual(['command line:']);
      expect(result.stdout).not.toContain('From Global');
      expect(result.stdout.trim().split('\n')).toHaveLength(gitSafetyConfig.length);
    } finally {
      for (const [key, value] of Object.entries(saved)) {
        if (value === undefined) delete process.env[key];
        else process.env[key] = value;
      }
    }
  });

  it('runs no hooks, even when the repository configures them', async () => {
    const repo = initRepo(path.join(tmp, 'hooks'));
    const hooks = path.join(repo, '.git', 'hooks');
    mkdirSync(hooks, { recursive: true });
    writeFileSync(path.join(hooks, 'pre-commit'), `#!/bin/sh\ntouch '${marker}'\n`);
    chmodSync(path.join(hooks, 'pre-commit'), 0o755);
    gitSync(repo, ['config', 'core.hooksPath', hooks]);
    const commit = await runGit(['commit', '--allow-empty', '-q', '-m', 'x'], { cwd: repo, env: { GIT_AUTHOR_NAME: 'A', GIT_AUTHOR_EMAIL: 'a@example.org' } });
    expect(commit.exitCode).toBe(0);
    expect(existsSync(marker)).toBe(false);
    // The same commit with plain git runs the hook: the test above can fail.
    execFileSync('git', ['commit', '--allow-empty', '-q', '-m', 'y'], {
      cwd: repo,
      env: { PATH: process.env.PATH, HOME: tmp, GIT_CONFIG_NOSYSTEM: '1', GIT_AUTHOR_NAME: 'A', GIT_AUTHOR_EMAIL: 'a@example.org', GIT_COMMITTER_NAME: 'C', GIT_COMMITTER_EMAIL: 'c@example.org' },
    });
    expect(existsSync(marker)).toBe(true);
    removeDir(marker);
  });

  it('copies no template into new repositories', async () => {
    const template = path.join(tmp, 'template');
    mkdirSync(path.join(template, 'hooks'), { recursive: true });
    writeFileSync(path.join(template, 'hooks', 'post-checkout'), '#!/bin/sh\n');
    const target = path.join(tmp, 'from-template');
    await git(['init', '-q', target], { env: { GIT_TEMPLATE_DIR: template } });
    expect(existsSync(path.join(target, '.git', 'HEAD'))).toBe(true);
    expect(existsSync(path.join(target, '.git', 'hooks', 'post-checkout'))).toBe(false);
  });

  it('allows only file, https and ssh transports', async () => {
    const ext = await runGit(['ls-remote', '--', `ext::sh -c touch% ${marker}`], { cwd: tmp, timeoutMs: 10_000 });
    expect(ext.exitCode).not.toBe(0);
    expect(ext.stderr).toMatch(/transport 'ext' not allowed/);
    const plain = await runGit(['ls-remote', '--', 'git://127.0.0.1:1/x'], { cwd: tmp, timeoutMs: 10_000 });
    expect(plain.stderr).toMatch(/transport 'git' not allowed/);
    expect(existsSync(marker)).toBe(false);
  });
});

describe('runGit limits', () => {
  it('passes stdin and returns stdout', async () => {
    expect(await git(['hash-object', '--stdin'], { input: 'hello\n' })).toBe('ce013625030ba8dba906f756967f9e9ca394464a\n');
  });

  it('kills git (and the upload-pack it started) when it hangs', async () => {
    const upstream = initRepo(path.join(tmp, 'upstream'));
    commitFiles(upstream, { 'a.txt': 'a\n' }, 'a');
    const hanging = path.join(tmp, 'hanging.git');
    gitSync(tmp, ['clone', '-q', '--mirror', '--', upstream, hanging]);
    removeDir(path.join(hanging, 'packed-refs'));
    execFileSync('mkfifo', [path.join(hanging, 'packed-refs')]);
    const result = await runGit(['clone', '-q', '--mirror', '--', hanging, path.join(tmp, 'never')], { cwd: tmp, timeoutMs: 1_000 });
    expect(result.timedOut).toBe(true);
    const ps = spawnSync('ps', ['-eo', 'args'], { encoding: 'utf8' }).stdout;
    expect(ps.split('\n').filter((l) => l.includes(hanging))).toEqual([]);
    await expect(git(['clone', '-q', '--mirror', '--', hanging, path.join(tmp, 'never2')], { cwd: tmp, timeoutMs: 500 })).rejects.toThrow(
      /git clone timed out/,
    );
  });

  it('kills git when its output passes the limit', async () => {
    const repo = initRepo(path.join(tmp, 'big'));
    commitFiles(repo, { 'big.txt': 'x'.repeat(200_000) }, 'big');
    const result = await runGit(['cat-file', 'blob', 'HEAD:big.txt'], { cwd: repo, maxOutputBytes: 10_000 });
    expect(result.outputLimitExceeded).toBe(true);
    expect(result.stdout.length).toBeLessThanOrEqual(10_000);
    const error = await git(['cat-file', 'blob', 'HEAD:big.txt'], { cwd: repo, maxOutputBytes: 10_000 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GitCommandError);
    expect((error as GitCommandError).message).toMatch(/produced too much output/);
  });
});

describe("git's own guards (defence in depth behind parseUntrustedPatch)", () => {
  it('git apply refuses ../ paths and writes through symlinks; nothing appears outside', async () => {
    const repo = initRepo(path.join(tmp, 'guard', 'repo'));
    commitFiles(repo, { 'a.txt': 'a\n' }, 'a');
    const escape = 'diff --git a/../escaped.txt b/../escaped.txt\nnew file mode 100644\n--- /dev/null\n+++ b/../escaped.txt\n@@ -0,0 +1 @@\n+x\n';
    const first = await runGit(['apply', '--index'], { cwd: repo, input: escape });
    expect(first.exitCode).not.toBe(0);
    expect(first.stderr).toMatch(/invalid path '..\/escaped.txt'/);
    const outside = path.join(tmp, 'guard', 'outside');
    mkdirSync(outside);
    const throughLink =
      `diff --git a/link b/link\nnew file mode 120000\n--- /dev/null\n+++ b/link\n@@ -0,0 +1 @@\n+${outside}\n\\ No newline at end of file\n` +
      'diff --git a/link/pwned b/link/pwned\nnew file mode 100644\n--- /dev/null\n+++ b/link/pwned\n@@ -0,0 +1 @@\n+x\n';
    const second = await runGit(['apply', '--index'], { cwd: repo, input: throughLink });
    expect(second.exitCode).not.toBe(0);
    expect(second.stderr).toMatch(/beyond a symbolic link/);
    expect(existsSync(path.join(tmp, 'guard', 'escaped.txt'))).toBe(false);
    expect(existsSync(path.join(outside, 'pwned'))).toBe(false);
  });
});
