// /admin/keys: the team key in the browser (issue 15 item 2) — what is current, generate or import one,
// replace it behind the confirmation step. Admins manage it; the VMT may look. The secret part is stored
// encrypted under PGP_PASSPHRASE, which stays in the environment (DESIGN.md §5: secrets only from the
// environment), so the page says which variable and why instead of asking for it.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { can } from '../access/policy.js';
import type { AppContext, Scope } from '../context.js';
import { errors, type AppError, type FieldIssue } from '../errors/catalogue.js';
import { formAction } from '../http/form-action.js';
import { irreversibleRoutes } from '../http/confirm.js';
import { formBody, str, type FormBody } from '../http/forms.js';
import { route, type RouteDef } from '../http/route.js';
import { FormFields, Text } from '../http/schemas.js';
import { Type } from '@sinclair/typebox';
import { sendPage } from '../http/render.js';
import { placeholderAddressIssues } from '../config/placeholder-addresses.js';
import { minimumPassphraseLength, type TeamKeyAlgorithm } from '../pgp/team-key.js';
import { Badge, Button, CsrfField, ErrorSummary, Select, TextField, Time, type FormState } from '../web/components.js';
import type { PageContext } from '../web/layout.js';
import { formatFingerprint } from './public-keys.js';
import { saveRevocation } from './revocation.js';
import type { TeamKeyRow } from './tables.js';
import { currentTeamKey, generateAndStoreTeamKey, importTeamKey, keyNamesTeamAddress, listTeamKeys, requirePassphrase, TEAM_KEY_PAGE, teamKeyAlgorithms, teamUserIdFor } from './team-keys.js';


const algorithmOptions: [string, string][] = [
  ['ed25519', 'Ed25519 with a Curve25519 encryption subkey (recommended: small, fast, GnuPG 2.2+)'],
  ['rsa4096', 'RSA 4096 with an RSA 4096 encryption subkey (for old OpenPGP clients)'],
];

/** A new key's form: generate (type, expiry) or import (the armored secret key and its passphrase). */
const newKeyForm = FormFields({
  algorithm: Type.Optional(Text(20)),
  expires_days: Type.Optional(Text(10)),
  key: Type.Optional(Text(200_000)),
  key_passphrase: Type.Optional(Text(1_024)),
});

/** The fields of a new key from a form: key type and optional expiry; the user id is always the current one. */
function newKeyFields(form: FormBody): { algorithm: TeamKeyAlgorithm; expiresInDays?: number } {
  const chosen = str(form, 'algorithm') || 'ed25519';
  const algorithm = teamKeyAlgorithms.find((a) => a === chosen);
  if (!algorithm) throw errors.field('algorithm', `Choose one of ${teamKeyAlgorithms.join(', ')}.`);
  const days = str(form, 'expires_days');
  if (!days) return { algorithm };
  if (!/^\d{1,4}$/.test(days)) throw errors.field('expires_days', 'Give the expiry as a whole number of days between 1 and 3650, or leave it empty.');
  return { algorithm, expiresInDays: Number(days) };
}

async function generate(scope: Scope, form: FormBody, rotate: boolean, reason?: string): Promise<string> {
  const { config } = scope.app;
  const { fingerprint, revocationCertificate } = await generateAndStoreTeamKey(scope, { ...teamUserIdFor(config), ...newKeyFields(form), ...(reason ? { reason } : {}) }, rotate);
  const file = saveRevocation(config.dataDir, fingerprint, revocationCertificate);
  return `Team key ${formatFingerprint(fingerprint)} is now current. Its revocation certificate was written to ${file} on the server: move it somewhere safe and offline.`;
}

