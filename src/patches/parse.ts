// Reads what developers attach as a fix: `git format-patch` mail (one or a series in an mbox),
// `git show` output, or a bare diff (`diff --git`, or traditional `---`/`+++`). Structure is found
// on a byte-exact latin1 view so every message keeps its exact byte range for git; text shown to
// people is decoded as UTF-8.
import { cleanSubject, commitMessage, splitTrailers, stripSpace } from './commit-message.js';
import { parseDiff, type ParsedDiff } from './diff-parse.js';
import { rejectPatch } from './errors.js';
import { decodeEncodedWords, headerValue, isHeaderLine, parseAddress, parseHeaderBlock, parsePatchDate } from './mail-headers.js';
import type { ParsedPatch, ParsedPatchSet, PatchFileSummary, PatchInputKind } from './types.js';

// mbox separator (RFC 4155): format-patch writes `From <sha> Mon Sep 17 00:00:00 2001`.
const mboxFromLine = /^From \S+ .*\d{1,2}:\d{2}:\d{2} \d{4}\s*$/;
const gitShowCommitLine = /^commit ([0-9a-f]{7,64})(?: \(.*\))?$/;

interface Line {
  text: string;
  /** Byte offset of the line's first byte in the input. */
  start: number;
}

/** Splits a latin1 view into lines with their byte offsets (one char = one byte in latin1). */
function splitLines(bin: string): Line[] {
  const lines: Line[] = [];
  let start = 0;
  while (start < bin.length) {
    const nl = bin.indexOf('\n', start);
    const end = nl < 0 ? bin.length : nl;
    lines.push({ text: bin.slice(start, end), start });
    start = end + 1;
  }
  return lines;
}

const utf8Strict = new TextDecoder('utf-8', { fatal: true });

function latin1ToUtf8(bin: string): string {
  return Buffer.from(bin, 'latin1').toString('utf8');
}

function summaries(diff: ParsedDiff): PatchFileSummary[] {
  return diff.files.map(({ hunks: _hunks, symlinkTarget: _target, ...summary }) => summary);
}

function diffText(lines: readonly string[], diff: ParsedDiff): string {
  if (diff.files.length === 0) return '';
  return `${lines.slice(diff.start, diff.end).join('\n')}\n`;
}

function emptyPatch(position: number, byteRange: { start: number; end: number }): ParsedPatch {
  return {
    position,
    commit: null,
    author: null,
    date: null,
    subject: '',
    subjectPrefix: null,
    seriesNumber: null,
    seriesTotal: null,
    body: '',
    trailers: [],
    cherryPickedFrom: [],
    message: '',
    files: [],
    diff: '',
    coverLetter: false,
    malformed: [],
    byteRange,
  };
}

/** Index of the line where git mailinfo stops reading the message (its `patchbreak`). */
function patchBreak(lines: readonly string[], from: number): number {
  for (let i = from; i < lines.length; i++) {
    const line = lines[i] as string;
    if (line.startsWith('diff -') || line.startsWith('Index: ')) return i;
    if (/^---(\s*$| \S)/.test(line)) return i;
  }
  return lines.length;
}

function decodeBody(bin: string, encoding: string | null, charset: string): string {
  let bytes = Buffer.from(bin, 'latin1');
  const cte = (encoding ?? '').trim().toLowerCase();
  if (cte === 'base64') bytes = Buffer.from(bin.replace(/\s+/g, ''), 'base64');
  else if (cte === 'quoted-printable') {
    const soft = bin.replace(/=\r?\n/g, '');
    bytes = Buffer.from(soft.replace(/=([0-9A-Fa-f]{2})/g, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16))), 'latin1');
  }
  try {
    return new TextDecoder(charset).decode(bytes);
  } catch {
    return bytes.toString('utf8');
  }
}

