// The boundary check for uploaded patches (DESIGN.md §5: every input from outside is validated;
// bad input gets a clear error and changes nothing). Path rules follow git's own verify_path
// (no `.`/`..`/`.git` components, no empty components), made stricter where a reviewer applying
// the download by hand could be hurt.
import { errors } from '../errors/catalogue.js';
import { gitHeaderNames, parseDiff, unquoteCPath } from './diff-parse.js';
import { rejectPatch } from './errors.js';
import { parsePatchSet } from './parse.js';
import type { ParsedPatchSet } from './types.js';

export interface PatchLimits {
  /** Largest accepted input in bytes. */
  maxBytes: number;
  /** Most file entries across all patches of the input. */
  maxFiles: number;
}

export const defaultPatchLimits: PatchLimits = { maxBytes: 5 * 1024 * 1024, maxFiles: 200 };

/** What is wrong with a repository-relative path from a patch, or null when it is fine. */
export function pathProblem(path: string): string | null {
  if (path === '') return 'is empty';
  // eslint-disable-next-line no-control-regex
  if (/[\x00-\x1f\x7f]/.test(path)) return 'contains control characters';
  if (path.startsWith('/') || /^[A-Za-z]:/.test(path)) return 'is absolute';
  if (path.includes('\\')) return 'contains a backslash';
  for (const segment of path.split('/')) {
    if (segment === '') return 'has an empty component (// or a trailing /)';
    if (segment === '..') return 'contains a ".." component';
    if (segment === '.') return 'contains a "." component';
    // `.git` and the names other file systems treat as `.git` (case, trailing dots/spaces, 8.3 name).
    if (/^\.git[. ]*$/i.test(segment) || /^git~\d+$/i.test(segment)) return 'goes into a .git directory';
  }
  return null;
}

/** Resolves a symlink target against the link's directory; null when it leaves the repository. */
function resolveInsideRepo(linkPath: string, target: string): string | null {
  if (target.startsWith('/')) return null;
  const parts = linkPath.split('/').slice(0, -1);
  for (const segment of target.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') {
      if (parts.length === 0) return null;
      parts.pop();
    } else parts.push(segment);
  }
  return parts.join('/');
}

/** Header lines that name paths, found by a plain scan so that no parser subtlety can hide one. */
function scannedHeaderPaths(text: string): string[] {
  const paths: string[] = [];
  const lines = text.split('\n');
  lines.forEach((line, i) => {
    const clean = line.replace(/\r$/, '');
    // git apply takes any `---` line followed by a `+++` line as a traditional file header.
    if (clean.startsWith('--- ') && (lines[i + 1] ?? '').startsWith('+++ ')) {
      for (const raw of [clean.slice(4), (lines[i + 1] as string).replace(/\r$/, '').slice(4)]) {
        const name = (unquoteCPath(raw)?.name ?? raw.split('\t')[0] ?? '').trim();
        if (name !== '/dev/null') paths.push(name.includes('/') ? name.slice(name.indexOf('/') + 1) : name);
      }
    } else if (clean.startsWith('diff --git ')) {
      const names = gitHeaderNames(clean.slice('diff --git '.length));
      if (names) paths.push(names.oldName, names.newName);
      // Ambiguous unquoted names: look at the raw line too.
      if (/(^| |\/)\.\.(\/| |$)/.test(clean)) paths.push('..');
      if (/(^| |\/)\.git(\/| |$)/i.test(clean)) paths.push('.git');
    } else {
      const named = /^(?:rename|copy) (?:from|to|old|new) (.*)$/.exec(clean);
      if (named) paths.push(unquoteCPath(named[1] as string)?.name ?? (named[1] as string));
    }
  });
  return paths;
}

function checkPaths(set: ParsedPatchSet, text: string): void {
  const problems: string[] = [];
  const seen = new Set<string>();
  const report = (path: string, where: string) => {
    const problem = pathProblem(path);
    const key = `${path}\u0000${problem ?? ''}`;
    if (problem && !seen.has(key)) {
      seen.add(key);
      problems.push(`${where}: path "${path}" ${problem}`);
    }
  };
  for (const patch of set.patches) {
    for (const file of patch.files) {
      if (file.oldPath !== null) report(file.oldPath, `patch ${patch.position}`);
      if (file.newPath !== null) report(file.newPath, `patch ${patch.position}`);
    }
  }
  for (const path of scannedHeaderPaths(text)) report(path, 'file header');
  if (problems.length) {
    throw rejectPatch('unsafe_path', `The patch writes outside the repository: ${problems.slice(0, 5).join('; ')}.`);
  }
}

