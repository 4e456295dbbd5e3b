// The pre-approval rule of a project (issue 5: default one +2 from coresec and no -2) and the review
// state it gives a patch version. Pure: the votes come in, the verdict goes out.
import type { PatchReviewerRole } from './tables.js';

export interface ReviewRule {
  /** +2 votes needed from coresec of the project. */
  coresecApprovals: number;
  /** +2 votes needed from core reviewers of the project (a coresec +2 does not count here). */
  coreReviewerApprovals: number;
}

export const defaultReviewRule: ReviewRule = { coresecApprovals: 1, coreReviewerApprovals: 0 };

export interface CastVote {
  userId: number;
  voterLabel: string;
  role: PatchReviewerRole;
  score: number;
  comment: string;
  createdAt: string;
  id: number;
}

export type ReviewState = 'pre_approved' | 'blocked' | 'needs_review';

export interface ReviewVerdict {
  state: ReviewState;
  /** The vote that counts for each voter: their latest. */
  votes: CastVote[];
  coresecApprovals: number;
  coreReviewerApprovals: number;
  /** Who gave -2. */
  blockedBy: string[];
  /** What is still missing, in words ("1 more +2 from coresec"); empty when pre-approved or blocked. */
  missing: string[];
}

/** Each voter's latest vote (votes are kept; a new one replaces the earlier for the count). */
export function latestVotes(votes: readonly CastVote[]): CastVote[] {
  const byUser = new Map<number, CastVote>();
  for (const v of [...votes].sort((a, b) => a.id - b.id)) byUser.set(v.userId, v);
  return [...byUser.values()].sort((a, b) => a.id - b.id);
}

export function reviewVerdict(allVotes: readonly CastVote[], rule: ReviewRule): ReviewVerdict {
  const votes = latestVotes(allVotes);
  const coresecApprovals = votes.filter((v) => v.role === 'coresec' && v.score === 2).length;
  const coreReviewerApprovals = votes.filter((v) => v.role === 'core_reviewer' && v.score === 2).length;
  const blockedBy = votes.filter((v) => v.score === -2).map((v) => v.voterLabel);
  const missing: string[] = [];
  const need = (have: number, want: number, who: string) => {
    if (have < want) missing.push(`${want - have} more +2 from ${who}`);
  };
  need(coresecApprovals, rule.coresecApprovals, 'coresec');
  need(coreReviewerApprovals, rule.coreReviewerApprovals, 'core reviewers');
  const state: ReviewState = blockedBy.length ? 'blocked' : missing.length ? 'needs_review' : 'pre_approved';
  return { state, votes, coresecApprovals, coreReviewerApprovals, blockedBy, missing: blockedBy.length ? [] : missing };
}

export function describeRule(rule: ReviewRule): string {
  const parts = [`${rule.coresecApprovals} +2 from coresec`];
  if (rule.coreReviewerApprovals > 0) parts.push(`${rule.coreReviewerApprovals} +2 from core reviewers`);
  return `${parts.join(' and ')}, and no -2`;
}
