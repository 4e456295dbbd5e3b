// The impact description with its approvals (issue 15 items 5 and 8): the text and its version, per approval
// where it stands, who may give it and why this viewer can or cannot, the viewer's Approve / Request changes
// forms, and the VMT's editor, which shows the saved parts again. Used on the report page (`/reports/REF`)
// and on the reporter's private link (`/r/TOKEN`); only the form targets differ.
import type { SafeHtml } from '../web/jsx.js';
import { Badge, Button, CsrfField, TextField, Time } from '../web/components.js';
import type { ImpactFieldsInput } from './cve-impact.js';
import type { ImpactApprovalLine, ImpactPanel } from './impact-approval.js';


function StateBadge({ line }: { line: ImpactApprovalLine }): SafeHtml {
  if (line.state === 'approved') return <Badge tone="ok">approved</Badge>;
  if (line.state === 'stale') return <Badge tone="warn">approved an earlier text: needed again</Badge>;
  return <Badge tone="warn">not yet</Badge>;
}

/** One line per approval; `base` is the form prefix (`/reports/REF/impact` or `/r/TOKEN/impact`). */
export function ImpactApprovals({ panel, base, csrf }: { panel: ImpactPanel; base: string; csrf: string }): SafeHtml {
  const mine = panel.lines.filter((l) => l.viewer.may);
  const both = mine.length > 1;
  return (
    <ul class="approvals">
      {panel.lines.map((line) => (
        <li class={`approval ${line.state}`} id={`impact-${line.role}`}>
          <p>
            <strong>{line.label}</strong>: <StateBadge line={line} />
            {line.at && line.state !== 'missing' ? (
              <span class="muted">
                {' '}
                version {line.version} · <Time iso={line.at} />
              </span>
            ) : null}
          </p>
          <p class="hint">
            Who approves: {line.whoCan} {line.viewer.may ? <strong>You can: {lower(line.viewer.why)}</strong> : <>You cannot: {lower(line.viewer.why)}</>}
          </p>
          {line.viewer.may && panel.text && line.state !== 'approved' ? (
            <div class="actions">
              <form method="post" action={`${base}/approve`} class="inline">
                <CsrfField token={csrf} />
                <input type="hidden" name="role" value={line.role} />
                <input type="hidden" name="version" value={panel.version} />
                <Button kind="primary">{both ? `Approve as ${line.label.toLowerCase()}` : 'Approve this description'}</Button>
              </form>
            </div>
          ) : null}
          {line.viewer.may && panel.text ? (
            <details class="request-changes">
              <summary>Request changes{both ? ` (as ${line.label.toLowerCase()})` : ''}</summary>
              <form method="post" action={`${base}/changes`} class="stack">
                <CsrfField token={csrf} />
                <input type="hidden" name="role" value={line.role} />
                <TextField name="comment" label="What should change?" hint="Everyone working on the report reads it, and the team is told. Any approval you gave is withdrawn." multiline rows={3} required />
                <Button kind="secondary">Send the request</Button>
              </form>
            </details>
          ) : null}
        </li>
      ))}
    </ul>
  );
}

const lower = (s: string): string => s.charAt(0).toLowerCase() + s.slice(1);

/** The text as approvers read it, with the version an approval names. */
export function ImpactText({ panel }: { panel: ImpactPanel }): SafeHtml {
  return (
    <>
      <blockquote class="impact">{panel.text}</blockquote>
      <p class="muted">
        Text version <code>{panel.version}</code> (an edit makes a new version, and approvals of the old one no longer count).
      </p>
    </>
  );
}

/**
 * The VMT's impact editor. It shows the parts the current text was drafted from (issue 15 item 8), and says
 * how each part reads in the sentence "REPORTER reported a vulnerability in PROJECT. By ACTION an ACTOR may
 * IMPACT resulting in CONSEQUENCE. Only MODE are affected."
 */
export function ImpactEditor({ action, csrf, saved, defaults }: { action: string; csrf: string; saved: Partial<ImpactFieldsInput>; defaults: { reporter: string; project: string } }): SafeHtml {
  const v = (name: keyof ImpactFieldsInput, fallback = ''): string => saved[name] ?? fallback;
  return (
    <form method="post" action={action} class="stack">
      <CsrfField token={csrf} />
      <p class="hint">“REPORTER reported a vulnerability in PROJECT. By ACTION an ACTOR may IMPACT resulting in CONSEQUENCE. Only MODE are affected.”</p>
      <div class="grid">
        <TextField name="reporter" label="Reporter" value={v('reporter', defaults.reporter)} hint="e.g. “Jane Doe from Example Corp”" />
        <TextField name="project" label="Project" value={v('project', defaults.project)} />
        <TextField name="action" label="Action (By …)" value={v('action')} hint="e.g. “sending a crafted header”" />
        <TextField name="actor" label="Actor (a/an …)" value={v('actor')} hint="e.g. “authenticated user”" />
        <TextField name="impact" label="Impact (may …)" value={v('impact')} hint="a verb: e.g. “impersonate any user”" />
        <TextField name="consequence" label="Consequence (resulting in …)" value={v('consequence')} hint="a noun: e.g. “the ability to act as an administrator”, “a denial of service”" />
        <TextField name="mode" label="Only … are affected" value={v('mode')} hint="optional: e.g. “setups using the VMware driver”" />
      </div>
      <Button kind="secondary">Save impact description</Button>
    </form>
  );
}
