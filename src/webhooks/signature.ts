// The signature of a delivery, like GitHub's X-Hub-Signature-256 but over the timestamp too, so a captured
// delivery cannot be replayed later with a fresh timestamp: HMAC-SHA256(secret, timestamp + "." + body).
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_HEADER = 'X-Cordon-Signature-256';

/** A new endpoint secret: 32 random bytes, shown once to whoever registered the endpoint. */
export function newWebhookSecret(): string {
  return `whsec_${randomBytes(32).toString('base64url')}`;
}

export function signDelivery(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/** What a receiver does (README, "Webhooks"): recompute and compare in constant time. */
export function verifyDelivery(secret: string, timestamp: string, body: string, signature: string): boolean {
  const expected = Buffer.from(signDelivery(secret, timestamp, body));
  const given = Buffer.from(signature);
  return expected.length === given.length && timingSafeEqual(expected, given);
}
