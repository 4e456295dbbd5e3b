// From the outside to a ReportInput: the web form's fields and the API's JSON body (same names, snake_case),
// checked together so that one answer lists every problem, then handed to receiveReport.
import { Type, type Static } from '@sinclair/typebox';
import type { Config } from '../config/config.js';
import type { Scope } from '../context.js';
import { AppError, errors, type FieldIssue } from '../errors/catalogue.js';
import { list, str, type FormBody } from '../http/forms.js';
import { LIMITS, receiveReport, validateReportInput, type AttachmentInput, type ReceivedReport, type ReportInput } from './intake.js';

/** The honeypot: invisible to people, tempting to form-filling robots. */
export const HONEYPOT_FIELD = 'leave_this_blank';

const INVALID_MESSAGE = 'The report could not be accepted yet: some fields need fixing.';

export function reportInputFromForm(form: FormBody): ReportInput {
  const stayAnonymous = str(form, 'stay_anonymous') === 'on';
  return {
    title: str(form, 'title'),
    description: str(form, 'description'),
    projects: list(form, 'projects').filter(Boolean),
    affectedVersions: str(form, 'affected_versions'),
    reproduction: str(form, 'reproduction'),
    alreadyPublic: str(form, 'already_public') === 'on',
    exploited: str(form, 'exploited') === 'on',
    disclosureTerms: str(form, 'disclosure_terms'),
    creditName: stayAnonymous ? '' : str(form, 'credit_name').trim(),
    creditAffiliation: stayAnonymous ? '' : str(form, 'credit_affiliation').trim(),
    creditWanted: !stayAnonymous,
    email: str(form, 'email').trim(),
    pgpKey: str(form, 'pgp_key'),
  };
}

// Generous string caps: the real limits (LIMITS) are checked by validateReportInput with clearer messages;
// these only stop absurd bodies early.
const longText = (n: number) => Type.String({ maxLength: n * 4 });

export function reportApiBody(config: Pick<Config, 'maxAttachments' | 'maxAttachmentBytes'>) {
  const limits =
    `Attachments: at most ${config.maxAttachments} files and ${config.maxAttachmentBytes} bytes of content in all, base64 (RFC 4648 §4, padded); ` +
    `a body over ${reportApiBodyLimit(config)} bytes is answered 413 from its Content-Length, before it is read. ` +
    'Send larger or more files through the web form (/report), or add them through the private link (follow_url) afterwards. ' +
    'Each address may have INTAKE_PER_ADDRESS submissions in flight and start 10 a minute (429 with Retry-After); ' +
    'a server busy with other submissions answers 503 with Retry-After. Nothing is stored on any refusal.';
  return Type.Object(
    {
      title: longText(LIMITS.title),
      description: longText(LIMITS.description),
      projects: Type.Array(Type.String({ maxLength: 63 }), { maxItems: 50 }),
      affected_versions: Type.Optional(longText(LIMITS.text)),
      reproduction: Type.Optional(longText(LIMITS.text)),
      already_public: Type.Optional(Type.Boolean()),
      exploited: Type.Optional(Type.Boolean()),
      disclosure_terms: Type.Optional(longText(LIMITS.text)),
      credit_name: Type.Optional(longText(LIMITS.name)),
      credit_affiliation: Type.Optional(longText(LIMITS.name)),
      stay_anonymous: Type.Optional(Type.Boolean()),
      email: Type.String({ maxLength: 320 }),
      pgp_key: Type.Optional(Type.String({ maxLength: 1_000_000 })),
      attachments: Type.Optional(
        Type.Array(Type.Object({ filename: Type.String({ minLength: 1, maxLength: 255 }), content_base64: Type.String() }, { additionalProperties: false }), {
          // One more than allowed, so that "too many" is answered by the same clear message as on the web form.
          maxItems: config.maxAttachments + 1,
        }),
      ),
    },
    { additionalProperties: false, description: `A new private report, from anyone. ${limits}` },
  );
}

export type ReportApiBody = Static<ReturnType<typeof reportApiBody>>;

/**
 * Largest JSON body the API accepts: MAX_ATTACHMENT_BYTES of attachments in all, in base64 (with line breaks
 * every 76 characters, RFC 2045 §6.8), plus the text fields. Not every file at its limit: a JSON body is
 * held whole in memory while it is parsed, so ten such files (140 MB) from strangers could exhaust it
 * (issue 13, finding 3). More or larger files go through the web form or the private link, read part by part.
 */
