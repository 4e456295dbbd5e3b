import { describe, expect, it } from 'vitest';
import { AppError } from '../errors/catalogue.js';
import { decideApproval, validateVote, type NoteUnderReview, type NoteVote, type VoterGroups } from './review-rule.js';

// People and their groups (DESIGN.md §1): security core, project core reviewers ("coresec"), others.
const people: Record<string, VoterGroups> = {
  sec1: { securityCore: true, projectCoreOf: [] },
  sec2: { securityCore: true, projectCoreOf: [] },
  sec3: { securityCore: true, projectCoreOf: [] },
  novaCore: { securityCore: false, projectCoreOf: ['nova'] },
  nova2: { securityCore: false, projectCoreOf: ['nova'] },
  glanceCore: { securityCore: false, projectCoreOf: ['glance'] },
  swiftCore: { securityCore: false, projectCoreOf: ['swift'] },
  bothCores: { securityCore: false, projectCoreOf: ['nova', 'glance'] },
  secNova: { securityCore: true, projectCoreOf: ['nova'] },
  outsider: { securityCore: false, projectCoreOf: [] },
};

/** `['sec2', 2]` or `['sec2', 2, revision]`; votes are cast one minute apart in list order. */
type VoteSpec = [voter: string, value: number, revision?: number];

function votesOf(specs: VoteSpec[]): NoteVote[] {
  return specs.map(([voter, value, revision], n) => ({
    voterId: voter,
    value,
    groups: people[voter] ?? { securityCore: false, projectCoreOf: [] },
    revision: revision ?? 2,
    castAt: new Date(Date.UTC(2026, 4, 5, 10, n)).toISOString(),
  }));
}

function noteFor(projects: string[], author = 'author'): NoteUnderReview {
  return { authorId: author, concernedProjects: projects, currentRevision: 2 };
}

const NEED_2 = 'needs 2 more +2 votes from security core';
const NEED_1 = 'needs 1 more +2 from security core';
const nova = 'needs +1 from a core reviewer of nova';
const glance = 'needs +1 from a core reviewer of glance';

