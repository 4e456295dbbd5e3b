// Routes of the keys area (filled in by that work).
import type { AppContext } from '../context.js';
import type { RouteDef } from '../http/route.js';

export function keysRoutes(_app: AppContext): RouteDef[] {
  return [];
}
