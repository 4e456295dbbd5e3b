// Limits of anonymous intake (issue 13, finding 3): anyone may send a report without signing in, so the
// server must bound what strangers make it hold. Three layers, all checked when the request's headers
// have arrived and BEFORE its body is read:
//  1. the declared Content-Length over the route's cap → 413 at once, and the connection is closed;
//  2. per process, how many intake bodies are read at once and how many bytes they may hold together
//     (memory is per process, so this cap is per process) → 503 with Retry-After;
//  3. per address, requests in flight and requests per minute, kept in the database so that every app
//     node shares them (intake_slots; SQLite is one node) → 429 with Retry-After.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../config/config.js';
import type { AppContext } from '../context.js';
import { AppError, errors } from '../errors/catalogue.js';
import type { Db } from '../storage/database.js';

/** Intake requests one address may start per minute (as the former per-node rate limit). */
export const INTAKE_PER_MINUTE = 10;
/** A request unfinished after this long no longer counts as in flight (its node may have died). */
const IN_FLIGHT_TTL_MS = 10 * 60_000;
const RATE_WINDOW_MS = 60_000;
/** Seconds a refused client is asked to wait while others' requests finish. */
const BUSY_RETRY_SECONDS = 5;

/** An error with the Retry-After the HTTP layer sends along (RFC 9110 §10.2.3). */
function withRetryAfter(error: AppError, seconds: number): AppError {
  return Object.assign(error, { retryAfterSeconds: Math.max(1, Math.ceil(seconds)) });
}

/** Requests from one IPv6 /64 are one address: a host gets a whole /64 and could rotate within it. */
export function addressKey(ip: string): string {
  if (!ip.includes(':') || /^::ffff:\d+\.\d+\.\d+\.\d+$/i.test(ip)) return ip.replace(/^::ffff:/i, '');
  const [head = '', tail = ''] = ip.split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = ip.includes('::') ? [...left, ...Array<string>(Math.max(0, 8 - left.length - right.length)).fill('0'), ...right] : left;
  return `${groups.slice(0, 4).map((g) => (parseInt(g, 16) || 0).toString(16)).join(':')}::/64`;
}

/** Per-process gate: bodies read at once, and the bytes they may hold together. */
export class IntakeGate {
  private inFlight = 0;
  private bytes = 0;

  constructor(private readonly maxRequests: number, private readonly maxBytes: number) {}

  /** Reserve room for a body of `size` bytes; null when the process is full. One request always fits. */
  tryEnter(size: number): (() => void) | null {
    if (this.inFlight >= this.maxRequests) return null;
    if (this.inFlight > 0 && this.bytes + size > this.maxBytes) return null;
    this.inFlight += 1;
    this.bytes += size;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.inFlight -= 1;
      this.bytes -= size;
    };
  }

  get load(): { requests: number; bytes: number } {
    return { requests: this.inFlight, bytes: this.bytes };
  }
}

/**
 * Claim a per-address slot shared by all nodes. The row is written first and counted after, each in its own
 * statement: two nodes racing for the last slot both see both rows, so they may both refuse but never
 * both accept. Refused claims are deleted again, so refusals do not extend the wait.
 */
