// Routes of the advisories area (filled in by that work).
import type { AppContext } from '../context.js';
import type { RouteDef } from '../http/route.js';

export function advisoryRoutes(_app: AppContext): RouteDef[] {
  return [];
}
