// What each audience sees of a project (the page and the JSON API alike).
import { can } from '../access/policy.js';
import type { Actor } from '../access/actor.js';
import type { ProjectDetail } from './projects.js';

/** What each audience sees of a project: repositories and people only to admins and the VMT. */
export function presentProject(p: ProjectDetail, actor: Actor) {
  const internal = can(actor, 'admin.read') || (actor.kind === 'user' && actor.roles.has('vmt'));
  return {
    slug: p.slug,
    name: p.name,
    description: p.description,
    vmt_oversees: p.vmt_oversees === 1,
    security_contact: p.security_contact,
    supported_branches: p.branches,
    ...(internal ? { repositories: p.repositories.map((r) => ({ name: r.name, remote_url: r.remote_url })), members: p.members.map((m) => ({ username: m.username, role: m.role })) } : {}),
  };
}
