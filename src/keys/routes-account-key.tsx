// A user's own OpenPGP public key: paste, replace or remove it, with what Cordon makes of it (fingerprint,
// expiry, algorithm, usable for encryption or why not). Mail with private content to the user is
// encrypted to it; VMT members' keys are also published on /contact.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type } from '@sinclair/typebox';
import type { UserActor } from '../access/actor.js';
import type { AppContext } from '../context.js';
import { type AppError, type FieldIssue } from '../errors/catalogue.js';
import { formAction } from '../http/form-action.js';
import { route, type RouteDef } from '../http/route.js';
import { EmptyForm, FormFields, NoBody, Text } from '../http/schemas.js';
import { formBody, str } from '../http/forms.js';
import { redirectWithFlash, sendPage } from '../http/render.js';
import { Badge, Button, CsrfField, ErrorSummary, TextField, Time, type FormState } from '../web/components.js';
import { formatFingerprint, removeUserKey, setUserKey, summariseKey, userKeyOf } from './public-keys.js';


async function presentKey(app: AppContext, userId: number) {
  const row = await userKeyOf(app.storage.db, userId);
  if (!row) return null;
  const summary = await summariseKey(row.public_key, app.clock.now());
  return summary.fingerprint === null
    ? { fingerprint: row.fingerprint, readable: false as const, problem: summary.problem, added_at: row.added_at, updated_at: row.updated_at }
    : {
        readable: true as const,
        fingerprint: summary.fingerprint,
        algorithm: summary.algorithm,
        user_ids: summary.userIds,
        created: summary.created,
        expires: summary.expires,
        revoked: summary.revoked,
        usable_for_encryption: summary.usableForEncryption,
        problem: summary.problem,
        added_at: row.added_at,
        updated_at: row.updated_at,
      };
}

async function keyPage(app: AppContext, req: FastifyRequest, reply: FastifyReply, actor: UserActor, state?: FormState, status?: number) {
  const key = await presentKey(app, actor.userId);
  const isVmt = actor.heldRoles.has('vmt');
  return sendPage(
    app,
    req,
    reply,
    'Your OpenPGP key',
    (ctx) => (
      <>
        <h1>Your OpenPGP key</h1>
        <p class="lead">
          Mail from {app.config.instanceName} that carries private details is encrypted to this key. Without a usable key you get a short notice with a link instead.
          {isVmt ? ' As a VMT member, your key is also published on the contact page.' : ''}
        </p>
        <ErrorSummary state={state} />
        {key ? (
          <div class="card">
            <h2>Key on file</h2>
            {key.readable ? (
              <dl class="facts">
                <dt>Fingerprint</dt>
                <dd>
                  <code class="fingerprint">{formatFingerprint(key.fingerprint)}</code>
                </dd>
                <dt>User ids</dt>
                <dd>{key.user_ids.join('; ')}</dd>
                <dt>Algorithm</dt>
                <dd>{key.algorithm}</dd>
                <dt>Created</dt>
                <dd>
                  <Time iso={key.created} />
                </dd>
                <dt>Expires</dt>
                <dd>{key.expires ? <Time iso={key.expires} /> : 'never'}</dd>
                <dt>Encryption</dt>
                <dd>{key.usable_for_encryption ? <Badge tone="ok">usable</Badge> : <Badge tone="danger">not usable: {key.problem ?? ''}</Badge>}</dd>
              </dl>
            ) : (
              <p>
                <Badge tone="danger">unreadable</Badge> {key.problem}
              </p>
            )}
            <form method="post" action="/account/pgp-key/remove" class="inline">
              <CsrfField token={ctx.csrfToken} />
              <Button kind="danger">Remove the key</Button>
            </form>
          </div>
        ) : (
          <p class="empty">No key on file.</p>
        )}
        <form method="post" action="/account/pgp-key" class="card stack">
          <CsrfField token={ctx.csrfToken} />
          <h2>{key ? 'Replace the key' : 'Add a key'}</h2>
          <TextField
            name="public_key"
            label="OpenPGP public key"
            hint="ASCII-armored, as printed by gpg --armor --export YOUR@ADDRESS. Expired, revoked or weak keys are refused."
            multiline
            rows={8}
            required
            state={state}
          />
          <Button>Save the key</Button>
        </form>
      </>
    ),
    status !== undefined ? { status } : {},
  );
}

