// Downstream stakeholder organisations, their contacts and mailing lists, and the projects they follow.
// (Pre-notice mail to them is built by the Embargoed disclosure work.)
import { change, type Scope } from '../context.js';
import { AppError, errors, IssueCollector } from '../errors/catalogue.js';
import { checkRecipientPublicKey } from '../keys/public-keys.js';
import { checkEmail, normaliseEmail } from '../accounts/validation.js';
import type { Db } from '../storage/database.js';
import { projectIdsBySlugs } from '../projects/projects.js';
import type { StakeholderContactKind } from '../storage/tables.js';

export interface OrgInput {
  name: string;
  description?: string;
  followsProjects?: string[];
}

export interface ContactInput {
  kind: StakeholderContactKind;
  name: string;
  email: string;
  wantsEncryption?: boolean;
  pgpPublicKey?: string | null;
}

export async function listOrgs(db: Db) {
  const orgs = await db.selectFrom('stakeholder_orgs').selectAll().orderBy('name').execute();
  const counts = await db.selectFrom('stakeholder_contacts').select(['org_id', db.fn.countAll<number>().as('n')]).groupBy('org_id').execute();
  return orgs.map((o) => ({ ...o, contacts: Number(counts.find((c) => c.org_id === o.id)?.n ?? 0) }));
}

export async function countOrgs(db: Db): Promise<number> {
  const row = await db.selectFrom('stakeholder_orgs').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  return Number(row.n);
}

export async function getOrg(db: Db, id: number) {
  const org = await db.selectFrom('stakeholder_orgs').selectAll().where('id', '=', id).executeTakeFirst();
  if (!org) return undefined;
  const contacts = await db.selectFrom('stakeholder_contacts').selectAll().where('org_id', '=', id).orderBy('name').execute();
  const follows = await db
    .selectFrom('stakeholder_follows')
    .innerJoin('projects', 'projects.id', 'stakeholder_follows.project_id')
    .select(['projects.slug', 'projects.name'])
    .where('stakeholder_follows.org_id', '=', id)
    .orderBy('projects.name')
    .execute();
  return { ...org, contacts, follows };
}

/** The contacts of every organisation that follows one of these projects, with the organisation's name (pre-notice recipients). */
export async function contactsFollowingProjects(db: Db, projectIds: readonly number[]) {
  if (!projectIds.length) return [];
  return db
    .selectFrom('stakeholder_contacts')
    .innerJoin('stakeholder_orgs', 'stakeholder_orgs.id', 'stakeholder_contacts.org_id')
    .select([
      'stakeholder_contacts.id',
      'stakeholder_contacts.org_id',
      'stakeholder_orgs.name as org_name',
      'stakeholder_contacts.kind',
      'stakeholder_contacts.name',
      'stakeholder_contacts.email',
      'stakeholder_contacts.wants_encryption',
      'stakeholder_contacts.pgp_public_key',
    ])
    .where('stakeholder_contacts.org_id', 'in', db.selectFrom('stakeholder_follows').select('org_id').where('project_id', 'in', [...projectIds]))
    .orderBy('stakeholder_orgs.name')
    .orderBy('stakeholder_contacts.name')
    .orderBy('stakeholder_contacts.id')
    .execute();
}

async function projectIds(trx: Db, slugs: string[]): Promise<number[]> {
  if (!slugs.length) return [];
  const ids = await projectIdsBySlugs(trx, slugs);
  const missing = slugs.filter((s) => !ids.has(s));
  if (missing.length) throw errors.field('follows_projects', `Unknown project(s): ${missing.join(', ')}.`);
  return [...ids.values()];
}

export async function createOrg(scope: Scope, input: OrgInput): Promise<number> {
  const issues = new IssueCollector();
  const name = (input.name ?? '').trim();
  if (!name || name.length > 120 || /\p{Cc}/u.test(name)) issues.add('name', 'Enter a name of 1–120 printable characters.');
  if ((input.description ?? '').length > 2000) issues.add('description', 'Use at most 2000 characters.');
  issues.throwIfAny();
  return change(scope, async ({ trx, now, audit }) => {
    const taken = await trx.selectFrom('stakeholder_orgs').select('id').where('name', '=', name).executeTakeFirst();
    if (taken) throw errors.field('name', 'An organisation with this name already exists.');
    const row = await trx
      .insertInto('stakeholder_orgs')
      .values({ name, description: input.description ?? '', created_at: now.toISOString(), updated_at: now.toISOString() })
      .returning('id')
      .executeTakeFirstOrThrow();
    for (const pid of await projectIds(trx, input.followsProjects ?? [])) await trx.insertInto('stakeholder_follows').values({ org_id: row.id, project_id: pid }).execute();
    await audit('stakeholder_org.created', 'stakeholder_org', row.id, undefined, input);
    return row.id;
  });
}

export async function addContact(scope: Scope, orgId: number, input: ContactInput): Promise<number> {
  const issues = new IssueCollector();
  if (input.kind !== 'person' && input.kind !== 'list') issues.add('kind', 'Use person or list.');
  const name = (input.name ?? '').trim();
  if (!name || name.length > 120 || /\p{Cc}/u.test(name)) issues.add('name', 'Enter a name of 1–120 printable characters.');
  const email = normaliseEmail(input.email ?? '');
  checkEmail(issues, email);
  let key = input.pgpPublicKey?.trim() || null;
  if (key) {
    // Inspected like every public key (src/keys): public part only, usable for encryption today.
    try {
      key = (await checkRecipientPublicKey(key, 'pgp_public_key', scope.app.clock.now())).armored;
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      issues.add('pgp_public_key', error.fields[0]?.message ?? error.message);
    }
  }
  if (input.wantsEncryption && !key) issues.add('pgp_public_key', 'A contact that wants encrypted mail needs a public key.');
  issues.throwIfAny();
  return change(scope, async ({ trx, audit }) => {
    const org = await trx.selectFrom('stakeholder_orgs').select('id').where('id', '=', orgId).executeTakeFirst();
    if (!org) throw errors.notFound('organisation');
    const row = await trx
      .insertInto('stakeholder_contacts')
      .values({ org_id: orgId, kind: input.kind, name, email, wants_encryption: input.wantsEncryption ? 1 : 0, pgp_public_key: key, user_id: null })
      .returning('id')
      .executeTakeFirstOrThrow();
    await audit('stakeholder_contact.added', 'stakeholder_org', orgId, undefined, { contact_id: row.id, kind: input.kind, name, email, wants_encryption: !!input.wantsEncryption });
    return row.id;
  });
}

/** The OpenPGP public keys registered for stakeholder contacts with this exact mail address. */
export async function pgpKeysOfContactEmail(db: Db, email: string): Promise<string[]> {
  const rows = await db.selectFrom('stakeholder_contacts').select('pgp_public_key').where('email', '=', email).where('pgp_public_key', 'is not', null).execute();
  return rows.flatMap((r) => (r.pgp_public_key ? [r.pgp_public_key] : []));
}
