import { existsSync, mkdirSync, readdirSync, rmSync, unlinkSync } from 'node:fs';
import { execFileSync, spawnSync } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../errors/catalogue.js';
import { checkPatchApplies } from './apply-check.js';
import { PatchRejectedError } from './errors.js';
import { syncMirror } from './bare-mirror.js';
import { commitFiles, gitSync, initRepo, makeTempDir, numberedLines, removeDir, snapshotTree } from './testing/support.js';

let tmp: string;
let mirrorDir: string;
let workRoot: string;
let marker: string;
const patches: Record<string, string> = {};

beforeAll(async () => {
  tmp = makeTempDir();
  marker = path.join(tmp, 'pwned');
  const upstream = initRepo(path.join(tmp, 'upstream'));
  commitFiles(upstream, { 'nova/api.py': numberedLines(40), 'nova/db.py': numberedLines(40), 'README.rst': 'Nova\n' }, 'Initial import');
  gitSync(upstream, ['branch', 'stable/havana']);
  gitSync(upstream, ['switch', '-q', 'stable/havana']);
  // On the stable branch, line 8 (context of the api.py fix) and line 10 of db.py changed.
  commitFiles(upstream, { 'nova/api.py': numberedLines(40, { 8: 'line 8 as on havana' }), 'nova/db.py': numberedLines(40, { 10: 'havana db 10' }) }, 'Havana changes');
  gitSync(upstream, ['switch', '-q', 'master']);

  const dev = path.join(tmp, 'dev');
  gitSync(tmp, ['clone', '-q', '--', upstream, dev]);
  commitFiles(dev, { 'nova/api.py': numberedLines(40, { 5: 'validate(token)' }) }, 'Validate the token\n\nCloses-Bug: #1198185');
  commitFiles(dev, { 'nova/db.py': numberedLines(40, { 10: 'escape(query)' }) }, 'Escape the query');
  // A branch that already has the first fix merged.
  gitSync(dev, ['push', '-q', 'origin', 'HEAD~1:refs/heads/stable/merged']);
  patches.series = gitSync(dev, ['format-patch', '--stdout', '--cover-letter', 'origin/master..HEAD']);
  patches.first = gitSync(dev, ['format-patch', '--stdout', '-1', 'HEAD~1']);
  patches.show = gitSync(dev, ['show', 'HEAD~1']);
  // diff(1) exits with 1 when the files differ.
  patches.traditional = spawnSync('diff', ['-u', '--label', 'a/nova/api.py', '--label', 'b/nova/api.py', '-', path.join(dev, 'nova/api.py')], {
    input: numberedLines(40),
    encoding: 'utf8',
  }).stdout;
}, 60_000);

afterAll(() => removeDir(tmp));

beforeAll(async () => {
  mirrorDir = path.join(tmp, 'mirrors', 'nova.git');
  workRoot = path.join(tmp, 'work');
  mkdirSync(workRoot);
  const state = await syncMirror({ mirrorDir, remote: path.join(tmp, 'upstream') });
  expect(Object.keys(state.heads).sort()).toEqual(['master', 'stable/havana', 'stable/merged']);
});

function expectNothingLeftBehind(status: string): void {
  // Every check leaves the work root empty and writes no marker anywhere.
  expect(readdirSync(workRoot)).toEqual([]);
  expect(existsSync(marker), status).toBe(false);
}

