// Faults of the storage underneath a request, recognised from the driver's error so that they reach
// the client as the catalogue's 503/507 (and the log says what happened) instead of a bare 500.
import { AppError, errors } from './catalogue.js';

export type StorageFault = 'database_unavailable' | 'storage_full';

// Node socket errors while connecting to, or talking with, PostgreSQL.
const socketCodes = new Set(['ECONNREFUSED', 'ECONNRESET', 'ECONNABORTED', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', 'ENOTFOUND']);
// PostgreSQL SQLSTATEs (Appendix A): 57P01 admin_shutdown, 57P02 crash_shutdown, 57P03 cannot_connect_now
// (starting up, or a standby being promoted), 53300 too_many_connections; class 08 is connection_exception.
const unavailableStates = new Set(['57P01', '57P02', '57P03', '53300']);
// node-postgres' own messages for a connection that died or never came (it sets no code on these).
const deadConnection = /Connection terminated|connection error and is not queryable|Client was closed and is not queryable|timeout exceeded when trying to connect|Connection terminated due to connection timeout/i;

function faultOf(error: unknown, depth: number): StorageFault | undefined {
  if (!error || typeof error !== 'object' || depth > 3) return undefined;
  const e = error as { code?: unknown; message?: unknown; errors?: unknown; cause?: unknown };
  const code = typeof e.code === 'string' ? e.code : '';
  // SQLITE_FULL (https://sqlite.org/rescode.html#full) and PostgreSQL 53100 disk_full.
  if (code === 'SQLITE_FULL' || code === '53100') return 'storage_full';
  if (socketCodes.has(code) || unavailableStates.has(code) || /^08[0-9A-Z]{3}$/.test(code)) return 'database_unavailable';
  if (typeof e.message === 'string' && deadConnection.test(e.message)) return 'database_unavailable';
  // ECONNREFUSED on a host with IPv4 and IPv6 addresses arrives as an AggregateError of both attempts.
  if (Array.isArray(e.errors)) for (const inner of e.errors) if (faultOf(inner, depth + 1)) return faultOf(inner, depth + 1);
  return faultOf(e.cause, depth + 1);
}

/** Which storage fault `error` is, if it is one. */
export function storageFault(error: unknown): StorageFault | undefined {
  return faultOf(error, 0);
}

/** The catalogue error for a storage fault, or undefined when `error` is something else. */
export function storageFaultError(error: unknown): AppError | undefined {
  const fault = storageFault(error);
  if (fault === 'storage_full') return errors.storageFull();
  if (fault === 'database_unavailable') return errors.databaseUnavailable();
  return undefined;
}
