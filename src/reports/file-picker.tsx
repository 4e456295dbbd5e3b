// The coordinator's choice of the reporter's files to publish, on the irreversible steps' confirmation
// pages (routes-irreversible.tsx): none is ticked unless the coordinator ticks it (issue 13 item 11).
import type { SafeHtml } from '../web/jsx.js';
import type { FormState } from '../web/components.js';
import { PUBLISH_FILES_FIELD, type publishableFiles } from './attachment-consent.js';

export type PublishableFiles = Awaited<ReturnType<typeof publishableFiles>>;

/** Checkboxes for the reporter's files; none is ticked unless the coordinator ticks it. */
export function FilePicker({ files, state, opening }: { files: PublishableFiles; state: FormState; opening: boolean }): SafeHtml {
  const picked = new Set([state.values?.[PUBLISH_FILES_FIELD]].flat().map(String));
  const error = state.issues?.find((i) => i.field === PUBLISH_FILES_FIELD);
  return (
    <fieldset class={`files-to-publish${error ? ' has-error' : ''}`} id={`f-${PUBLISH_FILES_FIELD}`}>
      <legend>Files to publish{opening ? ' with the report' : ''}</legend>
      {error ? <p class="field-error">{error.message}</p> : null}
      {files.length ? (
        <>
          <p class="hint">Files stay with the people on the report (the reporter, the subscribers, the VMT) unless you tick them here.</p>
          {files.map((f) => (
            <div class="check">
              <input type="checkbox" id={`pub-file-${f.id}`} name={PUBLISH_FILES_FIELD} value={String(f.id)} checked={picked.has(String(f.id))} />
              <label for={`pub-file-${f.id}`}>
                {f.filename} <span class="muted">({f.size} bytes, from {f.uploaded_label})</span>
              </label>
            </div>
          ))}
        </>
      ) : (
        <p class="muted">The report has no files to publish.</p>
      )}
    </fieldset>
  );
}
