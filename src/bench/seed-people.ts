// Seeding projects, accounts, instance roles and project memberships through the storage layer (batched
// Kysely inserts inside transactions; no HTTP, no audit events: this is fixture data, not user actions).
import type { Insertable } from 'kysely';
import { hashPassword } from '../accounts/secrets.js';
import { newTotpSecret } from '../accounts/totp.js';
import type { Db, Storage } from '../storage/database.js';
import type { Database, InstanceRole, ProjectRole } from '../storage/tables.js';
import type { Progress } from './progress.js';
import { FIRST_NAMES, LAST_NAMES, PROJECT_NAMES } from './synthetic-text.js';

// SQLite allows 32,766 bound parameters per statement and PostgreSQL 65,535: stay well below both.
const MAX_PARAMS = 30_000;

/** Insert rows in chunks that respect both databases' parameter limits. */
export async function insertRows<T extends keyof Database>(db: Db, table: T, rows: readonly Insertable<Database[T]>[]): Promise<void> {
  if (!rows.length) return;
  const columns = Object.keys(rows[0] as object).length || 1;
  const size = Math.max(1, Math.min(1_000, Math.floor(MAX_PARAMS / columns)));
  for (let i = 0; i < rows.length; i += size) {
    await db
      .insertInto(table)
      .values(rows.slice(i, i + size))
      .execute();
  }
}

export interface SeededProject {
  id: number;
  slug: string;
  name: string;
  lead: number;
  coresec: number[];
  reviewers: number[];
}

export interface SeededPeople {
  projects: SeededProject[];
  userIds: number[];
  vmtIds: number[];
  /** A project security reviewer (coresec) in several projects: the "subscriber" of the report page scenario. */
  subscriberId: number;
  subscriberProjectIds: Set<number>;
  names: Map<number, string>;
}

const MEMBERS_PER_PROJECT = 6;
const ROLE_USERS = 10;
/** Projects the designated subscriber reviews (and is subscribed to the reports of). */
export const SUBSCRIBER_PROJECTS = 20;

export async function seedPeople(storage: Storage, now: Date, counts: { projects: number; users: number }, progress?: Progress): Promise<SeededPeople> {
  const at = now.toISOString();
  const db = storage.db;
  // Every seeded account shares one real argon2id hash: hashing 10,000 passwords would only time argon2.
  const passwordHash = await hashPassword('bench password, never used to sign in');
  const zones = ['UTC', 'Europe/Berlin', 'America/New_York', 'Asia/Tokyo', 'Australia/Sydney'];

  const userIds: number[] = [];
  const names = new Map<number, string>();
  for (let start = 0; start < counts.users; start += 1_000) {
    const batch: Insertable<Database['users']>[] = [];
    for (let i = start; i < Math.min(counts.users, start + 1_000); i++) {
      const n = String(i + 1).padStart(5, '0');
      const name = `${FIRST_NAMES[i % FIRST_NAMES.length]} ${LAST_NAMES[Math.floor(i / FIRST_NAMES.length) % LAST_NAMES.length]} ${n}`;
      batch.push({
        username: `user${n}`,
        email: `user${n}@bench.example.org`,
        display_name: name,
        password_hash: passwordHash,
        // The first accounts hold instance roles, which require an enrolled second factor.
        totp_secret: i < ROLE_USERS ? newTotpSecret() : null,
        totp_enabled_at: i < ROLE_USERS ? at : null,
        locked_until: null,
        disabled_at: null,
        time_zone: zones[i % zones.length]!,
        created_at: at,
        updated_at: at,
      });
    }
    await db.transaction().execute(async (trx) => {
      const rows = await trx.insertInto('users').values(batch).returning(['id', 'display_name']).execute();
      for (const row of rows) {
        userIds.push(row.id);
        names.set(row.id, row.display_name);
      }
    });
    progress?.add(batch.length);
  }
  // 5 VMT members, 3 security core, 2 admins (DESIGN.md §1); everyone else is a reporter or project member.
  const roleOf = (i: number): InstanceRole => (i < 5 ? 'vmt' : i < 8 ? 'security_core' : 'admin');
  const roles = userIds.slice(0, Math.min(ROLE_USERS, userIds.length)).map((user_id, i) => ({ user_id, role: roleOf(i), granted_at: at, granted_by: null }));
  await insertRows(db, 'user_roles', roles);
  const vmtIds = roles.filter((x) => x.role === 'vmt').map((x) => x.user_id);

  const projects: SeededProject[] = [];
  const pool = userIds.slice(ROLE_USERS);
  const member = (k: number): number => pool[k % Math.max(1, pool.length)] ?? userIds[0]!;
  await db.transaction().execute(async (trx) => {
    for (let start = 0; start < counts.projects; start += 500) {
      const batch: Insertable<Database['projects']>[] = [];
      for (let i = start; i < Math.min(counts.projects, start + 500); i++) {
        const base = PROJECT_NAMES[i % PROJECT_NAMES.length]!;
        const suffix = String(Math.floor(i / PROJECT_NAMES.length) + 1).padStart(3, '0');
        batch.push({
          slug: `${base}-${suffix}`,
          name: `${base.charAt(0).toUpperCase()}${base.slice(1)} ${suffix}`,
          description: `The ${base} service, instance ${suffix} of the benchmark family.`,
          vmt_oversees: 1,
          security_contact: '',
          created_at: at,
          updated_at: at,
        });
      }
      const rows = await trx.insertInto('projects').values(batch).returning(['id', 'slug', 'name']).execute();
      for (const row of rows) {
        const k = projects.length * MEMBERS_PER_PROJECT;
        projects.push({ ...row, lead: member(k), coresec: [member(k + 1), member(k + 2)], reviewers: [member(k + 3), member(k + 4), member(k + 5)] });
      }
    }
    const branches = projects.flatMap((p) => ['master', 'stable/2025.2', 'stable/2025.1'].map((name, position) => ({ project_id: p.id, name, position })));
    await insertRows(trx, 'project_branches', branches);
    await insertRows(trx, 'project_repositories', projects.map((p) => ({ project_id: p.id, name: p.slug, remote_url: `https://opendev.example.org/${p.slug}.git` })));
  });

  const subscriberId = userIds[Math.min(userIds.length - 1, ROLE_USERS + counts.projects * MEMBERS_PER_PROJECT)] ?? userIds[0]!;
  const subscriberProjects = projects.slice(0, SUBSCRIBER_PROJECTS);
  for (const p of subscriberProjects) if (!p.coresec.includes(subscriberId)) p.coresec.push(subscriberId);
  const seen = new Set<string>();
  const members: Insertable<Database['project_members']>[] = [];
  const addMember = (project_id: number, user_id: number, role: ProjectRole) => {
    const key = `${project_id}:${user_id}:${role}`;
    if (seen.has(key)) return;
    seen.add(key);
    members.push({ project_id, user_id, role, granted_at: at });
  };
  for (const p of projects) {
    addMember(p.id, p.lead, 'lead');
    for (const u of p.coresec) addMember(p.id, u, 'coresec');
    for (const u of p.reviewers) addMember(p.id, u, 'core_reviewer');
  }
  await db.transaction().execute((trx) => insertRows(trx, 'project_members', members));
  return { projects, userIds, vmtIds, subscriberId, subscriberProjectIds: new Set(subscriberProjects.map((p) => p.id)), names };
}
