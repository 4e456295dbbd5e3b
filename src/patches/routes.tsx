// Routes of the patches area (filled in by that work).
import type { AppContext } from '../context.js';
import type { RouteDef } from '../http/route.js';

export function patchRoutes(_app: AppContext): RouteDef[] {
  return [];
}