function checkSymlinks(set: ParsedPatchSet): void {
  const links: string[] = [];
  const problems: string[] = [];
  for (const patch of set.patches) {
    for (const file of parseDiff(patch.diff.split('\n')).files) {
      if (file.newPath === null || file.symlinkTarget === null) continue;
      links.push(file.newPath);
      const resolved = resolveInsideRepo(file.newPath, file.symlinkTarget);
      if (resolved === null) problems.push(`symlink "${file.newPath}" points outside the repository ("${file.symlinkTarget}")`);
      else if (pathProblem(resolved || '.') === 'goes into a .git directory') {
        problems.push(`symlink "${file.newPath}" points into .git`);
      }
    }
  }
  for (const patch of set.patches) {
    for (const file of patch.files) {
      for (const path of [file.oldPath, file.newPath]) {
        const through = path === null ? undefined : links.find((link) => path.startsWith(`${link}/`));
        if (through) problems.push(`"${path as string}" is written through the symlink "${through}"`);
      }
    }
  }
  if (problems.length) throw rejectPatch('unsafe_symlink', `The patch uses a symlink trick: ${problems.slice(0, 5).join('; ')}.`);
}

/**
 * Parses an uploaded patch and refuses anything unsafe or unusable: too large, binary data,
 * not a patch, invalid headers, too many files, paths outside the repository or into `.git`,
 * symlinks that escape. Throws a PatchRejectedError (an AppError) with a message saying what to fix.
 */
export function parseUntrustedPatch(input: string | Uint8Array, limits: Partial<PatchLimits> = {}): ParsedPatchSet {
  const { maxBytes, maxFiles } = { ...defaultPatchLimits, ...limits };
  const bytes = typeof input === 'string' ? Buffer.from(input, 'utf8') : Buffer.from(input.buffer, input.byteOffset, input.byteLength);
  if (bytes.length > maxBytes) {
    throw rejectPatch('too_large', `The patch is ${bytes.length} bytes; the limit is ${maxBytes} bytes.`);
  }
  if (bytes.includes(0)) {
    throw rejectPatch('binary_garbage', 'The file contains NUL bytes: it is binary data, not a text patch.');
  }
  let set: ParsedPatchSet;
  try {
    set = parsePatchSet(bytes);
  } catch (error) {
    const validUtf8 = (() => {
      try {
        new TextDecoder('utf-8', { fatal: true }).decode(bytes);
        return true;
      } catch {
        return false;
      }
    })();
    if (!validUtf8 && (error as { reason?: string }).reason === 'not_a_patch') {
      throw rejectPatch('binary_garbage', 'The file is not UTF-8 text and holds no patch: it looks like binary data.');
    }
    throw error;
  }
  const fileCount = set.patches.reduce((n, p) => n + p.files.length, 0);
  if (fileCount > maxFiles) {
    throw rejectPatch('too_many_files', `The patch changes ${fileCount} files; the limit is ${maxFiles}.`);
  }
  checkPaths(set, bytes.toString('utf8'));
  checkSymlinks(set);
  return set;
}

const branchAllowed = /^[A-Za-z0-9._/+@-]+$/;

/**
 * Why a branch name is refused: git's rules for `git check-ref-format --branch` (see
 * git-check-ref-format(1), rules 1–10, plus no leading `-` and not `HEAD`), and — stricter than
 * git — only letters, digits and `. _ / + @ -`, so no shell metacharacter or space ever passes.
 */
export function branchNameProblems(name: string): string[] {
  const problems: string[] = [];
  if (name === '') return ['is empty'];
  if (name.length > 200) problems.push('is longer than 200 characters');
  if (!branchAllowed.test(name)) {
    problems.push('may contain only letters, digits and . _ / + @ - (no spaces or shell metacharacters)');
  }
  if (name.startsWith('-')) problems.push('must not start with "-"');
  if (name === 'HEAD' || name === '@') problems.push(`"${name}" is not a branch name`);
  // eslint-disable-next-line no-control-regex
  if (/[\x00-\x20\x7f~^:?*[\\]/.test(name)) problems.push('contains a character git forbids in ref names');
  if (name.includes('..')) problems.push('contains ".."');
  if (name.includes('@{')) problems.push('contains "@{"');
  if (name.startsWith('/') || name.endsWith('/') || name.includes('//')) problems.push('has an empty path component');
  if (name.endsWith('.')) problems.push('ends with "."');
  for (const component of name.split('/')) {
    if (component.startsWith('.')) problems.push('has a component starting with "."');
    if (component.endsWith('.lock')) problems.push('has a component ending with ".lock"');
  }
  return [...new Set(problems)];
}

/** Returns the name when it is a safe branch name; throws a validation error for `field` otherwise. */
export function assertBranchName(name: string, field = 'branch'): string {
  const problems = branchNameProblems(name);
  if (problems.length) throw errors.field(field, `"${name}" is not a valid branch name: it ${problems.join('; it ')}.`);
  return name;
}
