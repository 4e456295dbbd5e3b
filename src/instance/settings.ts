// Instance settings an admin stores in the browser (issue 15: a setup that finishes in the browser):
// instance name, public URL, team address and From address. Precedence, per field: a variable set in
// the environment wins (the page shows it read-only); otherwise the stored value; otherwise the value the
// process started with (today's default). The effective values are written into the one Config object the
// app and its in-process worker share, at start and right after a change; other processes (more app
// nodes, `cordon worker`) pick a change up at their next refresh (REFRESH_MS) or start.
import {
  checkInstanceName,
  checkMailFrom,
  checkPlainAddress,
  checkPublicUrl,
  type Config,
  type InstanceSettingVariable,
  type ValueCheck,
} from '../config/config.js';
import { change, type AppContext, type Scope } from '../context.js';
import { IssueCollector } from '../errors/catalogue.js';
import type { Db } from '../storage/database.js';

export type SettingKey = 'instance_name' | 'public_url' | 'team_email' | 'mail_from';
type ConfigField = 'instanceName' | 'publicUrl' | 'teamEmail' | 'mailFrom';

export interface SettingField {
  key: SettingKey;
  variable: InstanceSettingVariable;
  configField: ConfigField;
  label: string;
  hint: string;
  check: (raw: string) => ValueCheck;
}

export const settingFields: readonly SettingField[] = [
  { key: 'instance_name', variable: 'INSTANCE_NAME', configField: 'instanceName', label: 'Instance name', hint: 'Shown in the page header and in mail.', check: checkInstanceName },
  { key: 'public_url', variable: 'PUBLIC_URL', configField: 'publicUrl', label: 'Public URL', hint: 'The address people use to reach this instance; links in mail use it. Switching to https:// turns on Secure cookies at the next start.', check: checkPublicUrl },
  { key: 'team_email', variable: 'TEAM_EMAIL', configField: 'teamEmail', label: 'Team address', hint: 'Reports by mail arrive here; shown on the contact page and in security.txt, and the user id of a new team key.', check: checkPlainAddress },
  { key: 'mail_from', variable: 'MAIL_FROM', configField: 'mailFrom', label: 'From address', hint: 'The From of every mail Cordon sends, e.g. Example Security <security@example.org>.', check: checkMailFrom },
];

/** Keys of other stored values in the same table (not settings an operator sets in the environment). */
export const CHECKLIST_DISMISSED = 'setup_checklist_dismissed';
export const LAST_TEST_MAIL = 'last_test_mail_job';

/** How often a process re-reads the stored settings (app nodes and workers that did not make the change). */
export const REFRESH_MS = 60_000;

// The values each Config started with (environment or default), so clearing a stored value restores them.
const startValues = new WeakMap<Config, Record<ConfigField, string>>();

function startValuesOf(config: Config): Record<ConfigField, string> {
  let values = startValues.get(config);
  if (!values) {
    values = { instanceName: config.instanceName, publicUrl: config.publicUrl, teamEmail: config.teamEmail, mailFrom: config.mailFrom };
    startValues.set(config, values);
  }
  return values;
}

export type StoredSettings = Partial<Record<SettingKey, string>>;

export async function storedValues(db: Db): Promise<Map<string, string>> {
  const rows = await db.selectFrom('instance_settings').select(['key', 'value']).execute();
  return new Map(rows.map((r) => [r.key, r.value]));
}

export async function loadStoredSettings(db: Db): Promise<StoredSettings> {
  const values = await storedValues(db);
  const out: StoredSettings = {};
  for (const f of settingFields) {
    const v = values.get(f.key);
    if (v !== undefined) out[f.key] = v;
  }
  return out;
}

export type SettingSource = 'environment' | 'stored' | 'default';

export interface EffectiveSetting {
  field: SettingField;
  value: string;
  source: SettingSource;
}

export function effectiveSettings(config: Config, stored: StoredSettings): EffectiveSetting[] {
  const start = startValuesOf(config);
  return settingFields.map((field) => {
    if (config.settingsFromEnvironment.includes(field.variable)) return { field, value: start[field.configField], source: 'environment' };
    const value = stored[field.key];
    // A stored value that no longer passes the rules (edited by hand) is ignored rather than applied.
    if (value !== undefined && field.check(value).ok) return { field, value, source: 'stored' };
    return { field, value: start[field.configField], source: 'default' };
  });
}

