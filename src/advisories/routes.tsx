// Routes of the advisories area: the VMT's editor and workflow, the JSON API, and the public security
// site (src/publication/: advisory pages, files, feeds, per-project lists, guides).
import type { AppContext } from '../context.js';
import type { RouteDef } from '../http/route.js';
import { editorRoutes } from './routes-editor.js';
import { workflowRoutes } from './routes-workflow.js';
import { advisoryApiRoutes } from './routes-api.js';
import { publicationRoutes } from '../publication/routes.js';
import { guideRoutes } from '../publication/guide-routes.js';
import { loadAdvisory } from './store.js';

export function advisoryRoutes(app: AppContext): RouteDef[] {
  return [...editorRoutes(app), ...workflowRoutes(app), ...advisoryApiRoutes(app), ...publicationRoutes(app, { exists: async (db, id) => (await loadAdvisory(db, id)) !== undefined }), ...guideRoutes(app)];
}