describe('decideApproval: two security-core +2, a +1 from a core of each concerned project, no −2', () => {
  it.each<[string, string[], VoteSpec[], string[]]>([
    ['no votes yet', ['nova'], [], [NEED_2, nova]],
    ['complete', ['nova'], [['sec2', 2], ['sec3', 2], ['novaCore', 1]], []],
    ['no project core vote', ['nova'], [['sec2', 2], ['sec3', 2]], [nova]],
    ['one security-core +2 only', ['nova'], [['sec2', 2], ['novaCore', 1]], [NEED_1]],
    ['+1 from security core is not a +2', ['nova'], [['sec2', 2], ['sec3', 1], ['novaCore', 1]], [NEED_1]],
    ['two projects, one approved', ['nova', 'glance'], [['sec2', 2], ['sec3', 2], ['novaCore', 1]], [glance]],
    ['two projects, both approved', ['nova', 'glance'], [['sec2', 2], ['sec3', 2], ['novaCore', 1], ['glanceCore', 1]], []],
    ['two projects, none approved', ['nova', 'glance'], [['sec2', 2], ['sec3', 2]], [nova, glance]],
    ['no concerned project', [], [['sec2', 2], ['sec3', 2]], []],
    ['a −2 blocks a complete set', ['nova'], [['secNova', 2], ['sec2', 2], ['novaCore', 1], ['sec3', -2]], ['blocked by −2 from sec3']],
    ['a −2 and missing votes', ['nova'], [['sec3', -2]], ['blocked by −2 from sec3', NEED_2, nova]],
    ['a −1 does not block', ['nova'], [['sec2', 2], ['sec3', 2], ['novaCore', 1], ['nova2', -1]], []],
    ['a project core −1 is not a +1', ['nova'], [['sec2', 2], ['sec3', 2], ['novaCore', -1]], [nova]],
    ['the latest vote counts: −2 then +2', ['nova'], [['sec3', -2], ['sec2', 2], ['sec3', 2], ['novaCore', 1]], []],
    ['the latest vote counts: +2 then 0', ['nova'], [['sec2', 2], ['sec3', 2], ['novaCore', 1], ['sec2', 0]], [NEED_1]],
    ['one voter voting +2 twice counts once', ['nova'], [['sec2', 2], ['sec2', 2], ['novaCore', 1]], [NEED_1]],
    // Each hat counts (issue 15 item 5): the project +1 is a role rule, the two security-core +2s a two-person rule.
    ['security core who is nova core, alone, fills the nova +1 and one of the two +2s', ['nova'], [['secNova', 2]], [NEED_1]],
    ['security core who is nova core with one other +2: complete', ['nova'], [['secNova', 2], ['sec2', 2]], []],
    ['security core who is nova core with two other +2: complete', ['nova'], [['secNova', 2], ['sec2', 2], ['sec3', 2]], []],
    ['security core who is nova core voting +1 fills the nova requirement', ['nova'], [['secNova', 1], ['sec2', 2], ['sec3', 2]], []],
    ['security core who is nova core voting +1 is not a +2', ['nova'], [['secNova', 1], ['sec2', 2]], [NEED_1]],
    ['a core of two concerned projects fills both', ['nova', 'glance'], [['sec2', 2], ['sec3', 2], ['bothCores', 1]], []],
    ['one security-core member never counts as both +2s', ['nova'], [['secNova', 2], ['secNova', 2]], [NEED_1]],
    ['the author cannot approve their own note', ['nova'], [['sec1', 2], ['sec2', 2], ['novaCore', 1]], [NEED_1]],
    ['the author may block their own note', ['nova'], [['sec2', 2], ['sec3', 2], ['novaCore', 1], ['sec1', -2]], ['blocked by −2 from sec1']],
    ['votes on an older revision do not count', ['nova'], [['sec2', 2, 1], ['sec3', 2], ['novaCore', 1, 1]], [NEED_1, nova]],
    ['a core of an unconcerned project does not count', ['nova'], [['sec2', 2], ['sec3', 2], ['swiftCore', 1]], [nova]],
    ['a project core +2 is refused, so it does not count', ['nova'], [['sec2', 2], ['sec3', 2], ['novaCore', 2]], [nova]],
    ['an outsider does not count', ['nova'], [['sec2', 2], ['outsider', 2], ['novaCore', 1]], [NEED_1]],
  ])('%s', (_name, projects, specs, outstanding) => {
    const decision = decideApproval(noteFor(projects, 'sec1'), votesOf(specs));
    expect(decision.outstanding).toEqual(outstanding);
    expect(decision.publishable).toBe(outstanding.length === 0);
  });

  it('says which vote fills which requirement, and why others were ignored', () => {
    const votes = votesOf([['secNova', 2], ['sec2', 2], ['sec3', 2], ['sec1', 2], ['outsider', 1], ['novaCore', 1, 1], ['nova2', 1, 3], ['sec2', 2]]);
    const decision = decideApproval(noteFor(['nova'], 'sec1'), votes);
    expect(decision.publishable).toBe(true);
    const securityVoters = decision.counted.filter((c) => c.countsFor.kind === 'security_core').map((c) => c.voterId);
    // The first two +2s from security core, in the order cast; secNova's one vote also fills the nova +1.
    expect(securityVoters.sort()).toEqual(['sec3', 'secNova']);
    expect(decision.counted.filter((c) => c.countsFor.kind === 'project_core')).toEqual([
      { voterId: 'secNova', value: 2, countsFor: { kind: 'project_core', project: 'nova' } },
    ]);
    expect(decision.ignored.map((i) => [i.voterId, i.reason])).toEqual([
      ['sec1', 'self_approval'],
      ['outsider', 'not_allowed_to_vote'],
      ['novaCore', 'stale_revision'],
      ['nova2', 'unknown_revision'],
      ['sec2', 'superseded'],
    ]);
  });

  it('orders votes by when they were cast, not by list position', () => {
    const [late, early] = votesOf([['sec2', -2], ['sec2', 2]]);
    if (!late || !early) throw new Error('fixture');
    const swapped = [{ ...late, castAt: '2026-05-05T12:00:00.000Z' }, { ...early, castAt: '2026-05-05T09:00:00.000Z' }];
    const decision = decideApproval(noteFor([]), [...swapped, ...votesOf([['sec3', 2]])]);
    expect(decision.outstanding).toEqual(['blocked by −2 from sec2', NEED_1]);
    expect(decision.blockedBy).toEqual([{ voterId: 'sec2', voterName: 'sec2', message: 'blocked by −2 from sec2' }]);
  });

  it('names blockers by their display name when given', () => {
    const [vote] = votesOf([['sec3', -2]]);
    if (!vote) throw new Error('fixture');
    const decision = decideApproval(noteFor([]), [{ ...vote, voterName: 'Ada Lovelace' }]);
    expect(decision.outstanding[0]).toBe('blocked by −2 from Ada Lovelace');
    expect(decision.missing).toEqual([{ kind: 'security_core_plus2', count: 2, message: NEED_2 }]);
  });
});

