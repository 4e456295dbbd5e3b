// What indexes, feeds and search need of a published advisory, kept beside it as JSON so that lists
// never parse whole records. Made from the published record only.
import { cveDisplay, parseAdvisoryId, type AdvisoryRecord } from './record.js';
import { advisoryDate, revisionHistory } from './formats/advisory-facts.js';

export interface PublishedSummary {
  ref: string;
  title: string;
  /** ISO date of the advisory (original publication; errata keep it). */
  date: string;
  /** ISO date of the newest revision (the latest erratum, or the date). */
  updated: string;
  /** Year and number of the id (`OSSA-2026-012` → 2026, 12); the index groups by this year. */
  year: number;
  seq: number;
  /** CVE ids as displayed (`CVE-2016-0737 (client to proxy)`). */
  cves: string[];
  /** Affected product names as written. */
  products: string[];
  /** Slugs of the projects of the linked report, if any. */
  projects: string[];
  description: string;
  errata: number;
}

export function summarizePublished(record: AdvisoryRecord, projects: string[] = []): PublishedSummary {
  const date = advisoryDate(record);
  const last = revisionHistory(record).at(-1)?.date ?? date;
  const id = parseAdvisoryId(record.id);
  return {
    ref: record.id,
    title: record.title.trim(),
    date,
    // As the CSAF current_release_date: the newest of the date and the revision dates.
    updated: last > date ? last : date,
    year: id?.year ?? Number(date.slice(0, 4)),
    seq: id?.sequence ?? 0,
    cves: record.vulnerabilities.map(cveDisplay),
    products: [...new Set(record.affectedProducts.map((p) => p.product))],
    projects,
    description: record.description.trim(),
    errata: (record.errata?.history ?? []).filter((l) => /errata/i.test(l)).length,
  };
}

/** Newest first: by date, then by id. */
export function newestFirst(a: PublishedSummary, b: PublishedSummary): number {
  if (a.date !== b.date) return a.date < b.date ? 1 : -1;
  return a.year !== b.year ? b.year - a.year : b.seq - a.seq;
}

/** Whether a published advisory concerns a project: a product named like it, or its linked report. */
export function concernsProject(summary: PublishedSummary, project: { slug: string; name: string }): boolean {
  const names = new Set([project.slug.toLowerCase(), project.name.toLowerCase()]);
  return summary.projects.includes(project.slug) || summary.products.some((p) => names.has(p.trim().toLowerCase()));
}
