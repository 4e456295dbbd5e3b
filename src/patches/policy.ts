// Who may do what with a report's patches. Built on the report policy (src/access/report-policy.ts):
// patches belong to their report, so whoever may read the report may read its patches — the reporter
// and a stakeholder subscribed read-only included (stakeholders receive the patches with the
// pre-notice anyway, DESIGN.md §2 step 5). Hidden → 404, decided by reportForActor before this.
import type { Actor } from '../access/actor.js';
import { canComment, canContribute, canRead, canWriteWith, type ReportAccess } from '../access/report-policy.js';
import type { PatchReviewerRole } from './tables.js';

export const canReadPatches = (access: ReportAccess): boolean => canRead(access);

/** Upload patches and new versions, ask for a re-check, abandon a patch: the VMT and working subscribers. */
export function canUploadPatches(actor: Actor, access: ReportAccess): boolean {
  return canContribute(access) && canWriteWith(actor);
}

/** Comment on a patch (per patch or per line): everyone who may comment on the report. */
export function canCommentOnPatches(actor: Actor, access: ReportAccess): boolean {
  return canComment(access) && canWriteWith(actor);
}

/**
 * The role a vote is cast in, or null when the actor may not vote: coresec and core reviewers of the
 * patch's project (DESIGN.md §1) who can read the report. Coresec wins when someone holds both.
 */
export function reviewerRole(actor: Actor, access: ReportAccess, projectId: number): PatchReviewerRole | null {
  if (actor.kind !== 'user' || !canRead(access) || !canWriteWith(actor)) return null;
  const roles = actor.projectRoles.get(projectId);
  if (roles?.has('coresec')) return 'coresec';
  if (roles?.has('core_reviewer')) return 'core_reviewer';
  return null;
}
