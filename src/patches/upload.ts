// Uploading patches to a report (issue 5): files or a pasted mbox, each message a patch of the series
// on every chosen target; or a new version of one patch. Everything is parsed and checked first, then
// stored in one transaction with its audit event and apply-check jobs — bad input stores nothing.
import { createHash } from 'node:crypto';
import { change, type Scope } from '../context.js';
import { AppError, errors, type FieldIssue } from '../errors/catalogue.js';
import { reportForActor, type ReportForActor } from '../reports/load-for-actor.js';
import { notifyReport } from '../reports/notify.js';
import type { Db } from '../storage/database.js';
import { requestSeriesChecks } from './check-requests.js';
import { PatchRejectedError } from './errors.js';
import { canUploadPatches } from './policy.js';
import { parseUntrustedPatch } from './safety.js';
import { activeSeries } from './store.js';
import { reportTargets, resolveTarget, type PatchTarget, type TargetChoice } from './targets.js';
import type { ApplyCommand, ParsedPatch, PatchInputKind } from './types.js';

/** Most patches one upload may hold (after splitting mboxes into messages). */
export const MAX_PATCHES_PER_UPLOAD = 100;

export interface PatchFileInput {
  /** Shown in error messages: the file name, or "the pasted patch". */
  name: string;
  content: Buffer;
}

export interface UploadInput {
  targets: TargetChoice[];
  files: PatchFileInput[];
  /** The upload is a new version of the whole series on each target: patch n replaces patch n. */
  replaceSeries?: boolean;
}

/** One message of an upload, with the exact bytes git will get. */
export interface UploadUnit {
  parsed: ParsedPatch;
  raw: Buffer;
  kind: PatchInputKind;
  applyWith: ApplyCommand;
}

function describeFile(file: PatchFileInput): string {
  return file.name.replace(/[\p{Cc}]/gu, '').slice(0, 80) || 'the file';
}

/** Splits and checks every file; throws one validation error naming each bad file. */
export function readUnits(files: readonly PatchFileInput[]): UploadUnit[] {
  const given = files.filter((f) => f.content.length > 0);
  if (!given.length) throw errors.field('patch', 'Choose a patch file or paste a patch (the output of "git format-patch").');
  const issues: FieldIssue[] = [];
  let tooLarge = false;
  const units: UploadUnit[] = [];
  for (const file of given) {
    try {
      const set = parseUntrustedPatch(file.content);
      for (const patch of set.patches) {
        if (patch.files.length === 0) continue; // a cover letter: the series needs no mail without a diff
        if (patch.malformed.length) {
          throw new PatchRejectedError('not_a_patch', `Patch ${patch.position} has a hunk whose line counts do not match its header (${patch.malformed.slice(0, 3).join('; ')}): git would refuse it.`);
        }
        units.push({ parsed: patch, raw: file.content.subarray(patch.byteRange.start, patch.byteRange.end), kind: set.kind, applyWith: set.applyWith });
      }
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      if (error.code === 'payload_too_large') tooLarge = true;
      issues.push({ field: 'patch', message: `${describeFile(file)}: ${error.fields[0]?.message ?? error.message}` });
    }
  }
  if (issues.length) throw tooLarge && issues.length === 1 ? new AppError('payload_too_large', issues[0]!.message, issues) : errors.validation(issues, issues.map((i) => i.message).join(' '));
  if (units.length > MAX_PATCHES_PER_UPLOAD) throw errors.field('patch', `This upload holds ${units.length} patches; the limit is ${MAX_PATCHES_PER_UPLOAD}.`);
  return units;
}

function uploader(scope: Scope): { id: number | null; label: string; email: string } {
  return scope.actor.kind === 'user' ? { id: scope.actor.userId, label: scope.actor.displayName, email: scope.actor.email } : { id: null, label: 'system', email: 'cordon@localhost.invalid' };
}

