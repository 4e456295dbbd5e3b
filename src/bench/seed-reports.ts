// Seeding vulnerability reports with their projects, disclosure ladder (subscriptions), timeline,
// comments and CVE ids, through the storage layer: batched Kysely inserts, one transaction per batch.
// The mix follows a team's history: eight years of reports, the last 90 days still under embargo, older
// ones opened (DESIGN.md §2: every embargo ends), a few with an extended embargo.
import type { Insertable } from 'kysely';
import { ackDeadline, DAY_MS, embargoHardEnd } from '../calendar/calendar.js';
import { scheduleAckDeadline, scheduleEmbargo } from '../reports/embargo/schedule.js';
import type { Storage } from '../storage/database.js';
import type { CommentVisibility, Database, ReportClass, ReportState, SubscriptionLevel } from '../storage/tables.js';
import type { Progress } from './progress.js';
import { insertRows, type SeededPeople, type SeededProject } from './seed-people.js';
import { commentText, reportText, type Random } from './synthetic-text.js';
import { renderMarkdown } from '../text/markdown.js';

const HISTORY_DAYS = 8 * 365;
const EMBARGO_DAYS = 90;
const BATCH = 250;

type NewReport = Insertable<Database['reports']>;
type NewEvent = Omit<Insertable<Database['report_events']>, 'report_id'>;

interface PlannedReport {
  row: NewReport;
  projectIds: number[];
  subscriptions: { user_id: number; level: SubscriptionLevel; read_only: number; reason: string }[];
  events: NewEvent[];
  comments: { author_id: number | null; author_label: string; body: string; body_html: string; visibility: CommentVisibility; created_at: string }[];
  cves: string[];
}

export interface SeededReports {
  count: number;
  /** Private reports the designated subscriber may read (the report page scenario requests these). */
  subscriberPrivateRefs: string[];
  /** A sample of private report references. */
  privateRefs: string[];
  rows: Record<string, number>;
  seconds: number;
}

const iso = (ms: number) => new Date(ms).toISOString();