describe('validateVote: refusing votes that may not be cast', () => {
  function refusal(spec: VoteSpec, projects = ['nova'], author = 'sec1'): AppError | null {
    const [vote] = votesOf([spec]);
    if (!vote) throw new Error('fixture');
    try {
      validateVote(vote, noteFor(projects, author));
      return null;
    } catch (e) {
      if (e instanceof AppError) return e;
      throw e;
    }
  }

  it.each<[string, VoteSpec, string[]]>([
    ['security core +2', ['sec2', 2], ['nova']],
    ['security core −2', ['sec2', -2], ['nova']],
    ['project core +1', ['novaCore', 1], ['nova']],
    ['project core −1', ['novaCore', -1], ['nova']],
    ['project core 0', ['glanceCore', 0], ['nova', 'glance']],
    ['the author blocking their own note', ['sec1', -2], ['nova']],
    ['security core on a note with no project', ['sec3', 1], []],
  ])('accepts %s', (_name, spec, projects) => {
    expect(refusal(spec, projects)).toBeNull();
  });

  it.each<[string, VoteSpec, string, number, RegExp]>([
    ['a value outside the scale', ['sec2', 3], 'validation_failed', 400, /^value: must be one of \+2, \+1, 0, −1 or −2$/],
    ['a vote on a stale revision', ['sec2', 2, 1], 'conflict', 409, /vote is on revision 1, but the note has changed since: it is at revision 2/],
    ['a vote on a revision that does not exist', ['sec2', 2, 7], 'validation_failed', 400, /^revision: revision 7 does not exist/],
    ['self-approval by the author (+2)', ['sec1', 2], 'forbidden_action', 403, /^You wrote this note, so your own \+1 or \+2 cannot approve it/],
    ['self-approval by the author (+1)', ['sec1', 1], 'forbidden_action', 403, /^You wrote this note/],
    ['someone outside the groups', ['outsider', 1], 'forbidden_action', 403, /^Only security core members and core reviewers of nova may vote on this note\.$/],
    ['a core of an unconcerned project', ['swiftCore', 1], 'forbidden_action', 403, /core reviewers of nova may vote/],
    ['+2 from a project core', ['novaCore', 2], 'forbidden_action', 403, /^\+2 and −2 are reserved for security core; as a core reviewer of nova you may vote \+1, 0 or −1\.$/],
    ['−2 from a project core', ['novaCore', -2], 'forbidden_action', 403, /reserved for security core/],
  ])('refuses %s', (_name, spec, code, status, message) => {
    const error = refusal(spec, ['nova']);
    expect(error?.code).toBe(code);
    expect(error?.status).toBe(status);
    expect(error?.message).toMatch(message);
  });

  it('names every concerned project when refusing an outsider, and refuses a malformed time', () => {
    expect(refusal(['outsider', 1], ['nova', 'glance', 'swift', 'nova'])?.message).toBe(
      'Only security core members and core reviewers of nova, glance or swift may vote on this note.',
    );
    const [vote] = votesOf([['sec2', 2]]);
    if (!vote) throw new Error('fixture');
    expect(() => validateVote({ ...vote, castAt: 'yesterday' }, noteFor(['nova']))).toThrow('castAt: must be an ISO 8601 date and time');
  });
});
