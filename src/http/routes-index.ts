// Every domain's routes, registered in one place so the leak-matrix tests see all of them.
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../context.js';
import { accountRoutes } from '../accounts/routes-account.js';
import { authRoutes } from '../accounts/routes-auth.js';
import { adminRoutes } from '../admin/routes.js';
import { auditRoutes } from '../audit/routes.js';
import { jobRoutes } from '../jobs/routes.js';
import { projectRoutes } from '../projects/routes.js';
import { projectMemberRoutes } from '../admin/routes-project-members.js';
import { stakeholderRoutes } from '../stakeholders/routes.js';
import { homeRoutes } from '../web/home.js';
import { defineRoutes } from './route.js';
import { intakeRoutes } from '../reports/routes-intake.js';
import { queueRoutes } from '../reports/routes-queue.js';
import { reportRoutes } from '../reports/routes-report.js';
import { irreversibleReportRoutes } from '../reports/routes-irreversible.js';
import { keysRoutes } from '../keys/routes.js';
import { adminMailRoutes } from '../mail/routes-admin.js';
import { mailIntake } from '../reports/intake-mail/mail-intake.js';
import { reportAccessByRef } from '../reports/load-for-actor.js';
import { vmtMembersWithKeys } from '../accounts/users.js';
import { failedMailRoutes } from '../mail/routes-failed.js';
import { patchRoutes } from '../patches/routes.js';
import { advisoryRoutes } from '../advisories/routes.js';
import { noteRoutes } from '../notes/routes.js';
import { disclosureRoutes } from '../disclosure/routes.js';
import { disclosureLeakRoutes } from '../disclosure/routes-leak.js';
import { reportDisclosure } from '../disclosure/summary.js';
import { firstRunSetup } from '../instance/setup-notice.js';
import { testRecipeSection } from '../patches/ci/project-section.js';
import { instanceRoutes } from '../instance/routes.js';
import { publicationSettingsRoutes } from '../publication/settings-routes.js';
import { webhookRoutes } from '../webhooks/routes.js';
import { webhookApiRoutes } from '../webhooks/routes-api.js';
import { oidcRoutes } from '../accounts/routes-oidc.js';
import { oidcManageRoutes } from '../accounts/routes-oidc-manage.js';

export function registerAllRoutes(app: FastifyInstance, ctx: AppContext): void {
  defineRoutes(app, ctx, [
    ...homeRoutes(ctx),
    ...authRoutes(ctx),
    ...oidcRoutes(ctx),
    ...oidcManageRoutes(ctx),
    ...accountRoutes(ctx, firstRunSetup),
    ...adminRoutes(ctx),
    ...auditRoutes(ctx),
    ...jobRoutes(ctx),
    ...projectRoutes(ctx, [testRecipeSection]),
    ...projectMemberRoutes(ctx),
    ...stakeholderRoutes(ctx),
    ...intakeRoutes(ctx),
    ...queueRoutes(ctx, firstRunSetup),
    ...reportRoutes(ctx, { disclosure: reportDisclosure }),
    ...irreversibleReportRoutes(ctx),
    ...disclosureLeakRoutes(ctx),
    ...keysRoutes(ctx, vmtMembersWithKeys),
    ...adminMailRoutes(ctx, mailIntake),
    ...failedMailRoutes(ctx, reportAccessByRef),
    ...patchRoutes(ctx),
    ...advisoryRoutes(ctx),
    ...noteRoutes(ctx),
    ...disclosureRoutes(ctx),
    ...instanceRoutes(ctx),
    ...publicationSettingsRoutes(ctx),
    ...webhookRoutes(ctx),
    ...webhookApiRoutes(ctx),
  ]);
}
