/**
 * Unpacks the artifact stream the run wrote (a ustar archive, POSIX.1-1988) into artifactDir. The stream comes from
 * inside the sandbox, so it is untrusted: only regular files and directories are kept (symlinks, hard links and
 * devices are skipped, so a link in the tree can never make us copy or overwrite a host file), names must stay
 * inside artifactDir, every file is created new (O_EXCL | O_NOFOLLOW) and the total is bounded by the caller.
 */
import { constants, closeSync, lstatSync, mkdirSync, openSync, writeSync } from 'node:fs';
import path from 'node:path';
import type { SandboxArtifact } from './types.js';

const BLOCK = 512;

function field(header: Buffer, offset: number, length: number): string {
  const raw = header.subarray(offset, offset + length);
  const end = raw.indexOf(0);
  return raw.subarray(0, end === -1 ? length : end).toString('utf8');
}

function octal(header: Buffer, offset: number, length: number): number | null {
  const text = field(header, offset, length).trim();
  return /^[0-7]{1,12}$/.test(text) ? parseInt(text, 8) : null;
}

function checksumOk(header: Buffer): boolean {
  const stored = octal(header, 148, 8);
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 32 : header[i]!;
  return stored === sum;
}

/** A member name as a safe relative path, or null (absolute, `..`, empty, control characters). */
export function safeMemberName(name: string): string | null {
  if (name.startsWith('/') || name.includes('\\') || [...name].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f)) return null;
  const parts = name.split('/').filter((p) => p !== '' && p !== '.');
  if (parts.length === 0 || parts.some((p) => p === '..')) return null;
  return parts.join('/');
}

/** Creates each missing directory of `rel` under root, refusing to pass through anything but a real directory. */
function ensureDirs(root: string, rel: string): boolean {
  let current = root;
  for (const part of rel.split('/')) {
    current = path.join(current, part);
    let stat = lstatSync(current, { throwIfNoEntry: false });
    if (!stat) {
      mkdirSync(current, { mode: 0o755 });
      stat = lstatSync(current);
    }
    if (!stat.isDirectory()) return false;
  }
  return true;
}

function safeEnsureDirs(root: string, rel: string): boolean {
  try {
    return ensureDirs(root, rel);
  } catch {
    return false;
  }
}

/** Creates `file` (never an existing one, never through a symlink) with `data`; false when it cannot. */
function writeNewFile(file: string, data: Buffer): boolean {
  let fd: number;
  try {
    fd = openSync(file, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o644);
  } catch {
    return false;
  }
  try {
    let written = 0;
    while (written < data.length) written += writeSync(fd, data, written, data.length - written);
    return true;
  } catch {
    return false;
  } finally {
    closeSync(fd);
  }
}

export interface UnpackOutcome {
  artifacts: SandboxArtifact[];
  /** Members not kept, with why (shown in the log). */
  skipped: string[];
}

/** Writes the regular files of `archive` under `targetDir`. Never throws for a bad archive: it stops at the first bad block. */
export function unpackArtifacts(archive: Buffer, targetDir: string): UnpackOutcome {
  const artifacts: SandboxArtifact[] = [];
  const skipped: string[] = [];
  let offset = 0;
  while (offset + BLOCK <= archive.length) {
    const header = archive.subarray(offset, offset + BLOCK);
    if (header.every((b) => b === 0)) break;
    if (!checksumOk(header)) {
      skipped.push('(the archive is damaged; the rest was not kept)');
      break;
    }
    const size = octal(header, 124, 12) ?? 0;
    const type = String.fromCharCode(header[156]!);
    const prefix = field(header, 345, 155);
    const rawName = prefix ? `${prefix}/${field(header, 0, 100)}` : field(header, 0, 100);
    const dataStart = offset + BLOCK;
    const dataEnd = dataStart + size;
    offset = dataStart + Math.ceil(size / BLOCK) * BLOCK;
    const name = safeMemberName(rawName);
    if (name === null) {
      skipped.push(`${JSON.stringify(rawName)}: not a plain relative path`);
      continue;
    }
    if (type === '5') {
      if (!safeEnsureDirs(targetDir, name)) skipped.push(`${name}: a path component is not a directory`);
      continue;
    }
    if (type !== '0' && type !== '\0') {
      skipped.push(`${name}: ${type === '2' ? 'a symbolic link' : type === '1' ? 'a hard link' : 'not a regular file'}, not copied`);
      continue;
    }
    if (dataEnd > archive.length) {
      skipped.push(`${name}: cut off at the output limit`);
      break;
    }
    const dir = path.posix.dirname(name);
    if (dir !== '.' && !safeEnsureDirs(targetDir, dir)) {
      skipped.push(`${name}: a path component is not a directory`);
      continue;
    }
    if (writeNewFile(path.join(targetDir, name), archive.subarray(dataStart, dataEnd))) artifacts.push({ path: name, bytes: size });
    else skipped.push(`${name}: could not be written (already present?)`);
  }
  return { artifacts, skipped };
}
