// The public advisory page, the index by year and the short lists (home page, project pages), made
// from published records only. The same components render inside the app's layout and in the static
// site (static-page.tsx), so both show the same thing. Links to files are relative, so the static site
// works under any path of any host.
import type { SafeHtml } from '../web/jsx.js';
import { cveDisplay, type AdvisoryRecord, type ImpactAssessment } from './record.js';
import { scoreCvssVector, headlineScore, severityRating } from '../cvss/index.js';
import { assignedCves, creditName, extractLink, revisionHistory } from './formats/advisory-facts.js';
import { csafFileName } from './formats/csaf-provider.js';
import { newestFirst, type PublishedSummary } from './summary.js';
import { TextWithTimes, Time } from '../web/components.js';


function Paragraphs({ text }: { text: string }): SafeHtml {
  return (
    <>
      {text
        .trim()
        .split(/\n\s*\n/)
        .map((p) => <p>{p.replace(/\s*\n\s*/g, ' ')}</p>)}
    </>
  );
}

/** A link written as text in the record (`https://… - errata`): the URL as a link, the note beside it. */
function LinkText({ text }: { text: string }): SafeHtml {
  const link = extractLink(text);
  if (!link) return <>{text}</>;
  return (
    <>
      <a href={link.url} rel="nofollow noopener noreferrer">{link.url}</a>
      {link.label ? <span class="muted"> ({link.label})</span> : null}
    </>
  );
}

function scoreText(a: ImpactAssessment): string {
  try {
    const score = headlineScore(scoreCvssVector(a.vector, { versions: [a.version] }));
    // CVSS v2 has no official rating; the v3/v4 bands are what readers expect to see.
    return `${score.toFixed(1)} (${severityRating(score)})`;
  } catch {
    return a.score === null ? 'not scored' : String(a.score);
  }
}

interface FileLink {
  label: string;
  href: string;
}

/** The machine-readable and text files of an advisory, relative to the advisory page. */
export function advisoryFileLinks(record: AdvisoryRecord, cveRecords = true): FileLink[] {
  const id = record.id;
  const year = (record.date ?? '').slice(0, 4);
  return [
    { label: 'Notice text', href: `${id}.txt` },
    { label: 'OSSA YAML', href: `${id}.yaml` },
    { label: 'OSV JSON', href: `../osv/${id}.json` },
    { label: 'CSAF 2.0', href: `../.well-known/csaf/white/${year}/${csafFileName(id)}` },
    // CVE records exist only when a CNA was entered (src/publication/settings.ts).
    ...(cveRecords ? assignedCves(record) : []).map((v) => ({ label: `CVE JSON 5 (${v.cveId})`, href: `../cve/${v.cveId}.json` })),
  ];
}

