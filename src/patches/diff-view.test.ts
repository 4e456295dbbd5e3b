import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDiffView, sideBySide } from './diff-view.js';
import { parsePatchSet } from './parse.js';
import { commitFiles, gitSync, initRepo, makeTempDir, numberedLines, removeDir } from './testing/support.js';

let tmp: string;
let repo: string;

beforeAll(() => {
  tmp = makeTempDir();
  repo = initRepo(path.join(tmp, 'repo'));
  commitFiles(repo, { 'nova/api.py': numberedLines(60), 'old.txt': numberedLines(10), 'tail.txt': 'a\nb' , 'logo.png': 'PNG\x00\x01' }, 'Initial');
  gitSync(repo, ['mv', 'old.txt', 'renamed.txt']);
  commitFiles(
    repo,
    {
      'nova/api.py': numberedLines(62, { 3: 'changed three', 4: 'changed four', 40: 'changed forty', 61: 'new 61', 62: 'new 62' }).replace('line 20\n', ''),
      'tail.txt': 'a\nb\nc',
      'logo.png': 'PNG\x00\x02',
      'long.txt': `${'é'.repeat(3000)}\n`,
    },
    'Change things',
  );
});
afterAll(() => removeDir(tmp));

describe('buildDiffView', () => {
  it('numbers every line so that it matches the old and new files', () => {
    const view = buildDiffView(gitSync(repo, ['diff', '-M', 'HEAD~1', 'HEAD', '--', 'nova/api.py']));
    const file = view.files[0]!;
    expect(file).toMatchObject({ anchor: 'file-1', displayPath: 'nova/api.py', status: 'modified', added: 5, removed: 4 });
    expect(gitSync(repo, ['diff', '--numstat', 'HEAD~1', 'HEAD', '--', 'nova/api.py'])).toBe('5\t4\tnova/api.py\n');
    const oldFile = numberedLines(60).split('\n');
    const newFile = readFileSync(path.join(repo, 'nova/api.py'), 'utf8').split('\n');
    let checked = 0;
    for (const line of file.hunks.flatMap((h) => h.lines)) {
      if (line.oldNumber !== null) expect(oldFile[line.oldNumber - 1]).toBe(line.text);
      if (line.newNumber !== null) expect(newFile[line.newNumber - 1]).toBe(line.text);
      checked++;
    }
    expect(checked).toBeGreaterThan(20);
    const first = file.hunks[0]!;
    expect(first.lines.slice(0, 4).map((l) => [l.kind, l.oldNumber, l.newNumber])).toEqual([
      ['context', 1, 1],
      ['context', 2, 2],
      ['del', 3, null],
      ['del', 4, null],
    ]);
  });

  it('pairs deletions with additions side by side and keeps context on both sides', () => {
    const view = buildDiffView(gitSync(repo, ['diff', 'HEAD~1', 'HEAD', '--', 'nova/api.py']));
    const rows = view.files[0]!.hunks[0]!.rows;
    expect(rows.map((r) => [r.left?.text ?? null, r.right?.text ?? null])).toEqual([
      ['line 1', 'line 1'],
      ['line 2', 'line 2'],
      ['line 3', 'changed three'],
      ['line 4', 'changed four'],
      ['line 5', 'line 5'],
      ['line 6', 'line 6'],
      ['line 7', 'line 7'],
    ]);
    const deletedOnly = view.files[0]!.hunks.flatMap((h) => h.rows).find((r) => r.left?.text === 'line 20');
    expect(deletedOnly?.left).toMatchObject({ kind: 'del', oldNumber: 20 });
    expect(deletedOnly?.right).toBeNull();
    const uneven = sideBySide([
      { kind: 'add', oldNumber: null, newNumber: 1, text: 'x', noNewlineAtEnd: false, truncated: false, length: 1 },
      { kind: 'add', oldNumber: null, newNumber: 2, text: 'y', noNewlineAtEnd: false, truncated: false, length: 1 },
    ]);
    expect(uneven.map((r) => [r.left, r.right?.text])).toEqual([
      [null, 'x'],
      [null, 'y'],
    ]);
  });

  it('marks the missing newline at end of file on the line it belongs to', () => {
    const lines = buildDiffView(gitSync(repo, ['diff', 'HEAD~1', 'HEAD', '--', 'tail.txt'])).files[0]!.hunks[0]!.lines;
    expect(lines.map((l) => [l.kind, l.text, l.noNewlineAtEnd])).toEqual([
      ['context', 'a', false],
      ['del', 'b', true],
      ['add', 'b', false],
      ['add', 'c', true],
    ]);
  });

  it('shows renames and binary files without hunks', () => {
    const patch = parsePatchSet(gitSync(repo, ['format-patch', '--stdout', '-M', '-1', 'HEAD'])).patches[0]!;
    const view = buildDiffView(patch);
    const renamed = view.files.find((f) => f.status === 'renamed')!;
    expect(renamed).toMatchObject({ displayPath: 'old.txt → renamed.txt', similarity: 100, hunks: [] });
    const binary = view.files.find((f) => f.newPath === 'logo.png')!;
    expect(binary).toMatchObject({ binary: true, binaryDataIncluded: true, hunks: [], added: 0, removed: 0 });
    expect(view.files.map((f) => f.anchor)).toEqual(view.files.map((_, i) => `file-${i + 1}`));
  });

  it('cuts very long lines by code point and caps lines per file', () => {
    const view = buildDiffView(gitSync(repo, ['diff', 'HEAD~1', 'HEAD', '--', 'long.txt']), { maxLineLength: 100 });
    const line = view.files[0]!.hunks[0]!.lines[0]!;
    expect(line).toMatchObject({ text: 'é'.repeat(100), truncated: true, length: 3000 });
    expect(view.truncated).toBe(true);
    const capped = buildDiffView(gitSync(repo, ['diff', 'HEAD~1', 'HEAD', '--', 'nova/api.py']), { maxLinesPerFile: 5 });
    expect(capped.files[0]!.hunks.flatMap((h) => h.lines)).toHaveLength(5);
    expect(capped.files[0]!.truncated).toBe(true);
    expect(capped.files[0]!.added).toBe(5); // the counts still describe the whole file
  });

  it('keeps text as data: markup in a line is returned verbatim for the template to escape', () => {
    const view = buildDiffView('diff --git a/x.html b/x.html\n--- a/x.html\n+++ b/x.html\n@@ -1 +1 @@\n-<b>\n+<script>alert(1)</script>\n');
    expect(view.files[0]!.hunks[0]!.lines[1]!.text).toBe('<script>alert(1)</script>');
  });
});
