// Why this process's worker leaves some kinds of job queued (issue 20: a worker that cannot sandbox leaves
// private CI runs to one that can). Job areas say so here; the admin's job page shows it.
const notes = new Map<string, () => string | null>();

/** Register (or replace) the explanation for one job kind; it returns null when jobs of the kind are taken. */
export function explainWaiting(kind: string, why: () => string | null): void {
  notes.set(kind, why);
}

export function waitingNotes(): { kind: string; note: string }[] {
  return [...notes].flatMap(([kind, why]) => {
    const note = why();
    return note ? [{ kind, note }] : [];
  });
}
