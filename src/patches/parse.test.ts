import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PatchRejectedError } from './errors.js';
import { parsePatchSet } from './parse.js';
import { commitFiles, gitSync, initRepo, makeTempDir, numberedLines, removeDir, type FixtureAuthor } from './testing/support.js';

const jorg: FixtureAuthor = { name: 'Jörg Müller-Lüdenscheidt', email: 'jorg@example.org', date: '2013-08-07T10:00:00+02:00' };
const ada: FixtureAuthor = { name: 'Lovelace, Ada', email: 'ada@example.org', date: '2014-01-02T03:04:05-05:00' };

let tmp: string;
let repo: string;
const fixtures: Record<string, string> = {};

beforeAll(() => {
  tmp = makeTempDir();
  repo = initRepo(path.join(tmp, 'repo'));
  commitFiles(repo, { 'nova/api.py': numberedLines(30), 'docs/old-name.rst': numberedLines(40), 'gone.txt': 'bye\n' }, 'Initial');
  commitFiles(
    repo,
    {
      'nova/api.py': numberedLines(30, { 3: 'line three fixed', 20: 'line twenty fixed' }),
      'gone.txt': null,
      'nova/new_module.py': 'print("hi")\n',
      'logo.png': '\x89PNG\r\n\x1a\n\x00\x00\x00binary',
    },
    [
      'Fix the ünicode handling in a very long subject line that must be folded by git',
      '',
      'The API accepted any token. Check it properly now.',
      '',
      'Note: this paragraph is not the trailer block because it is not the last',
      'one and has prose in it.',
      '',
      'Closes-Bug: #1198185',
      'Change-Id: I0123456789abcdef0123456789abcdef01234567',
      'Co-Authored-By: Ada Lovelace <ada@example.org>',
      'Signed-off-by: Jörg Müller-Lüdenscheidt <jorg@example.org>',
    ].join('\n'),
    jorg,
  );
  gitSync(repo, ['mv', 'docs/old-name.rst', 'docs/new-name.rst']);
  gitSync(repo, ['commit', '-q', '-m', 'Rename the docs page\n\n(cherry picked from commit 0123456789abcdef0123456789abcdef01234567)'], ada);
  commitFiles(repo, { 'no-eol.txt': 'no newline', 'we\tird "näme".txt': 'odd\n' }, 'Add odd files', ada);

  fixtures.single = gitSync(repo, ['format-patch', '--stdout', '-1', 'HEAD~2']);
  fixtures.series = gitSync(repo, ['format-patch', '--stdout', '--cover-letter', '-M', 'HEAD~3..HEAD']);
  fixtures.show = gitSync(repo, ['show', 'HEAD~2']);
  fixtures.diff = gitSync(repo, ['diff', 'HEAD~3', 'HEAD~2', '--', 'nova']);
  fixtures.inBodyFrom = gitSync(repo, ['format-patch', '--stdout', '-1', '--from=Sender <sender@example.org>', 'HEAD~2']);
});

afterAll(() => removeDir(tmp));

/** `git apply --numstat` on the same text: the real git is the oracle for our counts. */
function gitNumstat(text: string): string[] {
  return execFileSync('git', ['apply', '--numstat', '-'], { input: text, encoding: 'utf8', cwd: tmp })
    .trim()
    .split('\n');
}