async function importKey(scope: Scope, form: FormBody, rotate: boolean, reason?: string): Promise<string> {
  const armored = str(form, 'key');
  if (!armored) throw errors.field('key', 'Paste the ASCII-armored secret key (gpg --armor --export-secret-keys FINGERPRINT).');
  const keyPassphrase = str(form, 'key_passphrase');
  const { fingerprint } = await importTeamKey(scope, armored, { rotate, ...(keyPassphrase ? { keyPassphrase } : {}), ...(reason ? { reason } : {}) });
  return `Team key ${formatFingerprint(fingerprint)} imported and now current; it is stored encrypted under PGP_PASSPHRASE.`;
}

export function adminKeyRoutes(app: AppContext): RouteDef[] {
  const create = (url: string, run: typeof generate): RouteDef => route({
    method: 'POST',
    url,
    audience: 'admin.write',
    form: true,
    schema: { body: newKeyForm },
    handler: async (req, reply, scope) => {
      const form = formBody(req);
      // Refusals are shown on the page with the form. The secret key and its passphrase are never written back into it.
      const again = (issues: FieldIssue[], error: AppError) => keysPage(app, req, reply, { values: { algorithm: str(form, 'algorithm'), expires_days: str(form, 'expires_days') }, issues }, error.status);
      return formAction(req, reply, { back: TEAM_KEY_PAGE, again, field: 'key' }, async () => ({ to: TEAM_KEY_PAGE, message: await run(scope, form, false) }));
    },
  });
  return [
    { method: 'GET', url: TEAM_KEY_PAGE, audience: 'keys.read', handler: async (req, reply) => keysPage(app, req, reply) },
    create(`${TEAM_KEY_PAGE}/generate`, generate),
    create(`${TEAM_KEY_PAGE}/import`, importKey),
    ...irreversibleRoutes<TeamKeyRow>(app, {
      url: `${TEAM_KEY_PAGE}/replace`,
      audience: 'admin.write',
      leak: {},
      prepare: async () => {
        const current = await currentTeamKey(app.storage.db);
        if (!current) throw errors.conflict('There is no team key to replace yet: generate or import one.');
        return current;
      },
      back: () => TEAM_KEY_PAGE,
      fields: ['mode', 'algorithm', 'expires_days', 'key', 'key_passphrase'],
      view: (current) => ({
        title: 'Replace the team key',
        lead: `A new key becomes the team key; ${formatFingerprint(current.fingerprint)} is retired.`,
        consequences: [
          'Every mail from now on is signed by the new key; the retired key no longer signs anything.',
          'The retired key stays, passphrase-protected, to open mail that was encrypted to it.',
          'Reporters and stakeholders need the new public key: it replaces the old one at /keys/team.asc, on the contact page and in security.txt.',
          `A generated key gets the user id ${userIdText(app)}.`,
        ],
        button: 'Replace the team key',
        reasonLabel: 'Why replace the key',
        reasonHint: 'For example: the address changed, the key is due to expire, the passphrase may have leaked.',
        extra: (state) => <NewKeyFields state={state} replacing />,
      }),
      run: async (scope, _params, form, reason) => {
        const mode = str(form, 'mode') || 'generate';
        if (mode !== 'generate' && mode !== 'import') throw errors.field('mode', 'Choose to generate a new key or import one.');
        const message = mode === 'import' ? await importKey(scope, form, true, reason) : await generate(scope, form, true, reason);
        return { location: TEAM_KEY_PAGE, message };
      },
    }),
  ];
}

function userIdText(app: AppContext): string {
  const { name, email } = teamUserIdFor(app.config);
  return `${name} <${email}>`;
}