const keySchema = Type.Object(
  {
    fingerprint: Type.String(),
    readable: Type.Boolean(),
    algorithm: Type.Optional(Type.String()),
    user_ids: Type.Optional(Type.Array(Type.String())),
    created: Type.Optional(Type.String()),
    expires: Type.Optional(Type.Union([Type.String(), Type.Null()])),
    revoked: Type.Optional(Type.Boolean()),
    usable_for_encryption: Type.Optional(Type.Boolean()),
    problem: Type.Union([Type.String(), Type.Null()]),
    added_at: Type.String(),
    updated_at: Type.String(),
  },
  { additionalProperties: false },
);

export function accountKeyRoutes(app: AppContext): RouteDef[] {
  return [
    { method: 'GET', url: '/account/pgp-key', audience: 'user', handler: async (req, reply, { actor }) => keyPage(app, req, reply, actor) },
    route({
      method: 'POST',
      url: '/account/pgp-key',
      audience: 'user',
      form: true,
      schema: { body: FormFields({ public_key: Type.Optional(Text(200_000)) }) },
      handler: async (req, reply, scope) => {
        const publicKey = str(formBody(req), 'public_key');
        // Every problem is about the one field, whatever part of the key it names.
        const again = (issues: FieldIssue[], error: AppError) =>
          keyPage(app, req, reply, scope.actor, { values: { public_key: publicKey }, issues: issues.map((f) => ({ field: 'public_key', message: f.message })) }, error.status);
        return formAction(req, reply, { back: '/account/pgp-key', again, field: 'public_key' }, async () => {
          const { inspection } = await setUserKey(scope, scope.actor.userId, req.body.public_key ?? '');
          return { to: '/account/pgp-key', message: `Key ${formatFingerprint(inspection.fingerprint)} saved.` };
        });
      },
    }),
    {
      method: 'POST',
      url: '/account/pgp-key/remove',
      audience: 'user',
      schema: { body: EmptyForm },
      handler: async (_req, reply, scope) => {
        const removed = await removeUserKey(scope, scope.actor.userId);
        return redirectWithFlash(reply, '/account/pgp-key', 'info', removed ? 'Key removed. Private details are no longer mailed to you.' : 'There was no key to remove.');
      },
    },
    {
      method: 'GET',
      url: '/api/v1/me/pgp-key',
      audience: 'user',
      schema: { response: { 200: Type.Object({ key: Type.Union([keySchema, Type.Null()]) }) } },
      handler: async (_req, _reply, { actor }) => ({ key: await presentKey(app, actor.userId) }),
    },
    route({
      method: 'PUT',
      url: '/api/v1/me/pgp-key',
      audience: 'user',
      schema: {
        body: Type.Object({ public_key: Type.String({ minLength: 1, maxLength: 200_000 }) }, { additionalProperties: false }),
        response: { 200: Type.Object({ key: keySchema }) },
      },
      handler: async (req, _reply, scope) => {
        await setUserKey(scope, scope.actor.userId, req.body.public_key);
        return { key: await presentKey(app, scope.actor.userId) };
      },
    }),
    {
      method: 'DELETE',
      url: '/api/v1/me/pgp-key',
      audience: 'user',
      schema: { body: NoBody, response: { 200: Type.Object({ removed: Type.Boolean() }) } },
      handler: async (_req, _reply, scope) => ({ removed: await removeUserKey(scope, scope.actor.userId) }),
    },
  ];
}
