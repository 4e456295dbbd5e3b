// Admin pages of the first run (issue 15): the instance settings with a test mail, and the first-run
// checklist. Every form posts, redirects and reloads nothing (post/redirect/get).
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type, type TOptional, type TString } from '@sinclair/typebox';
import type { AppContext } from '../context.js';
import { type AppError, type FieldIssue } from '../errors/catalogue.js';
import { formAction } from '../http/form-action.js';
import { route, type RouteDef } from '../http/route.js';
import { keepValues } from '../http/forms.js';
import { redirectWithFlash, sendPage } from '../http/render.js';
import { FormFields, StringEnum, Text } from '../http/schemas.js';
import type { FormState } from '../web/components.js';
import { findUserById } from '../accounts/users.js';
import { firstRunChecklist } from './checklist.js';
import { ChecklistPage, SettingsPage } from './instance-page.js';
import { effectiveSettings, loadStoredSettings, presentSetting, saveInstanceSettings, setChecklistDismissed, settingFields, type SettingKey } from './settings.js';
import { lastTestMail, sendTestMail, type TestMailStatus } from './test-mail.js';

const settingValues = Object.fromEntries(settingFields.map((f) => [f.key, Type.Optional(Text(500))])) as Record<SettingKey, TOptional<TString>>;
const settingsBody = Type.Object(settingValues, { additionalProperties: false });

export function instanceRoutes(app: AppContext): RouteDef[] {
  const db = app.storage.db;
  return [
    {
      method: 'GET',
      url: '/admin/setup',
      audience: 'admin.read',
      handler: async (req, reply) => {
        const list = await firstRunChecklist(db, app.config);
        return sendPage(app, req, reply, 'First-run checklist', (ctx) => <ChecklistPage ctx={ctx} list={list} />);
      },
    },
    route({
      method: 'POST',
      url: '/admin/setup/dismiss',
      audience: 'admin.write',
      schema: { body: FormFields({ dismissed: Type.Optional(StringEnum(['true', 'false'])) }) },
      handler: async (req, reply, scope) => {
        const dismissed = req.body.dismissed !== 'false';
        await setChecklistDismissed(scope, dismissed);
        return redirectWithFlash(reply, dismissed ? '/admin' : '/admin/setup', 'success', dismissed ? 'The checklist is hidden; it stays at Admin → First-run checklist.' : 'The checklist shows on admin pages again.');
      },
    }),
    { method: 'GET', url: '/admin/settings', audience: 'admin.read', handler: async (req, reply) => settingsPage(app, req, reply) },
    route({
      method: 'POST',
      url: '/admin/settings',
      audience: 'admin.write',
      form: true,
      schema: { body: FormFields(settingValues) },
      handler: async (req, reply, scope) => {
        const form = req.body;
        const input: Partial<Record<SettingKey, string>> = {};
        for (const f of settingFields) if (form[f.key] !== undefined) input[f.key] = form[f.key];
        const again = (issues: FieldIssue[], error: AppError) => settingsPage(app, req, reply, { values: keepValues(form), issues }, error.status);
        return formAction(req, reply, { back: '/admin/settings', again }, async () => {
          await saveInstanceSettings(scope, input);
          return { to: '/admin/settings', message: 'Settings saved; they apply now.' };
        });
      },
    }),
    route({
      method: 'POST',
      url: '/admin/settings/test-mail',
      audience: 'admin.write',
      form: true,
      schema: { body: FormFields({ to: Type.Optional(Text(254)) }) },
      handler: async (req, reply, scope) => {
        const form = req.body;
        const again = (issues: FieldIssue[], error: AppError) => settingsPage(app, req, reply, { values: keepValues(form), issues }, error.status);
        return formAction(req, reply, { back: '/admin/settings', again }, async () => {
          await sendTestMail(scope, form.to ?? '');
          return { to: '/admin/settings#mail', message: 'Test mail queued. Reload this page to see whether it went out.' };
        });
      },
    }),
    // JSON API
    {
      method: 'GET',
      url: '/api/v1/instance/settings',
      audience: 'admin.read',
      handler: async () => ({ settings: effectiveSettings(app.config, await loadStoredSettings(db)).map(presentSetting), test_mail: presentTestMail(await lastTestMail(db)) }),
    },
    route({
      method: 'PATCH',
      url: '/api/v1/instance/settings',
      audience: 'admin.write',
      schema: { body: settingsBody },
      handler: async (req, _reply, scope) => {
        await saveInstanceSettings(scope, req.body);
        return { settings: effectiveSettings(app.config, await loadStoredSettings(db)).map(presentSetting) };
      },
    }),
    route({
      method: 'POST',
      url: '/api/v1/instance/test-mail',
      audience: 'admin.write',
      schema: { body: Type.Object({ to: Type.String({ maxLength: 254 }) }, { additionalProperties: false }) },
      handler: async (req, reply, scope) => {
        await sendTestMail(scope, req.body.to);
        return reply.code(202).send({ test_mail: presentTestMail(await lastTestMail(db)) });
      },
    }),
    {
      method: 'GET',
      url: '/api/v1/instance/setup',
      audience: 'admin.read',
      handler: async () => {
        const list = await firstRunChecklist(db, app.config);
        return { complete: list.complete, dismissed: list.dismissed, steps: list.steps.map((s) => ({ id: s.id, state: s.state, detail: s.detail, href: s.href })), staffing: list.staffing };
      },
    },
  ];
}

function presentTestMail(m: TestMailStatus | null) {
  return m ? { job_id: m.jobId, recipient: m.recipient, state: m.state, error: m.error, queued_at: m.queuedAt, sent_at: m.sentAt } : null;
}


async function settingsPage(app: AppContext, req: FastifyRequest, reply: FastifyReply, state?: FormState, status?: number) {
  const db = app.storage.db;
  const [stored, testMail, own] = await Promise.all([loadStoredSettings(db), lastTestMail(db), req.actor.kind === 'user' ? findUserById(db, req.actor.userId) : undefined]);
  const d = { settings: effectiveSettings(app.config, stored), testMail, ownEmail: own?.email, config: app.config };
  return sendPage(app, req, reply, 'Instance settings', (ctx) => <SettingsPage ctx={ctx} d={d} state={state} />, { status });
}
