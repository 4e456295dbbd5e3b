// What every command needs: the app's services and, for a request, who is asking.
import type { Transaction } from 'kysely';
import type { Logger } from 'pino';
import type { Actor } from './access/actor.js';
import { recordAudit, systemActor, type AuditActor } from './audit/audit.js';
import type { Clock } from './clock.js';
import type { Config } from './config/config.js';
import { enqueueJob, type EnqueueOptions } from './jobs/queue.js';
import type { Storage } from './storage/database.js';
import type { Database } from './storage/tables.js';

export interface AppContext {
  config: Config;
  storage: Storage;
  clock: Clock;
  log: Logger;
}

export interface Scope {
  app: AppContext;
  actor: Actor;
  requestId: string | null;
}

export function systemScope(app: AppContext): Scope {
  return { app, actor: { kind: 'anonymous' }, requestId: null };
}

export interface ChangeTools {
  trx: Transaction<Database>;
  now: Date;
  /** Write the audit event for this change, in this transaction. */
  audit: (action: string, targetType: string, targetId: string | number | null, before?: unknown, after?: unknown) => Promise<void>;
  /** Queue a job in this transaction (outbox). */
  enqueue: (kind: string, payload: unknown, options?: EnqueueOptions) => Promise<number | null>;
}

function auditActorOf(actor: Actor, system: boolean): AuditActor {
  if (actor.kind === 'user') return { userId: actor.userId, label: actor.username };
  return system ? systemActor : { userId: null, label: 'anonymous' };
}

/**
 * Run one change: a transaction that holds the change, its audit event and any jobs it causes.
 * Every state change in Cordon goes through here (DESIGN.md §4).
 */
export function change<T>(scope: Scope, fn: (tools: ChangeTools) => Promise<T>, options: { system?: boolean } = {}): Promise<T> {
  const { storage, clock } = scope.app;
  const now = clock.now();
  const auditActor = auditActorOf(scope.actor, options.system ?? scope.requestId === null);
  return storage.db.transaction().execute((trx) =>
    fn({
      trx,
      now,
      audit: (action, targetType, targetId, before, after) =>
        recordAudit(trx, storage.dialect, { actor: auditActor, action, targetType, targetId, before, after, requestId: scope.requestId, at: now }),
      enqueue: (kind, payload, opts) => enqueueJob(trx, now, kind, payload, opts),
    }),
  );
}
