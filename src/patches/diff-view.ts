// The presentation model of a diff for the web UI: files → hunks → numbered lines, plus a
// side-by-side pairing. Plain data, no HTML: the templates render it and escape every text.
import { parseDiff, type DiffFile, type DiffLineKind } from './diff-parse.js';
import type { FileChangeStatus, ParsedPatch } from './types.js';

export interface DiffViewOptions {
  /** Characters kept of one line; the rest is cut and the line marked `truncated`. */
  maxLineLength?: number;
  /** Lines shown per file; later lines are left out and the file marked `truncated`. */
  maxLinesPerFile?: number;
}

export const defaultDiffViewOptions: Required<DiffViewOptions> = { maxLineLength: 1_000, maxLinesPerFile: 5_000 };

export interface DiffViewLine {
  kind: DiffLineKind;
  /** Line number in the old file (context and deleted lines), else null. */
  oldNumber: number | null;
  /** Line number in the new file (context and added lines), else null. */
  newNumber: number | null;
  text: string;
  /** The file ends here without a final newline (`\ No newline at end of file`). */
  noNewlineAtEnd: boolean;
  /** `text` was cut to the line length limit; `length` is the full length. */
  truncated: boolean;
  length: number;
}

/** One row of the side-by-side view: old on the left, new on the right; null leaves a gap. */
export interface DiffViewRow {
  left: DiffViewLine | null;
  right: DiffViewLine | null;
}

export interface DiffViewHunk {
  header: string;
  oldStart: number;
  oldLines: number;
  newStart: number;
  newLines: number;
  /** Function context git printed after the `@@` (e.g. `def check_token(self):`). */
  section: string;
  lines: DiffViewLine[];
  rows: DiffViewRow[];
}

export interface DiffViewFile {
  /** A stable, HTML-id-safe anchor: `file-1`, `file-2`, … */
  anchor: string;
  /** What to show as the file name: the path, or `old → new` for renames and copies. */
  displayPath: string;
  oldPath: string | null;
  newPath: string | null;
  status: FileChangeStatus;
  oldMode: string | null;
  newMode: string | null;
  modeChanged: boolean;
  similarity: number | null;
  binary: boolean;
  binaryDataIncluded: boolean;
  symlinkTarget: string | null;
  added: number;
  removed: number;
  hunks: DiffViewHunk[];
  /** Some lines were left out (maxLinesPerFile). */
  truncated: boolean;
}

export interface DiffView {
  files: DiffViewFile[];
  added: number;
  removed: number;
  truncated: boolean;
}

function cut(text: string, max: number): { text: string; truncated: boolean; length: number } {
  if (text.length <= max) return { text, truncated: false, length: text.length };
  const chars = Array.from(text); // by code point: never split a surrogate pair
  if (chars.length <= max) return { text, truncated: false, length: chars.length };
  return { text: chars.slice(0, max).join(''), truncated: true, length: chars.length };
}

/** Pairs deletions with the additions that replace them; context lines stand on both sides. */
export function sideBySide(lines: readonly DiffViewLine[]): DiffViewRow[] {
  const rows: DiffViewRow[] = [];
  let dels: DiffViewLine[] = [];
  let adds: DiffViewLine[] = [];
  const flush = () => {
    for (let i = 0; i < Math.max(dels.length, adds.length); i++) rows.push({ left: dels[i] ?? null, right: adds[i] ?? null });
    dels = [];
    adds = [];
  };
  for (const line of lines) {
    if (line.kind === 'del') dels.push(line);
    else if (line.kind === 'add') adds.push(line);
    else {
      flush();
      rows.push({ left: line, right: line });
    }
  }
  flush();
  return rows;
}

function viewFile(file: DiffFile, index: number, options: Required<DiffViewOptions>): DiffViewFile {
  let budget = options.maxLinesPerFile;
  let truncated = false;
  const hunks: DiffViewHunk[] = [];
  for (const hunk of file.hunks) {
    if (budget <= 0) {
      truncated = true;
      break;
    }
    let oldNumber = hunk.oldStart;
    let newNumber = hunk.newStart;
    const lines: DiffViewLine[] = [];
    for (const line of hunk.lines) {
      if (budget <= 0) {
        truncated = true;
        break;
      }
      budget--;
      const shown = cut(line.text, options.maxLineLength);
      lines.push({
        kind: line.kind,
        oldNumber: line.kind === 'add' ? null : oldNumber,
        newNumber: line.kind === 'del' ? null : newNumber,
        text: shown.text,
        noNewlineAtEnd: line.noNewlineAtEnd,
        truncated: shown.truncated,
        length: shown.length,
      });
      if (line.kind !== 'add') oldNumber++;
      if (line.kind !== 'del') newNumber++;
    }
    hunks.push({ ...hunk, lines, rows: sideBySide(lines) });
  }
  const renamed = (file.status === 'renamed' || file.status === 'copied') && file.oldPath !== file.newPath;
  return {
    anchor: `file-${index + 1}`,
    displayPath: renamed ? `${file.oldPath ?? ''} → ${file.newPath ?? ''}` : (file.newPath ?? file.oldPath ?? ''),
    oldPath: file.oldPath,
    newPath: file.newPath,
    status: file.status,
    oldMode: file.oldMode,
    newMode: file.newMode,
    modeChanged: file.oldMode !== null && file.newMode !== null && file.oldMode !== file.newMode,
    similarity: file.similarity,
    binary: file.binary,
    binaryDataIncluded: file.binaryDataIncluded,
    symlinkTarget: file.symlinkTarget,
    added: file.added,
    removed: file.removed,
    hunks,
    truncated,
  };
}

/** Builds the view of one patch (its diff) or of diff text. */
export function buildDiffView(input: ParsedPatch | string, options: DiffViewOptions = {}): DiffView {
  const settings = { ...defaultDiffViewOptions, ...options };
  const text = typeof input === 'string' ? input : input.diff;
  const files = parseDiff(text.split('\n')).files.map((file, i) => viewFile(file, i, settings));
  return {
    files,
    added: files.reduce((n, f) => n + f.added, 0),
    removed: files.reduce((n, f) => n + f.removed, 0),
    truncated: files.some((f) => f.truncated || f.hunks.some((h) => h.lines.some((l) => l.truncated))),
  };
}
