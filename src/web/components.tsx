// Form and table building blocks with labels, hints and per-field errors (accessible by default).
import type { Child, SafeHtml } from './jsx.js';

import type { FieldIssue } from '../errors/catalogue.js';
import { formatUtc, localSuffix } from '../text/moments.js';

export interface FormState {
  values?: Record<string, unknown>;
  issues?: FieldIssue[];
}

/** The text to put back into a field: strings as they were, the first of repeated values, nothing else. */
export function formValue(values: Record<string, unknown> | undefined, name: string, fallback = ''): string {
  const v = values?.[name];
  if (typeof v === 'string') return v;
  if (Array.isArray(v) && typeof v[0] === 'string') return v[0];
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return fallback;
}

function fieldError(state: FormState | undefined, name: string): string | undefined {
  return state?.issues?.filter((i) => i.field === name || i.field.startsWith(name + '.')).map((i) => i.message).join(' ');
}

export function CsrfField({ token }: { token: string }): SafeHtml {
  return <input type="hidden" name="_csrf" value={token} />;
}

export function ErrorSummary({ state }: { state?: FormState }): SafeHtml {
  if (!state?.issues?.length) return <></>;
  return (
    <div class="error-summary" role="alert" tabindex="-1">
      <h2>There {state.issues.length === 1 ? 'is a problem' : 'are problems'}</h2>
      <ul>
        {state.issues.map((i) => (
          <li>
            <a href={`#f-${i.field.split('.')[0]}`}>{i.message}</a>
          </li>
        ))}
      </ul>
    </div>
  );
}

export interface TextFieldProps {
  name: string;
  label: string;
  state?: FormState;
  type?: string;
  hint?: string;
  required?: boolean;
  /** Shows the required mark without the browser's check: the field is required only in some cases (the hint says when). */
  marked?: boolean;
  autocomplete?: string;
  value?: string;
  multiline?: boolean;
  rows?: number;
  inputmode?: string;
}

export function TextField(p: TextFieldProps): SafeHtml {
  const id = `f-${p.name}`;
  const err = fieldError(p.state, p.name);
  const value = p.value ?? (p.type === 'password' ? '' : formValue(p.state?.values, p.name));
  const describedBy = [p.hint ? `${id}-hint` : '', err ? `${id}-error` : ''].filter(Boolean).join(' ') || undefined;
  return (
    <div class={`field${err ? ' has-error' : ''}`}>
      <label for={id}>
        {p.label}
        {p.required || p.marked ? <span class="req" aria-hidden="true"> *</span> : null}
      </label>
      {p.hint ? <p class="hint" id={`${id}-hint`}>{p.hint}</p> : null}
      {err ? <p class="field-error" id={`${id}-error`}>{err}</p> : null}
      {p.multiline ? (
        <textarea id={id} name={p.name} rows={p.rows ?? 5} required={p.required} aria-describedby={describedBy} aria-invalid={err ? 'true' : undefined}>
          {value}
        </textarea>
      ) : (
        <input
          id={id}
          name={p.name}
          type={p.type ?? 'text'}
          value={value}
          required={p.required}
          autocomplete={p.autocomplete}
          inputmode={p.inputmode}
          aria-describedby={describedBy}
          aria-invalid={err ? 'true' : undefined}
        />
      )}
    </div>
  );
}

export function Checkbox(p: { name: string; label: string; value?: string; checked?: boolean; hint?: string }): SafeHtml {
  const id = `f-${p.name}-${p.value ?? 'on'}`;
  return (
    <div class="check">
      <input type="checkbox" id={id} name={p.name} value={p.value ?? 'on'} checked={p.checked} />
      <label for={id}>{p.label}</label>
      {p.hint ? <span class="hint"> {p.hint}</span> : null}
    </div>
  );
}

/** A labelled select; a field issue is shown above it and tied to it (aria-invalid, aria-describedby). */
export function Select(p: { name: string; label: string; options: [string, string][]; selected?: string; state?: FormState }): SafeHtml {
  const id = `f-${p.name}`;
  const err = fieldError(p.state, p.name);
  return (
    <div class={`field${err ? ' has-error' : ''}`}>
      <label for={id}>{p.label}</label>
      {err ? <p class="field-error" id={`${id}-error`}>{err}</p> : null}
      <select id={id} name={p.name} aria-invalid={err ? 'true' : undefined} aria-describedby={err ? `${id}-error` : undefined}>
        {p.options.map(([value, label]) => (
          <option value={value} selected={value === p.selected}>
            {label}
          </option>
        ))}
      </select>
    </div>
  );
}

