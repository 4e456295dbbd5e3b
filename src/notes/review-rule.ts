/**
 * The security note approval rule, DESIGN.md §2 ("Security notes (OSSN) rule"): a note may be
 * published only when its current revision holds two +2 votes from security core and a +1 (or
 * better) from a core reviewer of each concerned project, and no −2. Pure functions, no storage.
 *
 * Decisions this module makes (and enforces in `validateVote`, the check at the moment of voting):
 * - Who may vote: security core members, and core reviewers of a project the note concerns.
 *   +2 and −2 are security core's (as in the security-doc repository, where only its cores hold
 *   them); a project core reviewer votes +1, 0 or −1.
 * - Self-approval is refused, not ignored: the author's +1/+2 is an error. The author may still
 *   vote 0, −1 or −2 (holding back their own note is not approving it), if they are in a group.
 * - A vote on a revision other than the current one is refused when cast, and ignored when deciding:
 *   a new revision needs fresh votes.
 * - Only each voter's latest vote on the current revision counts (by `castAt`, then list order).
 * - The two security-core +2s are a two-person rule: two different members, neither the author.
 * - The project +1 is a role rule (issue 15 item 5: each hat counts where the rules allow it): any core
 *   reviewer of the project gives it, so a security-core member who is also a core reviewer of the
 *   project fills both with one +2, and a core of two concerned projects fills both projects' +1.
 */
import type { AppError } from '../errors/catalogue.js';
import { errors } from '../errors/catalogue.js';

export type VoteValue = 2 | 1 | 0 | -1 | -2;
export const VOTE_VALUES: readonly number[] = [2, 1, 0, -1, -2];

/** Security-core +2 votes a note needs (DESIGN.md §2). */
export const REQUIRED_SECURITY_CORE_APPROVALS = 2;

export interface VoterGroups {
  /** Member of the Security Project core team ("security core"). */
  securityCore: boolean;
  /** Projects, by registered name, this person is a core reviewer of. */
  projectCoreOf: readonly string[];
}

export interface NoteVote {
  voterId: string;
  /** For messages ("blocked by −2 from Alice"); the id is used when absent. */
  voterName?: string;
  value: number;
  groups: VoterGroups;
  /** The note revision the vote was cast on. */
  revision: number;
  /** ISO 8601 time the vote was cast. */
  castAt: string;
}

export interface NoteUnderReview {
  authorId: string;
  /** Registered project names; a core reviewer of each must approve. */
  concernedProjects: readonly string[];
  currentRevision: number;
}

/** A requirement of the rule; one vote can fill one. */
export type ApprovalSlot = { kind: 'security_core' } | { kind: 'project_core'; project: string };

export type MissingApproval =
  | { kind: 'security_core_plus2'; count: number; message: string }
  | { kind: 'project_core_plus1'; project: string; message: string };

export const IgnoredVoteReason = {
  staleRevision: 'stale_revision',
  unknownRevision: 'unknown_revision',
  superseded: 'superseded',
  invalidValue: 'invalid_value',
  invalidTime: 'invalid_time',
  selfApproval: 'self_approval',
  notAllowedToVote: 'not_allowed_to_vote',
  valueReserved: 'value_reserved',
} as const;
export type IgnoredVoteReason = (typeof IgnoredVoteReason)[keyof typeof IgnoredVoteReason];

export interface ApprovalDecision {
  publishable: boolean;
  /** What still stands between the note and publication, in a reviewer's words; empty when publishable. */
  outstanding: string[];
  blockedBy: { voterId: string; voterName: string; message: string }[];
  missing: MissingApproval[];
  /** Which vote fills which requirement. */
  counted: { voterId: string; value: VoteValue; countsFor: ApprovalSlot }[];
  /** Votes that do not count, each with the reason. */
  ignored: { voterId: string; revision: number; reason: IgnoredVoteReason; message: string }[];
}

interface VoteProblem {
  reason: IgnoredVoteReason;
  error: AppError;
}

const nameOf = (vote: NoteVote) => vote.voterName ?? vote.voterId;

function projectList(names: readonly string[]): string {
  const projects = [...new Set(names)];
  if (projects.length === 0) return 'no project';
  if (projects.length === 1) return projects[0] ?? '';
  return `${projects.slice(0, -1).join(', ')} or ${projects.at(-1) ?? ''}`;
}

function concernedCoreOf(vote: NoteVote, note: NoteUnderReview): string[] {
  return vote.groups.projectCoreOf.filter((p) => note.concernedProjects.includes(p));
}

