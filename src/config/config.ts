// Configuration comes only from the environment (DESIGN.md §5: secrets only from the environment).
// Every variable is validated at boot; a bad value stops the process with a message that says how to fix it.
import path from 'node:path';
import { parseKey } from './secrets-key.js';

export type RegistrationMode = 'open' | 'invite' | 'closed';

export interface Config {
  port: number;
  host: string;
  dataDir: string;
  /** postgres://… or undefined for the embedded SQLite file `${dataDir}/cordon.sqlite`. */
  databaseUrl: string | undefined;
  /** The URL people use to reach this instance; links in mail and the setup link use it. */
  publicUrl: string;
  registration: RegistrationMode;
  /** Roles that must use a TOTP second factor. */
  mfaRequiredRoles: Set<'admin' | 'vmt' | 'security_core'>;
  trustProxy: boolean;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** One log line per request (LOG_REQUESTS); Fastify's two lines per request are always off. */
  logRequests: boolean;
  /** SMTP URL for outgoing mail; unset writes .eml files to `${dataDir}/outbox`. */
  smtpUrl: string | undefined;
  mailFrom: string;
  /** Whether `cordon serve` also runs a job worker in-process (npm start does). */
  inProcessWorker: boolean;
  workerConcurrency: number;
  instanceName: string;
  maxBodyBytes: number;
  /** Embargo and triage rules (DESIGN.md §2). */
  embargoMaxDays: number;
  ackBusinessDays: number;
  disclosureHourUtc: number;
  /** YYYY-MM-DD dates that are not business days. */
  holidays: string[];
  /** Largest attachment, and most attachments per report submission. */
  maxAttachmentBytes: number;
  maxAttachments: number;
  /** Intake bodies one process reads at once, and the bytes they may hold together (memory bound). */
  intakeConcurrency: number;
  intakeBufferBytes: number;
  /** Intake requests one address may have in flight, across all app nodes. */
  intakePerAddress: number;
  /** The team's address: reports by mail go here; outgoing mail is signed by the team key. */
  teamEmail: string;
  /** Passphrase protecting the team's private key at rest (a secret: environment only). */
  pgpPassphrase: string | undefined;
  mailListenHost: string;
  mailListenPort: number;
  /** Allow private content in unencrypted mail (default no: such recipients get a link instead). */
  mailPrivateInClear: boolean;
  advisoryPrefix: string;
  notePrefix: string;
  vendorName: string;
  /** Lists that receive advisory and note announcements. */
  announceLists: string[];
  /** The instance key sealing stored secrets (base64, 32 bytes); unset: DATA_DIR/secrets.key. */
  secretsKey: string | undefined;
  /** Older instance keys that still open sealed values during a rotation. */
  secretsKeysPrevious: string[];
  /** A separate listener serving only /metrics (METRICS_LISTEN), or null (off). */
  metricsListen: { host: string; port: number } | null;
  /**
   * Which of the instance settings (INSTANCE_NAME, PUBLIC_URL, TEAM_EMAIL, MAIL_FROM) were set in the
   * environment: those win over the values an admin stores on /admin/settings (src/instance).
   */
  settingsFromEnvironment: InstanceSettingVariable[];
  /** Webhook URLs may reach loopback, private and link-local addresses (default no: SSRF, src/webhooks/address-rules.ts). */
  webhookAllowPrivateNetworks: boolean;
  /** How long one webhook delivery attempt may take before it counts as a timeout (and is retried). */
  webhookTimeoutMs: number;
  /** Private CI (issue 20): limits of each sandboxed test run, runs one worker takes at once, a read-only dependency cache. */
  ci: { memoryMb: number; maxProcesses: number; outputKb: number; diskMb: number; concurrency: number; cacheDir: string | null };
  /** OpenID Connect providers people may sign in with (OIDC_PROVIDERS), in button order. */
  oidcProviders: OidcProviderConfig[];
  /** PASSWORD_SIGN_IN: off hides the password form and refuses the password routes (the CLI stays the break-glass). */
  passwordSignIn: boolean;
}