/** One format-patch mail message → ParsedPatch. */
function parseMailMessage(
  bin: string,
  position: number,
  byteRange: { start: number; end: number },
  fromLine: string | null,
): ParsedPatch {
  const patch = emptyPatch(position, byteRange);
  const sep = /\r?\n\r?\n/.exec(bin);
  const headerBin = sep ? bin.slice(0, sep.index) : bin;
  const bodyBin = sep ? bin.slice(sep.index + sep[0].length) : '';
  let headerText: string;
  try {
    headerText = utf8Strict.decode(Buffer.from(headerBin, 'latin1'));
  } catch {
    throw rejectPatch('header_not_utf8', `Message ${position}: the mail headers are not valid UTF-8.`);
  }
  const fields = parseHeaderBlock(headerText.split(/\r?\n/));
  const contentType = headerValue(fields, 'Content-Type') ?? 'text/plain';
  if (/^\s*multipart\//i.test(contentType)) {
    throw rejectPatch(
      'mime_not_supported',
      `Message ${position} is a MIME multipart mail (an attachment). Upload the output of "git format-patch" itself.`,
    );
  }
  const charset = /charset="?([^";\s]+)"?/i.exec(contentType)?.[1] ?? 'utf-8';
  const bodyLines = decodeBody(bodyBin, headerValue(fields, 'Content-Transfer-Encoding'), charset)
    .split('\n')
    .map((l) => l.replace(/\r$/, '')); // git mailsplit drops CR of CRLF lines unless --keep-cr.

  // In-body From:/Date:/Subject: lines override the mail headers (git mailinfo, format-patch --from).
  let bodyStart = 0;
  const inBody: string[] = [];
  while (bodyStart < bodyLines.length && /^(From|Date|Subject):/.test(bodyLines[bodyStart] as string)) {
    inBody.push(bodyLines[bodyStart] as string);
    bodyStart++;
    while (bodyStart < bodyLines.length && /^[ \t]\S/.test(bodyLines[bodyStart] as string)) {
      inBody.push(bodyLines[bodyStart] as string);
      bodyStart++;
    }
  }
  if (inBody.length && bodyLines[bodyStart] === '') bodyStart++;
  else if (inBody.length) bodyStart = 0;
  const overrides = bodyStart > 0 ? parseHeaderBlock(inBody) : [];
  const pick = (name: string) => headerValue(overrides, name) ?? headerValue(fields, name);

  const from = pick('From');
  const date = pick('Date');
  patch.author = from ? parseAddress(from) : null;
  patch.date = date ? parsePatchDate(date) : null;
  const subject = cleanSubject(decodeEncodedWords(pick('Subject') ?? ''));
  patch.subject = subject.subject;
  patch.subjectPrefix = subject.prefix;
  patch.seriesNumber = subject.seriesNumber;
  patch.seriesTotal = subject.seriesTotal;
  const sha = fromLine ? /^From (\S+)/.exec(fromLine)?.[1] : undefined;
  patch.commit = sha && /^[0-9a-f]{7,64}$/.test(sha) ? sha : null;

  const breakAt = patchBreak(bodyLines, bodyStart);
  const messageLines = bodyLines.slice(bodyStart, breakAt);
  const split = splitTrailers(messageLines);
  patch.body = split.body.join('\n');
  patch.trailers = split.trailers;
  patch.cherryPickedFrom = split.cherryPickedFrom;
  patch.message = commitMessage(patch.subject, messageLines);

  const diff = parseDiff(bodyLines, breakAt, { stopAtSignature: true });
  patch.files = summaries(diff);
  patch.diff = diffText(bodyLines, diff);
  patch.malformed = diff.malformed;
  patch.coverLetter = diff.files.length === 0 && patch.seriesNumber === 0;
  return patch;
}

/** One commit of `git show` / `git log -p` output → ParsedPatch. */
function parseGitShowCommit(lines: readonly string[], position: number, byteRange: { start: number; end: number }): ParsedPatch {
  const patch = emptyPatch(position, byteRange);
  patch.commit = gitShowCommitLine.exec(lines[0] ?? '')?.[1] ?? null;
  let i = 1;
  const headers: string[] = [];
  while (i < lines.length && lines[i] !== '') headers.push(lines[i++] as string);
  const fields = parseHeaderBlock(headers);
  const author = headerValue(fields, 'Author');
  const date = headerValue(fields, 'AuthorDate') ?? headerValue(fields, 'Date');
  patch.author = author ? parseAddress(author) : null;
  patch.date = date ? parsePatchDate(date) : null;
  i++;
  // The message is indented by four spaces; it ends at the first line that is not.
  const message: string[] = [];
  while (i < lines.length) {
    const line = lines[i] as string;
    if (line.startsWith('    ')) message.push(line.slice(4));
    else if (line === '' && (lines[i + 1] ?? '').startsWith('    ')) message.push('');
    else break;
    i++;
  }
  const cleaned = stripSpace(message);
  // As format-patch does, the first paragraph is the subject.
  const firstBlank = cleaned.indexOf('');
  patch.subject = (firstBlank < 0 ? cleaned : cleaned.slice(0, firstBlank)).join(' ').trim();
  const bodyLines = firstBlank < 0 ? [] : cleaned.slice(firstBlank + 1);
  const split = splitTrailers(bodyLines);
  patch.body = split.body.join('\n');
  patch.trailers = split.trailers;
  patch.cherryPickedFrom = split.cherryPickedFrom;
  patch.message = commitMessage(patch.subject, bodyLines);
  const diff = parseDiff(lines, i);
  patch.files = summaries(diff);
  patch.diff = diffText(lines, diff);
  patch.malformed = diff.malformed;
  return patch;
}

