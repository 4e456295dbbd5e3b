// Placeholder: filled in by the routes-queue work.
import type { AppContext } from '../context.js';
import type { RouteDef } from '../http/route.js';

export function queueRoutes(_app: AppContext): RouteDef[] {
  return [];
}
