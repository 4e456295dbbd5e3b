// Commit message rules as git applies them: subject prefix stripping (git mailinfo's
// cleanup_subject), whitespace cleanup (git stripspace, which `git am` runs) and trailers
// (git interpret-trailers: the last paragraph made of `Token: value` lines).
import type { PatchTrailer } from './types.js';

export interface CleanSubject {
  subject: string;
  prefix: string | null;
  seriesNumber: number | null;
  seriesTotal: number | null;
}

/** Strips leading `Re:` and `[…]` groups as `git am` does; keeps what the brackets said. */
export function cleanSubject(raw: string): CleanSubject {
  let rest = raw.replace(/\s+/g, ' ').trim();
  const groups: string[] = [];
  for (;;) {
    const re = /^re:\s*/i.exec(rest);
    if (re) {
      rest = rest.slice(re[0].length);
      continue;
    }
    const bracket = /^\[([^\]]*)\]\s*/.exec(rest);
    if (bracket) {
      groups.push((bracket[1] as string).trim());
      rest = rest.slice(bracket[0].length);
      continue;
    }
    break;
  }
  const prefix = groups.length ? groups.join(' ') : null;
  const numbering = prefix ? /(?:^|\s)(\d+)\/(\d+)(?:\s|$)/.exec(prefix) : null;
  return {
    subject: rest,
    prefix,
    seriesNumber: numbering ? Number(numbering[1]) : null,
    seriesTotal: numbering ? Number(numbering[2]) : null,
  };
}

/** git stripspace: trailing whitespace off each line, runs of blank lines collapsed, ends trimmed. */
export function stripSpace(lines: readonly string[]): string[] {
  const out: string[] = [];
  for (const raw of lines) {
    const line = raw.replace(/\s+$/, '');
    if (line === '' && (out.length === 0 || out[out.length - 1] === '')) continue;
    out.push(line);
  }
  while (out.length && out[out.length - 1] === '') out.pop();
  return out;
}

const trailerLine = /^([A-Za-z0-9][A-Za-z0-9-]*)\s*:\s?(.*)$/;
const cherryPickLine = /^\(cherry picked from commit ([0-9a-f]{7,64})\)$/;

export interface SplitTrailers {
  body: string[];
  trailers: PatchTrailer[];
  cherryPickedFrom: string[];
}

/** Separates the trailer block (last paragraph, every line a trailer or a continuation). */
export function splitTrailers(bodyLines: readonly string[]): SplitTrailers {
  const lines = stripSpace(bodyLines);
  let start = lines.length;
  while (start > 0 && lines[start - 1] !== '') start--;
  const block = lines.slice(start);
  const trailers: PatchTrailer[] = [];
  const cherryPickedFrom: string[] = [];
  let ok = block.length > 0;
  for (const line of block) {
    const cherry = cherryPickLine.exec(line);
    const trailer = trailerLine.exec(line);
    if (cherry) cherryPickedFrom.push(cherry[1] as string);
    else if (trailer) trailers.push({ key: trailer[1] as string, value: (trailer[2] as string).trim() });
    else if (/^\s/.test(line) && trailers.length) {
      const last = trailers[trailers.length - 1] as PatchTrailer;
      last.value = `${last.value} ${line.trim()}`;
    } else {
      ok = false;
      break;
    }
  }
  if (!ok || (trailers.length === 0 && cherryPickedFrom.length === 0)) return { body: lines, trailers: [], cherryPickedFrom: [] };
  const body = lines.slice(0, start);
  while (body.length && body[body.length - 1] === '') body.pop();
  return { body, trailers, cherryPickedFrom };
}

/** The commit message git records: subject, blank line, body (cleaned), newline-terminated. */
export function commitMessage(subject: string, bodyLines: readonly string[]): string {
  const body = stripSpace(bodyLines);
  return body.length ? `${subject}\n\n${body.join('\n')}\n` : `${subject}\n`;
}
