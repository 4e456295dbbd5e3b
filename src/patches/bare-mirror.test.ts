import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../errors/catalogue.js';
import { GitCommandError } from './git.js';
import { remoteProblem, syncMirror } from './bare-mirror.js';
import { commitFiles, gitSync, initRepo, makeTempDir, removeDir } from './testing/support.js';

let tmp: string;
let upstream: string;
let marker: string;

beforeAll(() => {
  tmp = makeTempDir();
  marker = path.join(tmp, 'pwned');
  upstream = initRepo(path.join(tmp, 'upstream'));
  commitFiles(upstream, { 'a.txt': 'a\n' }, 'Initial');
  gitSync(upstream, ['branch', 'stable/grizzly']);
  gitSync(upstream, ['branch', 'stable/folsom']);
});
afterAll(() => removeDir(tmp));

describe('syncMirror', () => {
  it('clones a bare mirror, then refreshes it with new commits and pruned branches', async () => {
    const mirrorDir = path.join(tmp, 'mirrors', 'nova.git');
    const first = await syncMirror({ mirrorDir, remote: upstream });
    const master = gitSync(upstream, ['rev-parse', 'master']).trim();
    expect(first).toEqual({ mirrorDir, created: true, heads: { master, 'stable/folsom': master, 'stable/grizzly': master } });
    expect(gitSync(mirrorDir, ['rev-parse', '--is-bare-repository']).trim()).toBe('true');

    const next = commitFiles(upstream, { 'b.txt': 'b\n' }, 'Second');
    gitSync(upstream, ['branch', '-D', 'stable/folsom']);
    gitSync(upstream, ['branch', 'stable/havana']);
    const second = await syncMirror({ mirrorDir, remote: upstream });
    expect(second).toEqual({ mirrorDir, created: false, heads: { master: next, 'stable/grizzly': master, 'stable/havana': next } });
  });

  it('follows a changed remote address', async () => {
    const mirrorDir = path.join(tmp, 'mirrors', 'moved.git');
    await syncMirror({ mirrorDir, remote: upstream });
    const moved = path.join(tmp, 'moved-upstream');
    gitSync(tmp, ['clone', '-q', '--bare', '--', upstream, moved]);
    const extra = commitFiles(upstream, { 'c.txt': 'c\n' }, 'Only in the old place');
    const state = await syncMirror({ mirrorDir, remote: moved });
    expect(state.heads.master).not.toBe(extra);
    expect(gitSync(mirrorDir, ['config', 'remote.origin.url']).trim()).toBe(moved);
  });

  it('refuses option-like and unsupported remotes before git runs', async () => {
    for (const remote of [`--upload-pack=touch ${marker}`, `ext::sh -c touch% ${marker}`, 'ssh://-oProxyCommand=touch%20pwned/x', '-oProxyCommand=x:y']) {
      const error = await syncMirror({ mirrorDir: path.join(tmp, 'mirrors', 'bad.git'), remote }).catch((e: unknown) => e);
      expect(error, remote).toBeInstanceOf(AppError);
      expect((error as AppError).fields[0]?.field).toBe('remote');
    }
    expect(existsSync(marker)).toBe(false);
    expect(existsSync(path.join(tmp, 'mirrors', 'bad.git'))).toBe(false);
  });

  it('refuses to overwrite a directory that is not a mirror', async () => {
    const dir = path.join(tmp, 'not-a-mirror');
    mkdirSync(dir);
    writeFileSync(path.join(dir, 'precious.txt'), 'keep me\n');
    await expect(syncMirror({ mirrorDir: dir, remote: upstream })).rejects.toThrow(/is not a git mirror/);
    expect(existsSync(path.join(dir, 'precious.txt'))).toBe(true);
  });

  it('reports a failed or hanging clone as GitCommandError and leaves no directory', async () => {
    const missing = await syncMirror({ mirrorDir: path.join(tmp, 'mirrors', 'missing.git'), remote: path.join(tmp, 'nowhere') }).catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(GitCommandError);
    expect((missing as GitCommandError).result.timedOut).toBe(false);

    const hanging = path.join(tmp, 'hanging.git');
    gitSync(tmp, ['clone', '-q', '--mirror', '--', upstream, hanging]);
    removeDir(path.join(hanging, 'packed-refs'));
    execFileSync('mkfifo', [path.join(hanging, 'packed-refs')]);
    const mirrorDir = path.join(tmp, 'mirrors', 'hanging.git');
    const error = await syncMirror({ mirrorDir, remote: hanging, timeoutMs: 1_000 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GitCommandError);
    expect((error as GitCommandError).result.timedOut).toBe(true);
    expect(existsSync(mirrorDir)).toBe(false);
  });
});

describe('a mirror being cloned', () => {
  let tmp: string;
  let upstream: string;
  beforeAll(() => {
    tmp = makeTempDir('cordon-mirror-staging-');
    upstream = initRepo(path.join(tmp, 'upstream'));
    commitFiles(upstream, { 'a.txt': 'a\n' }, 'First');
  });
  afterAll(() => removeDir(tmp));

  // A concurrent patch check takes "HEAD exists" to mean "the mirror is ready". git writes HEAD before the
  // branches arrive, so a clone made in place was seen half-made ("the branch is not in the repository").
  it('does not appear at its path until the clone is complete', async () => {
    const slow = path.join(tmp, 'slow.git');
    gitSync(tmp, ['clone', '-q', '--mirror', '--', upstream, slow]);
    removeDir(path.join(slow, 'packed-refs'));
    execFileSync('mkfifo', [path.join(slow, 'packed-refs')]); // the remote hangs while listing its refs
    const mirrorDir = path.join(tmp, 'mirrors', 'slow.git');
    const clone = syncMirror({ mirrorDir, remote: slow, timeoutMs: 2_500 }).catch((e: unknown) => e);
    let sawHead = false;
    let sawClone = false;
    const until = Date.now() + 2_000;
    while (Date.now() < until) {
      sawHead ||= existsSync(path.join(mirrorDir, 'HEAD'));
      sawClone ||= readdirSync(path.dirname(mirrorDir)).some((name) => name.startsWith('slow.git.cloning-'));
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(sawHead).toBe(false);
    expect(sawClone).toBe(true);
    expect(await clone).toBeInstanceOf(GitCommandError);
    expect(readdirSync(path.dirname(mirrorDir))).toEqual([]);
  });
});

describe('remoteProblem', () => {
  it.each(['https://opendev.org/openstack/nova', 'ssh://git@review.opendev.org:29418/openstack/nova.git', 'git@github.com:openstack/nova.git', '/srv/git/nova.git', 'file:///srv/git/nova.git'])(
    'accepts %s',
    (remote) => expect(remoteProblem(remote)).toBeNull(),
  );

  it.each([
    ['', 'is empty or has surrounding spaces'],
    ['--upload-pack=touch x', 'must not start with "-"'],
    ['ext::sh -c touch% x', 'must be an https:// or ssh:// URL, user@host:path, or an absolute local path'],
    ['git://opendev.org/openstack/nova', 'must be an https:// or ssh:// URL, user@host:path, or an absolute local path'],
    ['http://opendev.org/openstack/nova', 'must be an https:// or ssh:// URL, user@host:path, or an absolute local path'],
    ['relative/path', 'must be an https:// or ssh:// URL, user@host:path, or an absolute local path'],
    ['ssh://-oProxyCommand=x/y', 'has a user or host starting with "-"'],
    ['git@host:-path', 'has a user, host or path starting with "-"'],
    ['https://example.org/a\nb', 'contains control characters'],
  ])('refuses %j: %s', (remote, problem) => expect(remoteProblem(remote)).toBe(problem));
});
