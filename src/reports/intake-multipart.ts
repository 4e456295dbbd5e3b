// Reading a report form sent as multipart/form-data (fields plus attachments), or as a plain urlencoded form
// when no file is sent. Nothing is dropped silently: a truncated field, a file over the size limit or one
// file too many becomes a problem the form shows next to the kept values (DESIGN.md §5).
import type { FastifyRequest } from 'fastify';
import type { Config } from '../config/config.js';
import { errors, type FieldIssue } from '../errors/catalogue.js';
import { formBody, type FormBody } from '../http/forms.js';
import { formParts } from '../http/multipart.js';
import type { AttachmentInput } from './intake.js';

export interface ReadForm {
  fields: FormBody;
  /** Files whose content arrived whole (a chosen but empty file is kept here: validation names it). */
  files: AttachmentInput[];
  /** Problems found while reading: too-long fields, files over the size limit, too many files or fields. */
  issues: FieldIssue[];
  /** A file was over the size limit or there were too many files: answer 413. */
  tooLarge: boolean;
}

const MiB = 1_048_576;

export function describeBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} byte${bytes === 1 ? '' : 's'}`;
  return bytes >= MiB ? `${Math.round((bytes / MiB) * 10) / 10} MiB` : `${Math.round(bytes / 1024)} KiB`;
}

function addField(fields: FormBody, name: string, value: string): void {
  const prev = fields[name];
  fields[name] = prev === undefined ? value : Array.isArray(prev) ? [...prev, value] : [prev, value];
}

/** A urlencoded form holds only strings; anything else (a JSON body sent here) is not a form field. */
function textOnly(form: FormBody): FormBody {
  const out: FormBody = {};
  for (const [k, v] of Object.entries(form)) {
    if (typeof v === 'string') out[k] = v;
    else if (Array.isArray(v) && v.every((x) => typeof x === 'string')) out[k] = v;
  }
  return out;
}

/** The multipart limit errors of @fastify/multipart, by code (FST_FILES_LIMIT …). */
function limitCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^FST_(FILES|FIELDS|PARTS)_LIMIT$/.test(code) ? code : undefined;
}

export async function readReportForm(req: FastifyRequest, config: Config, fileField = 'attachments'): Promise<ReadForm> {
  if (!req.isMultipart()) return { fields: textOnly(formBody(req)), files: [], issues: [], tooLarge: false };
  const fields: FormBody = {};
  const files: AttachmentInput[] = [];
  const issues: FieldIssue[] = [];
  let tooLarge = false;
  // The size limit is checked per file (truncated → problem) rather than thrown (formParts), so the fields
  // that follow are still read and the form can be shown again with everything typed.
  try {
    for await (const part of formParts(req)) {
      if (part.type === 'field') {
        if (part.valueTruncated) issues.push({ field: part.fieldname, message: `This is too long (more than ${describeBytes(100_000)}).` });
        // A part sent as application/json arrives parsed; a form field is text, so keep its text.
        addField(fields, part.fieldname, typeof part.value === 'string' ? part.value : JSON.stringify(part.value) ?? '');
        continue;
      }
      const chunks: Buffer[] = [];
      for await (const chunk of part.file) chunks.push(chunk as Buffer);
      const content = Buffer.concat(chunks);
      // A file input with nothing chosen still sends an empty part without a file name.
      if (!part.filename && content.length === 0) continue;
      if (part.fieldname !== fileField) continue;
      if (part.file.truncated) {
        tooLarge = true;
        issues.push({ field: `${fileField}.${files.length}`, message: `${part.filename || 'A file'} is larger than ${describeBytes(config.maxAttachmentBytes)}, the most we accept per file.` });
        continue;
      }
      files.push({ filename: part.filename, contentType: part.mimetype, content });
    }
  } catch (error) {
    const code = limitCode(error);
    if (code === 'FST_FILES_LIMIT') {
      tooLarge = true;
      issues.push({ field: fileField, message: `Attach at most ${config.maxAttachments} files.` });
    } else if (code) {
      tooLarge = true;
      issues.push({ field: 'form', message: 'The form has too many fields.' });
    } else {
      req.log.info({ err: error }, 'unreadable multipart form');
      throw errors.badRequest('The form data could not be read. Reload the page and send it again.');
    }
  }
  return { fields, files, issues, tooLarge };
}