export async function claimAddressSlot(db: Db, address: string, now: Date, maxInFlight: number): Promise<number> {
  const nowIso = now.toISOString();
  await db.deleteFrom('intake_slots').where('started_at', '<', new Date(now.getTime() - Math.max(IN_FLIGHT_TTL_MS, RATE_WINDOW_MS)).toISOString()).execute();
  const { id } = await db.insertInto('intake_slots').values({ address, started_at: nowIso, finished_at: null }).returning('id').executeTakeFirstOrThrow();
  const rows = await db
    .selectFrom('intake_slots')
    .select(['id', 'started_at', 'finished_at'])
    .where('address', '=', address)
    .where('started_at', '>=', new Date(now.getTime() - IN_FLIGHT_TTL_MS).toISOString())
    .execute();
  const others = rows.filter((r) => r.id !== id);
  const windowStart = now.getTime() - RATE_WINDOW_MS;
  const recent = others.filter((r) => Date.parse(r.started_at) > windowStart).map((r) => Date.parse(r.started_at));
  const inFlight = others.filter((r) => r.finished_at === null).length;
  let refusal: AppError | null = null;
  if (recent.length >= INTAKE_PER_MINUTE) {
    const oldest = Math.min(...recent);
    refusal = withRetryAfter(errors.rateLimited(`Too many reports from your address: at most ${INTAKE_PER_MINUTE} a minute. Wait a minute and send again.`), (oldest + RATE_WINDOW_MS - now.getTime()) / 1000);
  } else if (inFlight >= maxInFlight) {
    refusal = withRetryAfter(errors.rateLimited(`Your address is already sending ${inFlight} report${inFlight === 1 ? '' : 's'}; wait until ${inFlight === 1 ? 'it is' : 'they are'} received and send again.`), BUSY_RETRY_SECONDS);
  }
  if (refusal) {
    await db.deleteFrom('intake_slots').where('id', '=', id).execute();
    throw refusal;
  }
  return id;
}

export async function finishAddressSlot(db: Db, id: number, now: Date): Promise<void> {
  await db.updateTable('intake_slots').set({ finished_at: now.toISOString() }).where('id', '=', id).execute();
}

/** Largest multipart body of the report form: every file at its limit, plus the form's fields. */
export function reportFormBodyLimit(config: Pick<Config, 'maxAttachments' | 'maxAttachmentBytes'>): number {
  // Fields are capped at 50 × 100 kB by the multipart reader (src/http/app.ts); part headers are small.
  return config.maxAttachments * (config.maxAttachmentBytes + 2048) + 50 * (100_000 + 512) + 65_536;
}

/** What an intake request took (its share of the gate, its address slot), given back once. */
const heldByRequest = new WeakMap<FastifyRequest, () => Promise<void>>();

/**
 * The hooks of an intake route whose bodies may be `cap` bytes. onRequest runs before the body is read and
 * takes the slots; onSend gives them back before the response is written, so a client that sends again as
 * soon as it has its answer is not counted as still sending (the close of the connection came later, and
 * on a loaded database its update could lose that race). A request whose client goes away gives them back
 * on close.
 */
export function intakeGuard(app: AppContext, gate: IntakeGate, cap: number) {
  const onRequest = async (req: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const declared = req.headers['content-length'] === undefined ? null : Number(req.headers['content-length']);
    if (declared !== null && !(declared <= cap)) {
      // Closing the connection means the rest of the body is never read (RFC 9110 §15.5.14).
      void reply.header('connection', 'close');
      throw errors.tooLarge(`The request body is too large: at most ${cap} bytes are accepted here.${req.url.startsWith('/api/') ? ' Send larger or more files through the web form, or add them through your private link afterwards.' : ''}`);
    }
    // A body of unknown length (chunked) may grow to the cap: reserve that much.
    const leave = gate.tryEnter(declared ?? cap);
    if (!leave) {
      throw withRetryAfter(errors.busy('The server is receiving many reports right now. Send yours again in a few seconds: nothing was stored.'), BUSY_RETRY_SECONDS);
    }
    const db = app.storage.db;
    let slot: number | null = null;
    let released: Promise<void> | null = null;
    const release = (): Promise<void> => {
      released ??= (async () => {
        leave();
        if (slot !== null) await finishAddressSlot(db, slot, app.clock.now());
      })();
      return released;
    };
    heldByRequest.set(req, release);
    reply.raw.once('close', () => void release().catch((error: unknown) => req.log.warn({ err: error }, 'could not release an intake slot')));
    slot = await claimAddressSlot(db, addressKey(req.ip), app.clock.now(), app.config.intakePerAddress);
  };
  const onSend = async (req: FastifyRequest, _reply: FastifyReply, payload: unknown): Promise<unknown> => {
    await heldByRequest.get(req)?.();
    return payload;
  };
  return { onRequest, onSend };
}

export function newIntakeGate(config: Pick<Config, 'intakeConcurrency' | 'intakeBufferBytes'>): IntakeGate {
  return new IntakeGate(config.intakeConcurrency, config.intakeBufferBytes);
}
