// Patch versions as mail that `git am` applies (downloads, and series input for apply checks), and the
// download names (DESIGN.md §3: `cve-2013-4183-master.patch`; CVE or report id, project, branch).
import { patchFileName, seriesToMbox, type PatchNameParts } from './naming.js';
import { parseUntrustedPatch } from './safety.js';
import type { ApplyCommand, ParsedPatch } from './types.js';

/** What a stored version needs to be written as mail. */
export interface StoredPatchBytes {
  raw: Buffer;
  apply_with: ApplyCommand;
  uploaded_label: string;
  uploaded_email: string;
  created_at: string;
}

/** Limits for re-reading stored versions: each passed the upload limits; a whole series may be larger. */
export const storedPatchLimits = { maxBytes: 64 * 1024 * 1024, maxFiles: 10_000 };

/**
 * The stored version parsed again, with the uploader as author and the upload time as date where the
 * input carried none (a bare diff or `git show` output has no mail headers for `git am`).
 */
export function parsedVersion(version: StoredPatchBytes): ParsedPatch {
  const set = parseUntrustedPatch(version.raw, storedPatchLimits);
  const patch = set.patches.find((p) => p.files.length > 0);
  if (!patch) throw new Error('a stored patch version holds no diff');
  return {
    ...patch,
    author: patch.author ?? { name: version.uploaded_label, email: version.uploaded_email },
    date: patch.date?.iso ? patch.date : { raw: '', iso: version.created_at, offset: '+0000' },
  };
}

/** The series as one mbox for `git am`, numbered `[PATCH n/m]`. */
export function versionsAsMbox(versions: readonly StoredPatchBytes[]): string {
  return seriesToMbox(versions.map(parsedVersion));
}

/**
 * What git is given to check the last version of `prefix` in its series: the exact uploaded bytes when
 * they can be used as they are (one version, or only format-patch mail), else the series written as mail.
 */
export function checkInput(prefix: readonly StoredPatchBytes[]): Buffer {
  const [only] = prefix;
  if (prefix.length === 1 && only) return only.raw;
  if (prefix.every((v) => v.apply_with === 'git am')) {
    return Buffer.concat(prefix.map((v) => (v.raw.at(-1) === 0x0a ? v.raw : Buffer.concat([v.raw, Buffer.from('\n')]))));
  }
  return Buffer.from(versionsAsMbox(prefix), 'utf8');
}

export interface DownloadNaming {
  /** The report's first CVE id, else its reference. */
  id: string;
  projectSlug: string;
  /** Name the project in the file only when the report covers several projects. */
  severalProjects: boolean;
  branch: string;
}

/** `cve-2013-4183-master.patch`, or `cve-2013-4183-nova-stable-2026.1` style names (see patchFileName). */
export function seriesFileName(n: DownloadNaming): string {
  const parts: PatchNameParts = { id: n.id, project: n.severalProjects ? n.projectSlug : null, branch: n.branch };
  return patchFileName(parts);
}

/** One patch of a series: the series name with its place (`-2`) and, for older versions, `-v1`. */
export function patchVersionFileName(n: DownloadNaming, place: number | null, version: number | null): string {
  const suffix = [place !== null ? String(place) : '', version !== null ? `v${version}` : ''].filter(Boolean).join('-');
  return suffix ? seriesFileName(n).replace(/\.patch$/, `-${suffix}.patch`) : seriesFileName(n);
}
