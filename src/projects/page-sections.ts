// What domains above projects add to a project's page for its viewer (issue 20: the test recipe of private CI,
// shown to those who may see it). Patches sits above projects in the domain order, so it implements this and the
// composition hands it to the project routes (http/routes-index.ts; ARCHITECTURE.md).
import type { Actor } from '../access/actor.js';
import type { Db } from '../storage/database.js';
import type { SafeHtml } from '../web/jsx.js';
import type { ProjectDetail } from './projects.js';

/** One section of the project page; null when this viewer is not to see it. */
export type ProjectPageSection = (db: Db, actor: Actor, project: ProjectDetail) => Promise<SafeHtml | null>;
