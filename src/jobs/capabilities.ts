// What this process's worker takes and what it leaves queued for other workers, and why (issue 20: a worker that
// cannot sandbox leaves private CI runs to one that can). Job areas describe their kinds here; every worker
// records the answer with its heartbeat (workers.ts), and the admin's job page lists it per worker, so the
// reason of a worker on another machine shows as well as that of the web server's own.

export interface Capability {
  /** The job kind this is about (left queued when `takes` is false). */
  kind: string;
  /** For people: "private CI runs". */
  label: string;
  takes: boolean;
  /** Why not, or how (shown beside). */
  note: string;
}

type Describe = () => Omit<Capability, 'kind'>;
const described = new Map<string, Describe>();

/** Register (or replace) how this process's worker stands on one job kind; asked at every heartbeat. */
export function describeCapability(kind: string, describe: Describe): void {
  described.set(kind, describe);
}

export function capabilities(): Capability[] {
  return [...described].map(([kind, describe]) => ({ kind, ...describe() }));
}

/** A stored record (workers.capabilities): written by any version of a worker, so read defensively. */
export function parseCapabilities(json: string | null): Capability[] | null {
  if (json === null) return null;
  try {
    const value: unknown = JSON.parse(json);
    if (!Array.isArray(value)) return null;
    return value.flatMap((c: Partial<Capability> | null) =>
      c && typeof c.kind === 'string' && typeof c.label === 'string' && typeof c.takes === 'boolean' && typeof c.note === 'string' ? [{ kind: c.kind, label: c.label, takes: c.takes, note: c.note }] : [],
    );
  } catch {
    return null;
  }
}
