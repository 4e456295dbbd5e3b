import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { AppError } from '../errors/catalogue.js';
import { PatchRejectedError, type PatchRejectionReason } from './errors.js';
import { assertBranchName, branchNameProblems, parseUntrustedPatch, pathProblem } from './safety.js';

function rejection(run: () => unknown): PatchRejectedError {
  try {
    run();
  } catch (error) {
    if (error instanceof PatchRejectedError) return error;
    throw error;
  }
  throw new Error('expected the patch to be rejected');
}

function newFile(path: string, lines = ['hello']): string {
  return [`diff --git a/${path} b/${path}`, 'new file mode 100644', '--- /dev/null', `+++ b/${path}`, `@@ -0,0 +1,${lines.length} @@`, ...lines.map((l) => `+${l}`), ''].join('\n');
}

function mail(diff: string, headers = 'From: Dev <dev@example.org>\nDate: Tue, 1 Jan 2013 00:00:00 +0000\nSubject: [PATCH] x'): string {
  return `From 0123456789abcdef0123456789abcdef01234567 Mon Sep 17 00:00:00 2001\n${headers}\n\nMessage.\n---\n${diff}-- \n2.39.5\n\n`;
}

describe('parseUntrustedPatch: size and content', () => {
  it('accepts an ordinary patch', () => {
    const set = parseUntrustedPatch(mail(newFile('nova/fix.py')));
    expect(set.patches[0]!.files[0]!.newPath).toBe('nova/fix.py');
  });

  it('refuses a patch over the byte limit (default 5 MiB) as payload_too_large', () => {
    const huge = mail(newFile('big.txt', Array.from({ length: 90_000 }, (_, i) => `line ${i} ${'x'.repeat(50)}`)));
    expect(Buffer.byteLength(huge)).toBeGreaterThan(5 * 1024 * 1024);
    const error = rejection(() => parseUntrustedPatch(huge));
    expect(error.reason).toBe<PatchRejectionReason>('too_large');
    expect(error.status).toBe(413);
    expect(error.message).toMatch(/limit is 5242880 bytes/);
    expect(rejection(() => parseUntrustedPatch(mail(newFile('a.txt')), { maxBytes: 100 })).reason).toBe('too_large');
  });

  it('refuses more files than the limit (default 200), and accepts exactly the limit', () => {
    const files = (n: number) => Array.from({ length: n }, (_, i) => newFile(`dir/file-${i}.txt`)).join('');
    expect(parseUntrustedPatch(mail(files(200))).patches[0]!.files).toHaveLength(200);
    const error = rejection(() => parseUntrustedPatch(mail(files(300))));
    expect(error.reason).toBe('too_many_files');
    expect(error.message).toBe('The patch changes 300 files; the limit is 200.');
    expect(rejection(() => parseUntrustedPatch(mail(files(3)), { maxFiles: 2 })).reason).toBe('too_many_files');
  });

  it('refuses binary garbage: NUL bytes, random bytes, headers that are not UTF-8', () => {
    expect(rejection(() => parseUntrustedPatch(Buffer.concat([Buffer.from(mail(newFile('a'))), Buffer.from([0])]))).reason).toBe('binary_garbage');
    const noise = randomBytes(4096).map((b) => (b === 0 ? 1 : b));
    expect(rejection(() => parseUntrustedPatch(noise)).reason).toBe('binary_garbage');
    const latin1Header = Buffer.from(mail(newFile('a'), 'From: J\u00e9r\u00f4me <j@example.org>\nSubject: [PATCH] x'), 'latin1');
    const error = rejection(() => parseUntrustedPatch(latin1Header));
    expect(error.reason).toBe('header_not_utf8');
    expect(error.message).toBe('Message 1: the mail headers are not valid UTF-8.');
  });

  it('refuses text that is not a patch', () => {
    const error = rejection(() => parseUntrustedPatch('Please fix the bug in nova.\n'));
    expect(error.reason).toBe('not_a_patch');
    expect(error).toBeInstanceOf(AppError);
    expect(error.toJSON().error.fields).toEqual([{ field: 'patch', message: error.message }]);
  });
});