function planReport(r: Random, people: SeededPeople, now: Date, index: number, refs: Set<string>): PlannedReport {
  const nowMs = now.getTime();
  const ageDays = r.next() * HISTORY_DAYS;
  const received = nowMs - Math.floor(ageDays * DAY_MS);
  const project = r.pick(people.projects);
  const projects: SeededProject[] = [project];
  if (r.chance(0.1)) {
    const other = r.pick(people.projects);
    if (other.id !== project.id) projects.push(other);
  }
  const registered = r.chance(0.6);
  const reporterId = registered ? r.pick(people.userIds) : null;
  const reporterName = reporterId ? (people.names.get(reporterId) ?? 'A reporter') : 'An anonymous reporter';
  const text = reportText(r, project.name, reporterName);
  let ref = r.reportRef();
  while (refs.has(ref)) ref = r.reportRef();
  refs.add(ref);

  const extended = ageDays >= EMBARGO_DAYS && ageDays < EMBARGO_DAYS + 60 && r.chance(0.05);
  const embargoEnd = embargoHardEnd(new Date(received), EMBARGO_DAYS).getTime() + (extended ? 60 * DAY_MS : 0);
  const isPrivate = embargoEnd > nowMs;
  const unacknowledged = isPrivate && ageDays < 4 && r.chance(0.5);
  const acked = unacknowledged ? null : received + r.int(2, 48) * 3_600_000;
  let state: ReportState;
  let klass: ReportClass | null = null;
  if (unacknowledged) state = 'new';
  else if (isPrivate) state = r.weighted<ReportState>([['incomplete', 10], ['confirmed', 25], ['triaged', 20], ['in_progress', 20], ['fix_committed', 10], ['invalid', 10], ['wont_fix', 5]]);
  else state = r.weighted<ReportState>([['fix_released', 55], ['public', 15], ['invalid', 20], ['wont_fix', 10]]);
  if (acked) {
    klass =
      state === 'fix_released' ? r.weighted<ReportClass>([['A', 80], ['B1', 10], ['B2', 10]]) : state === 'invalid' ? r.weighted<ReportClass>([['E', 70], ['Y', 20], ['Z', 10]]) : r.chance(0.2) ? null : r.weighted<ReportClass>([['A', 40], ['B1', 10], ['C1', 15], ['D', 20], ['C2', 15]]);
  }
  const publicAt = isPrivate ? null : Math.min(embargoEnd, received + r.int(20, 90) * DAY_MS);
  const coordinator = acked ? r.pick(people.vmtIds) : null;
  const at = iso(received);

  const subscriptions: PlannedReport['subscriptions'] = [];
  const subscribed = new Set<number>();
  const subscribe = (user_id: number, level: SubscriptionLevel, reason: string, readOnly = false) => {
    if (subscribed.has(user_id)) return;
    subscribed.add(user_id);
    subscriptions.push({ user_id, level, read_only: readOnly ? 1 : 0, reason });
  };
  if (acked) {
    subscribe(project.lead, 'lead', 'Project lead');
    for (const u of project.coresec) {
      // The designated subscriber reviews the first projects; other coresec members are subscribed as usual.
      if (u !== people.subscriberId || people.subscriberProjectIds.has(project.id)) subscribe(u, 'coresec', 'Project security reviewer');
    }
    if (r.chance(0.3)) subscribe(r.pick(people.userIds), 'developer', 'Writes the fix');
    if (r.chance(0.1)) subscribe(r.pick(people.userIds), 'stakeholder', 'Downstream stakeholder on request', true);
  }

  const vmtName = (id: number | null) => (id ? (people.names.get(id) ?? 'VMT') : 'VMT');
  const events: NewEvent[] = [{ at, actor_id: reporterId, actor_label: 'reporter', kind: 'received', visibility: 'everyone', data: JSON.stringify({ source: 'web', already_public: false, exploited: false, attachments: 0 }) }];
  const cves: string[] = [];
  if (acked) {
    const ackAt = iso(acked);
    events.push({ at: ackAt, actor_id: coordinator, actor_label: vmtName(coordinator), kind: 'acknowledged', visibility: 'everyone', data: '{}' });
    events.push({ at: ackAt, actor_id: coordinator, actor_label: vmtName(coordinator), kind: 'coordinator_assigned', visibility: 'vmt', data: JSON.stringify({ coordinator }) });
    for (const s of subscriptions) events.push({ at: ackAt, actor_id: coordinator, actor_label: vmtName(coordinator), kind: 'subscribed', visibility: 'everyone', data: JSON.stringify({ user: s.user_id, level: s.level }) });
    if (klass) events.push({ at: ackAt, actor_id: coordinator, actor_label: vmtName(coordinator), kind: 'class_set', visibility: 'vmt', data: JSON.stringify({ class: klass }) });
    events.push({ at: iso(acked + DAY_MS), actor_id: coordinator, actor_label: vmtName(coordinator), kind: 'state_changed', visibility: 'everyone', data: JSON.stringify({ from: 'new', to: state }) });
    if (klass === 'A' && (state === 'fix_released' || state === 'public' || state === 'in_progress' || state === 'fix_committed')) {
      const year = new Date(received).getUTCFullYear();
      cves.push(`CVE-${year}-${String(10_000 + index).padStart(5, '0')}`);
      events.push({ at: iso(acked + 2 * DAY_MS), actor_id: coordinator, actor_label: vmtName(coordinator), kind: 'cve_assigned', visibility: 'everyone', data: JSON.stringify({ cve: cves[0] }) });
    }
  }
  if (publicAt) events.push({ at: iso(publicAt), actor_id: null, actor_label: 'Cordon (embargo clock)', kind: publicAt === embargoEnd ? 'opened_at_embargo_end' : 'made_public', visibility: 'everyone', data: JSON.stringify({ reason: 'Disclosed.' }) });
  if (extended) events.push({ at: iso(received + 80 * DAY_MS), actor_id: coordinator, actor_label: vmtName(coordinator), kind: 'embargo_extended', visibility: 'everyone', data: JSON.stringify({ days: 60, reason: 'Coordinated release with a dependency.' }) });

  const comments: PlannedReport['comments'] = [];
  if (acked) {
    const authors = [coordinator, ...subscriptions.filter((s) => !s.read_only).map((s) => s.user_id), reporterId];
    const n = r.int(0, 4);
    for (let c = 0; c < n; c++) {
      const author = r.pick(authors);
      const vmtOnly = author === coordinator && r.chance(0.3);
      const body = commentText(r);
      // Rendered when written, as the app does (migration 0022).
      comments.push({ author_id: author, author_label: author ? (people.names.get(author) ?? 'someone') : 'reporter', body, body_html: renderMarkdown(body), visibility: vmtOnly ? 'vmt' : 'everyone', created_at: iso(acked + (c + 1) * 3_600_000) });
    }
  }

  const row: NewReport = {
    ref,
    title: text.title,
    description: text.description,
    description_html: renderMarkdown(text.description),
    affected_versions: `<${r.int(20, 30)}.0.0`,
    reproduction: '',
    reproduction_html: '',
    already_public: 0,
    exploited: 0,
    disclosure_terms: '',
    credit_name: reporterId ? reporterName : '',
    credit_affiliation: r.chance(0.5) ? 'Example Security Lab' : '',
    credit_wanted: 1,
    reporter_user_id: reporterId,
    reporter_email: reporterId ? `reporter${reporterId}@bench.example.org` : `anon${index}@bench.example.org`,
    reporter_pgp_key: null,
    reporter_token_hash: r.hex(64),
    source: r.weighted<'web' | 'api' | 'email'>([['web', 70], ['api', 10], ['email', 20]]),
    state,
    class: klass,
    visibility: isPrivate ? 'private' : 'public',
    coordinator_id: coordinator,
    received_at: at,
    acknowledged_at: acked ? iso(acked) : null,
    ack_deadline_at: ackDeadline(new Date(received), 3).toISOString(),
    escalated_at: null,
    embargo_end_at: iso(embargoEnd),
    embargo_version: extended ? 2 : 1,
    planned_disclosure_at: null,
    public_at: publicAt ? iso(publicAt) : null,
    duplicate_of_id: null,
    impact_text: acked && r.chance(0.5) ? text.description.split('\n\n')[0]! : '',
    impact_fields: '{}',
    cve_requested_at: cves.length && acked ? iso(acked + DAY_MS) : null,
    cve_requested_by: cves.length ? coordinator : null,
    public_summary: null,
    created_at: at,
    updated_at: iso(publicAt ?? acked ?? received),
  };
  return { row, projectIds: projects.map((p) => p.id), subscriptions, events, comments, cves };
}

