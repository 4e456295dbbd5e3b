// The shapes a parsed patch takes. Pure data: safe to serialise to JSON and to store.

// Stored in the patches table as they are, so they are declared with it.
import type { ApplyCommand, PatchInputKind } from './tables.js';

export type { ApplyCommand, PatchInputKind } from './tables.js';

export type FileChangeStatus = 'added' | 'deleted' | 'modified' | 'renamed' | 'copied';

export interface PatchPerson {
  name: string;
  email: string;
}

export interface PatchDate {
  /** The header text as written, e.g. `Wed, 7 Aug 2013 10:00:00 +0200`. */
  raw: string;
  /** The instant in UTC (ISO 8601), or null when the text is not a date. */
  iso: string | null;
  /** The author's UTC offset as git writes it (`+0200`), or null when unknown. */
  offset: string | null;
}

export interface PatchTrailer {
  /** As written, e.g. `Signed-off-by`, `Closes-Bug`, `Change-Id`, `Co-Authored-By`. */
  key: string;
  value: string;
}

/** One file touched by a patch, as `git apply --numstat` would count it. */
export interface PatchFileSummary {
  /** Path before the change (repository-relative, prefix `a/` removed); null for added files. */
  oldPath: string | null;
  /** Path after the change; null for deleted files. */
  newPath: string | null;
  status: FileChangeStatus;
  /** Octal git modes (`100644`, `100755`, `120000` symlink, `160000` submodule) when the diff says. */
  oldMode: string | null;
  newMode: string | null;
  /** Rename/copy similarity in percent (`similarity index 92%`). */
  similarity: number | null;
  binary: boolean;
  /** True when the binary data is included (`GIT binary patch`), false for `Binary files … differ`. */
  binaryDataIncluded: boolean;
  added: number;
  removed: number;
}

/** One commit's worth of patch: a format-patch mail, one `git show` commit, or a bare diff. */
export interface ParsedPatch {
  /** 1-based position in the input. */
  position: number;
  /** Commit id from the `From <sha> …` line or `commit <sha>`; null for bare diffs. */
  commit: string | null;
  author: PatchPerson | null;
  date: PatchDate | null;
  /** Subject without the `[PATCH …]` prefix; empty for bare diffs. */
  subject: string;
  /** Text inside the stripped brackets, e.g. `PATCH v2 1/3`; null when there was none. */
  subjectPrefix: string | null;
  /** `n` and `m` of `[PATCH n/m]`, when present. */
  seriesNumber: number | null;
  seriesTotal: number | null;
  /** Message body after the subject, without the trailer block. */
  body: string;
  trailers: PatchTrailer[];
  /** Commits named by `(cherry picked from commit …)` lines in the trailer block. */
  cherryPickedFrom: string[];
  /** The full commit message as git records it: subject, blank line, body and trailers. */
  message: string;
  files: PatchFileSummary[];
  /** The diff text alone, from the first file header to the end of the last hunk. */
  diff: string;
  /** A `[PATCH 0/n]` cover letter: a message without a diff. */
  coverLetter: boolean;
  /** Hunks whose line counts did not match their header: git will refuse them. */
  malformed: string[];
  /** Byte offsets of this message in the original input, so git gets the exact bytes. */
  byteRange: { start: number; end: number };
}

export interface ParsedPatchSet {
  kind: PatchInputKind;
  applyWith: ApplyCommand;
  patches: ParsedPatch[];
  byteLength: number;
}