/** Write the effective values into the running process's Config. */
export function applyInstanceSettings(config: Config, stored: StoredSettings): void {
  for (const s of effectiveSettings(config, stored)) config[s.field.configField] = s.value;
}

/** Read the stored settings and apply them (at start, and every REFRESH_MS in long-running processes). */
export async function refreshInstanceSettings(ctx: Pick<AppContext, 'config' | 'storage'>): Promise<void> {
  applyInstanceSettings(ctx.config, await loadStoredSettings(ctx.storage.db));
}

/** Re-read the settings now and then; returns a stop function. A failed read is logged and retried next time. */
export function startSettingsRefresh(ctx: AppContext, intervalMs = REFRESH_MS): () => void {
  const timer = setInterval(() => {
    refreshInstanceSettings(ctx).catch((err: unknown) => ctx.log.warn({ err }, 'could not re-read the instance settings; keeping the current ones'));
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}

/**
 * Store settings from the settings page or API. An empty value removes the stored one (back to the
 * default). A field set in the environment cannot be changed here. All fields are checked first; bad input
 * changes nothing. One audit event with the changed fields before and after.
 */
export async function saveInstanceSettings(scope: Scope, input: Partial<Record<SettingKey, string>>): Promise<void> {
  const { config } = scope.app;
  const issues = new IssueCollector();
  const wanted: Partial<Record<SettingKey, string | null>> = {};
  for (const field of settingFields) {
    const raw = input[field.key];
    if (raw === undefined) continue;
    if (config.settingsFromEnvironment.includes(field.variable)) {
      issues.add(field.key, `is set by ${field.variable} in the environment; change it there.`);
      continue;
    }
    if (raw.trim() === '') {
      wanted[field.key] = null;
      continue;
    }
    const check = field.check(raw);
    if (check.ok) wanted[field.key] = check.value;
    else issues.add(field.key, `${check.problem} ${check.fix}`);
  }
  issues.throwIfAny();
  const stored = await change(scope, async ({ trx, now, audit }) => {
    const before = await loadStoredSettings(trx);
    const changedBefore: StoredSettings = {};
    const changedAfter: Partial<Record<SettingKey, string | null>> = {};
    for (const [key, value] of Object.entries(wanted) as [SettingKey, string | null][]) {
      if ((before[key] ?? null) === value) continue;
      changedBefore[key] = before[key];
      changedAfter[key] = value;
      if (value === null) await trx.deleteFrom('instance_settings').where('key', '=', key).execute();
      else await putValue(trx, key, value, now, scope);
    }
    if (Object.keys(changedAfter).length) await audit('instance.settings_changed', 'instance', null, changedBefore, changedAfter);
    return loadStoredSettings(trx);
  });
  applyInstanceSettings(config, stored);
}

/** Upsert one stored value (the caller's change() writes the audit event). */
export async function putValue(trx: Db, key: string, value: string, now: Date, scope: Scope): Promise<void> {
  const row = { value, updated_at: now.toISOString(), updated_by: scope.actor.kind === 'user' ? scope.actor.userId : null };
  await trx
    .insertInto('instance_settings')
    .values({ key, ...row })
    .onConflict((oc) => oc.column('key').doUpdateSet(row))
    .execute();
}

/** Dismiss the first-run checklist (or bring it back); stored and audited. */
export async function setChecklistDismissed(scope: Scope, dismissed: boolean): Promise<void> {
  await change(scope, async ({ trx, now, audit }) => {
    const was = (await trx.selectFrom('instance_settings').select('value').where('key', '=', CHECKLIST_DISMISSED).executeTakeFirst())?.value === 'true';
    if (was === dismissed) return;
    if (dismissed) await putValue(trx, CHECKLIST_DISMISSED, 'true', now, scope);
    else await trx.deleteFrom('instance_settings').where('key', '=', CHECKLIST_DISMISSED).execute();
    await audit(dismissed ? 'instance.checklist_dismissed' : 'instance.checklist_restored', 'instance', null);
  });
}

/** JSON form of one setting for the API. */
export function presentSetting(s: EffectiveSetting) {
  return { key: s.field.key, variable: s.field.variable, value: s.value, source: s.source };
}
