// What every command needs: the app's services and, for a request, who is asking.
import type { Transaction } from 'kysely';
import type { Logger } from 'pino';
import type { Actor } from './access/actor.js';
import { recordAudits, systemActor, type AuditActor } from './audit/audit.js';
import type { Clock } from './clock.js';
import type { Config } from './config/config.js';
import { enqueueJob, type EnqueueOptions } from './jobs/queue.js';
import type { DialectName, Storage } from './storage/database.js';
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

/** One audit event of a change; who, when and the request id come from the change itself. */
export interface AuditEvent {
  action: string;
  targetType: string;
  targetId: string | number | null;
  before?: unknown;
  after?: unknown;
}

/**
 * Everything a change needs, handed to the code that makes it: its transaction and moment, the
 * database kind, the configuration, and who makes it. Its audit events and jobs are written in the same
 * transaction (DESIGN.md §4). A request's change (`change`) and a job's (`JobContext.commit`, the
 * system) are the same shape, so a write function serves both.
 */
export interface ChangeContext {
  trx: Transaction<Database>;
  now: Date;
  dialect: DialectName;
  config: Config;
  /** Who the audit events name: the user of the request, or the system. */
  actor: AuditActor;
  requestId: string | null;
  /** Write the audit event for this change, in this transaction. */
  audit: (action: string, targetType: string, targetId: string | number | null, before?: unknown, after?: unknown) => Promise<void>;
  /** Write several audit events in order, with one insert (opening a hundred reports at once). */
  audits: (events: readonly AuditEvent[]) => Promise<void>;
  /** Queue a job in this transaction (outbox). */
  enqueue: (kind: string, payload: unknown, options?: EnqueueOptions) => Promise<number | null>;
}

/**
 * Something composition adds to every audit write, in the change's own transaction (webhooks queue their
 * deliveries here: exactly once, and only if the change commits). A listener must not write audit events.
 */
export type AuditListener = (change: ChangeContext, events: readonly AuditEvent[]) => Promise<void>;
const auditListeners = new Map<string, AuditListener>();

/** Register (or replace) a listener by name; composition calls this once per process (routes-index, job registry, openContext). */
export function listenToAudits(name: string, listener: AuditListener): void {
  auditListeners.set(name, listener);
}

function auditActorOf(actor: Actor, system: boolean): AuditActor {
  if (actor.kind === 'user') return { userId: actor.userId, label: actor.username };
  return system ? systemActor : { userId: null, label: 'anonymous' };
}

/**
 * The context of a change in a transaction someone else opened: the job worker's completing
 * transaction (JobContext.commit) and `change` below. The only place audit events are written from.
 */
export function changeIn(
  trx: Transaction<Database>,
  services: { dialect: DialectName; config: Config },
  now: Date,
  who: { actor: AuditActor; requestId: string | null } = { actor: systemActor, requestId: null },
): ChangeContext {
  const audits = async (events: readonly AuditEvent[]) => {
    await recordAudits(
      trx,
      services.dialect,
      events.map((e) => ({ ...e, actor: who.actor, requestId: who.requestId, at: now })),
    );
    for (const listener of auditListeners.values()) await listener(context, events);
  };
  const context: ChangeContext = {
    trx,
    now,
    dialect: services.dialect,
    config: services.config,
    actor: who.actor,
    requestId: who.requestId,
    audit: (action, targetType, targetId, before, after) => audits([{ action, targetType, targetId, before, after }]),
    audits,
    enqueue: (kind, payload, opts) => enqueueJob(trx, now, kind, payload, opts),
  };
  return context;
}

/**
 * Run one change: a transaction that holds the change, its audit event and any jobs it causes.
 * Every state change in Cordon goes through here (DESIGN.md §4).
 */
export function change<T>(scope: Scope, fn: (change: ChangeContext) => Promise<T>, options: { system?: boolean } = {}): Promise<T> {
  const { storage, clock, config } = scope.app;
  const now = clock.now();
  const actor = auditActorOf(scope.actor, options.system ?? scope.requestId === null);
  return storage.db.transaction().execute((trx) => fn(changeIn(trx, { dialect: storage.dialect, config }, now, { actor, requestId: scope.requestId })));
}
