// What each audience sees of a report in a list (DESIGN.md §4: presenters shape what each audience sees).
// Everyone who may read a report sees its title, state, projects and dates; only the VMT sees its class,
// coordinator and acknowledgement deadline. The list itself is already filtered by the policy.
import type { ReportListItem } from './store.js';

export interface ReportListRow {
  item: ReportListItem;
  projects: { slug: string; name: string }[];
  cves: string[];
}

export function presentListItem(row: ReportListRow, triage: boolean) {
  const r = row.item;
  return {
    ref: r.ref,
    url: `/reports/${r.ref}`,
    title: r.title,
    state: r.state,
    visibility: r.visibility,
    received_at: r.received_at,
    // The embargo is over once a report is public; its end is then history, not a deadline.
    embargo_end_at: r.visibility === 'private' ? r.embargo_end_at : null,
    public_at: r.public_at,
    projects: row.projects.map((p) => p.slug),
    cves: row.cves,
    ...(triage
      ? {
          class: r.class,
          coordinator: r.coordinator_username,
          acknowledged_at: r.acknowledged_at,
          ack_deadline_at: r.ack_deadline_at,
          escalated_at: r.escalated_at,
        }
      : {}),
  };
}

export type PresentedListItem = ReturnType<typeof presentListItem>;
