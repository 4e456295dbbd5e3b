// The advisory editor form (DESIGN.md §2 fields), usable without JavaScript: one item per line, a hint
// with an example under each field, per-field errors from the server.
import type { SafeHtml } from '../web/jsx.js';
import { Badge, Button, CsrfField, EmptyState, ErrorSummary, formValue, TextField, Time, type FormState } from '../web/components.js';
import type { FieldIssue } from '../errors/catalogue.js';
import type { PageContext } from '../web/layout.js';
import { headlineScore, scoreCvssVector, severityRating } from '../cvss/index.js';
import type { AdvisoryRecord } from '../publication/record.js';
import type { LoadedAdvisory, WorkItem } from './store.js';
import { statusBadge } from './manage-page.js';


const HINTS = {
  title: 'Short and specific, e.g. “Arbitrary file access through crafted image”.',
  date: 'YYYY-MM-DD. Leave empty: it is set to the day of publication.',
  description:
    'The impact description approved by the reporter and the project lead: “REPORTER reported a vulnerability in PROJECT. By doing ACTION an ACTOR may IMPACT resulting in CONSEQUENCE. Only MODE are affected.”',
  products: 'One product per line: “product: versions”, versions as comma-separated ranges whose upper bound is the next patch release, e.g. nova: <20.2.1, >=21.0.0 <21.2.1, ==22.0.0',
  cves: 'One per line, optionally with a note: CVE-2026-12345 (client to proxy). Write Requested until the id is assigned.',
  cvss: 'CVSS 3.1 or 4.0 vectors, one per line, e.g. CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:U/C:H/I:N/A:N. With several CVE ids, start the line with the id (CVE-2026-12345: CVSS:…); a line without one applies to every CVE.',
  cwes: 'CWE ids, one per line, e.g. CWE-22, or a chain CWE-20->CWE-22; start the line with a CVE id to classify only that one.',
  reporters: 'One per line: Name | Affiliation | CVE ids they reported. Affiliation and CVE ids are optional.',
  issues: 'Links to the bug reports, one per line.',
  issuesType: 'The tracker, e.g. launchpad or storyboard (optional).',
  fixes: 'One per line: “branch: review link”, e.g. master: https://review.opendev.org/c/openstack/nova/+/123456',
  notes: 'Notes printed under the advisory; separate notes with a blank line.',
  references: 'Other links, e.g. the mailing-list announcement, one per line.',
};

export interface EditorFormProps {
  ctx: PageContext;
  action: string;
  state: FormState;
  submitLabel: string;
  hidden?: Record<string, string>;
  /** The saved record, to show the scores of its CVSS vectors. */
  record?: AdvisoryRecord;
}

function ScoreList({ record }: { record: AdvisoryRecord }): SafeHtml {
  const items = record.vulnerabilities.flatMap((v) =>
    v.impactAssessments.map((a) => {
      let score: string;
      try {
        const s = headlineScore(scoreCvssVector(a.vector, { versions: [a.version] }));
        score = `${s.toFixed(1)} ${severityRating(s)}`;
      } catch {
        score = 'cannot be scored';
      }
      return { cve: v.cveId, vector: a.vector, score };
    }),
  );
  if (!items.length) return <></>;
  return (
    <ul class="scores hint">
      {items.map((i) => (
        <li>
          {i.cve}: <code>{i.vector}</code> → <strong>{i.score}</strong>
        </li>
      ))}
    </ul>
  );
}

export function AdvisoryEditorForm(p: EditorFormProps): SafeHtml {
  const s = p.state;
  return (
    <form method="post" action={p.action} class="stack advisory-editor" novalidate>
      <CsrfField token={p.ctx.csrfToken} />
      {Object.entries(p.hidden ?? {}).map(([name, value]) => (
        <input type="hidden" name={name} value={value} />
      ))}
      <ErrorSummary state={s} />
      <div class="card">
        <h2>Summary</h2>
        <TextField name="title" label="Title" required state={s} hint={HINTS.title} />
        <TextField name="date" label="Date" state={s} hint={HINTS.date} inputmode="numeric" />
        <TextField name="description" label="Description (impact)" multiline rows={7} state={s} hint={HINTS.description} />
      </div>
      <div class="card">
        <h2>Affected products</h2>
        <TextField name="products" label="Affected products and versions" multiline rows={4} state={s} hint={HINTS.products} />
      </div>
      <div class="card">
        <h2>Vulnerabilities</h2>
        <TextField name="cves" label="CVE ids" multiline rows={3} state={s} hint={HINTS.cves} />
        <TextField name="cvss" label="CVSS vectors" multiline rows={3} state={s} hint={HINTS.cvss} />
        {p.record ? <ScoreList record={p.record} /> : null}
        <TextField name="cwes" label="CWE" multiline rows={2} state={s} hint={HINTS.cwes} />
      </div>
      <div class="card">
        <h2>Credits</h2>
        <TextField name="reporters" label="Reporters" multiline rows={3} state={s} hint={HINTS.reporters} />
      </div>
      <div class="card">
        <h2>Links</h2>
        <TextField name="issues" label="Issue links" multiline rows={3} state={s} hint={HINTS.issues} />
        <TextField name="issuesType" label="Issue tracker" state={s} hint={HINTS.issuesType} />
        <TextField name="fixes" label="Fixes per release branch" multiline rows={5} state={s} hint={HINTS.fixes} />
        <TextField name="references" label="References" multiline rows={2} state={s} hint={HINTS.references} />
      </div>
      <div class="card">
        <h2>Notes</h2>
        <TextField name="notes" label="Notes" multiline rows={4} state={s} hint={HINTS.notes} />
      </div>
      <div class="actions">
        <Button>{p.submitLabel}</Button>
      </div>
    </form>
  );
}

