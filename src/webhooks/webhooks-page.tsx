// The webhook pages: a list of endpoints with the form that adds one (the admin's, instance-wide, at
// /admin/webhooks; a lead's, for one project, at /projects/:slug/webhooks), and one endpoint's page (edit,
// disable, delete, its recent deliveries with each attempt, and "send again").
import type { SafeHtml } from '../web/jsx.js';
import { Badge, Button, Checkbox, CsrfField, EmptyState, ErrorSummary, TextField, Time, type FormState } from '../web/components.js';
import type { PageContext } from '../web/layout.js';
import { EVENT_LABELS, PRIVATE_EVENTS, PUBLIC_EVENTS, type WebhookEvent } from './events.js';
import { endpointEvents } from './emit.js';
import type { DeliveryView, EndpointListItem } from './store.js';

const statusTone = { pending: 'info', delivered: 'ok', failed: 'danger' } as const;

export interface EndpointsPageData {
  heading: string;
  /** Where the add form posts (and the list lives). */
  action: string;
  /** A project's page offers public events only. */
  project: { slug: string; name: string } | null;
  endpoints: EndpointListItem[];
  newSecret?: string | undefined;
}

function EventChoices({ project, chosen }: { project: boolean; chosen: readonly string[] }): SafeHtml {
  const offered: readonly WebhookEvent[] = project ? PUBLIC_EVENTS : [...PUBLIC_EVENTS, ...PRIVATE_EVENTS];
  return (
    <fieldset id="f-events" class="event-choices">
      <legend>Events</legend>
      {offered.map((e) => (
        <Checkbox name="events" value={e} label={e} hint={EVENT_LABELS[e]} checked={chosen.includes(e)} />
      ))}
    </fieldset>
  );
}

function chosenEvents(state: FormState | undefined, fallback: readonly string[]): string[] {
  const v = state?.values?.events;
  if (Array.isArray(v)) return v.filter((x): x is string => typeof x === 'string');
  if (typeof v === 'string') return [v];
  return state?.values ? [] : [...fallback];
}

function NewSecret({ secret, heading }: { secret: string; heading: string }): SafeHtml {
  return (
    <div class="card">
      <h2>{heading}</h2>
      <p>Copy it now into the receiving service; it is not shown again.</p>
      <p class="secret" id="new-webhook-secret">{secret}</p>
    </div>
  );
}