describe('parsePatchSet: format-patch', () => {
  it('reads author, date, subject, body and trailers of a single patch', () => {
    const set = parsePatchSet(fixtures.single as string);
    expect(set.kind).toBe('format-patch');
    expect(set.applyWith).toBe('git am');
    expect(set.patches).toHaveLength(1);
    const patch = set.patches[0]!;
    expect(patch.author).toEqual({ name: 'Jörg Müller-Lüdenscheidt', email: 'jorg@example.org' });
    expect(patch.date).toEqual({ raw: 'Wed, 7 Aug 2013 10:00:00 +0200', iso: '2013-08-07T08:00:00.000Z', offset: '+0200' });
    expect(patch.subject).toBe('Fix the ünicode handling in a very long subject line that must be folded by git');
    expect(patch.subjectPrefix).toBe('PATCH');
    expect(patch.body).toContain('The API accepted any token. Check it properly now.');
    expect(patch.body).toContain('Note: this paragraph is not the trailer block');
    expect(patch.body).not.toContain('Change-Id');
    expect(patch.trailers).toEqual([
      { key: 'Closes-Bug', value: '#1198185' },
      { key: 'Change-Id', value: 'I0123456789abcdef0123456789abcdef01234567' },
      { key: 'Co-Authored-By', value: 'Ada Lovelace <ada@example.org>' },
      { key: 'Signed-off-by', value: 'Jörg Müller-Lüdenscheidt <jorg@example.org>' },
    ]);
    expect(patch.message.startsWith(`${patch.subject}\n\nThe API accepted`)).toBe(true);
    expect(patch.message.endsWith('Signed-off-by: Jörg Müller-Lüdenscheidt <jorg@example.org>\n')).toBe(true);
    expect(patch.commit).toMatch(/^[0-9a-f]{40}$/);
  });

  it('counts files like git apply --numstat, with added, deleted and binary files', () => {
    const patch = parsePatchSet(fixtures.single as string).patches[0]!;
    const byPath = new Map(patch.files.map((f) => [f.newPath ?? f.oldPath, f]));
    expect(byPath.get('nova/api.py')).toMatchObject({ status: 'modified', added: 2, removed: 2, binary: false });
    expect(byPath.get('gone.txt')).toMatchObject({ status: 'deleted', oldPath: 'gone.txt', newPath: null, removed: 1 });
    expect(byPath.get('nova/new_module.py')).toMatchObject({ status: 'added', oldPath: null, newMode: '100644', added: 1 });
    // format-patch includes binary data (`GIT binary patch`); git show/diff without --binary do not.
    expect(byPath.get('logo.png')).toMatchObject({ status: 'added', binary: true, binaryDataIncluded: true });
    const shown = parsePatchSet(fixtures.show as string).patches[0]!.files.find((f) => f.newPath === 'logo.png');
    expect(shown).toMatchObject({ binary: true, binaryDataIncluded: false });
    const numstat = gitNumstat(patch.diff);
    for (const line of numstat) {
      const [added, removed, name] = line.split('\t');
      const file = byPath.get(name!);
      expect(file, name).toBeDefined();
      expect(String(file!.binary ? '-' : file!.added)).toBe(added);
      expect(String(file!.binary ? '-' : file!.removed)).toBe(removed);
    }
    expect(patch.diff.startsWith('diff --git ')).toBe(true);
    expect(patch.diff).not.toContain('\n-- \n');
  });

  it('splits a series with a cover letter, numbering and renames', () => {
    const set = parsePatchSet(fixtures.series as string);
    expect(set.patches.map((p) => [p.seriesNumber, p.seriesTotal, p.coverLetter])).toEqual([
      [0, 3, true],
      [1, 3, false],
      [2, 3, false],
      [3, 3, false],
    ]);
    const rename = set.patches[2]!;
    expect(rename.subject).toBe('Rename the docs page');
    expect(rename.author).toEqual({ name: 'Lovelace, Ada', email: 'ada@example.org' });
    expect(rename.date?.offset).toBe('-0500');
    expect(rename.date?.iso).toBe('2014-01-02T08:04:05.000Z');
    expect(rename.cherryPickedFrom).toEqual(['0123456789abcdef0123456789abcdef01234567']);
    expect(rename.files).toEqual([
      expect.objectContaining({ status: 'renamed', oldPath: 'docs/old-name.rst', newPath: 'docs/new-name.rst', similarity: 100 }),
    ]);
    // The byte ranges cut the input into exactly its messages.
    const bytes = Buffer.from(fixtures.series as string);
    const rejoined = Buffer.concat(set.patches.map((p) => bytes.subarray(p.byteRange.start, p.byteRange.end)));
    expect(rejoined.equals(bytes)).toBe(true);
    expect(bytes.subarray(rename.byteRange.start, rename.byteRange.end).toString()).toMatch(/^From [0-9a-f]{40} /);
  });

  it('unquotes C-quoted paths and sees a missing newline at end of file', () => {
    const odd = parsePatchSet(fixtures.series as string).patches[3]!;
    expect(odd.files.map((f) => f.newPath).sort()).toEqual(['no-eol.txt', 'we\tird "näme".txt']);
    expect(odd.diff).toContain('\\ No newline at end of file');
  });

  it('prefers an in-body From: (format-patch --from) over the mail sender', () => {
    const patch = parsePatchSet(fixtures.inBodyFrom as string).patches[0]!;
    expect(fixtures.inBodyFrom).toContain('From: Sender <sender@example.org>');
    expect(patch.author?.name).toBe('Jörg Müller-Lüdenscheidt');
    expect(patch.body.startsWith('The API accepted')).toBe(true);
  });

  it('decodes quoted-printable bodies and RFC 2047 B-encoded headers', () => {
    const mail = [
      'From: =?ISO-8859-1?B?SuZy?= <j@example.org>',
      'Date: Tue, 1 Jan 2013 00:00:00 +0000',
      'Subject: [PATCH v2 2/5] =?utf-8?Q?caf=C3=A9?= fix',
      'Content-Type: text/plain; charset=UTF-8',
      'Content-Transfer-Encoding: quoted-printable',
      '',
      'Caf=C3=A9 body with a soft=',
      ' break.',
      '---',
      'diff --git a/x b/x',
      '--- a/x',
      '+++ b/x',
      '@@ -1 +1 @@',
      '-old',
      '+new=3D1',
      '',
    ].join('\n');
    const patch = parsePatchSet(mail).patches[0]!;
    expect(patch.author?.name).toBe('Jær');
    expect(patch.subject).toBe('café fix');
    expect(patch.subjectPrefix).toBe('PATCH v2 2/5');
    expect([patch.seriesNumber, patch.seriesTotal]).toEqual([2, 5]);
    expect(patch.body).toBe('Café body with a soft break.');
    expect(patch.files[0]).toMatchObject({ added: 1, removed: 1 });
  });
});

