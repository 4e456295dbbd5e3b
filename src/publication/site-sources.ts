// What the public site is built from that lives in the domains above this one: the published advisories
// (the advisories table is the advisory workflow's) and the notes' static files. Publication sits below
// both workflows (ARCHITECTURE.md), so it cannot import them; the application wires them in once, where it
// is assembled (src/open-context.ts for commands and workers, src/http/app.ts for the app), the way
// jobs/registry.ts hands the embargo its disclosure hook.
import type { AppContext } from '../context.js';
import type { Db } from '../storage/database.js';
import type { AdvisoryRecord } from './record.js';
import type { PublishedSummary } from './summary.js';

/** The published advisories, read by the owner of their table (advisories/published.ts). */
export interface PublishedAdvisories {
  /** The published record of `ref`, or null (never the working record). */
  record(db: Db, ref: string): Promise<AdvisoryRecord | null>;
  /** Every published record, by reference. */
  records(db: Db): Promise<AdvisoryRecord[]>;
  /** Every published advisory's summary, newest first. */
  summaries(db: Db): Promise<PublishedSummary[]>;
}

export interface SiteSources {
  advisories: PublishedAdvisories;
  /** The notes work's static files (notes/OSSN-NNNN.html|.txt, notes/index.html, feeds/notes.atom), paths relative to the site root. */
  noteFiles(app: AppContext): Promise<{ path: string; content: string }[]>;
}

let wired: SiteSources | null = null;

/** Called where the application is assembled; the same sources every time, so calling it again is harmless. */
export function wireSiteSources(sources: SiteSources): void {
  wired = sources;
}

export function siteSources(): SiteSources {
  if (!wired) throw new Error('the public site has no sources: wireSiteSources() is called where the application is assembled (src/open-context.ts, src/http/app.ts)');
  return wired;
}
