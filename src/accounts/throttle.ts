// Sign-in delays instead of a hard lock (issue 13 item 8). A hard lock let anyone keep any account — the
// VMT's included — out for good with five wrong passwords, and its "locked" answer confirmed the account
// existed. Now each attempt adds to three back-off counters (a right password takes it back), and a
// sign-in is refused without looking at the password while one of them is blocked:
//   - the (account, address) pair: the attacker's own address slows down fast (3 free, then 1 s, 2 s, 4 s … 15 min);
//   - the address, across accounts: password spraying from one address (30 free, then 1 s … 15 min);
//   - the account, from everywhere: a gentle global delay (10 free, then 1 s … 60 s) against a botnet.
// A browser in which the account signed in fully before holds a signed "known device" cookie; from it
// only that device's own counter applies, so an attacker elsewhere cannot delay the owner at all
// (OWASP "device cookies"). The owner on a new device waits at most the global cap, 60 s.
// The counters are keyed by the account when it exists and by the name typed when it does not, and the
// answer is the same for both, so the delays reveal nothing. They live in the database (src/http/limits.ts):
// shared by all app nodes.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from '../context.js';
import { errors } from '../errors/catalogue.js';
import { blockedFor, forget, takeAttempt, untake } from '../http/limits.js';
import type { Db } from '../storage/database.js';
import { randomToken } from './secrets.js';

interface BackOff {
  /** Failures allowed before any delay. */
  free: number;
  maxDelayMs: number;
  /** A run of failures is forgotten after this long without one. */
  forgetAfterMs: number;
}

const DAY = 24 * 3600_000;
export const PAIR_BACKOFF: BackOff = { free: 3, maxDelayMs: 15 * 60_000, forgetAfterMs: DAY };
export const ADDRESS_BACKOFF: BackOff = { free: 30, maxDelayMs: 15 * 60_000, forgetAfterMs: DAY };
export const ACCOUNT_BACKOFF: BackOff = { free: 10, maxDelayMs: 60_000, forgetAfterMs: DAY };

export const DEVICE_COOKIE = 'cordon_device';

/** 1 s after the first failure past the free ones, doubling, up to the cap. */
export function backOffDelayMs(policy: BackOff, failures: number): number {
  if (failures <= policy.free) return 0;
  return Math.min(policy.maxDelayMs, 1000 * 2 ** Math.min(30, failures - policy.free - 1));
}

/** Whose counters a sign-in attempt touches. */
export interface Attempt {
  /** `u<id>` for an existing account, `n:<name>` for a name that has none: both behave the same. */
  account: string;
  address: string;
  /** The device id from a valid known-device cookie of this account, if the browser has one. */
  device: string | null;
}

function keysOf(a: Attempt): { key: string; policy: BackOff }[] {
  if (a.device) return [{ key: `login:device:${a.account}:${a.device}`, policy: PAIR_BACKOFF }];
  return [
    { key: `login:pair:${a.account}:${a.address}`, policy: PAIR_BACKOFF },
    { key: `login:address:${a.address}`, policy: ADDRESS_BACKOFF },
    { key: `login:account:${a.account}`, policy: ACCOUNT_BACKOFF },
  ];
}

/**
 * Count this attempt on each of its counters before the password is checked, atomically, so a burst of
 * parallel guesses cannot all slip in before the first failure is recorded. Refuses (429, Retry-After,
 * the password unchecked) while a counter is blocked.
 */
export async function takeSignInAttempt(db: Db, now: Date, attempt: Attempt): Promise<void> {
  const keys = keysOf(attempt);
  const waitMs = await blockedFor(db, keys.map((k) => k.key), now);
  if (waitMs > 0) throw errors.signInDelayed(Math.ceil(waitMs / 1000));
  for (const { key, policy } of keys) {
    const taken = await takeAttempt(db, key, now, { ttlMs: policy.forgetAfterMs, delayMs: (n) => backOffDelayMs(policy, n) });
    if (taken === null) throw errors.signInDelayed(Math.max(1, Math.ceil((await blockedFor(db, [key], now)) / 1000)));
  }
}

/**
 * A right password: this source's own counters are cleared, and the attempt is taken back from the shared
 * ones (a block already set stays until it ends; the address and account counters fade with time).
 */
export async function recordSignInSuccess(db: Db, attempt: Attempt): Promise<void> {
  const own = attempt.device ? [`login:device:${attempt.account}:${attempt.device}`] : [`login:pair:${attempt.account}:${attempt.address}`];
  await forget(db, own);
  if (!attempt.device) await untake(db, [`login:address:${attempt.address}`, `login:account:${attempt.account}`]);
}

/** The device id of a known-device cookie, when it is validly signed and belongs to `userId`. */
export function knownDevice(req: FastifyRequest, userId: number | null): string | null {
  const raw = req.cookies[DEVICE_COOKIE];
  if (!raw || userId === null) return null;
  const unsigned = req.unsignCookie(raw);
  if (!unsigned.valid || !unsigned.value) return null;
  const m = /^u(\d+)\.([A-Za-z0-9_-]{16,64})$/.exec(unsigned.value);
  return m && Number(m[1]) === userId ? m[2]! : null;
}

/** After a full sign-in (password and second factor), remember this browser for the account (one year). */
export function rememberDevice(app: AppContext, reply: FastifyReply, userId: number, existing: string | null): void {
  void reply.setCookie(DEVICE_COOKIE, `u${userId}.${existing ?? randomToken(16)}`, {
    path: '/login',
    httpOnly: true,
    sameSite: 'lax',
    signed: true,
    secure: app.config.publicUrl.startsWith('https://'),
    maxAge: 365 * 24 * 3600,
  });
}
