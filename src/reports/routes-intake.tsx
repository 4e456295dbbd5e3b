// Placeholder: filled in by the routes-intake work.
import type { AppContext } from '../context.js';
import type { RouteDef } from '../http/route.js';

export function intakeRoutes(_app: AppContext): RouteDef[] {
  return [];
}