describe('checkPatchApplies with git am (format-patch series)', () => {
  it('a series applies cleanly to master, at the master head', async () => {
    const result = await checkPatchApplies({ mirrorDir, branch: 'master', patch: patches.series!, workRoot });
    expect(result).toMatchObject({ status: 'applies_cleanly', applyWith: 'git am', branch: 'master', conflictingFiles: [] });
    expect(result.headSha).toBe(gitSync(mirrorDir, ['rev-parse', 'refs/heads/master']).trim());
    expectNothingLeftBehind(result.status);
  });

  it('the same series conflicts on the stable branch, naming the file and the patch', async () => {
    const result = await checkPatchApplies({ mirrorDir, branch: 'stable/havana', patch: patches.series!, workRoot });
    expect(result.status).toBe('conflicts');
    expect(result.conflictingFiles).toEqual(['nova/db.py']);
    expect(result.failedPatch).toEqual({ position: 3, subject: 'Escape the query' });
    expect(result.gitMessage).toContain('CONFLICT (content): Merge conflict in nova/db.py');
    expect(result.headSha).toBe(gitSync(mirrorDir, ['rev-parse', 'refs/heads/stable/havana']).trim());
    expectNothingLeftBehind(result.status);
  });

  it('a patch whose context changed applies with a 3-way merge (the blobs are in the mirror)', async () => {
    const result = await checkPatchApplies({ mirrorDir, branch: 'stable/havana', patch: patches.first!, workRoot });
    expect(result.status).toBe('applies_with_3way');
    expectNothingLeftBehind(result.status);
  });

  it('says which messages a branch already has', async () => {
    const result = await checkPatchApplies({ mirrorDir, branch: 'stable/merged', patch: patches.series!, workRoot });
    expect(result).toMatchObject({ status: 'applies_with_3way', alreadyApplied: [{ position: 2, subject: 'Validate the token' }] });
    const clean = await checkPatchApplies({ mirrorDir, branch: 'master', patch: patches.series!, workRoot });
    expect(clean.alreadyApplied).toEqual([]);
    expectNothingLeftBehind(result.status);
  });

  it('a hunk that does not match its header is does_not_parse, with git\'s message', async () => {
    const broken = patches.first!.replace(/@@ -2,7 \+2,7 @@/, '@@ -2,9 +2,7 @@');
    expect(broken).not.toBe(patches.first);
    const result = await checkPatchApplies({ mirrorDir, branch: 'master', patch: broken, workRoot });
    expect(result.status).toBe('does_not_parse');
    expect(result.gitMessage).toMatch(/corrupt patch at line \d+/);
    expectNothingLeftBehind(result.status);
  });
});

describe('checkPatchApplies with git apply (git show output and plain diffs)', () => {
  it('git show output applies with git apply, cleanly on master and 3-way on stable', async () => {
    const master = await checkPatchApplies({ mirrorDir, branch: 'master', patch: patches.show!, workRoot });
    expect(master).toMatchObject({ status: 'applies_cleanly', applyWith: 'git apply' });
    const stable = await checkPatchApplies({ mirrorDir, branch: 'stable/havana', patch: patches.show!, workRoot });
    expect(stable.status).toBe('applies_with_3way');
    expectNothingLeftBehind(stable.status);
  });

  it('a plain diff without blob ids cannot be merged and conflicts where its context changed', async () => {
    expect(await checkPatchApplies({ mirrorDir, branch: 'master', patch: patches.traditional!, workRoot })).toMatchObject({
      status: 'applies_cleanly',
    });
    const stable = await checkPatchApplies({ mirrorDir, branch: 'stable/havana', patch: patches.traditional!, workRoot });
    expect(stable).toMatchObject({ status: 'conflicts', conflictingFiles: ['nova/api.py'], failedPatch: null });
    expectNothingLeftBehind(stable.status);
  });
});