function detectKind(lines: readonly Line[]): PatchInputKind {
  const first = lines.find((l) => l.text.trim() !== '')?.text ?? '';
  if (mboxFromLine.test(first)) return 'format-patch';
  if (gitShowCommitLine.test(first)) return 'git-show';
  if (isHeaderLine(first)) {
    const block: string[] = [];
    for (const line of lines) {
      if (line.text.replace(/\r$/, '') === '') {
        if (block.length) break;
        continue;
      }
      block.push(line.text);
    }
    const fields = parseHeaderBlock(block);
    if (headerValue(fields, 'From') !== null && headerValue(fields, 'Subject') !== null) return 'format-patch';
  }
  return lines.some((l) => l.text.startsWith('diff --git ')) ? 'git-diff' : 'unified-diff';
}

/** Indices of lines that start a unit (mail message or commit). */
function unitStarts(lines: readonly Line[], kind: PatchInputKind): number[] {
  const starts: number[] = [];
  lines.forEach((line, i) => {
    if (kind === 'format-patch' && mboxFromLine.test(line.text)) starts.push(i);
    if (kind === 'git-show' && gitShowCommitLine.test(line.text) && /^(Author|Merge):/.test(lines[i + 1]?.text ?? '')) {
      starts.push(i);
    }
  });
  // The first unit starts at the first non-blank line, the one detectKind judged.
  const first = Math.max(0, lines.findIndex((l) => l.text.trim() !== ''));
  if (starts[0] !== first) starts.unshift(first);
  return starts;
}

/**
 * Parses patch input. Throws a PatchRejectedError (`not_a_patch`, `header_not_utf8`,
 * `mime_not_supported`, `empty_message`) when it is not something git could apply.
 * It does not judge safety: use `parseUntrustedPatch` (safety.ts) for uploads.
 */
export function parsePatchSet(input: string | Uint8Array): ParsedPatchSet {
  const bytes = typeof input === 'string' ? Buffer.from(input, 'utf8') : Buffer.from(input.buffer, input.byteOffset, input.byteLength);
  const bin = bytes.toString('latin1');
  const lines = splitLines(bin);
  const kind = detectKind(lines);
  const patches: ParsedPatch[] = [];

  if (kind === 'format-patch' || kind === 'git-show') {
    const starts = unitStarts(lines, kind);
    starts.forEach((startLine, n) => {
      const endLine = starts[n + 1] ?? lines.length;
      const byteStart = lines[startLine]?.start ?? 0;
      const byteEnd = lines[endLine]?.start ?? bin.length;
      const unit = bin.slice(byteStart, byteEnd);
      if (kind === 'format-patch') {
        const first = lines[startLine]?.text ?? '';
        const hasFromLine = mboxFromLine.test(first);
        const messageBin = hasFromLine ? unit.slice(first.length + 1) : unit;
        patches.push(parseMailMessage(messageBin, n + 1, { start: byteStart, end: byteEnd }, hasFromLine ? first : null));
      } else {
        const text = latin1ToUtf8(unit).split('\n');
        patches.push(parseGitShowCommit(text, n + 1, { start: byteStart, end: byteEnd }));
      }
    });
  } else {
    const text = latin1ToUtf8(bin).split('\n');
    const diff = parseDiff(text, 0);
    const patch = emptyPatch(1, { start: 0, end: bytes.length });
    patch.files = summaries(diff);
    patch.diff = diffText(text, diff);
    patch.malformed = diff.malformed;
    patches.push(patch);
  }

  if (!patches.some((p) => p.files.length > 0)) {
    throw rejectPatch(
      'not_a_patch',
      'This is not a patch: no file changes were found. Upload the output of "git format-patch", "git show" or "git diff".',
    );
  }
  const empty = patches.find((p) => p.files.length === 0 && !p.coverLetter);
  if (empty) {
    throw rejectPatch('empty_message', `Message ${empty.position} ("${empty.subject}") contains no diff.`);
  }
  return { kind, applyWith: kind === 'format-patch' ? 'git am' : 'git apply', patches, byteLength: bytes.length };
}
