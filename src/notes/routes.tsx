// Routes of the notes area (filled in by that work).
import type { AppContext } from '../context.js';
import type { RouteDef } from '../http/route.js';

export function noteRoutes(_app: AppContext): RouteDef[] {
  return [];
}
