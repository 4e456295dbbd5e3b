// Reading the patch upload form: multipart/form-data with patch files (the CSRF token is the first
// field, see src/http/multipart.ts), or a urlencoded form with a pasted patch. Field values stay
// strings; file contents stay bytes (a patch need not be UTF-8).
import type { FastifyRequest } from 'fastify';
import { AppError, type FieldIssue } from '../errors/catalogue.js';
import { formBody, type FormBody } from '../http/forms.js';
import { formParts } from '../http/multipart.js';
import type { PatchFileInput } from './upload.js';

export interface PatchForm {
  fields: FormBody;
  files: PatchFileInput[];
}

function addField(fields: FormBody, name: string, value: string): void {
  const prev = fields[name];
  fields[name] = prev === undefined ? value : Array.isArray(prev) ? [...prev, value] : [prev, value];
}

function fieldList(form: FormBody, name: string): string[] {
  const v = form[name];
  return v === undefined ? [] : (Array.isArray(v) ? v : [v]).filter((x): x is string => typeof x === 'string');
}

/** The form's fields and the files of `fileField`, plus the pasted text of `pasteField` as one more file. */
export async function readPatchForm(req: FastifyRequest, fileField = 'files', pasteField = 'mbox'): Promise<PatchForm> {
  const fields: FormBody = {};
  const files: PatchFileInput[] = [];
  if (req.isMultipart()) {
    const issues: FieldIssue[] = [];
    try {
      for await (const part of formParts(req)) {
        if (part.type === 'field') {
          addField(fields, part.fieldname, typeof part.value === 'string' ? part.value : '');
          continue;
        }
        const chunks: Buffer[] = [];
        for await (const chunk of part.file) chunks.push(chunk as Buffer);
        if (part.fieldname !== fileField || (!part.filename && chunks.length === 0)) continue;
        if (part.file.truncated) {
          issues.push({ field: 'patch', message: `${part.filename || 'A file'} is larger than the most a request may carry.` });
          continue;
        }
        files.push({ name: part.filename || 'the uploaded file', content: Buffer.concat(chunks) });
      }
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      if (typeof code === 'string' && /^FST_(FILES|FIELDS|PARTS)_LIMIT$/.test(code)) {
        throw new AppError('payload_too_large', 'Too many files in one upload.', [{ field: 'patch', message: 'Too many files in one upload.' }]);
      }
      throw error;
    }
    if (issues.length) throw new AppError('payload_too_large', issues.map((i) => i.message).join(' '), issues);
  } else {
    for (const [k, v] of Object.entries(formBody(req))) for (const s of fieldList({ [k]: v }, k)) addField(fields, k, s);
  }
  const pasted = fieldList(fields, pasteField).join('\n');
  // Browsers send textarea line breaks as CRLF (HTML form submission rules); git patches use LF.
  if (pasted.trim()) files.push({ name: 'the pasted patch', content: Buffer.from(pasted.replace(/\r\n/g, '\n'), 'utf8') });
  return { fields, files };
}

export { fieldList };