describe('parseUntrustedPatch: paths', () => {
  it.each([
    ['../etc/passwd', 'contains a ".." component'],
    ['nova/../../outside.txt', 'contains a ".." component'],
    ['/etc/cron.d/evil', 'is absolute'],
    ['.git/hooks/post-checkout', 'goes into a .git directory'],
    ['.GIT/config', 'goes into a .git directory'],
    ['vendor/lib/.git/hooks/pre-commit', 'goes into a .git directory'],
    ['git~1/hooks/pre-commit', 'goes into a .git directory'],
    ['.git./hooks/x', 'goes into a .git directory'],
    ['a//b', 'has an empty component (// or a trailing /)'],
    ['a\\..\\b', 'contains a backslash'],
  ])('refuses a file at %s', (path, problem) => {
    expect(pathProblem(path)).toBe(problem);
    const error = rejection(() => parseUntrustedPatch(mail(newFile(path))));
    expect(error.reason).toBe('unsafe_path');
    expect(error.message).toContain(`path "${path}" ${problem}`);
  });

  it('refuses a rename into .git and an ambiguous header naming ..', () => {
    const rename = 'diff --git a/ok.txt b/.git/hooks/pre-commit\nsimilarity index 100%\nrename from ok.txt\nrename to .git/hooks/pre-commit\n';
    expect(rejection(() => parseUntrustedPatch(mail(rename))).message).toContain('.git/hooks/pre-commit');
    const ambiguous = 'diff --git a/x y b/../x y\nnew file mode 100644\n--- /dev/null\n+++ b/x y\n@@ -0,0 +1 @@\n+a\n';
    expect(rejection(() => parseUntrustedPatch(mail(ambiguous))).reason).toBe('unsafe_path');
    // A traditional header pair is a header for git even where our parser finds no hunk after it.
    const traditional = `${newFile('ok.txt')}--- a/../../x\n+++ b/../../x\n`;
    expect(rejection(() => parseUntrustedPatch(traditional)).message).toContain('path "../../x" contains a ".." component');
  });

  it('accepts file names with shell metacharacters: git never sees them through a shell', () => {
    const names = ['$(touch pwned).txt', '`id`.py', 'a;b.txt', 'with space.txt', '-rf'];
    const set = parseUntrustedPatch(mail(names.map((n) => newFile(n)).join('')));
    expect(set.patches[0]!.files.map((f) => f.newPath)).toEqual(names);
  });

  it('refuses symlinks that leave the repository and writes through a symlink', () => {
    const link = (path: string, target: string) =>
      `diff --git a/${path} b/${path}\nnew file mode 120000\n--- /dev/null\n+++ b/${path}\n@@ -0,0 +1 @@\n+${target}\n\\ No newline at end of file\n`;
    expect(rejection(() => parseUntrustedPatch(mail(link('etc', '/etc')))).reason).toBe('unsafe_symlink');
    expect(rejection(() => parseUntrustedPatch(mail(link('docs/up', '../../..')))).message).toContain('points outside the repository');
    const through = rejection(() => parseUntrustedPatch(mail(link('docs/here', '.') + newFile('docs/here/x.txt'))));
    expect(through.message).toContain('"docs/here/x.txt" is written through the symlink "docs/here"');
    // A link that stays inside is an ordinary file for git.
    expect(parseUntrustedPatch(mail(link('docs/readme', '../README.rst'))).patches[0]!.files[0]!.newMode).toBe('120000');
  });
});

describe('branch names', () => {
  const gitAccepts = (name: string) => spawnSync('git', ['check-ref-format', '--branch', name], { encoding: 'utf8' }).status === 0;

  it('accepts what git accepts among ordinary names', () => {
    for (const name of ['master', 'stable/havana', 'stable/2026.1', 'bugfix/34.0', 'feature/foo-bar_baz', 'release+1', 'a@b']) {
      expect(branchNameProblems(name), name).toEqual([]);
      expect(gitAccepts(name), name).toBe(true);
    }
  });

  it('refuses everything git refuses', () => {
    const gitRefuses = ['', '-x', 'HEAD', 'a..b', 'a/.hidden', 'x.lock', 'a/b.lock/c', 'a//b', '/a', 'a/', 'a.', 'a@{1}', 'a~1', 'a^', 'a:b', 'a?', 'a*', 'a[b', 'a\\b', 'a b', 'tab\there', 'del\x7f'];
    for (const name of gitRefuses) {
      expect(gitAccepts(name), name).toBe(false);
      expect(branchNameProblems(name).length, name).toBeGreaterThan(0);
    }
    // `git check-ref-format --branch @` prints `@` (it means HEAD); as a branch name it is refused.
    expect(branchNameProblems('@')).toEqual(['"@" is not a branch name']);
  });

  it('refuses shell metacharacters even where git would allow them', () => {
    for (const name of ['$(touch /tmp/pwned)', '`id`', 'a;b', 'a|b', 'a&b', "it's", 'a>b', 'a"b', 'a$b', 'a!b', 'a(b)', 'a{b}', 'a#b', 'a%b']) {
      expect(branchNameProblems(name), name).toContain('may contain only letters, digits and . _ / + @ - (no spaces or shell metacharacters)');
    }
    expect(gitAccepts('a;b')).toBe(true); // why the allow-list exists
  });

  it('throws a field validation error naming the field', () => {
    expect(assertBranchName('stable/havana')).toBe('stable/havana');
    let error: unknown;
    try {
      assertBranchName('-f', 'targetBranch');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).fields).toEqual([{ field: 'targetBranch', message: '"-f" is not a valid branch name: it must not start with "-".' }]);
  });
});
