// Turning an opened message into report fields: clean one-line titles (no header-injection residue),
// clean bodies (no control characters), quoted-reply trimming, the affected project, automatic mail.
import type { Db } from '../storage/database.js';
import { vmtOverseenProjects } from '../projects/projects.js';
import { headerValue } from './inbound-store.js';

/** Why a message was not processed: a stable code and a sentence for the admin. */
export class Quarantine extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'Quarantine';
  }
}

// C0 controls except tab and line feed, DEL and C1 controls: never stored in report text.
// eslint-disable-next-line no-control-regex -- the control characters are exactly what is removed
const controlCharacters = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;

export function cleanText(text: string): string {
  return text.replace(/\r\n?/g, '\n').replace(controlCharacters, '').replace(/[ \t]+$/gm, '').trim();
}

/** A single line: any CR/LF a sender smuggled into an encoded subject becomes a space. */
export function cleanLine(text: string, max: number): string {
  const line = text.replace(/[\r\n\t]+/g, ' ').replace(controlCharacters, '').replace(/\s+/g, ' ').trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

/** Drops the quoted original under a reply ("On … wrote:" and the ">" lines), as mail clients show it. */
export function stripQuotedReply(text: string): string {
  const lines = text.split('\n');
  const cut = lines.findIndex((line) => /^-{2,}\s*Original Message\s*-{2,}$/i.test(line.trim()));
  const kept = (cut >= 0 ? lines.slice(0, cut) : lines).filter((line) => !/^\s*>/.test(line));
  while (kept.length && /^On .+ wrote:\s*$/.test(kept[kept.length - 1] ?? '')) kept.pop();
  return kept.join('\n').trim();
}

// An address with a control character in it (a NUL, say) is no address: it would be refused by
// PostgreSQL's text type and could smuggle a look-alike (fuzz finding, src/mail/__fuzz__/mail-ingest).
// eslint-disable-next-line no-control-regex -- the control characters are exactly what is refused
const controlInAddress = /[\u0000-\u001f\u007f-\u009f]/;

export function firstAddress(value: string | undefined): string | null {
  if (!value) return null;
  const angled = /<([^<>\s]+@[^<>\s]+)>/.exec(value);
  const bare = angled ? angled[1] : /([^\s<>",;:()]+@[^\s<>",;:()]+)/.exec(value)?.[1];
  return bare && !controlInAddress.test(bare) ? bare.toLowerCase() : null;
}

export function allAddresses(value: string | undefined): string[] {
  return [...(value ?? '').matchAll(/([^\s<>",;:()]+@[^\s<>",;:()]+)/g)]
    .map((m) => (m[1] ?? '').toLowerCase())
    .filter((address) => !controlInAddress.test(address));
}

/** Bounces, auto-replies and list traffic (RFC 3834 Auto-Submitted, RFC 3464 reports) never become reports. */
export function automaticReason(fields: { name: string; value: string }[], envelopeFrom: string | null): string | null {
  const autoSubmitted = headerValue(fields, 'Auto-Submitted');
  if (autoSubmitted && !/^no\b/i.test(autoSubmitted)) return `Auto-Submitted: ${cleanLine(autoSubmitted, 60)}`;
  if (/^multipart\/report\b/i.test(headerValue(fields, 'Content-Type') ?? '')) return 'a delivery status report (bounce)';
  if (/^(bulk|junk|auto_reply)\b/i.test(headerValue(fields, 'Precedence') ?? '')) return `Precedence: ${cleanLine(headerValue(fields, 'Precedence') ?? '', 30)}`;
  const from = firstAddress(headerValue(fields, 'From')) ?? '';
  if (/^(mailer-daemon|postmaster)@/i.test(from) || envelopeFrom === '' || envelopeFrom === '<>') return 'a bounce (from the mail system)';
  return null;
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Which project a mailed report is about: an explicit "Project: nova" line, a "[nova]" subject tag, the
 * project named in the subject, or the only project the VMT oversees.
 */
export async function detectProjects(db: Db, subject: string, body: string, override?: string): Promise<string[]> {
  // By slug, so the first match is always the same project.
  const projects = (await vmtOverseenProjects(db)).sort((a, b) => (a.slug < b.slug ? -1 : a.slug > b.slug ? 1 : 0));
  const lookup = (token: string) => {
    const t = token.trim().toLowerCase();
    return projects.find((p) => p.slug === t || p.name.toLowerCase() === t)?.slug;
  };
  if (override) {
    const slug = lookup(override);
    if (!slug) throw new Quarantine('no_project', `There is no project "${override.slice(0, 60)}" that the VMT oversees.`);
    return [slug];
  }
  const named = new Set<string>();
  for (const line of body.split('\n').slice(0, 40)) {
    const match = /^\s*projects?\s*:\s*(.+)$/i.exec(line);
    if (match) for (const part of (match[1] ?? '').split(/[,;]/)) { const slug = lookup(part); if (slug) named.add(slug); }
  }
  for (const tag of subject.matchAll(/\[([^\]]{1,60})\]/g)) { const slug = lookup(tag[1] ?? ''); if (slug) named.add(slug); }
  if (named.size === 0) {
    for (const p of projects) {
      const words = [p.slug, p.name].map((w) => new RegExp(`(^|[^\\p{L}\\p{N}])${escapeRegExp(w)}($|[^\\p{L}\\p{N}])`, 'iu'));
      if (words.some((w) => w.test(subject))) named.add(p.slug);
    }
  }
  if (named.size === 0 && projects.length === 1 && projects[0]) named.add(projects[0].slug);
  return [...named];
}