async function insertVersion(trx: Db, now: Date, patchId: number, version: number, unit: UploadUnit, who: ReturnType<typeof uploader>): Promise<number> {
  const p = unit.parsed;
  const row = await trx
    .insertInto('patch_versions')
    .values({
      patch_id: patchId,
      version,
      input_kind: unit.kind,
      apply_with: unit.applyWith,
      commit_sha: p.commit,
      author_name: p.author?.name ?? null,
      author_email: p.author?.email ?? null,
      author_date_raw: p.date?.raw ?? null,
      author_date: p.date?.iso ?? null,
      subject: p.subject || p.files.map((f) => f.newPath ?? f.oldPath).join(', ').slice(0, 300),
      message: p.message,
      trailers: JSON.stringify(p.trailers),
      files: JSON.stringify(p.files),
      lines_added: p.files.reduce((n, f) => n + f.added, 0),
      lines_removed: p.files.reduce((n, f) => n + f.removed, 0),
      raw: unit.raw,
      raw_sha256: createHash('sha256').update(unit.raw).digest('hex'),
      uploaded_by: who.id,
      uploaded_label: who.label,
      uploaded_email: who.email,
      created_at: now.toISOString(),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

/** Makes `unit` the next version of a patch: the old one is superseded (its votes stay with it). */
async function addVersion(trx: Db, now: Date, patchId: number, unit: UploadUnit, who: ReturnType<typeof uploader>): Promise<{ versionId: number; version: number }> {
  const patch = await trx.selectFrom('patches').select(['current_version']).where('id', '=', patchId).executeTakeFirstOrThrow();
  const version = patch.current_version + 1;
  await trx.updateTable('patch_versions').set({ superseded_at: now.toISOString() }).where('patch_id', '=', patchId).where('version', '=', patch.current_version).execute();
  const versionId = await insertVersion(trx, now, patchId, version, unit, who);
  await trx.updateTable('patches').set({ current_version: version, state: 'active', updated_at: now.toISOString() }).where('id', '=', patchId).execute();
  return { versionId, version };
}

async function sameBytes(trx: Db, versionId: number, raw: Buffer): Promise<boolean> {
  const row = await trx.selectFrom('patch_versions').select('raw_sha256').where('id', '=', versionId).executeTakeFirstOrThrow();
  return row.raw_sha256 === createHash('sha256').update(raw).digest('hex');
}

export interface UploadResult {
  /** Per target: the patch ids of the upload, in series order. */
  targets: { target: PatchTarget; patchIds: number[]; newVersions: number; abandoned: number }[];
}

export async function uploadPatches(scope: Scope, ref: string, input: UploadInput): Promise<UploadResult> {
  const report = await reportForActor(scope, ref);
  requireUpload(scope, report);
  const all = await reportTargets(scope.app.storage.db, report.projects);
  const chosen = new Map<string, PatchTarget>();
  const issues: FieldIssue[] = [];
  for (const choice of input.targets) {
    try {
      const t = resolveTarget(all, choice);
      chosen.set(t.key, t);
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      issues.push(...error.fields);
    }
  }
  if (!input.targets.length) issues.push({ field: 'targets', message: 'Choose at least one branch to aim the patch at.' });
  let units: UploadUnit[] = [];
  try {
    units = readUnits(input.files);
  } catch (error) {
    if (!(error instanceof AppError) || issues.length === 0) throw error;
    issues.push(...error.fields);
  }
  if (issues.length) throw errors.validation(issues, issues.map((i) => i.message).join(' '));

  const who = uploader(scope);
  return change(scope, async ({ trx, now, audit, enqueue }) => {
    const result: UploadResult = { targets: [] };
    for (const target of chosen.values()) {
      const where = { reportId: report.row.id, projectId: target.projectId, repository: target.repository, branch: target.branch };
      const series = await activeSeries(trx, where);
      const patchIds: number[] = [];
      let newVersions = 0;
      let abandoned = 0;
      let firstChanged = series.length;
      let nextPosition = (series.at(-1)?.position ?? 0) + 1;
      for (const [i, unit] of units.entries()) {
        const existing = input.replaceSeries ? series[i] : undefined;
        if (existing && (await sameBytes(trx, existing.versionId, unit.raw))) {
          // Unchanged in the new series: keep the version, and its votes.
          patchIds.push(existing.patchId);
          continue;
        }
        if (existing) {
          await addVersion(trx, now, existing.patchId, unit, who);
          patchIds.push(existing.patchId);
          newVersions++;
          firstChanged = Math.min(firstChanged, i);
          continue;
        }
        const row = await trx
          .insertInto('patches')
          .values({ report_id: report.row.id, project_id: target.projectId, repository: target.repository, branch: target.branch, position: nextPosition++, state: 'active', current_version: 1, created_by: who.id, created_at: now.toISOString(), updated_at: now.toISOString() })
          .returning('id')
          .executeTakeFirstOrThrow();
        await insertVersion(trx, now, row.id, 1, unit, who);
        patchIds.push(row.id);
      }
      if (input.replaceSeries) {
        // A shorter new version of the series drops the old tail (kept, marked abandoned).
        for (const old of series.slice(units.length)) {
          await trx.updateTable('patches').set({ state: 'abandoned', updated_at: now.toISOString() }).where('id', '=', old.patchId).execute();
          abandoned++;
        }
        if (abandoned) firstChanged = Math.min(firstChanged, units.length);
      }
      await requestSeriesChecks(trx, now, where, firstChanged, 'upload');
      await audit('patch.uploaded', 'report', report.row.id, undefined, {
        target: target.key,
        patch_ids: patchIds,
        new_versions: newVersions,
        abandoned,
        sha256: units.map((u) => createHash('sha256').update(u.raw).digest('hex')),
      });
      result.targets.push({ target, patchIds, newVersions, abandoned });
    }
    await notifyReport({ trx, config: scope.app.config, enqueue }, report.row, { what: 'A patch was uploaded.', visibility: 'everyone', reporter: true, exceptUserId: who.id });
    return result;
  });
}

function requireUpload(scope: Scope, report: ReportForActor): void {
  if (!canUploadPatches(scope.actor, report.access)) throw errors.forbiddenAction('Only the VMT and developers working on this report may upload patches.');
}

/** A new version of one patch: the file must hold exactly one patch. */
export async function uploadVersion(scope: Scope, ref: string, patchId: number, files: PatchFileInput[]): Promise<{ version: number; versionId: number }> {
  const report = await reportForActor(scope, ref);
  const patch = await scope.app.storage.db.selectFrom('patches').selectAll().where('id', '=', patchId).where('report_id', '=', report.row.id).executeTakeFirst();
  if (!patch) throw errors.notFound('patch');
  requireUpload(scope, report);
  const units = readUnits(files);
  if (units.length !== 1) throw errors.field('patch', `A new version holds exactly one patch; this upload holds ${units.length}. Upload a series on the patches page instead.`);
  const who = uploader(scope);
  return change(scope, async ({ trx, now, audit, enqueue }) => {
    const added = await addVersion(trx, now, patch.id, units[0]!, who);
    const where = { reportId: report.row.id, projectId: patch.project_id, repository: patch.repository, branch: patch.branch };
    const series = await activeSeries(trx, where);
    await requestSeriesChecks(trx, now, where, series.findIndex((m) => m.patchId === patch.id), 'upload');
    await audit('patch.version_uploaded', 'patch', patch.id, { version: patch.current_version }, { version: added.version, version_id: added.versionId });
    await notifyReport({ trx, config: scope.app.config, enqueue }, report.row, { what: 'A new version of a patch was uploaded.', visibility: 'everyone', reporter: true, exceptUserId: who.id });
    return added;
  });
}

/** Take a patch out of its series (kept with its history); the patches after it are checked again. */
export async function abandonPatch(scope: Scope, ref: string, patchId: number): Promise<void> {
  const report = await reportForActor(scope, ref);
  const patch = await scope.app.storage.db.selectFrom('patches').selectAll().where('id', '=', patchId).where('report_id', '=', report.row.id).executeTakeFirst();
  if (!patch) throw errors.notFound('patch');
  requireUpload(scope, report);
  if (patch.state === 'abandoned') throw errors.conflict('This patch is already abandoned.');
  await change(scope, async ({ trx, now, audit }) => {
    const where = { reportId: report.row.id, projectId: patch.project_id, repository: patch.repository, branch: patch.branch };
    const place = (await activeSeries(trx, where)).findIndex((m) => m.patchId === patch.id);
    await trx.updateTable('patches').set({ state: 'abandoned', updated_at: now.toISOString() }).where('id', '=', patch.id).execute();
    await requestSeriesChecks(trx, now, where, place, 'series_changed');
    await audit('patch.abandoned', 'patch', patch.id, { state: 'active' }, { state: 'abandoned' });
  });
}

/** Ask git again (e.g. after fixing the project's repository list). */
export async function requestRecheck(scope: Scope, ref: string, patchId: number): Promise<void> {
  const report = await reportForActor(scope, ref);
  const patch = await scope.app.storage.db.selectFrom('patches').selectAll().where('id', '=', patchId).where('report_id', '=', report.row.id).executeTakeFirst();
  if (!patch) throw errors.notFound('patch');
  requireUpload(scope, report);
  if (patch.state === 'abandoned') throw errors.conflict('This patch is abandoned: it is not checked any more.');
  await change(scope, async ({ trx, now, audit }) => {
    const where = { reportId: report.row.id, projectId: patch.project_id, repository: patch.repository, branch: patch.branch };
    const place = (await activeSeries(trx, where)).findIndex((m) => m.patchId === patch.id);
    await requestSeriesChecks(trx, now, where, place, 'requested');
    await audit('patch.recheck_requested', 'patch', patch.id);
  });
}