/** The first reason this vote may not be cast or counted, or null when it is fine. */
function voteProblem(vote: NoteVote, note: NoteUnderReview): VoteProblem | null {
  if (!VOTE_VALUES.includes(vote.value)) {
    return { reason: 'invalid_value', error: errors.field('value', 'must be one of +2, +1, 0, −1 or −2') };
  }
  if (!/^\d{4}-\d{2}-\d{2}T/.test(vote.castAt) || Number.isNaN(Date.parse(vote.castAt))) {
    return { reason: 'invalid_time', error: errors.field('castAt', 'must be an ISO 8601 date and time') };
  }
  if (vote.revision > note.currentRevision || vote.revision < 1 || !Number.isInteger(vote.revision)) {
    return {
      reason: 'unknown_revision',
      error: errors.field('revision', `revision ${vote.revision} does not exist; the note is at revision ${note.currentRevision}`),
    };
  }
  if (vote.revision !== note.currentRevision) {
    return {
      reason: 'stale_revision',
      error: errors.conflict(
        `This vote is on revision ${vote.revision}, but the note has changed since: it is at revision ${note.currentRevision}. Read the latest revision and vote on it.`,
      ),
    };
  }
  if (vote.voterId === note.authorId && vote.value > 0) {
    return {
      reason: 'self_approval',
      error: errors.forbiddenAction(
        'You wrote this note, so your own +1 or +2 cannot approve it. Ask security core and the core reviewers of the concerned projects to review it.',
      ),
    };
  }
  const coreOf = concernedCoreOf(vote, note);
  if (!vote.groups.securityCore && coreOf.length === 0) {
    return {
      reason: 'not_allowed_to_vote',
      error: errors.forbiddenAction(
        `Only security core members and core reviewers of ${projectList(note.concernedProjects)} may vote on this note.`,
      ),
    };
  }
  if (Math.abs(vote.value) === 2 && !vote.groups.securityCore) {
    return {
      reason: 'value_reserved',
      error: errors.forbiddenAction(
        `+2 and −2 are reserved for security core; as a core reviewer of ${projectList(coreOf)} you may vote +1, 0 or −1.`,
      ),
    };
  }
  return null;
}

/** Check a vote as it is cast; throws the catalogue error that tells the voter what is wrong. */
export function validateVote(vote: NoteVote, note: NoteUnderReview): void {
  const problem = voteProblem(vote, note);
  if (problem) throw problem.error;
}

function eligible(vote: NoteVote, slot: ApprovalSlot): boolean {
  if (slot.kind === 'security_core') return vote.groups.securityCore && vote.value === 2;
  return vote.value >= 1 && vote.groups.projectCoreOf.includes(slot.project);
}

/** Whether the note may be published now, and if not, what is missing. */
export function decideApproval(note: NoteUnderReview, votes: readonly NoteVote[]): ApprovalDecision {
  const projects = [...new Set(note.concernedProjects)];
  const ignored: ApprovalDecision['ignored'] = [];
  const latest = new Map<string, { vote: NoteVote; at: number; index: number }>();
  votes.forEach((vote, index) => {
    const problem = voteProblem(vote, note);
    if (problem) {
      ignored.push({ voterId: vote.voterId, revision: vote.revision, reason: problem.reason, message: problem.error.message });
      return;
    }
    const at = Date.parse(vote.castAt);
    const held = latest.get(vote.voterId);
    if (held && held.at > at) {
      ignored.push({ voterId: vote.voterId, revision: vote.revision, reason: 'superseded', message: `${nameOf(vote)} voted again later` });
      return;
    }
    if (held) {
      ignored.push({ voterId: held.vote.voterId, revision: held.vote.revision, reason: 'superseded', message: `${nameOf(held.vote)} voted again later` });
    }
    latest.set(vote.voterId, { vote, at, index });
  });
  const current = [...latest.values()].sort((a, b) => a.index - b.index).map((l) => l.vote);

  const blockedBy = current
    .filter((v) => v.value === -2)
    .map((v) => ({ voterId: v.voterId, voterName: nameOf(v), message: `blocked by −2 from ${nameOf(v)}` }));

  // Two different people for the security-core +2s (in the order the votes were cast); any vote of a
  // project's core reviewer for its +1 — the same vote may fill both kinds.
  const counted: ApprovalDecision['counted'] = [];
  const securityVoters = current.filter((v) => eligible(v, { kind: 'security_core' })).slice(0, REQUIRED_SECURITY_CORE_APPROVALS);
  for (const v of securityVoters) counted.push({ voterId: v.voterId, value: v.value as VoteValue, countsFor: { kind: 'security_core' } });
  const missing: MissingApproval[] = [];
  const securityMissing = REQUIRED_SECURITY_CORE_APPROVALS - securityVoters.length;
  if (securityMissing > 0) {
    const votesWord = securityMissing === 1 ? '+2' : '+2 votes';
    missing.push({ kind: 'security_core_plus2', count: securityMissing, message: `needs ${securityMissing} more ${votesWord} from security core` });
  }
  for (const project of projects) {
    const slot: ApprovalSlot = { kind: 'project_core', project };
    const vote = current.find((v) => eligible(v, slot));
    if (vote) counted.push({ voterId: vote.voterId, value: vote.value as VoteValue, countsFor: slot });
    else missing.push({ kind: 'project_core_plus1', project, message: `needs +1 from a core reviewer of ${project}` });
  }

  return {
    publishable: blockedBy.length === 0 && missing.length === 0,
    outstanding: [...blockedBy.map((b) => b.message), ...missing.map((m) => m.message)],
    blockedBy,
    missing,
    counted,
    ignored,
  };
}
