// Parses the diff part of a patch the way `git apply` reads it (git's apply.c): extended git
// headers, traditional `---`/`+++` headers, hunks bounded by the counts in their `@@` line,
// binary patches. Lines between files that are none of these are skipped, as git does.
import type { FileChangeStatus, PatchFileSummary } from './types.js';

export type DiffLineKind = 'context' | 'add' | 'del';

export interface DiffHunkLine {
  kind: DiffLineKind;
  text: string;
  /** Followed by `\ No newline at end of file`. */
  noNewlineAtEnd: boolean;
}

export interface DiffHunk {
  header: string;
  oldStart: number;
  oldLines: number;
  newStart: number;
  newLines: number;
  /** The function context git prints after the second `@@`. */
  section: string;
  lines: DiffHunkLine[];
}

export interface DiffFile extends PatchFileSummary {
  hunks: DiffHunk[];
  /** For a symlink created or changed by the patch (mode 120000): the new target. */
  symlinkTarget: string | null;
}

export interface ParsedDiff {
  files: DiffFile[];
  /** Index of the first header line and one past the last consumed line (the diff's extent). */
  start: number;
  end: number;
  malformed: string[];
}

const hunkHeaderPattern = /^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@ ?(.*?)\r?$/;
const gitExtendedHeader =
  /^(old mode |new mode |deleted file mode |new file mode |copy from |copy to |rename from |rename to |rename old |rename new |similarity index |dissimilarity index |index )/;