describe('parsePatchSet: git show and plain diffs', () => {
  it('reads git show output and marks it for git apply', () => {
    const set = parsePatchSet(fixtures.show as string);
    expect(set.kind).toBe('git-show');
    expect(set.applyWith).toBe('git apply');
    const patch = set.patches[0]!;
    expect(patch.author).toEqual({ name: 'Jörg Müller-Lüdenscheidt', email: 'jorg@example.org' });
    expect(patch.date).toMatchObject({ iso: '2013-08-07T08:00:00.000Z', offset: '+0200' });
    expect(patch.subject).toBe('Fix the ünicode handling in a very long subject line that must be folded by git');
    expect(patch.trailers.map((t) => t.key)).toEqual(['Closes-Bug', 'Change-Id', 'Co-Authored-By', 'Signed-off-by']);
    expect(patch.files.map((f) => f.newPath ?? f.oldPath).sort()).toEqual(['gone.txt', 'logo.png', 'nova/api.py', 'nova/new_module.py']);
  });

  it('reads a git diff and a traditional unified diff', () => {
    const gitDiff = parsePatchSet(fixtures.diff as string);
    expect(gitDiff.kind).toBe('git-diff');
    expect(gitDiff.applyWith).toBe('git apply');
    expect(gitDiff.patches[0]!.author).toBeNull();
    expect(gitDiff.patches[0]!.files.map((f) => f.newPath)).toEqual(['nova/api.py', 'nova/new_module.py']);

    const traditional = 'Index: setup.cfg\n--- setup.cfg.orig\t2013-08-07 10:00:00\n+++ setup.cfg\t2013-08-07 10:01:00\n@@ -1,2 +1,2 @@\n a\n-b\n+c\n';
    const set = parsePatchSet(traditional);
    expect(set.kind).toBe('unified-diff');
    expect(set.patches[0]!.files).toEqual([expect.objectContaining({ oldPath: 'setup.cfg.orig', newPath: 'setup.cfg', added: 1, removed: 1 })]);
  });

  it('accepts CRLF line endings in a plain diff header', () => {
    const set = parsePatchSet('diff --git a/x b/x\r\n--- a/x\r\n+++ b/x\r\n@@ -1 +1 @@\r\n-a\r\n+b\r\n');
    expect(set.patches[0]!.files[0]).toMatchObject({ newPath: 'x', added: 1, removed: 1 });
  });

  it('notes hunks whose counts do not match their header', () => {
    const set = parsePatchSet('diff --git a/x b/x\n--- a/x\n+++ b/x\n@@ -1,3 +1,3 @@\n-a\n+b\n');
    expect(set.patches[0]!.malformed).toEqual(['x: hunk "@@ -1,3 +1,3 @@" has fewer lines than its header says']);
  });
});

describe('parsePatchSet: input that is not a patch', () => {
  it.each([
    ['prose', 'Hello, please apply my fix to the login form.\n'],
    ['an empty file', ''],
    ['a mail without a diff', 'From: a <a@b>\nSubject: [PATCH] hi\n\nNo diff here.\n'],
  ])('rejects %s with a clear error', (_name, text) => {
    let error: unknown;
    try {
      parsePatchSet(text);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(PatchRejectedError);
    expect((error as PatchRejectedError).reason).toBe('not_a_patch');
    expect((error as PatchRejectedError).code).toBe('validation_failed');
    expect((error as PatchRejectedError).fields[0]?.field).toBe('patch');
  });

  it('rejects a MIME multipart mail', () => {
    const mail = 'From: a <a@b>\nSubject: [PATCH] x\nContent-Type: multipart/mixed; boundary=zz\n\n--zz\n\ndiff --git a/x b/x\n';
    expect(() => parsePatchSet(mail)).toThrow(/MIME multipart/);
  });
});
