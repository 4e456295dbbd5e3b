// Granting and removing project roles (lead, coresec, core reviewer). The person is named by username,
// which accounts resolves; projects records the role (projects sit below accounts in the domain order).
import { Type } from '@sinclair/typebox';
import type { AppContext } from '../context.js';
import { errors } from '../errors/catalogue.js';
import { route, type RouteDef } from '../http/route.js';
import { redirectWithFlash } from '../http/render.js';
import { FormFields, Params, StringEnum, Text } from '../http/schemas.js';
import { findUserByUsername } from '../accounts/users.js';
import { projectRoles, setProjectMember } from '../projects/projects.js';

const SlugParams = Params('slug');
const ProjectRoleChoice = StringEnum(projectRoles);

export function projectMemberRoutes(app: AppContext): RouteDef[] {
  const db = app.storage.db;
  return [
    route({
      method: 'POST',
      url: '/admin/projects/:slug/members',
      audience: 'admin.write',
      leak: { params: { slug: 'project' } },
      schema: { params: SlugParams, body: FormFields({ username: Type.Optional(Text(200)), role: ProjectRoleChoice, action: Type.Optional(StringEnum(['add', 'remove'])) }) },
      handler: async (req, reply, scope) => {
        const { slug } = req.params;
        const user = await findUserByUsername(db, req.body.username ?? '');
        if (!user) return redirectWithFlash(reply, `/admin/projects/${slug}`, 'error', 'No user with that username.');
        const remove = req.body.action === 'remove';
        await setProjectMember(scope, slug, user.id, req.body.role, !remove);
        return redirectWithFlash(reply, `/admin/projects/${slug}`, 'success', remove ? 'Role removed.' : 'Role granted.');
      },
    }),
    route({
      method: 'PUT',
      url: '/api/v1/projects/:slug/members',
      audience: 'admin.write',
      leak: { params: { slug: 'project' } },
      schema: {
        params: SlugParams,
        body: Type.Object({ username: Type.String({ maxLength: 40 }), role: ProjectRoleChoice, member: Type.Boolean() }, { additionalProperties: false }),
      },
      handler: async (req, reply, scope) => {
        const user = await findUserByUsername(db, req.body.username);
        if (!user) throw errors.field('username', 'No such user.');
        await setProjectMember(scope, req.params.slug, user.id, req.body.role, req.body.member);
        return reply.code(204).send();
      },
    }),
  ];
}
