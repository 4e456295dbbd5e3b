// The stakeholder registry pages and API (VMT and admins).
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type } from '@sinclair/typebox';
import type { AppContext } from '../context.js';
import { errors, type AppError, type FieldIssue } from '../errors/catalogue.js';
import { formAction } from '../http/form-action.js';
import { route, type RouteDef } from '../http/route.js';
import { FormFields, Params, StringEnum, Text } from '../http/schemas.js';
import { formBody, keepValues, lines, str } from '../http/forms.js';
import { sendPage } from '../http/render.js';
import { Badge, Button, Checkbox, CsrfField, EmptyState, ErrorSummary, formValue, Select, TextField, type FormState } from '../web/components.js';
import { addContact, createOrg, getOrg, listOrgs } from './stakeholders.js';
import type { StakeholderContactKind } from '../storage/tables.js';
import { mailProblemsForAddresses } from '../mail/failed-mail.js';
import { DeliveryProblems } from '../mail/delivery-problems.js';


const OrgParams = Params('orgId');
const ContactForm = FormFields({
  kind: StringEnum<StakeholderContactKind>(['person', 'list']),
  name: Type.Optional(Text(200)),
  email: Type.Optional(Text(254)),
  wants_encryption: Type.Optional(Text(10)),
  pgp_public_key: Type.Optional(Text(100_000)),
});

export function stakeholderRoutes(app: AppContext): RouteDef[] {
  const db = app.storage.db;
  return [
    { method: 'GET', url: '/admin/stakeholders', audience: 'stakeholders.read', handler: async (req, reply) => orgsPage(app, req, reply) },
    route({
      method: 'POST',
      url: '/admin/stakeholders',
      audience: 'stakeholders.write',
      form: true,
      schema: { body: FormFields({ name: Type.Optional(Text(200)), description: Type.Optional(Text(2_000)), follows: Type.Optional(Text(5_000)) }) },
      handler: async (req, reply, scope) => {
        const form = formBody(req);
        const again = (issues: FieldIssue[], error: AppError) => orgsPage(app, req, reply, { values: keepValues(form), issues }, error.status);
        return formAction(req, reply, { back: '/admin/stakeholders', again }, async () => {
          const id = await createOrg(scope, { name: str(form, 'name'), description: str(form, 'description'), followsProjects: lines(form, 'follows') });
          return { to: `/admin/stakeholders/${id}`, message: 'Organisation added.' };
        });
      },
    }),
    route({
      method: 'GET',
      url: '/admin/stakeholders/:orgId',
      audience: 'stakeholders.read',
      leak: { params: { orgId: 'stakeholder_org' } },
      schema: { params: OrgParams },
      handler: async (req, reply) => orgPage(app, req, reply, Number(req.params.orgId)),
    }),
    route({
      method: 'POST',
      url: '/admin/stakeholders/:orgId/contacts',
      audience: 'stakeholders.write',
      leak: { params: { orgId: 'stakeholder_org' } },
      form: true,
      schema: { params: OrgParams, body: ContactForm },
      handler: async (req, reply, scope) => {
        const orgId = Number(req.params.orgId);
        const form = req.body;
        const again = (issues: FieldIssue[], error: AppError) => orgPage(app, req, reply, orgId, { values: keepValues(formBody(req)), issues }, error.status);
        return formAction(req, reply, { back: `/admin/stakeholders/${orgId}`, again }, async () => {
          await addContact(scope, orgId, {
            kind: form.kind,
            name: form.name ?? '',
            email: form.email ?? '',
            wantsEncryption: form.wants_encryption === 'on',
            pgpPublicKey: form.pgp_public_key || null,
          });
          return { to: `/admin/stakeholders/${orgId}`, message: 'Contact added.' };
        });
      },
    }),
    {
      method: 'GET',
      url: '/api/v1/stakeholders',
      audience: 'stakeholders.read',
      handler: async () => ({ organisations: (await listOrgs(db)).map((o) => ({ id: o.id, name: o.name, description: o.description, contacts: o.contacts })) }),
    },
    route({
      method: 'GET',
      url: '/api/v1/stakeholders/:orgId',
      audience: 'stakeholders.read',
      leak: { params: { orgId: 'stakeholder_org' } },
      schema: { params: OrgParams },
      handler: async (req) => {
        const org = await getOrg(db, Number(req.params.orgId));
        if (!org) throw errors.notFound('organisation');
        return {
          id: org.id,
          name: org.name,
          description: org.description,
          follows: org.follows.map((f) => f.slug),
          contacts: org.contacts.map((c) => ({ id: c.id, kind: c.kind, name: c.name, email: c.email, wants_encryption: c.wants_encryption === 1, has_key: !!c.pgp_public_key })),
        };
      },
    }),
    route({
      method: 'POST',
      url: '/api/v1/stakeholders',
      audience: 'stakeholders.write',
      schema: {
        body: Type.Object(
          { name: Type.String({ maxLength: 120 }), description: Type.Optional(Type.String({ maxLength: 2000 })), follows: Type.Optional(Type.Array(Type.String({ maxLength: 63 }))) },
          { additionalProperties: false },
        ),
      },
      handler: async (req, reply, scope) => {
        const b = req.body;
        const id = await createOrg(scope, { name: b.name, description: b.description ?? '', followsProjects: b.follows ?? [] });
        return reply.code(201).send({ id });
      },
    }),
  ];
}