/** The choices of a new key: generate (type, expiry) or import (armored key, its passphrase). */
function NewKeyFields({ state, replacing }: { state?: FormState; replacing?: boolean }) {
  return (
    <>
      {replacing ? (
        <Select
          name="mode"
          label="New key"
          options={[
            ['generate', 'Generate a new key'],
            ['import', 'Import the secret key pasted below'],
          ]}
          selected={typeof state?.values?.mode === 'string' ? state.values.mode : 'generate'}
          state={state}
        />
      ) : null}
      <Select name="algorithm" label="Key type (when generating)" options={algorithmOptions} selected={typeof state?.values?.algorithm === 'string' ? state.values.algorithm : 'ed25519'} state={state} />
      <TextField name="expires_days" label="Expires after (days, when generating)" hint="Empty: the key does not expire. You can always replace it here." inputmode="numeric" state={state} />
      {replacing ? (
        <>
          <TextField name="key" label="Secret key to import (ASCII-armored)" hint="Only when importing: the output of gpg --armor --export-secret-keys FINGERPRINT." multiline rows={6} value="" state={state} />
          <TextField name="key_passphrase" type="password" label="Its current passphrase (when importing)" hint="Empty if the key is not protected or already uses PGP_PASSPHRASE." autocomplete="off" state={state} />
        </>
      ) : null}
    </>
  );
}

function KeyFacts({ row }: { row: TeamKeyRow }) {
  return (
    <dl class="facts">
      <dt>Fingerprint</dt>
      <dd>
        <code>{formatFingerprint(row.fingerprint)}</code>
      </dd>
      <dt>User id</dt>
      <dd>{(JSON.parse(row.user_ids) as string[]).join('; ')}</dd>
      <dt>Type</dt>
      <dd>{row.algorithm}</dd>
      <dt>Created</dt>
      <dd>
        <Time iso={row.key_created_at} />
      </dd>
      <dt>Expires</dt>
      <dd>{row.expires_at ? <Time iso={row.expires_at} /> : 'never'}</dd>
      <dt>Added</dt>
      <dd>
        <Time iso={row.added_at} /> ({row.source})
      </dd>
    </dl>
  );
}