/** One OpenID Connect provider (OIDC_<ID>_* variables; src/accounts/oidc.ts). */
export interface OidcProviderConfig {
  /** Lowercase id from OIDC_PROVIDERS: in the redirect URI `${PUBLIC_URL}/auth/oidc/<id>/callback`. */
  id: string;
  issuer: string;
  clientId: string;
  /** A secret: environment only, never logged or shown. */
  clientSecret: string;
  name: string;
  /** Lowercase domains a new identity's verified email must be in; empty: any. */
  allowedEmailDomains: string[];
  /** Whether the provider's amr/acr may stand in for Cordon's TOTP step. */
  trustMfa: boolean;
  /** RFC 8176 amr values any one of which counts as MFA (when trusted). */
  mfaAmrValues: string[];
  /** acr values any one of which counts as MFA (when trusted). */
  mfaAcrValues: string[];
}

/** The settings an admin may also store in the database (src/instance); the environment wins. */
export const instanceSettingVariables = ['INSTANCE_NAME', 'PUBLIC_URL', 'TEAM_EMAIL', 'MAIL_FROM'] as const;
export type InstanceSettingVariable = (typeof instanceSettingVariables)[number];

export interface ConfigProblem {
  variable: string;
  problem: string;
  fix: string;
}

export class ConfigError extends Error {
  constructor(readonly problems: ConfigProblem[]) {
    super(
      'Cordon cannot start: the configuration needs fixing.\n' +
        problems.map((p) => `  ${p.variable}: ${p.problem}\n    fix: ${p.fix}`).join('\n'),
    );
    this.name = 'ConfigError';
  }
}