async function orgsPage(app: AppContext, req: FastifyRequest, reply: FastifyReply, state?: FormState, status?: number) {
  const orgs = await listOrgs(app.storage.db);
  return sendPage(
    app,
    req,
    reply,
    'Stakeholders',
    (ctx) => (
      <>
        <h1>Downstream stakeholders</h1>
        <p class="lead">Organisations that receive embargoed pre-notices: distributions, cloud operators, vendors.</p>
        {orgs.length === 0 ? (
          <EmptyState>No organisations yet.</EmptyState>
        ) : (
          <table>
            <thead>
              <tr>
                <th>Organisation</th>
                <th>Contacts</th>
              </tr>
            </thead>
            <tbody>
              {orgs.map((o) => (
                <tr>
                  <td>
                    <a href={`/admin/stakeholders/${o.id}`}>{o.name}</a>
                    <div class="muted">{o.description}</div>
                  </td>
                  <td>{o.contacts}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        <ErrorSummary state={state} />
        <form method="post" action="/admin/stakeholders" class="card stack">
          <h2>Add an organisation</h2>
          <CsrfField token={ctx.csrfToken} />
          <TextField name="name" label="Name" required state={state} />
          <TextField name="description" label="Description" state={state} />
          <TextField name="follows" label="Projects followed" hint="Project slugs, one per line." multiline rows={3} state={state} />
          <Button>Add organisation</Button>
        </form>
      </>
    ),
    { status, wide: true },
  );
}

async function orgPage(app: AppContext, req: FastifyRequest, reply: FastifyReply, orgId: number, state?: FormState, status?: number) {
  const org = await getOrg(app.storage.db, orgId);
  if (!org) throw errors.notFound('organisation');
  const failedMail = await mailProblemsForAddresses({ app, actor: req.actor, requestId: req.id }, org.contacts.map((c) => c.email));
  return sendPage(
    app,
    req,
    reply,
    org.name,
    (ctx) => (
      <>
        <h1>{org.name}</h1>
        <p class="lead">{org.description}</p>
        <p>
          Follows: {org.follows.length ? org.follows.map((f) => <><Badge tone="info">{f.name}</Badge> </>) : <span class="muted">no projects</span>}
        </p>
        <h2>Contacts and lists</h2>
        {org.contacts.length === 0 ? (
          <EmptyState>No contacts yet.</EmptyState>
        ) : (
          <table>
            <thead>
              <tr>
                <th>Name</th>
                <th>Kind</th>
                <th>Email</th>
                <th>Encryption</th>
              </tr>
            </thead>
            <tbody>
              {org.contacts.map((c) => (
                <tr>
                  <td>{c.name}</td>
                  <td>{c.kind}</td>
                  <td>{c.email}</td>
                  <td>{c.wants_encryption ? <Badge tone="ok">encrypted</Badge> : c.pgp_public_key ? <Badge tone="info">key on file</Badge> : <Badge>signed only</Badge>}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        <DeliveryProblems problems={failedMail} csrfToken={ctx.csrfToken} back={`/admin/stakeholders/${org.id}`} />
        <ErrorSummary state={state} />
        <form method="post" action={`/admin/stakeholders/${org.id}/contacts`} class="card stack">
          <h2>Add a contact or list</h2>
          <CsrfField token={ctx.csrfToken} />
          <Select name="kind" label="Kind" options={[['person', 'Person'], ['list', 'Mailing list']]} selected={formValue(state?.values, 'kind', 'person')} />
          <TextField name="name" label="Name" required state={state} />
          <TextField name="email" label="Email" type="email" required state={state} />
          <Checkbox name="wants_encryption" label="Only send encrypted mail (needs a key)" />
          <TextField name="pgp_public_key" label="OpenPGP public key" hint="ASCII-armored public key block." multiline rows={4} state={state} />
          <Button>Add contact</Button>
        </form>
      </>
    ),
    { status, wide: true },
  );
}
