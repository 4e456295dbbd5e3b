// The delivery job: one POST per attempt, each attempt recorded. Delivered (2xx) and refused for good
// (other 4xx but 408/429, 3xx — redirects are not followed — and a target that is not public) end the job
// with the attempt in its completing transaction; 5xx, 408, 429, timeouts and network errors record the
// attempt on their own and fail the job, which the queue retries with its backoff (5 s, 10 s, 20 s …)
// until DELIVERY_ATTEMPTS; the last failure settles the delivery as failed.
import type { AppContext } from '../context.js';
import type { JobHandler } from '../jobs/worker.js';
import { endpointEvents, DELIVER_JOB } from './emit.js';
import { deliveryBody } from './payloads.js';
import { signDelivery, SIGNATURE_HEADER } from './signature.js';
import { isDelivered, isRetryable, sendDelivery, type SendResult } from './send.js';
import { openEndpointSecret } from './endpoints.js';
import { loadDelivery, loadEndpoint, recordAttempt, settleDelivery } from './store.js';
import { SecretsKeyError } from '../storage/sealing.js';

function describe(result: SendResult): { statusCode: number | null; error: string | null } {
  return result.kind === 'answered' ? { statusCode: result.statusCode, error: isDelivered(result) ? null : `HTTP ${result.statusCode}` } : { statusCode: null, error: `${result.kind}: ${result.error}` };
}

export function webhookJobHandlers(app: AppContext): JobHandler[] {
  return [
    {
      kind: DELIVER_JOB,
      run: async ({ job, payload, storage, clock, commit }) => {
        const deliveryId = Number((payload as { delivery_id?: unknown }).delivery_id);
        const delivery = await loadDelivery(storage.db, deliveryId);
        // Deleted with its endpoint: nothing to send.
        if (!delivery) return;
        const endpoint = await loadEndpoint(storage.db, delivery.endpoint_id);
        if (!endpoint || !endpoint.active || !endpointEvents(endpoint).some((e) => e === delivery.event)) {
          await commit(({ trx, now }) => settleDelivery(trx, delivery.id, 'failed', 'The endpoint was disabled or no longer takes this event.', now.toISOString()));
          return;
        }
        let secret: string;
        try {
          secret = openEndpointSecret(storage, endpoint);
        } catch (error) {
          // The instance key that sealed it is gone (a rotation that predates this endpoint's re-sealing):
          // nothing can be signed, so nothing is sent; the endpoint needs a new secret (delete and add it again).
          if (!(error instanceof SecretsKeyError)) throw error;
          await commit(({ trx, now }) => recordAttempt(trx, delivery.id, { at: now.toISOString(), outcome: 'failed', statusCode: null, error: `secret: ${error.message}`.slice(0, 500), durationMs: 0 }, 'failed'));
          return;
        }
        const body = await deliveryBody(app, delivery);
        const timestamp = String(Math.floor(clock.now().getTime() / 1000));
        const result = await sendDelivery({
          url: new URL(endpoint.url),
          body,
          timeoutMs: app.config.webhookTimeoutMs,
          allowPrivate: app.config.webhookAllowPrivateNetworks,
          headers: {
            'X-Cordon-Event': delivery.event,
            'X-Cordon-Delivery': String(delivery.id),
            'X-Cordon-Timestamp': timestamp,
            [SIGNATURE_HEADER]: signDelivery(secret, timestamp, body),
          },
        });
        const at = clock.now().toISOString();
        const { statusCode, error } = describe(result);
        const attempt = { at, statusCode, error, durationMs: result.durationMs };
        if (isDelivered(result)) {
          await commit(({ trx }) => recordAttempt(trx, delivery.id, { ...attempt, outcome: 'delivered' }, 'delivered'));
          return;
        }
        const last = job.attempts >= job.max_attempts;
        if (!isRetryable(result) || last) {
          await commit(({ trx }) => recordAttempt(trx, delivery.id, { ...attempt, outcome: 'failed' }, 'failed'));
          return;
        }
        await storage.db.transaction().execute((trx) => recordAttempt(trx, delivery.id, { ...attempt, outcome: 'retry' }, 'pending'));
        throw new Error(`webhook delivery ${delivery.id}: ${error ?? 'failed'}; retried with backoff`);
      },
    },
  ];
}