/** Every variable Cordon reads, with its default and meaning; README's table is generated from the same words. */
export const configVariables = [
  ['PORT', '8080', 'TCP port of the web UI and JSON API.'],
  ['HOST', '0.0.0.0', 'Interface to listen on.'],
  ['DATA_DIR', './data', 'Where the SQLite database, the mail outbox (.eml files) and other local state live.'],
  ['DATABASE_URL', '(unset: SQLite in DATA_DIR)', 'A postgres:// URL to use PostgreSQL instead of the embedded SQLite file.'],
  ['PUBLIC_URL', 'http://localhost:PORT', 'The external URL of this instance, used in links in mail and the setup link. https:// turns on Secure cookies. Also settable at Admin → Settings; set here, it wins.'],
  ['REGISTRATION', 'open', '`open` (anyone may create an account), `invite` (only through an invitation) or `closed`.'],
  ['MFA_REQUIRED_ROLES', 'admin,vmt,security_core', 'Comma-separated roles that must enrol a TOTP second factor; empty for none.'],
  ['TRUST_PROXY', 'false', 'Set to true behind a reverse proxy that sets X-Forwarded-For/-Proto.'],
  ['LOG_LEVEL', 'info', 'fatal, error, warn, info, debug, trace or silent.'],
  ['LOG_REQUESTS', 'false', 'Log one line per HTTP request (method, path with one-time links scrubbed, status, time). Off by default so the start-up messages, such as the setup link, stay readable; server errors are logged either way.'],
  ['SMTP_URL', '(unset: .eml files in DATA_DIR/outbox)', 'smtp:// or smtps:// URL of the outgoing mail relay, e.g. smtps://user:pass@mail.example.org:465.'],
  ['MAIL_FROM', 'Cordon <security@localhost>', 'From address of outgoing mail (`Name <address>` or an address). Also settable at Admin → Settings; set here, it wins.'],
  ['IN_PROCESS_WORKER', 'true', 'Whether `cordon serve` also runs a job worker. Set false when you run `cordon worker` separately.'],
  ['WORKER_CONCURRENCY', '4', 'Jobs a worker runs at once.'],
  ['INSTANCE_NAME', 'Cordon', 'Name shown in the page header and mail. Also settable at Admin → Settings; set here, it wins.'],
  ['MAX_BODY_BYTES', '1048576', 'Largest accepted request body (forms and JSON), in bytes.'],
  ['EMBARGO_MAX_DAYS', '90', 'Hard end of an embargo, in calendar days after a private report is received.'],
  ['ACK_BUSINESS_DAYS', '3', 'Business days (Mon–Fri, minus HOLIDAYS) to acknowledge a report before it is escalated.'],
  ['DISCLOSURE_HOUR_UTC', '15', 'Default hour (UTC) of planned disclosures.'],
  ['HOLIDAYS', '(none)', 'Comma-separated YYYY-MM-DD dates that do not count as business days.'],
  ['MAX_ATTACHMENT_BYTES', '10485760', 'Largest attachment on a report, in bytes.'],
  ['MAX_ATTACHMENTS', '10', 'Most attachments in one submission.'],
  ['INTAKE_CONCURRENCY', '32', 'Report submissions (web form, JSON API, files added through a private link) one app process reads at once; more are answered 503 with Retry-After. Memory is bounded by INTAKE_BUFFER_BYTES; this bounds slow senders.'],
  ['INTAKE_BUFFER_BYTES', '67108864', 'Bytes of submission bodies one app process holds at once (by their declared length); a submission that would pass it waits (503 with Retry-After), except that one always fits.'],
  ['INTAKE_PER_ADDRESS', '2', 'Submissions one client address (an IPv6 /64) may have in flight at once, across all app nodes (kept in the database); more are answered 429 with Retry-After. Each address may also start at most 10 a minute.'],
  ['TEAM_EMAIL', 'security@localhost', 'The team address: reports by (encrypted) mail arrive here; shown on the contact page and in security.txt. Also settable at Admin → Settings; set here, it wins.'],
  ['PGP_PASSPHRASE', '(unset)', 'Passphrase that protects the team’s private OpenPGP key at rest. Needed to sign and decrypt mail; a secret.'],
  ['MAIL_LISTEN_HOST', '127.0.0.1', 'Interface of the built-in SMTP listener (`cordon mail listen`).'],
  ['MAIL_LISTEN_PORT', '2525', 'Port of the built-in SMTP listener.'],
  ['MAIL_PRIVATE_IN_CLEAR', 'false', 'Allow private report content in unencrypted mail. By default such recipients get a notice with a link instead.'],
  ['ADVISORY_PREFIX', 'OSSA', 'Prefix of advisory ids (PREFIX-YYYY-NNN).'],
  ['NOTE_PREFIX', 'OSSN', 'Prefix of security note ids (PREFIX-NNNN).'],
  ['VENDOR_NAME', '(unset: Admin → Publication settings)', 'Vendor name in CVE and CSAF records; when set it wins over the one entered on the publication settings page. Nothing is published as vendor when neither is set.'],
  ['ANNOUNCE_LISTS', '(none)', 'Comma-separated addresses that receive signed advisory and note announcements.'],
  ['SECRETS_KEY', '(unset: DATA_DIR/secrets.key, made on first start)', 'Instance key (base64 of 32 bytes, `cordon secrets new-key`) that seals stored secrets such as TOTP seeds, kept out of the database. Every app node and worker needs the same key; a secret.'],
  ['SECRETS_KEY_PREVIOUS', '(none)', 'Comma-separated older instance keys that still open sealed values while `cordon secrets rotate` re-seals them under SECRETS_KEY; remove after the rotation.'],
  ['METRICS_LISTEN', 'off', 'host:port of a separate listener that serves only `/metrics` to scrapers without a token, e.g. `127.0.0.1:9464` (keep it on loopback or a private network). On the main port `/metrics` answers admins only (a session or an admin-scoped API token).'],
  ['WEBHOOK_ALLOW_PRIVATE_NETWORKS', 'false', 'Let webhook endpoints point at loopback, private (RFC 1918, fc00::/7), link-local, CGNAT or other non-public addresses. Off by default: a webhook URL is checked against these at registration and at every delivery (SSRF).'],
  ['WEBHOOK_TIMEOUT_MS', '10000', 'How long one webhook delivery attempt may take, in milliseconds, before it counts as a timeout and is retried with backoff.'],
  ['CI_MEMORY_MB', '2048', 'Private CI: address space each process of a test run may use, in MiB.'],
  ['CI_MAX_PROCESSES', '256', 'Private CI: processes a test run may have at once (a fork bomb stops there).'],
  ['CI_OUTPUT_KB', '1024', 'Private CI: log kept per run, in KiB; past it the log is cut and the run is stopped.'],
  ['CI_DISK_MB', '1024', 'Private CI: what a run may write into its tree, in MiB.'],
  ['CI_CONCURRENCY', '1', 'Private CI: test runs one worker takes at once (0: this worker takes none).'],
  ['CI_CACHE_DIR', '(unset)', 'Private CI: an absolute path to a dependency cache the admin prepared (wheels, npm cache), shown read-only to every run; runs have no network.'],
  ['OIDC_PROVIDERS', '(none)', 'Comma-separated ids of OpenID Connect providers to offer on the sign-in page, e.g. `corp,gitlab` (lowercase letters, digits, dash). Each needs the OIDC_<ID>_ variables below; the redirect URI to register at the provider is `PUBLIC_URL/auth/oidc/<id>/callback`. See docs/sign-in.md.'],
  ['OIDC_<ID>_ISSUER', '(required per provider)', 'The provider’s issuer URL (discovery at `/.well-known/openid-configuration`), https; http only for a loopback address.'],
  ['OIDC_<ID>_CLIENT_ID', '(required per provider)', 'The client id Cordon was registered with at the provider.'],
  ['OIDC_<ID>_CLIENT_SECRET', '(required per provider)', 'The client secret; a secret, never logged or shown.'],
  ['OIDC_<ID>_NAME', '(the id)', 'The label of the “Sign in with …” button.'],
  ['OIDC_<ID>_ALLOWED_EMAIL_DOMAINS', '(any)', 'Comma-separated email domains whose verified addresses may sign in for the first time (link or create an account); others are refused.'],
  ['OIDC_<ID>_TRUST_MFA', 'false', 'Let the provider’s `amr`/`acr` claims stand in for Cordon’s TOTP step for roles in MFA_REQUIRED_ROLES.'],
  ['OIDC_<ID>_MFA_AMR_VALUES', 'mfa', 'Comma-separated RFC 8176 `amr` values any one of which counts as multi-factor when TRUST_MFA is on (e.g. `mfa,hwk`); single factors such as `pwd` or `otp` alone should not be listed unless the provider also asked for a password.'],
  ['OIDC_<ID>_MFA_ACR_VALUES', '(none)', 'Comma-separated `acr` values that count as multi-factor when TRUST_MFA is on (provider-specific, e.g. Keycloak’s level name).'],
  ['PASSWORD_SIGN_IN', 'on', 'off: the sign-in page shows only the OIDC providers and the password routes refuse (needs OIDC_PROVIDERS). The break-glass for an admin is the server: `PASSWORD_SIGN_IN=on` and a restart, and the `cordon user` commands.'],
] as const;