export function Button(p: { children?: Child; kind?: 'primary' | 'secondary' | 'danger'; name?: string; value?: string }): SafeHtml {
  return (
    <button type="submit" class={`btn ${p.kind ?? 'primary'}`} name={p.name} value={p.value}>
      {p.children}
    </button>
  );
}

export function Badge({ children, tone }: { children?: Child; tone?: 'ok' | 'warn' | 'danger' | 'muted' | 'info' }): SafeHtml {
  return <span class={`badge ${tone ?? 'muted'}`}>{children}</span>;
}

/**
 * The one date format of every page (issue 15): "2026-12-05 15:00 UTC", or "2026-12-05" where only a day is
 * meant (`day`), always in a <time datetime>. Without JavaScript the UTC text is authoritative; app.js puts
 * the viewer's local time in the title (hover). `zone`, a signed-in viewer's own time zone, adds it beside
 * for deadlines that matter to them ("(16:00 Europe/Berlin)").
 */
export function Time({ iso, day, zone }: { iso: string | null | undefined; day?: boolean; zone?: string }): SafeHtml {
  if (!iso) return <span class="muted">—</span>;
  // A calendar day ("2016-03-08", a record's date) stays a day: no instant, no local time.
  if (/^\d{4}-\d{2}-\d{2}$/.test(iso)) return <time datetime={iso}>{iso}</time>;
  const utc = formatUtc(iso);
  if (day) return <time datetime={iso} title={utc}>{utc.slice(0, 10)}</time>;
  const local = zone ? localSuffix(iso, zone) : '';
  return (
    <>
      <time datetime={iso}>{utc}</time>
      {local ? <span class="local">{local}</span> : null}
    </>
  );
}

/**
 * Text that names moments or days in the one format ("Disclosure planned for 2026-04-14 15:00 UTC", as the
 * timeline and mails word them; "2016-03-30 - Errata 2" in an advisory's history) with each in a <time
 * datetime>, like <Time>. Anything that is not a real day stays text.
 */
export function TextWithTimes({ text }: { text: string }): SafeHtml {
  const parts = text.split(/(\b\d{4}-\d{2}-\d{2}(?: \d{2}:\d{2} UTC)?)/);
  return (
    <>
      {parts.map((p, i) => {
        if (i % 2 === 0) return p;
        const iso = p.length === 10 ? p : `${p.slice(0, 10)}T${p.slice(11, 16)}:00.000Z`;
        const at = new Date(p.length === 10 ? `${p}T00:00:00Z` : iso);
        return !Number.isNaN(at.getTime()) && at.toISOString().startsWith(p.slice(0, 10)) ? <Time iso={iso} /> : p;
      })}
    </>
  );
}

/** "3 days 04 h 12 min" until `to` (seconds in the last hour); "now" once it has passed. */
export function remainingText(to: Date, now: Date): string {
  const ms = to.getTime() - now.getTime();
  if (ms <= 0) return 'now';
  const total = Math.floor(ms / 1000);
  const days = Math.floor(total / 86_400);
  const hours = Math.floor((total % 86_400) / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const pad = (n: number) => String(n).padStart(2, '0');
  if (days > 0) return `${days} day${days === 1 ? '' : 's'} ${pad(hours)} h ${pad(minutes)} min`;
  if (hours > 0) return `${hours} h ${pad(minutes)} min`;
  return `${minutes} min ${pad(total % 60)} s`;
}

/**
 * A countdown to `to`, right when the page is rendered; app.js keeps it running from the server's `now`
 * (not the browser's clock, which may be off) — progressive enhancement, no inline script.
 */
export function Countdown({ to, now }: { to: string; now: Date }): SafeHtml {
  return (
    <span class="countdown" data-countdown-to={to} data-countdown-now={now.toISOString()}>
      {remainingText(new Date(to), now)}
    </span>
  );
}

export function EmptyState({ children }: { children?: Child }): SafeHtml {
  return <p class="empty">{children}</p>;
}
