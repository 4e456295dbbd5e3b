// Routes of the keys area: public contact pages and key files, the user's own key, and the admins' team key
// page (the mail pages are registered by the mail area, in http/routes-index.ts).
import type { AppContext } from '../context.js';
import type { RouteDef } from '../http/route.js';
import { accountKeyRoutes } from './routes-account-key.js';
import { adminKeyRoutes } from './routes-admin-keys.js';
import type { VmtMembersWithKeys } from './public-keys.js';
import { publicKeyRoutes } from './routes-public.js';

/** `vmtMembersWithKeys` comes from accounts (above keys), wired in http/routes-index.ts. */
export function keysRoutes(app: AppContext, vmtMembersWithKeys: VmtMembersWithKeys): RouteDef[] {
  return [...publicKeyRoutes(app, vmtMembersWithKeys), ...accountKeyRoutes(app), ...adminKeyRoutes(app)];
}