// A base85 line of a `GIT binary patch`: a length letter, then base85 characters (no spaces).
const base85Line = /^[A-Za-z][0-9A-Za-z!#$%&()*+;<=>?@^_`{|}~-]*$/;

const cEscapes: Record<string, number> = { a: 7, b: 8, t: 9, n: 10, v: 11, f: 12, r: 13, '"': 34, '\\': 92 };

/**
 * Undoes git's C-style path quoting (`core.quotePath`): `"a/t\303\244st\tx"` → `a/täst<TAB>x`.
 * Returns the unquoted name and the rest of the string after the closing quote, or null.
 */
export function unquoteCPath(input: string): { name: string; rest: string } | null {
  if (!input.startsWith('"')) return null;
  const bytes: number[] = [];
  for (let i = 1; i < input.length; i++) {
    const ch = input[i] as string;
    if (ch === '"') {
      return { name: Buffer.from(bytes).toString('utf8'), rest: input.slice(i + 1) };
    }
    if (ch !== '\\') {
      bytes.push(...Buffer.from(ch, 'utf8'));
      continue;
    }
    const next = input[i + 1];
    if (next === undefined) return null;
    const octal = /^[0-3][0-7]{2}/.exec(input.slice(i + 1, i + 4));
    if (octal) {
      bytes.push(parseInt(octal[0], 8));
      i += 3;
    } else if (next in cEscapes) {
      bytes.push(cEscapes[next] as number);
      i += 1;
    } else {
      return null;
    }
  }
  return null;
}

/** A path as written in a header: quoted or not; drops a trailing tab-separated timestamp. */
function headerPath(raw: string): string {
  const quoted = unquoteCPath(raw);
  if (quoted) return quoted.name;
  const tab = raw.indexOf('\t');
  return (tab >= 0 ? raw.slice(0, tab) : raw).replace(/\s+$/, '');
}

/** Strips the first path component (`a/`, `b/`), as `git apply -p1` does. */
function stripPrefix(path: string): string {
  const slash = path.indexOf('/');
  return slash >= 0 ? path.slice(slash + 1) : path;
}

/** `--- a/x` / `+++ b/x` path, or null for /dev/null. */
function traditionalPath(raw: string): string | null {
  const path = headerPath(raw);
  return path === '/dev/null' ? null : stripPrefix(path);
}

/** The two names of `diff --git a/X b/Y`; when unquoted and ambiguous, the halves that are equal. */
export function gitHeaderNames(rest: string): { oldName: string; newName: string } | null {
  const quotedOld = unquoteCPath(rest);
  if (quotedOld) {
    const after = quotedOld.rest.replace(/^ /, '');
    return { oldName: stripPrefix(quotedOld.name), newName: stripPrefix(headerPath(after)) };
  }
  const quotedNewAt = rest.indexOf(' "');
  if (quotedNewAt > 0) {
    const newer = unquoteCPath(rest.slice(quotedNewAt + 1));
    if (newer) return { oldName: stripPrefix(rest.slice(0, quotedNewAt)), newName: stripPrefix(newer.name) };
  }
  // Unquoted: names may contain spaces. Prefer the split where both sides name the same file.
  for (let at = rest.indexOf(' '); at >= 0; at = rest.indexOf(' ', at + 1)) {
    const oldName = stripPrefix(rest.slice(0, at));
    const newName = stripPrefix(rest.slice(at + 1));
    if (oldName === newName) return { oldName, newName };
  }
  const split = rest.indexOf(' b/');
  if (split < 0) return null;
  return { oldName: stripPrefix(rest.slice(0, split)), newName: stripPrefix(rest.slice(split + 1)) };
}

function emptyFile(): DiffFile {
  return {
    oldPath: null,
    newPath: null,
    status: 'modified',
    oldMode: null,
    newMode: null,
    similarity: null,
    binary: false,
    binaryDataIncluded: false,
    added: 0,
    removed: 0,
    hunks: [],
    symlinkTarget: null,
  };
}

/** Reads hunks starting at `i`; returns the index after them. */
function readHunks(lines: readonly string[], i: number, file: DiffFile, malformed: string[]): number {
  const fileName = file.newPath ?? file.oldPath ?? '?';
  while (i < lines.length) {
    const match = hunkHeaderPattern.exec(lines[i] as string);
    if (!match) break;
    const hunk: DiffHunk = {
      header: lines[i] as string,
      oldStart: Number(match[1]),
      oldLines: match[2] === undefined ? 1 : Number(match[2]),
      newStart: Number(match[3]),
      newLines: match[4] === undefined ? 1 : Number(match[4]),
      section: match[5] ?? '',
      lines: [],
    };
    i++;
    let oldLeft = hunk.oldLines;
    let newLeft = hunk.newLines;
    while (i < lines.length && (oldLeft > 0 || newLeft > 0)) {
      const line = lines[i] as string;
      const first = line[0];
      // git apply accepts an empty line as empty context (mailers strip trailing blanks).
      if (first === ' ' || line === '') {
        hunk.lines.push({ kind: 'context', text: line.slice(1), noNewlineAtEnd: false });
        oldLeft--;
        newLeft--;
      } else if (first === '-') {
        hunk.lines.push({ kind: 'del', text: line.slice(1), noNewlineAtEnd: false });
        oldLeft--;
        file.removed++;
      } else if (first === '+') {
        hunk.lines.push({ kind: 'add', text: line.slice(1), noNewlineAtEnd: false });
        newLeft--;
        file.added++;
      } else if (first === '\\') {
        const last = hunk.lines[hunk.lines.length - 1];
        if (last) last.noNewlineAtEnd = true;
      } else {
        break;
      }
      i++;
    }
    // `\ No newline at end of file` after the hunk's last counted line.
    if (i < lines.length && (lines[i] as string).startsWith('\\')) {
      const last = hunk.lines[hunk.lines.length - 1];
      if (last) last.noNewlineAtEnd = true;
      i++;
    }
    if (oldLeft !== 0 || newLeft !== 0) {
      malformed.push(`${fileName}: hunk "${hunk.header}" has fewer lines than its header says`);
    }
    file.hunks.push(hunk);
  }
  return i;
}

/** Reads a `GIT binary patch` block (forward and reverse data, each ended by an empty line). */
function readBinaryPatch(lines: readonly string[], i: number): number {
  while (i < lines.length) {
    const line = lines[i] as string;
    if (/^(literal|delta) \d+$/.test(line) || line === '' || base85Line.test(line)) i++;
    else break;
  }
  return i;
}

function applyGitHeader(file: DiffFile, line: string): void {
  const value = (prefix: string) => line.slice(prefix.length);
  if (line.startsWith('old mode ')) file.oldMode = value('old mode ').trim();
  else if (line.startsWith('new mode ')) file.newMode = value('new mode ').trim();
  else if (line.startsWith('deleted file mode ')) {
    file.status = 'deleted';
    file.oldMode = value('deleted file mode ').trim();
  } else if (line.startsWith('new file mode ')) {
    file.status = 'added';
    file.newMode = value('new file mode ').trim();
  } else if (line.startsWith('rename from ') || line.startsWith('rename old ')) {
    file.status = 'renamed';
    file.oldPath = headerPath(line.replace(/^rename (from|old) /, ''));
  } else if (line.startsWith('rename to ') || line.startsWith('rename new ')) {
    file.status = 'renamed';
    file.newPath = headerPath(line.replace(/^rename (to|new) /, ''));
  } else if (line.startsWith('copy from ')) {
    file.status = 'copied';
    file.oldPath = headerPath(value('copy from '));
  } else if (line.startsWith('copy to ')) {
    file.status = 'copied';
    file.newPath = headerPath(value('copy to '));
  } else if (line.startsWith('similarity index ')) {
    file.similarity = parseInt(value('similarity index '), 10);
  } else if (line.startsWith('index ')) {
    const mode = /^index \S+ (\d{6})$/.exec(line);
    if (mode) {
      file.oldMode ??= mode[1] as string;
      file.newMode ??= mode[1] as string;
    }
  }
}

/** Fills in the paths and modes a header block leaves implicit. */
function finishFile(file: DiffFile, names: { oldName: string; newName: string } | null): void {
  const status: FileChangeStatus = file.status;
  if (status !== 'added') file.oldPath ??= names?.oldName ?? file.newPath;
  if (status !== 'deleted') file.newPath ??= names?.newName ?? file.oldPath;
  if (status === 'added') file.oldPath = null;
  if (status === 'deleted') file.newPath = null;
  if ((file.newMode === '120000' || (file.newMode === null && file.oldMode === '120000')) && status !== 'deleted') {
    const target = file.hunks.flatMap((h) => h.lines.filter((l) => l.kind === 'add').map((l) => l.text));
    file.symlinkTarget = target.length ? target.join('\n') : null;
  }
}

export interface ParseDiffOptions {
  /** Stop at a mail signature line (`-- `), as format-patch ends each message with one. */
  stopAtSignature?: boolean;
}

/** Parses every file of a diff found in `lines[from..]`. */
export function parseDiff(lines: readonly string[], from = 0, options: ParseDiffOptions = {}): ParsedDiff {
  const files: DiffFile[] = [];
  const malformed: string[] = [];
  let start = -1;
  let end = from;
  let i = from;
  while (i < lines.length) {
    const line = lines[i] as string;
    if (options.stopAtSignature && line === '-- ') break;
    if (line.startsWith('diff --git ')) {
      if (start < 0) start = i;
      const file = emptyFile();
      const names = gitHeaderNames(line.replace(/\r$/, '').slice('diff --git '.length));
      i++;
      while (i < lines.length && gitExtendedHeader.test(lines[i] as string)) applyGitHeader(file, lines[i++] as string);
      const current = lines[i] ?? '';
      if (current.startsWith('--- ') && (lines[i + 1] ?? '').startsWith('+++ ')) {
        const oldPath = traditionalPath(current.slice(4));
        const newPath = traditionalPath((lines[i + 1] as string).slice(4));
        if (file.status !== 'renamed' && file.status !== 'copied') {
          if (oldPath === null) file.status = 'added';
          if (newPath === null) file.status = 'deleted';
          file.oldPath = oldPath ?? file.oldPath;
          file.newPath = newPath ?? file.newPath;
        }
        i += 2;
        i = readHunks(lines, i, file, malformed);
      } else if (current === 'GIT binary patch') {
        file.binary = true;
        file.binaryDataIncluded = true;
        i = readBinaryPatch(lines, i + 1);
      } else if (current.startsWith('Binary files ')) {
        file.binary = true;
        i++;
      }
      finishFile(file, names);
      files.push(file);
      end = i;
      continue;
    }
    if (line.startsWith('--- ') && (lines[i + 1] ?? '').startsWith('+++ ') && hunkHeaderPattern.test(lines[i + 2] ?? '')) {
      if (start < 0) start = i;
      const file = emptyFile();
      file.oldPath = traditionalPath(line.slice(4));
      file.newPath = traditionalPath((lines[i + 1] as string).slice(4));
      if (file.oldPath === null) file.status = 'added';
      else if (file.newPath === null) file.status = 'deleted';
      i = readHunks(lines, i + 2, file, malformed);
      finishFile(file, null);
      files.push(file);
      end = i;
      continue;
    }
    // Text around files (a message, `Index:` lines of old tools) is skipped, as git apply does;
    // a hunk with no file header is an error for git ("patch fragment without header").
    if (hunkHeaderPattern.test(line)) malformed.push(`hunk "${line}" has no file header before it`);
    i++;
  }
  return { files, start: start < 0 ? from : start, end: Math.max(end, start < 0 ? from : start), malformed };
}
