// Multipart forms and CSRF without a token in the URL (issue 15, item 4). A multipart body is a stream
// that handlers read part by part, so the CSRF check cannot look at a parsed body as it does for
// urlencoded forms. Instead every multipart form puts its hidden `_csrf` field first (browsers send
// fields in tree order, HTML §4.10.21.4), the check reads just that first part, and the handler goes on
// reading the same stream from the second part. No JavaScript is needed, and no token reaches a URL, a
// Referer header or a request log.
import type { FastifyRequest } from 'fastify';
import type { Multipart } from '@fastify/multipart';
import { errors } from '../errors/catalogue.js';

/** The options every multipart reader uses: an over-size file is marked truncated, not thrown, so the form can say which. */
const PART_OPTIONS = { throwFileSizeLimit: false } as Parameters<FastifyRequest['parts']>[0];

interface Pending {
  iterator: AsyncIterator<Multipart>;
  token: string | undefined;
}

const pending = new WeakMap<FastifyRequest, Pending>();

/**
 * Read the first part of a multipart request: it must be the `_csrf` field. Returns the token (or
 * undefined when the first part is something else, which the CSRF check then refuses).
 */
export async function readLeadingCsrfField(req: FastifyRequest): Promise<string | undefined> {
  const iterator = req.parts(PART_OPTIONS)[Symbol.asyncIterator]();
  let first: IteratorResult<Multipart>;
  try {
    first = await iterator.next();
  } catch (error) {
    req.log.info({ err: error }, 'unreadable multipart form');
    throw errors.badRequest('The form data could not be read. Reload the page and send it again.');
  }
  const part = first.done ? undefined : first.value;
  const token = part?.type === 'field' && part.fieldname === '_csrf' && typeof part.value === 'string' ? part.value : undefined;
  // A first part that is not the token is given back to the reader, in case the request needs no check.
  const rest: AsyncIterator<Multipart> =
    part && token === undefined
      ? {
          next: (() => {
            let replayed = false;
            return async () => {
              if (!replayed) {
                replayed = true;
                return { done: false, value: part };
              }
              return iterator.next();
            };
          })(),
        }
      : iterator;
  pending.set(req, { iterator: rest, token });
  return token;
}

/** The token read by readLeadingCsrfField for this request, if any. */
export function leadingCsrfToken(req: FastifyRequest): string | undefined {
  return pending.get(req)?.token;
}

/** The parts of a multipart request, continuing after the CSRF field when the check has read it. */
export function formParts(req: FastifyRequest): AsyncIterable<Multipart> {
  const started = pending.get(req);
  if (started) {
    pending.delete(req);
    return { [Symbol.asyncIterator]: () => started.iterator };
  }
  return req.parts(PART_OPTIONS);
}
