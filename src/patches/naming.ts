// Download names and files for a report's patches (DESIGN.md §3: attachments named like
// `cve-2013-4183-master-havana.patch`), and the series for one branch written back as an mbox
// that `git am` applies with the original author, date and message.
import { errors } from '../errors/catalogue.js';
import { encodeHeaderValue, formatAddress, formatMailDate } from './mail-headers.js';
import type { ParsedPatch, PatchDate, PatchPerson } from './types.js';

/** Lowercase; only letters, digits, `.`, `-`, `_`; no leading or trailing punctuation. */
export function fileNameSlug(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/\p{M}/gu, '') // é → e: keep the letter, drop the accent
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/-{2,}/g, '-')
    .replace(/\.{2,}/g, '.')
    .replace(/^[._-]+/, '')
    .replace(/[._-]+$/, '');
}

export interface PatchNameParts {
  /** CVE id (`CVE-2013-4183`) or, before one is assigned, the report id. */
  id: string;
  /** Project name, when a report covers several projects. */
  project?: string | null;
  /** Target branch; a `stable/` prefix is dropped (`stable/grizzly` → `grizzly`). */
  branch: string;
  /** Release the branch stands for, e.g. `havana` for master during the Havana cycle. */
  release?: string | null;
}

/** `cve-2013-4183-master.patch`, `cve-2013-4183-master-havana.patch`, `cve-2013-4183-nova-grizzly.patch`. */
export function patchFileName(parts: PatchNameParts): string {
  const id = fileNameSlug(parts.id);
  if (!id) throw errors.field('id', 'A patch file name needs a CVE or report id with letters or digits.');
  const branch = fileNameSlug(parts.branch.replace(/^stable\//, ''));
  const name = [id, fileNameSlug(parts.project ?? ''), branch, fileNameSlug(parts.release ?? '')]
    .filter(Boolean)
    .join('-')
    .slice(0, 120)
    .replace(/[._-]+$/, '');
  return `${name}.patch`;
}

/** The patches for one branch, in series order (stable for equal positions). */
export function seriesForBranch<T extends { branch: string; position?: number }>(items: readonly T[], branch: string): T[] {
  return items
    .map((item, index) => ({ item, index }))
    .filter(({ item }) => item.branch === branch)
    .sort((a, b) => (a.item.position ?? a.index) - (b.item.position ?? b.index) || a.index - b.index)
    .map(({ item }) => item);
}

export interface SeriesMboxOptions {
  /** Author for patches that carry none (bare diffs): the uploader, typically. */
  fallbackAuthor?: PatchPerson;
  /** Date for patches that carry none; default now. */
  fallbackDate?: Date;
}

function dateOf(patch: ParsedPatch, fallback: Date): PatchDate {
  if (patch.date?.iso) return patch.date;
  return { raw: '', iso: fallback.toISOString(), offset: '+0000' };
}

/**
 * Writes patches as one mbox, as `git format-patch --stdout` does: a `From <sha>` line, From,
 * Date and Subject headers (RFC 2047 encoded where needed), the message, `---`, the diff and a
 * signature. Subjects are renumbered `[PATCH n/m]` for the series; cover letters are left out.
 */
export function seriesToMbox(patches: readonly ParsedPatch[], options: SeriesMboxOptions = {}): string {
  const withDiff = patches.filter((p) => p.files.length > 0);
  const now = options.fallbackDate ?? new Date();
  return withDiff
    .map((patch, index) => {
      const author = patch.author ?? options.fallbackAuthor;
      if (!author) {
        throw errors.field('author', `Patch ${patch.position} has no author; give one to write it as a mail.`);
      }
      const numbering = withDiff.length > 1 ? `[PATCH ${index + 1}/${withDiff.length}]` : '[PATCH]';
      const subject = patch.subject || patch.files.map((f) => f.newPath ?? f.oldPath).join(', ');
      const rest = patch.message.slice(patch.subject.length).replace(/^\n+/, '');
      return [
        `From ${patch.commit && /^[0-9a-f]{40}$/.test(patch.commit) ? patch.commit : '0'.repeat(40)} Mon Sep 17 00:00:00 2001`,
        `From: ${formatAddress(author)}`,
        `Date: ${formatMailDate(dateOf(patch, now))}`,
        `Subject: ${numbering} ${encodeHeaderValue(subject)}`,
        'MIME-Version: 1.0',
        'Content-Type: text/plain; charset=UTF-8',
        'Content-Transfer-Encoding: 8bit',
        '',
        ...(rest ? [rest.replace(/\n$/, '')] : []),
        '---',
        patch.diff.replace(/\n$/, ''),
        '-- ',
        'Cordon',
        '',
        '',
      ].join('\n');
    })
    .join('');
}

export interface PatchDownload {
  fileName: string;
  contentType: string;
  body: string;
}

/** The file a reviewer downloads for one branch: the series as an mbox, named for the report. */
export function seriesDownload(
  parts: PatchNameParts & { patches: readonly ParsedPatch[] } & SeriesMboxOptions,
): PatchDownload {
  return {
    fileName: patchFileName(parts),
    contentType: 'text/x-patch; charset=utf-8',
    body: seriesToMbox(parts.patches, parts),
  };
}
