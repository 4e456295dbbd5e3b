// Routes of the keys and mail area: public contact pages and key files, the user's own key, and the
// admins' mail page and team key page.
import type { AppContext } from '../context.js';
import type { RouteDef } from '../http/route.js';
import { adminMailRoutes } from '../mail/routes-admin.js';
import { failedMailRoutes } from '../mail/routes-failed.js';
import { accountKeyRoutes } from './routes-account-key.js';
import { adminKeyRoutes } from './routes-admin-keys.js';
import { publicKeyRoutes } from './routes-public.js';

export function keysRoutes(app: AppContext): RouteDef[] {
  return [...publicKeyRoutes(app), ...accountKeyRoutes(app), ...adminKeyRoutes(app), ...adminMailRoutes(app), ...failedMailRoutes(app)];
}
