// Placeholder: the team's report page.
import type { AppContext } from '../context.js';
import type { RouteDef } from '../http/route.js';

export function reportRoutes(_app: AppContext): RouteDef[] {
  return [];
}