export function reportApiBodyLimit(config: Pick<Config, 'maxAttachments' | 'maxAttachmentBytes'>): number {
  const base64 = Math.ceil(config.maxAttachmentBytes / 3) * 4;
  return base64 + Math.ceil(base64 / 76) * 2 + config.maxAttachments * 1024 + 1_048_576;
}

/**
 * Strict base64 (RFC 4648 §4, padded), checked in one pass: a regular expression with a repeated group
 * backtracks per character and overflowed V8's stack on a few megabytes (issue 13, finding 4).
 */
export function isPaddedBase64(text: string): boolean {
  if (text.length % 4 !== 0) return false;
  const padFrom = text.endsWith('==') ? text.length - 2 : text.endsWith('=') ? text.length - 1 : text.length;
  for (let i = 0; i < padFrom; i++) {
    const c = text.charCodeAt(i);
    const ok = (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 43 || c === 47;
    if (!ok) return false;
  }
  // Padding only completes the last group of four, never stands alone.
  return padFrom === text.length || padFrom % 4 >= 2;
}

export function reportInputFromJson(body: ReportApiBody, config: Pick<Config, 'maxAttachmentBytes'>): { input: ReportInput; files: AttachmentInput[]; issues: FieldIssue[] } {
  const stayAnonymous = body.stay_anonymous === true;
  const issues: FieldIssue[] = [];
  const files: AttachmentInput[] = [];
  (body.attachments ?? []).forEach((a, i) => {
    const text = a.content_base64.replace(/\r?\n/g, '');
    if (!isPaddedBase64(text)) issues.push({ field: `attachments.${i}.content_base64`, message: 'is not valid base64 (RFC 4648 §4, with padding).' });
    else files.push({ filename: a.filename, contentType: 'application/octet-stream', content: Buffer.from(text, 'base64') });
  });
  const total = files.reduce((sum, f) => sum + f.content.length, 0);
  if (total > config.maxAttachmentBytes) {
    issues.push({ field: 'attachments', message: `The JSON API takes at most ${config.maxAttachmentBytes} bytes of attachments in all. Send larger or more files through the web form, or add them through your private link.` });
  }
  const input: ReportInput = {
    title: body.title,
    description: body.description,
    projects: body.projects,
    affectedVersions: body.affected_versions ?? '',
    reproduction: body.reproduction ?? '',
    alreadyPublic: body.already_public ?? false,
    exploited: body.exploited ?? false,
    disclosureTerms: body.disclosure_terms ?? '',
    creditName: stayAnonymous ? '' : (body.credit_name ?? '').trim(),
    creditAffiliation: stayAnonymous ? '' : (body.credit_affiliation ?? '').trim(),
    creditWanted: !stayAnonymous,
    email: body.email.trim(),
    pgpKey: body.pgp_key ?? '',
  };
  return { input, files, issues };
}

/** Rules of the intake forms on top of validateReportInput: a credit needs a name (as setCredit requires). */
function intakeIssues(input: ReportInput): FieldIssue[] {
  if (input.creditWanted && !input.creditName?.trim()) {
    return [{ field: 'credit_name', message: 'Give the name to credit, or choose to stay anonymous.' }];
  }
  return [];
}

/**
 * Validate everything at once (problems found while reading the request included), then store the report.
 * Throws one validation error listing every problem; nothing is stored unless all is well.
 */
export async function receiveCheckedReport(scope: Scope, input: ReportInput, files: AttachmentInput[], source: 'web' | 'api', readIssues: FieldIssue[] = []): Promise<ReceivedReport> {
  const issues = [...readIssues, ...intakeIssues(input)];
  if (issues.length) {
    try {
      await validateReportInput(scope, input, files);
    } catch (error) {
      if (!(error instanceof AppError) || error.code !== 'validation_failed') throw error;
      issues.push(...error.fields.filter((f) => !issues.some((i) => i.field === f.field && i.message === f.message)));
    }
    throw errors.validation(issues, INVALID_MESSAGE);
  }
  return receiveReport(scope, input, files, source);
}