export function AdvisoryArticle({ record, cveRecords = true }: { record: AdvisoryRecord; cveRecords?: boolean }): SafeHtml {
  const history = revisionHistory(record);
  const updated = history[history.length - 1]?.date ?? record.date ?? '';
  const branches = [...record.reviews].filter((r) => r.links.length);
  return (
    <article class="advisory">
      <p class="eyebrow">Security advisory</p>
      <h1>
        {record.id}: {record.title}
      </h1>
      <dl class="facts">
        <dt>Date</dt>
        <dd>
          {/* A day, not an instant: the pages' one format for days (the .txt notice keeps its own). */}
          <Time iso={record.date} />
          {record.errata && updated !== record.date ? (
            <span class="muted">
              {' '}
              (updated <Time iso={updated} />)
            </span>
          ) : null}
        </dd>
        <dt>CVE</dt>
        <dd>{record.vulnerabilities.length ? record.vulnerabilities.map((v) => <div>{cveDisplay(v)}</div>) : <span class="muted">none</span>}</dd>
        <dt>Affects</dt>
        <dd>
          {record.affectedProducts.map((p) => (
            <div>
              <strong>{p.product}</strong>: <code>{p.versions.text}</code>
            </div>
          ))}
        </dd>
      </dl>

      <section>
        <h2>Description</h2>
        <Paragraphs text={record.description} />
      </section>

      {record.errata?.text.trim() ? (
        <section class="errata">
          <h2>Errata</h2>
          <Paragraphs text={record.errata.text} />
        </section>
      ) : null}

      {record.vulnerabilities.some((v) => v.impactAssessments.length || v.classifications.length) ? (
        <section>
          <h2>Severity and weakness</h2>
          <table>
            <thead>
              <tr>
                <th>CVE</th>
                <th>CVSS</th>
                <th>Weakness</th>
              </tr>
            </thead>
            <tbody>
              {record.vulnerabilities.map((v) => (
                <tr>
                  <td>{cveDisplay(v)}</td>
                  <td>
                    {v.impactAssessments.length
                      ? v.impactAssessments.map((a) => (
                          <div>
                            <code>{a.vector}</code> — {scoreText(a)}
                            {a.source ? <span class="muted"> by {a.source}</span> : null}
                          </div>
                        ))
                      : <span class="muted">—</span>}
                  </td>
                  <td>{v.classifications.length ? v.classifications.map((c) => <div>{c.detail}</div>) : <span class="muted">—</span>}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      ) : null}

      <section>
        <h2>Patches</h2>
        {branches.length ? (
          <dl class="facts">
            {branches.map((r) => (
              <>
                <dt>{r.branch}</dt>
                <dd>
                  {r.links.map((l) => (
                    <div>
                      <LinkText text={l} />
                    </div>
                  ))}
                </dd>
              </>
            ))}
          </dl>
        ) : (
          <p class="muted">No patches are listed.</p>
        )}
      </section>

      <section>
        <h2>Credits</h2>
        {record.reporters.length ? (
          <ul>
            {record.reporters.map((r) => (
              <li>
                {creditName(r)}
                {r.reported.length ? <span class="muted"> ({r.reported.join(', ')})</span> : null}
              </li>
            ))}
          </ul>
        ) : (
          <p class="muted">No reporter is credited.</p>
        )}
      </section>

      <section>
        <h2>References</h2>
        <ul>
          {record.issues.links.map((l) => (
            <li>
              <LinkText text={l} />
            </li>
          ))}
          {record.references.map((l) => (
            <li>
              <LinkText text={l} />
            </li>
          ))}
          {assignedCves(record).map((v) => (
            <li>
              <a href={`https://www.cve.org/CVERecord?id=${v.cveId}`} rel="nofollow noopener noreferrer">{v.cveId}</a>
            </li>
          ))}
        </ul>
      </section>

      {record.notes.length ? (
        <section>
          <h2>Notes</h2>
          <ul>
            {record.notes.map((n) => (
              <li>{n}</li>
            ))}
          </ul>
        </section>
      ) : null}

      {record.errata?.history.length ? (
        <section>
          <h2>History</h2>
          <ul>
            {record.errata.history.map((l) => (
              <li>
                <TextWithTimes text={l} />
              </li>
            ))}
          </ul>
        </section>
      ) : null}

      <section class="downloads">
        <h2>Files</h2>
        <p class="muted">Each file has a detached OpenPGP signature (.asc) by the team key and a SHA-256 checksum (.sha256) beside it.</p>
        <ul>
          {advisoryFileLinks(record, cveRecords).map((f) => (
            <li>
              <a href={f.href}>{f.label}</a> <span class="muted">·</span> <a href={`${f.href}.asc`}>signature</a> <span class="muted">·</span>{' '}
              <a href={`${f.href}.sha256`}>sha256</a>
            </li>
          ))}
        </ul>
      </section>
    </article>
  );
}

/** A table of advisories (newest first); `base` is the path from the page to the advisory pages. */
export function AdvisoryTable({ summaries, base, suffix = '' }: { summaries: PublishedSummary[]; base: string; suffix?: string }): SafeHtml {
  return (
    <table class="advisory-list">
      <thead>
        <tr>
          <th>Advisory</th>
          <th>Title</th>
          <th>CVE</th>
          <th>Date</th>
        </tr>
      </thead>
      <tbody>
        {[...summaries].sort(newestFirst).map((s) => (
          <tr>
            <td>
              <a href={`${base}${s.ref}${suffix}`}>{s.ref}</a>
            </td>
            <td>
              {s.title}
              {s.errata ? <span class="badge info">errata {s.errata}</span> : null}
            </td>
            <td>{s.cves.length ? s.cves.map((c) => <div>{c}</div>) : <span class="muted">—</span>}</td>
            <td>
              <Time iso={s.date} />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** Every published advisory, grouped by the year of its id, newest year first. */
export function AdvisoryIndexByYear({ summaries, base, suffix = '' }: { summaries: PublishedSummary[]; base: string; suffix?: string }): SafeHtml {
  const years = [...new Set(summaries.map((s) => s.year))].sort((a, b) => b - a);
  if (!years.length) return <p class="empty">No advisories have been published yet.</p>;
  return (
    <>
      <nav class="year-nav" aria-label="Years">
        {years.map((y) => (
          <a href={`#y${y}`}>{y}</a>
        ))}
      </nav>
      {years.map((y) => (
        <section id={`y${y}`}>
          <h2>{y}</h2>
          <AdvisoryTable summaries={summaries.filter((s) => s.year === y)} base={base} suffix={suffix} />
        </section>
      ))}
    </>
  );
}