/** A checked value, or what is wrong and how to fix it. Shared by loadConfig and the settings page. */
export type ValueCheck = { ok: true; value: string } | { ok: false; problem: string; fix: string };

const PLAIN_ADDRESS = /^[^\s@<>,;"]+@[A-Za-z0-9.-]+$/;

/** PUBLIC_URL: an http(s) URL, stored without trailing slashes. */
export function checkPublicUrl(raw: string): ValueCheck {
  const value = raw.trim();
  try {
    const u = new URL(value);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error('scheme');
    if (u.search || u.hash || u.username || u.password) throw new Error('extra parts');
    return { ok: true, value: value.replace(/\/+$/, '') };
  } catch {
    return { ok: false, problem: `"${value}" is not an http(s) URL.`, fix: 'Use https://security.example.org' };
  }
}

/** TEAM_EMAIL and list addresses: a plain address, no display name. */
export function checkPlainAddress(raw: string): ValueCheck {
  const value = raw.trim();
  return PLAIN_ADDRESS.test(value) ? { ok: true, value } : { ok: false, problem: `"${value}" is not an email address.`, fix: 'Use plain addresses like security@example.org.' };
}

/** MAIL_FROM: "Name <address>" or a plain address, on one line (it becomes a header). */
export function checkMailFrom(raw: string): ValueCheck {
  const value = raw.trim();
  const m = /^(?:([^<>\r\n]*?)\s*<([^<>\s]+)>|([^<>\s]+))$/.exec(value);
  const address = m ? (m[2] ?? m[3] ?? '') : '';
  if (!m || !PLAIN_ADDRESS.test(address) || /[\r\n]/.test(value)) return { ok: false, problem: `"${value}" is not an address like Name <security@example.org>.`, fix: 'Use Example Security <security@example.org> or a plain address.' };
  return { ok: true, value };
}

/** INSTANCE_NAME: shown in headers and mail subjects, so one short line. */
export function checkInstanceName(raw: string): ValueCheck {
  const value = raw.trim();
  // eslint-disable-next-line no-control-regex
  if (!value || value.length > 80 || /[\u0000-\u001f\u007f]/.test(value)) return { ok: false, problem: 'must be 1–80 characters on one line.', fix: 'Use a short name such as Example Security.' };
  return { ok: true, value };
}

/** An address mail can be delivered to from elsewhere: not localhost, with a dotted domain. */
export function isRoutableAddress(address: string): boolean {
  const domain = (/@([^>\s]+)>?\s*$/.exec(address)?.[1] ?? '').toLowerCase();
  return domain.includes('.') && domain !== 'localhost' && !domain.endsWith('.localhost') && !domain.endsWith('.local');
}

function parseIntVar(
  env: NodeJS.ProcessEnv,
  name: string,
  fallback: number,
  min: number,
  max: number,
  problems: ConfigProblem[],
): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) {
    problems.push({ variable: name, problem: `"${raw}" is not a whole number between ${min} and ${max}.`, fix: `Set ${name}=${fallback} or unset it.` });
    return fallback;
  }
  return n;
}