describe('checkPatchApplies refuses bad input before git runs', () => {
  it('refuses an unknown branch and branch names with shell metacharacters', async () => {
    await expect(checkPatchApplies({ mirrorDir, branch: 'stable/icehouse', patch: patches.first!, workRoot })).rejects.toThrow(
      'branch: The repository has no branch "stable/icehouse".',
    );
    for (const branch of [`$(touch ${marker})`, `\`touch ${marker}\``, `master; touch ${marker}`, 'master touch', '-b', '--upload-pack=touch']) {
      const error = await checkPatchApplies({ mirrorDir, branch, patch: patches.first!, workRoot }).catch((e: unknown) => e);
      expect(error, branch).toBeInstanceOf(AppError);
      expect((error as AppError).fields[0]?.field).toBe('branch');
    }
    expectNothingLeftBehind('bad branch');
  });

  it('refuses malicious patches and writes nothing outside the temporary clone', async () => {
    const mirrorBefore = snapshotTree(mirrorDir);
    const tmpBefore = readdirSync(tmp).sort();
    const mal = (path: string) =>
      patches.first!.replace(/nova\/api\.py/g, path);
    for (const evil of ['../../escaped.txt', '/tmp/absolute.txt', '.git/hooks/post-checkout', 'nova/../../../x']) {
      const error = await checkPatchApplies({ mirrorDir, branch: 'master', patch: mal(evil), workRoot }).catch((e: unknown) => e);
      expect(error, evil).toBeInstanceOf(PatchRejectedError);
      expect((error as PatchRejectedError).reason).toBe('unsafe_path');
    }
    const symlink = await checkPatchApplies({
      mirrorDir,
      branch: 'master',
      patch: `diff --git a/link b/link\nnew file mode 120000\n--- /dev/null\n+++ b/link\n@@ -0,0 +1 @@\n+${tmp}\n\\ No newline at end of file\ndiff --git a/link/pwned b/link/pwned\nnew file mode 100644\n--- /dev/null\n+++ b/link/pwned\n@@ -0,0 +1 @@\n+x\n`,
      workRoot,
    }).catch((e: unknown) => e);
    expect((symlink as PatchRejectedError).reason).toBe('unsafe_symlink');
    expect(snapshotTree(mirrorDir)).toEqual(mirrorBefore);
    expect(readdirSync(tmp).sort()).toEqual(tmpBefore);
    expect(existsSync(path.join(tmp, 'escaped.txt'))).toBe(false);
    expect(existsSync('/tmp/absolute.txt')).toBe(false);
    expectNothingLeftBehind('malicious');
  });

  it('applies file names with shell metacharacters without running anything', async () => {
    const names = [`$(touch ${marker})`, `\`touch ${marker}\``, `a; touch ${marker}`, 'with space.txt', '-rf'];
    const diff = names
      .map((n) => `diff --git a/${n} b/${n}\nnew file mode 100644\n--- /dev/null\n+++ b/${n}\n@@ -0,0 +1 @@\n+x\n`)
      .join('');
    const mirrorBefore = snapshotTree(mirrorDir);
    const result = await checkPatchApplies({ mirrorDir, branch: 'master', patch: diff, workRoot });
    expect(result.status).toBe('applies_cleanly');
    expect(snapshotTree(mirrorDir)).toEqual(mirrorBefore);
    expectNothingLeftBehind(result.status);
  });

  it('works with a mirror directory whose path holds shell metacharacters', async () => {
    const oddMirror = path.join(tmp, `mirrors $(touch ${marker}); \`touch ${marker}\``, 'nova.git');
    const state = await syncMirror({ mirrorDir: oddMirror, remote: path.join(tmp, 'upstream') });
    expect(state.created).toBe(true);
    const result = await checkPatchApplies({ mirrorDir: oddMirror, branch: 'master', patch: patches.first!, workRoot });
    expect(result.status).toBe('applies_cleanly');
    expectNothingLeftBehind(result.status);
  });
});

describe('checkPatchApplies time limit', () => {
  it('kills a git command that hangs and reports timed_out, cleaning up', async () => {
    // A mirror whose alternates file is a FIFO: any object lookup blocks on open() for ever.
    const hanging = path.join(tmp, 'hanging.git');
    gitSync(tmp, ['clone', '-q', '--mirror', '--', path.join(tmp, 'upstream'), hanging]);
    execFileSync('mkfifo', [path.join(hanging, 'objects', 'info', 'alternates')]);
    try {
      const result = await checkPatchApplies({ mirrorDir: hanging, branch: 'master', patch: patches.first!, workRoot, timeoutMs: 1_500 });
      expect(result).toMatchObject({ status: 'timed_out', headSha: null, conflictingFiles: [] });
      expectNothingLeftBehind(result.status);
    } finally {
      unlinkSync(path.join(hanging, 'objects', 'info', 'alternates'));
      rmSync(hanging, { recursive: true, force: true });
    }
  });
});