/** The form for a new draft, drafted from a report (`reportRef`, with `hints` to check) or from scratch. */
export function NewAdvisoryPage({ ctx, state, reportRef, hints }: { ctx: PageContext; state: FormState; reportRef: string; hints: string[] }): SafeHtml {
  return (
    <>
      <p class="crumbs">
        <a href="/advisories/drafts">Advisories in progress</a>
      </p>
      <h1>New advisory</h1>
      <p class="lead">
        {reportRef ? (
          <>
            Drafted from report <a href={`/reports/${reportRef}`}>{reportRef}</a>. The draft is visible to the VMT only until it is published.
          </>
        ) : (
          'A draft is visible to the VMT only until it is published. Its id is given when you save it.'
        )}
      </p>
      {hints.length ? (
        <div class="flash info" role="status">
          <ul>
            {hints.map((x) => (
              <li>{x}</li>
            ))}
          </ul>
        </div>
      ) : null}
      <AdvisoryEditorForm ctx={ctx} action="/advisories" state={state} submitLabel="Save draft" hidden={reportRef ? { report: reportRef } : {}} />
    </>
  );
}

/** The editor of a draft (or of a published advisory's next revision). */
export function EditAdvisoryPage({ ctx, loaded, values, issues }: { ctx: PageContext; loaded: LoadedAdvisory; values: Record<string, unknown>; issues: FieldIssue[] }): SafeHtml {
  return (
    <>
      <p class="crumbs">
        <a href="/advisories/drafts">Advisories in progress</a> › <a href={`/advisories/${loaded.row.ref}/manage`}>{loaded.row.ref}</a>
      </p>
      <h1>
        Edit {loaded.row.ref} {statusBadge(loaded.row)}
      </h1>
      {loaded.published ? <p class="lead">This advisory is published. Saving makes a new revision that needs a second VMT member’s approval before it is published again. To announce a correction, add an erratum instead.</p> : null}
      <AdvisoryEditorForm
        ctx={ctx}
        action={`/advisories/${loaded.row.ref}/edit`}
        state={{ values, issues }}
        submitLabel="Save revision"
        hidden={{ revision: formValue(values, 'revision', String(loaded.row.current_revision)) }}
        record={loaded.record}
      />
    </>
  );
}

export function DraftsPage({ items }: { items: WorkItem[] }): SafeHtml {
  return (
    <>
      <h1>Advisories in progress</h1>
      <p class="lead">Drafts and unpublished changes, visible to the VMT only. Published advisories are on the <a href="/advisories">public list</a>.</p>
      <p>
        <a class="btn primary" href="/advisories/new">
          New advisory
        </a>
      </p>
      {items.length === 0 ? (
        <EmptyState>Nothing in progress.</EmptyState>
      ) : (
        <table>
          <thead>
            <tr>
              <th>Advisory</th>
              <th>Title</th>
              <th>State</th>
              <th>Revision</th>
              <th>Last change</th>
            </tr>
          </thead>
          <tbody>
            {items.map((i) => (
              <tr>
                <td>
                  <a href={`/advisories/${i.ref}/manage`}>{i.ref}</a>
                </td>
                <td>{i.title}</td>
                <td>
                  {i.status === 'approved' ? <Badge tone="ok">approved</Badge> : <Badge tone="warn">draft</Badge>} {i.published ? <Badge tone="info">published earlier</Badge> : null}
                </td>
                <td>{i.currentRevision}</td>
                <td>
                  <Time iso={i.updatedAt} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}