/** Seeds `count` reports; private ones get their real embargo and acknowledgement jobs (scheduleEmbargo). */
export async function seedReports(storage: Storage, r: Random, now: Date, people: SeededPeople, count: number, progress?: Progress): Promise<SeededReports> {
  const started = Date.now();
  const refs = new Set<string>();
  const rows: Record<string, number> = { reports: 0, report_projects: 0, report_subscriptions: 0, report_events: 0, report_comments: 0, report_cves: 0, jobs: 0 };
  const subscriberPrivateRefs: string[] = [];
  const privateRefs: string[] = [];
  for (let start = 0; start < count; start += BATCH) {
    const plans: PlannedReport[] = [];
    for (let i = start; i < Math.min(count, start + BATCH); i++) plans.push(planReport(r, people, now, i, refs));
    await storage.db.transaction().execute(async (trx) => {
      const inserted = await trx
        .insertInto('reports')
        .values(plans.map((p) => p.row))
        .returning(['id', 'ref', 'embargo_end_at', 'embargo_version', 'ack_deadline_at', 'visibility', 'acknowledged_at'])
        .execute();
      const byRef = new Map(inserted.map((row) => [row.ref, row]));
      const link = <T>(make: (p: PlannedReport, id: number) => T[]): T[] => plans.flatMap((p) => make(p, byRef.get(p.row.ref)!.id));
      const projects = link((p, id) => p.projectIds.map((project_id) => ({ report_id: id, project_id })));
      const subs = link((p, id) => p.subscriptions.map((s) => ({ ...s, report_id: id, added_by: null, added_at: p.row.acknowledged_at ?? p.row.received_at, removed_at: null })));
      const events = link((p, id) => p.events.map((e) => ({ ...e, report_id: id })));
      const comments = link((p, id) => p.comments.map((c) => ({ ...c, report_id: id })));
      const cves = link((p, id) => p.cves.map((cve_id) => ({ report_id: id, cve_id, assigned_at: p.row.updated_at })));
      await insertRows(trx, 'report_projects', projects);
      await insertRows(trx, 'report_subscriptions', subs);
      await insertRows(trx, 'report_events', events);
      await insertRows(trx, 'report_comments', comments);
      await insertRows(trx, 'report_cves', cves);
      // Reports still under embargo hold their queued deadline jobs, as in a live instance.
      for (const row of inserted) {
        if (row.visibility !== 'private') continue;
        await scheduleEmbargo(trx, now, row);
        rows.jobs! += 1;
        if (!row.acknowledged_at) {
          await scheduleAckDeadline(trx, now, row);
          rows.jobs! += 1;
        }
      }
      rows.reports! += inserted.length;
      rows.report_projects! += projects.length;
      rows.report_subscriptions! += subs.length;
      rows.report_events! += events.length;
      rows.report_comments! += comments.length;
      rows.report_cves! += cves.length;
    });
    for (const p of plans) {
      if (p.row.visibility !== 'private') continue;
      if (privateRefs.length < 2_000) privateRefs.push(p.row.ref);
      if (p.subscriptions.some((s) => s.user_id === people.subscriberId)) subscriberPrivateRefs.push(p.row.ref);
    }
    progress?.add(plans.length);
  }
  return { count, subscriberPrivateRefs, privateRefs, rows, seconds: (Date.now() - started) / 1000 };
}