function parseBool(env: NodeJS.ProcessEnv, name: string, fallback: boolean, problems: ConfigProblem[]): boolean {
  const raw = env[name]?.trim().toLowerCase();
  if (raw === undefined || raw === '') return fallback;
  if (['1', 'true', 'yes', 'on'].includes(raw)) return true;
  if (['0', 'false', 'no', 'off'].includes(raw)) return false;
  problems.push({ variable: name, problem: `"${env[name]}" is not true or false.`, fix: `Set ${name}=true or ${name}=false.` });
  return fallback;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const problems: ConfigProblem[] = [];
  const port = parseIntVar(env, 'PORT', 8080, 1, 65535, problems);

  const databaseUrl = env.DATABASE_URL?.trim() || undefined;
  if (databaseUrl && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    problems.push({
      variable: 'DATABASE_URL',
      problem: 'only PostgreSQL URLs are supported (postgres://user:password@host:5432/database).',
      fix: 'Unset DATABASE_URL to use the embedded SQLite database, or give a postgres:// URL.',
    });
  }

  let publicUrl = env.PUBLIC_URL?.trim() || `http://localhost:${port}`;
  const urlCheck = checkPublicUrl(publicUrl);
  if (urlCheck.ok) publicUrl = urlCheck.value;
  else problems.push({ variable: 'PUBLIC_URL', problem: urlCheck.problem, fix: 'Set PUBLIC_URL=https://security.example.org' });

  const registration = (env.REGISTRATION?.trim() || 'open') as RegistrationMode;
  if (!['open', 'invite', 'closed'].includes(registration)) {
    problems.push({ variable: 'REGISTRATION', problem: `"${registration}" is not a registration mode.`, fix: 'Use open, invite or closed.' });
  }

  const mfaRaw = env.MFA_REQUIRED_ROLES ?? 'admin,vmt,security_core';
  const mfaRequiredRoles = new Set<'admin' | 'vmt' | 'security_core'>();
  for (const role of mfaRaw.split(',').map((r) => r.trim()).filter(Boolean)) {
    if (role === 'admin' || role === 'vmt' || role === 'security_core') mfaRequiredRoles.add(role);
    else problems.push({ variable: 'MFA_REQUIRED_ROLES', problem: `unknown role "${role}".`, fix: 'Use a comma-separated subset of admin,vmt,security_core (or empty).' });
  }

  const logLevel = (env.LOG_LEVEL?.trim() || 'info') as Config['logLevel'];
  if (!['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].includes(logLevel)) {
    problems.push({ variable: 'LOG_LEVEL', problem: `"${logLevel}" is not a log level.`, fix: 'Use info (or fatal, error, warn, debug, trace, silent).' });
  }

  const smtpUrl = env.SMTP_URL?.trim() || undefined;
  if (smtpUrl && !/^smtps?:\/\//.test(smtpUrl)) {
    problems.push({ variable: 'SMTP_URL', problem: 'must start with smtp:// or smtps://.', fix: 'Set SMTP_URL=smtps://user:password@mail.example.org:465 or unset it.' });
  }

  const secretsKey = env.SECRETS_KEY?.trim() || undefined;
  if (secretsKey && !parseKey(secretsKey)) {
    problems.push({ variable: 'SECRETS_KEY', problem: 'is not base64 of 32 random bytes.', fix: 'Make one with `cordon secrets new-key`, or unset SECRETS_KEY to use DATA_DIR/secrets.key.' });
  }
  const secretsKeysPrevious = (env.SECRETS_KEY_PREVIOUS ?? '').split(',').map((k) => k.trim()).filter(Boolean);
  if (secretsKeysPrevious.some((k) => !parseKey(k))) {
    problems.push({ variable: 'SECRETS_KEY_PREVIOUS', problem: 'holds a value that is not base64 of 32 bytes.', fix: 'Give the old SECRETS_KEY values, comma-separated, or unset it.' });
  }

  const config: Config = {
    port,
    host: env.HOST?.trim() || '0.0.0.0',
    dataDir: path.resolve(env.DATA_DIR?.trim() || './data'),
    databaseUrl,
    publicUrl,
    registration,
    mfaRequiredRoles,
    trustProxy: parseBool(env, 'TRUST_PROXY', false, problems),
    logLevel,
    logRequests: parseBool(env, 'LOG_REQUESTS', false, problems),
    smtpUrl,
    mailFrom: env.MAIL_FROM?.trim() || 'Cordon <security@localhost>',
    inProcessWorker: parseBool(env, 'IN_PROCESS_WORKER', true, problems),
    workerConcurrency: parseIntVar(env, 'WORKER_CONCURRENCY', 4, 1, 64, problems),
    instanceName: env.INSTANCE_NAME?.trim() || 'Cordon',
    maxBodyBytes: parseIntVar(env, 'MAX_BODY_BYTES', 1_048_576, 1024, 100 * 1_048_576, problems),
    embargoMaxDays: parseIntVar(env, 'EMBARGO_MAX_DAYS', 90, 1, 365, problems),
    ackBusinessDays: parseIntVar(env, 'ACK_BUSINESS_DAYS', 3, 1, 30, problems),
    disclosureHourUtc: parseIntVar(env, 'DISCLOSURE_HOUR_UTC', 15, 0, 23, problems),
    holidays: parseHolidayList(env, problems),
    maxAttachmentBytes: parseIntVar(env, 'MAX_ATTACHMENT_BYTES', 10 * 1_048_576, 1024, 100 * 1_048_576, problems),
    maxAttachments: parseIntVar(env, 'MAX_ATTACHMENTS', 10, 1, 100, problems),
    intakeConcurrency: parseIntVar(env, 'INTAKE_CONCURRENCY', 32, 1, 1000, problems),
    intakeBufferBytes: parseIntVar(env, 'INTAKE_BUFFER_BYTES', 64 * 1_048_576, 1_048_576, 64 * 1_073_741_824, problems),
    intakePerAddress: parseIntVar(env, 'INTAKE_PER_ADDRESS', 2, 1, 1000, problems),
    teamEmail: env.TEAM_EMAIL?.trim() || 'security@localhost',
    pgpPassphrase: env.PGP_PASSPHRASE || undefined,
    mailListenHost: env.MAIL_LISTEN_HOST?.trim() || '127.0.0.1',
    mailListenPort: parseIntVar(env, 'MAIL_LISTEN_PORT', 2525, 1, 65535, problems),
    mailPrivateInClear: parseBool(env, 'MAIL_PRIVATE_IN_CLEAR', false, problems),
    advisoryPrefix: parsePrefix(env, 'ADVISORY_PREFIX', 'OSSA', problems),
    notePrefix: parsePrefix(env, 'NOTE_PREFIX', 'OSSN', problems),
    // No default: records say only what was entered (issue 15); the settings page holds it otherwise.
    vendorName: env.VENDOR_NAME?.trim() ?? '',
    announceLists: (env.ANNOUNCE_LISTS ?? '').split(',').map((a) => a.trim()).filter(Boolean),
    secretsKey,
    secretsKeysPrevious,
    metricsListen: parseListen(env, 'METRICS_LISTEN', problems),
    settingsFromEnvironment: instanceSettingVariables.filter((name) => !!env[name]?.trim()),
    webhookAllowPrivateNetworks: parseBool(env, 'WEBHOOK_ALLOW_PRIVATE_NETWORKS', false, problems),
    webhookTimeoutMs: parseIntVar(env, 'WEBHOOK_TIMEOUT_MS', 10_000, 100, 120_000, problems),
    ci: {
      memoryMb: parseIntVar(env, 'CI_MEMORY_MB', 2048, 64, 1_048_576, problems),
      maxProcesses: parseIntVar(env, 'CI_MAX_PROCESSES', 256, 8, 100_000, problems),
      outputKb: parseIntVar(env, 'CI_OUTPUT_KB', 1024, 16, 1_048_576, problems),
      diskMb: parseIntVar(env, 'CI_DISK_MB', 1024, 16, 1_048_576, problems),
      concurrency: parseIntVar(env, 'CI_CONCURRENCY', 1, 0, 64, problems),
      cacheDir: parseCacheDir(env, problems),
    },
    oidcProviders: parseOidcProviders(env, problems),
    passwordSignIn: parseBool(env, 'PASSWORD_SIGN_IN', true, problems),
  };
  if (!config.passwordSignIn && config.oidcProviders.length === 0) {
    problems.push({ variable: 'PASSWORD_SIGN_IN', problem: 'is off but no OpenID Connect provider is configured, so nobody could sign in.', fix: 'Configure OIDC_PROVIDERS (docs/sign-in.md) or set PASSWORD_SIGN_IN=on.' });
  }
  for (const address of [config.teamEmail, ...config.announceLists]) {
    const check = checkPlainAddress(address);
    if (!check.ok) {
      problems.push({ variable: address === config.teamEmail ? 'TEAM_EMAIL' : 'ANNOUNCE_LISTS', problem: check.problem, fix: 'Use plain addresses like security@example.org (comma-separated for lists).' });
    }
  }
  for (const [variable, check] of [['MAIL_FROM', checkMailFrom(config.mailFrom)], ['INSTANCE_NAME', checkInstanceName(config.instanceName)]] as const) {
    if (!check.ok) problems.push({ variable, problem: check.problem, fix: `${check.fix} Or unset ${variable}.` });
  }
  if (problems.length) throw new ConfigError(problems);
  return config;
}

/** CI_CACHE_DIR: absolute, one line (it is bound into every sandbox read-only). */
function parseCacheDir(env: NodeJS.ProcessEnv, problems: ConfigProblem[]): string | null {
  const raw = env.CI_CACHE_DIR?.trim() ?? '';
  if (raw === '') return null;
  // eslint-disable-next-line no-control-regex
  if (!path.isAbsolute(raw) || /[\u0000-\u001f\u007f]/.test(raw)) {
    problems.push({ variable: 'CI_CACHE_DIR', problem: `"${raw.slice(0, 100)}" is not an absolute path.`, fix: 'Set CI_CACHE_DIR=/var/cache/cordon-ci (a directory the admin filled) or unset it.' });
    return null;
  }
  return path.resolve(raw);
}

const list = (raw: string | undefined) => (raw ?? '').split(',').map((v) => v.trim()).filter(Boolean);

/** OIDC_PROVIDERS and each provider's OIDC_<ID>_* variables. */
function parseOidcProviders(env: NodeJS.ProcessEnv, problems: ConfigProblem[]): OidcProviderConfig[] {
  const ids = list(env.OIDC_PROVIDERS);
  const out: OidcProviderConfig[] = [];
  for (const id of ids) {
    if (!/^[a-z][a-z0-9-]{0,31}$/.test(id) || ids.indexOf(id) !== ids.lastIndexOf(id)) {
      problems.push({ variable: 'OIDC_PROVIDERS', problem: `"${id}" is not a unique id of lowercase letters, digits and dashes.`, fix: 'Use ids like OIDC_PROVIDERS=corp,gitlab.' });
      continue;
    }
    const prefix = `OIDC_${id.toUpperCase().replace(/-/g, '_')}_`;
    const need = (name: string) => {
      const v = env[prefix + name]?.trim() ?? '';
      if (!v) problems.push({ variable: prefix + name, problem: `is required for the provider "${id}".`, fix: `Set ${prefix}${name} (docs/sign-in.md), or remove ${id} from OIDC_PROVIDERS.` });
      return v;
    };
    const issuer = need('ISSUER').replace(/\/+$/, '');
    if (issuer && !issuerAllowed(issuer)) {
      problems.push({ variable: `${prefix}ISSUER`, problem: `"${issuer}" is not an https URL (http is allowed only for a loopback address).`, fix: `Set ${prefix}ISSUER=https://id.example.org/realms/main` });
    }
    const domains = list(env[`${prefix}ALLOWED_EMAIL_DOMAINS`]).map((d) => d.toLowerCase().replace(/^@/, ''));
    if (domains.some((d) => !/^[a-z0-9.-]+\.[a-z]{2,}$/.test(d))) {
      problems.push({ variable: `${prefix}ALLOWED_EMAIL_DOMAINS`, problem: 'holds something that is not a domain.', fix: `Use comma-separated domains like ${prefix}ALLOWED_EMAIL_DOMAINS=example.org,example.com, or unset it.` });
    }
    out.push({
      id,
      issuer,
      clientId: need('CLIENT_ID'),
      clientSecret: need('CLIENT_SECRET'),
      name: env[`${prefix}NAME`]?.trim() || id,
      allowedEmailDomains: domains,
      trustMfa: parseBool(env, `${prefix}TRUST_MFA`, false, problems),
      mfaAmrValues: env[`${prefix}MFA_AMR_VALUES`] === undefined ? ['mfa'] : list(env[`${prefix}MFA_AMR_VALUES`]),
      mfaAcrValues: list(env[`${prefix}MFA_ACR_VALUES`]),
    });
  }
  return out;
}

function issuerAllowed(issuer: string): boolean {
  try {
    const u = new URL(issuer);
    if (u.protocol === 'https:') return true;
    return u.protocol === 'http:' && ['127.0.0.1', 'localhost', '[::1]'].includes(u.hostname);
  } catch {
    return false;
  }
}

/** `host:port` (`[::1]:port` for IPv6), or off. */
function parseListen(env: NodeJS.ProcessEnv, name: string, problems: ConfigProblem[]): { host: string; port: number } | null {
  const raw = env[name]?.trim() ?? '';
  if (raw === '' || raw.toLowerCase() === 'off') return null;
  const m = /^(?:\[([0-9A-Fa-f:.]+)\]|([A-Za-z0-9.-]+)):(\d{1,5})$/.exec(raw);
  const port = m ? Number(m[3]) : NaN;
  if (!m || port < 1 || port > 65535) {
    problems.push({ variable: name, problem: `"${raw}" is not host:port.`, fix: `Set ${name}=127.0.0.1:9464 (or [::1]:9464), or ${name}=off.` });
    return null;
  }
  return { host: m[1] ?? m[2]!, port };
}

function parsePrefix(env: NodeJS.ProcessEnv, name: string, fallback: string, problems: ConfigProblem[]): string {
  const v = env[name]?.trim() || fallback;
  if (!/^[A-Z][A-Z0-9]{1,9}$/.test(v)) problems.push({ variable: name, problem: `"${v}" is not a prefix of 2–10 capital letters or digits.`, fix: `Set ${name}=${fallback} or unset it.` });
  return v;
}

function parseHolidayList(env: NodeJS.ProcessEnv, problems: ConfigProblem[]): string[] {
  const raw = env.HOLIDAYS?.trim();
  if (!raw) return [];
  const days = raw.split(',').map((d) => d.trim()).filter(Boolean);
  for (const d of days) {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(d) || Number.isNaN(Date.parse(`${d}T00:00:00Z`)) || new Date(`${d}T00:00:00Z`).toISOString().slice(0, 10) !== d) {
      problems.push({ variable: 'HOLIDAYS', problem: `"${d}" is not a YYYY-MM-DD date.`, fix: 'Use a comma-separated list such as HOLIDAYS=2026-12-25,2027-01-01.' });
    }
  }
  return days;
}

/** A configuration for tests: SQLite in a temp dir unless a database URL is given. */
export function testConfig(overrides: Partial<Config> = {}): Config {
  return {
    ...loadConfig({ DATA_DIR: overrides.dataDir ?? '/tmp/cordon-test', LOG_LEVEL: 'silent', PUBLIC_URL: 'http://cordon.test' }),
    inProcessWorker: false,
    // Tests pass PUBLIC_URL above for a stable URL; it does not count as set by an operator.
    settingsFromEnvironment: [],
    ...overrides,
  };
}
