// Routes of the embargoed-disclosure area.
import type { AppContext } from '../context.js';
import type { RouteDef } from '../http/route.js';

export function disclosureRoutes(_app: AppContext): RouteDef[] {
  return [];
}