export function EndpointsPage({ ctx, d, state }: { ctx: PageContext; d: EndpointsPageData; state?: FormState | undefined }): SafeHtml {
  return (
    <>
      <p>{d.project ? <a href={`/projects/${d.project.slug}`}>← {d.project.name}</a> : <a href="/admin">← Administration</a>}</p>
      <h1>{d.heading}</h1>
      <p class="lead">
        Cordon POSTs a signed JSON body to each endpoint when an event it chose happens. {d.project ? 'A project’s endpoints receive its public events only: published advisories and notes, reports made public.' : 'Events about a private report carry only its reference and a link, never its content.'}{' '}
        Each body is signed with the endpoint’s secret (header <code>X-Cordon-Signature-256</code>); see the README on how to verify it.
      </p>
      {d.newSecret ? <NewSecret secret={d.newSecret} heading="The new endpoint’s secret" /> : null}
      <h2>Endpoints</h2>
      {d.endpoints.length === 0 ? <EmptyState>No endpoints yet.</EmptyState> : null}
      {d.endpoints.length ? (
        <table class="stack-on-phone webhook-table">
          <thead>
            <tr>
              <th scope="col">URL</th>
              <th scope="col">Project</th>
              <th scope="col">Events</th>
              <th scope="col">Status</th>
            </tr>
          </thead>
          <tbody>
            {d.endpoints.map((ep) => (
              <tr>
                <td>
                  <a href={`/webhooks/${ep.id}`}>{ep.url}</a>
                  {ep.description ? <span class="muted"> {ep.description}</span> : null}
                </td>
                <td data-label="Project">{ep.project_slug ?? 'all (instance)'}</td>
                <td data-label="Events">{endpointEvents(ep).join(', ')}</td>
                <td data-label="Status">{ep.active ? <Badge tone="ok">active</Badge> : <Badge tone="muted">disabled</Badge>}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      <h2>Add an endpoint</h2>
      <ErrorSummary state={state} />
      <form method="post" action={d.action} class="stack card">
        <CsrfField token={ctx.csrfToken} />
        <TextField name="url" label="URL" type="url" hint="http:// or https://; it must reach a public address." required state={state} />
        <TextField name="description" label="Description" hint="What receives it, e.g. ‘#security chat room’." state={state} />
        <EventChoices project={d.project !== null} chosen={chosenEvents(state, PUBLIC_EVENTS)} />
        <Checkbox name="active" value="on" label="Active" checked={state?.values ? state.values.active === 'on' : true} />
        <Button>Add endpoint</Button>
      </form>
    </>
  );
}

export interface EndpointPageData {
  endpoint: EndpointListItem;
  deliveries: DeliveryView[];
  /** A secret just made by "New secret", shown this once. */
  newSecret?: string | undefined;
  /** Where the endpoint list is (the admin's or the project's). */
  back: string;
}

export function EndpointPage({ ctx, d, state }: { ctx: PageContext; d: EndpointPageData; state?: FormState | undefined }): SafeHtml {
  const ep = d.endpoint;
  return (
    <>
      <p>
        <a href={d.back}>← Webhooks</a>
      </p>
      <h1>Webhook endpoint</h1>
      <p class="lead">
        <code class="endpoint-url">{ep.url}</code> {ep.active ? <Badge tone="ok">active</Badge> : <Badge tone="muted">disabled</Badge>} {ep.project_slug ? <span class="muted">project {ep.project_slug}</span> : <span class="muted">instance-wide</span>}
      </p>
      {d.newSecret ? <NewSecret secret={d.newSecret} heading="The endpoint’s new secret" /> : null}
      <h2>Recent deliveries</h2>
      {d.deliveries.length === 0 ? <EmptyState>Nothing delivered yet: deliveries show here when an event this endpoint takes happens.</EmptyState> : null}
      {d.deliveries.length ? (
        <table class="deliveries stack-on-phone webhook-table">
          <thead>
            <tr>
              <th scope="col">#</th>
              <th scope="col">Event</th>
              <th scope="col">About</th>
              <th scope="col">Status</th>
              <th scope="col">Attempts</th>
              <th scope="col">
                <span class="visually-hidden">Action</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {d.deliveries.map((del) => (
              <tr id={`delivery-${del.id}`}>
                <td data-label="Delivery">{del.id}</td>
                <td data-label="Event">{del.event}</td>
                <td data-label="About">{del.subject}</td>
                <td data-label="Status">
                  <Badge tone={statusTone[del.status]}>{del.status}</Badge>
                </td>
                <td data-label="Attempts">
                  <ol class="attempts">
                    {del.attemptRows.map((a) => (
                      <li>
                        <Time iso={a.at} /> {a.outcome}: {a.status_code !== null ? `HTTP ${a.status_code}` : (a.error ?? '')} <span class="muted">({a.duration_ms} ms)</span>
                      </li>
                    ))}
                  </ol>
                </td>
                <td>
                  {del.status === 'pending' ? null : (
                    <form method="post" action={`/webhooks/deliveries/${del.id}/redeliver`}>
                      <CsrfField token={ctx.csrfToken} />
                      <Button kind="secondary">
                        Send <span class="visually-hidden">delivery {del.id} </span>again
                      </Button>
                    </form>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      <h2>Edit</h2>
      <ErrorSummary state={state} />
      <form method="post" action={`/webhooks/${ep.id}`} class="stack card">
        <CsrfField token={ctx.csrfToken} />
        <TextField name="url" label="URL" type="url" required state={state} value={state?.values ? undefined : ep.url} />
        <TextField name="description" label="Description" state={state} value={state?.values ? undefined : ep.description} />
        <EventChoices project={ep.project_id !== null} chosen={chosenEvents(state, endpointEvents(ep))} />
        <Checkbox name="active" value="on" label="Active" checked={state?.values ? state.values.active === 'on' : ep.active === 1} />
        <Button>Save</Button>
      </form>
      <form method="post" action={`/webhooks/${ep.id}/secret`} class="card">
        <CsrfField token={ctx.csrfToken} />
        <h2>Secret</h2>
        <p>A new secret replaces the current one at once: every delivery from then on, retries included, is signed with the new one. Use it when the secret may have leaked or the receiver changes hands.</p>
        <Button kind="secondary">Make a new secret</Button>
      </form>
      <form method="post" action={`/webhooks/${ep.id}/delete`} class="card">
        <CsrfField token={ctx.csrfToken} />
        <p>Deleting an endpoint forgets its deliveries too.</p>
        <Button kind="danger">Delete endpoint</Button>
      </form>
    </>
  );
}
