// One POST of a delivery. It connects to the address address-rules.ts checked (the name is not looked up
// again, so a DNS answer that changes between the check and the connection cannot point it inward), follows
// no redirect, and gives up after WEBHOOK_TIMEOUT_MS.
import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import { resolveTarget, RefusedTarget } from './address-rules.js';

export type SendResult =
  | { kind: 'answered'; statusCode: number; durationMs: number }
  | { kind: 'timeout' | 'network' | 'refused'; error: string; durationMs: number };

export interface SendOptions {
  url: URL;
  headers: Record<string, string>;
  body: string;
  timeoutMs: number;
  allowPrivate: boolean;
}

/** A lookup that answers with the checked address whatever it is asked (Node 20 asks with `all: true`). */
function pinnedLookup(address: string, family: 4 | 6): LookupFunction {
  return ((_host: string, options: { all?: boolean }, callback: (...args: unknown[]) => void) => {
    if (options?.all) callback(null, [{ address, family }]);
    else callback(null, address, family);
  }) as unknown as LookupFunction;
}

export async function sendDelivery(options: SendOptions, clockMs: () => number = () => performance.now()): Promise<SendResult> {
  const started = clockMs();
  const elapsed = () => Math.round(clockMs() - started);
  let target;
  try {
    target = await resolveTarget(options.url, options.allowPrivate);
  } catch (error) {
    if (error instanceof RefusedTarget) return { kind: 'refused', error: error.message, durationMs: elapsed() };
    throw error;
  }
  const client = options.url.protocol === 'https:' ? https : http;
  return new Promise<SendResult>((resolve) => {
    let settled = false;
    const done = (result: SendResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(result);
    };
    const req = client.request(
      options.url,
      {
        method: 'POST',
        // The certificate is still checked against the URL's host name (servername), not the address.
        lookup: pinnedLookup(target.address, target.family),
        headers: { ...options.headers, 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(options.body)), 'user-agent': 'Cordon-Webhooks' },
        agent: false,
      },
      (res) => {
        // The answer's body is not read into memory: only its status counts.
        res.resume();
        res.on('error', () => undefined);
        done({ kind: 'answered', statusCode: res.statusCode ?? 0, durationMs: elapsed() });
        req.destroy();
      },
    );
    const timer = setTimeout(() => {
      done({ kind: 'timeout', error: `no answer within ${options.timeoutMs} ms`, durationMs: elapsed() });
      req.destroy();
    }, options.timeoutMs);
    req.on('error', (error: NodeJS.ErrnoException) => done({ kind: 'network', error: `${error.code ?? error.name}: ${error.message}`.slice(0, 500), durationMs: elapsed() }));
    req.end(options.body);
  });
}

/** Which results are tried again (with the job queue's backoff): 5xx, 408, 429, timeouts and network errors. */
export function isRetryable(result: SendResult): boolean {
  if (result.kind !== 'answered') return result.kind !== 'refused';
  return result.statusCode >= 500 || result.statusCode === 408 || result.statusCode === 429;
}

export function isDelivered(result: SendResult): boolean {
  return result.kind === 'answered' && result.statusCode >= 200 && result.statusCode < 300;
}