/** What is wrong with PGP_PASSPHRASE (requirePassphrase's words), or null when it can protect a key. */
function passphraseProblem(app: AppContext): string | null {
  try {
    requirePassphrase(app.config);
    return null;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

function PassphraseCard({ problem }: { problem: string | null }) {
  return (
    <section class="card" aria-labelledby="passphrase-heading">
      <h2 id="passphrase-heading">The passphrase: PGP_PASSPHRASE</h2>
      <p>
        The team’s secret key is stored in the database encrypted under the passphrase in the environment variable <code>PGP_PASSPHRASE</code>. The passphrase itself is never
        stored, so a copy of the database (a backup, a dump) does not give the key away. Cordon reads it when it starts, to sign and decrypt mail.
      </p>
      {problem ? (
        <div class="error-summary" role="alert">
          <h2>PGP_PASSPHRASE is not usable: no key can be made, imported or used</h2>
          <p>{problem}</p>
          <p>
            Set it where Cordon’s environment is defined (the service file, <code>.env</code> or the container’s settings), at least {minimumPassphraseLength} characters, for
            example <code>PGP_PASSPHRASE='a long random phrase'</code>, then restart Cordon and the workers. Keep a copy in your password manager: without it the key cannot be
            opened.
          </p>
        </div>
      ) : (
        <p>
          <Badge tone="ok">set</Badge> PGP_PASSPHRASE is set. If it ever changes, the stored key must be imported again under the new passphrase.
        </p>
      )}
    </section>
  );
}

async function keysPage(app: AppContext, req: FastifyRequest, reply: FastifyReply, state?: FormState, status?: number) {
  const keys = await listTeamKeys(app.storage.db);
  const current = keys.find((k) => k.status === 'current');
  const retired = keys.filter((k) => k.status === 'retired');
  const addressIssues = placeholderAddressIssues(app.config);
  const teamEmail = app.config.teamEmail;
  const problem = passphraseProblem(app);
  return sendPage(
    app,
    req,
    reply,
    'Team key',
    (ctx: PageContext) => {
      const manage = can(ctx.actor, 'admin.write');
      return (
        <>
          <h1>Team key</h1>
          <p class="lead">
            The team’s OpenPGP key signs every mail {app.config.instanceName} sends (pre-notices, advisories, notes) and opens reports sent to {teamEmail} encrypted. A pre-notice
            cannot go out without it.
          </p>
          <ErrorSummary state={state} />
          {addressIssues.length ? (
            <div class="flash error" role="status">
              <strong>The addresses are placeholders.</strong> {addressIssues.map((i) => i.message).join(' ')} A key made now carries {userIdText(app)} as its user id.
            </div>
          ) : null}
          {current ? (
            <section class="card" aria-labelledby="current-heading">
              <h2 id="current-heading">Current key</h2>
              <KeyFacts row={current} />
              <p>
                <a href="/keys/team.asc" download="team.asc">
                  Download the public key (team.asc)
                </a>
              </p>
              {!keyNamesTeamAddress(current, teamEmail) ? (
                <div class="flash error" role="status">
                  <p>
                    <strong>This key does not name the team address {teamEmail}.</strong> It was made for another address, so people who check a signature see an address the team
                    does not read.
                  </p>
                  {manage ? (
                    <p>
                      <a class="btn" href={`${TEAM_KEY_PAGE}/replace`}>
                        Make a new key for {teamEmail}…
                      </a>
                    </p>
                  ) : null}
                </div>
              ) : null}
              {manage ? (
                <p>
                  <a class="btn secondary" href={`${TEAM_KEY_PAGE}/replace`}>
                    Replace the team key…
                  </a>
                </p>
              ) : null}
            </section>
          ) : (
            <section class="card" aria-labelledby="none-heading">
              <h2 id="none-heading">No team key yet</h2>
              <p>
                Mail goes out unsigned and pre-notices are refused until there is one.{' '}
                {!manage ? 'An admin can generate or import one here.' : problem ? 'Set PGP_PASSPHRASE first (see below); then generate one here, or import the key the team already uses.' : 'Generate one here, or import the key the team already uses.'}
              </p>
            </section>
          )}
          <PassphraseCard problem={problem} />
          {manage && !current && !problem ? (
            <div class="grid key-forms">
              <form method="post" action={`${TEAM_KEY_PAGE}/generate`} class="card stack">
                <h2>Generate a key</h2>
                <CsrfField token={ctx.csrfToken} />
                <p>
                  User id: <strong>{userIdText(app)}</strong> <span class="muted">(INSTANCE_NAME and TEAM_EMAIL)</span>
                </p>
                <NewKeyFields state={state} />
                <p class="muted">The revocation certificate is written to the data directory on the server, for you to move somewhere safe.</p>
                <Button>Generate the team key</Button>
              </form>
              <form method="post" action={`${TEAM_KEY_PAGE}/import`} class="card stack">
                <h2>Import a key</h2>
                <CsrfField token={ctx.csrfToken} />
                <p>The key must include its secret part, be able to sign and receive encrypted mail, and unlock with the passphrase given (or PGP_PASSPHRASE).</p>
                <TextField name="key" label="Secret key (ASCII-armored)" hint="gpg --armor --export-secret-keys FINGERPRINT" multiline rows={6} value="" required state={state} />
                <TextField name="key_passphrase" type="password" label="Its current passphrase" hint="Empty if the key is not protected or already uses PGP_PASSPHRASE. It is used once to unlock the key, then the key is stored under PGP_PASSPHRASE." autocomplete="off" state={state} />
                <Button kind="secondary">Import the key</Button>
              </form>
            </div>
          ) : null}
          {retired.length ? (
            <section class="card" aria-labelledby="retired-heading">
              <h2 id="retired-heading">Retired keys</h2>
              <p class="muted">Kept to open mail that was encrypted to them; they sign nothing.</p>
              <ul>
                {retired.map((k) => (
                  <li>
                    <code>{formatFingerprint(k.fingerprint)}</code> {(JSON.parse(k.user_ids) as string[]).join('; ')} — retired <Time iso={k.retired_at} />
                  </li>
                ))}
              </ul>
            </section>
          ) : null}
        </>
      );
    },
    { status },
  );
}
