// Where SQL may be written (issue 16 item 1, ARCHITECTURE.md "Who owns the SQL"):
// 1. Each table has one owning domain. Only the owner selects from, inserts into, updates or deletes from
//    its tables; another domain asks the owner's store (a function), and may at most join the table to
//    read a column along (a name, a slug) inside its own query.
// 2. No SQL in presentation: pages and components (*.tsx), route files (routes*.ts[x]) and the app's
//    composition call stores; they do not build queries.
// 3. What differs between SQLite and PostgreSQL is decided in storage/ helpers, not by `dialect ===`
//    branches in the domains.
// PENDING would list files that still break a rule, with their count; it is empty since issue 16 and may only shrink.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ratchet, sourceFiles, SRC } from '../testing/source-tree.js';

/** The owning domain folder of every table (the Database interface in storage/tables.ts and the domain tables.ts files). */
export const TABLE_OWNERS: Record<string, string> = {
  users: 'accounts', user_roles: 'accounts', recovery_codes: 'accounts', sessions: 'accounts', api_tokens: 'accounts', invites: 'accounts',
  projects: 'projects', project_repositories: 'projects', project_branches: 'projects', project_members: 'projects',
  stakeholder_orgs: 'stakeholders', stakeholder_contacts: 'stakeholders', stakeholder_follows: 'stakeholders',
  audit_events: 'audit',
  jobs: 'jobs', workers: 'jobs',
  instance_secrets: 'storage', instance_settings: 'instance',
  rate_limits: 'http', shown_once: 'http', idempotency_keys: 'http',
  reports: 'reports', report_projects: 'reports', report_subscriptions: 'reports', report_events: 'reports', report_comments: 'reports',
  report_attachments: 'reports', report_cves: 'reports', report_approvals: 'reports', intake_slots: 'reports', report_counts: 'reports',
  advisories: 'advisories', advisory_sequences: 'advisories', advisory_revisions: 'advisories', advisory_approvals: 'advisories',
  public_site_files: 'publication', public_site_inputs: 'publication', guide_pages: 'publication', publication_settings: 'publication', project_publication_settings: 'publication',
  disclosure_plans: 'disclosure', prenotice_recipients: 'disclosure', disclosure_steps: 'disclosure',
  team_keys: 'keys', user_pgp_keys: 'keys',
  inbound_messages: 'mail', mail_deliveries: 'mail', report_reply_tokens: 'mail',
  notes: 'notes', note_projects: 'notes', note_revisions: 'notes', note_votes: 'notes', note_feedback: 'notes', note_counters: 'notes',
  patches: 'patches', patch_versions: 'patches', patch_checks: 'patches', patch_votes: 'patches', patch_comments: 'patches',
  patch_review_rules: 'patches', patch_mirrors: 'patches',
  ci_recipes: 'patches', ci_project_settings: 'patches', ci_runs: 'patches',
  webhook_endpoints: 'webhooks', webhook_deliveries: 'webhooks', webhook_attempts: 'webhooks',
  oidc_identities: 'accounts', oidc_flows: 'accounts', oidc_role_rules: 'accounts',
};

/**
 * The access policy (platform, below every domain) reads the tables its rules are about, by design: the
 * SQL twin of each rule (access/*-policy.ts, DESIGN.md §5) is written beside the rule and tested against
 * it, and the actor a rule is asked about (roles, project memberships: access/load-actor.ts) is loaded
 * there too, since no domain store may be imported from below.
 */
const POLICY_TWIN = /^access\/([a-z-]*policy|load-actor)\.ts$/;

/** Folders outside the rules: storage itself, migrations, the benchmark's seeding, and test-only code. */
function exempt(rel: string): boolean {
  const parts = rel.split('/');
  return parts[0] === 'storage' || parts[0] === 'bench' || parts.includes('testing') || /\.test\.tsx?$/.test(rel);
}

const OWNED_QUERY = /\.(selectFrom|insertInto|updateTable|deleteFrom|replaceInto|mergeInto)\(\s*['"`]([a-z_]+)/g;
const ANY_QUERY = /\.(selectFrom|insertInto|updateTable|deleteFrom|selectNoFrom)\(|\bsql(<[^>]*>)?`|\bsql\.(raw|ref|table|id|lit)\(/g;
const DIALECT_BRANCH = /\bdialect\s*[!=]==|[!=]==\s*['"](postgres|sqlite)['"]/g;

function isPresentation(rel: string): boolean {
  const base = path.posix.basename(rel);
  return rel.endsWith('.tsx') || /^routes/.test(base) || rel === 'http/app.ts' || rel === 'http/routes-index.ts';
}


/** Counts of rule breaks, keyed "rule file" (and the foreign table for the ownership rule). */
export function sqlPlacementFindings(): Record<string, number> {
  const found: Record<string, number> = {};
  const add = (key: string): void => void (found[key] = (found[key] ?? 0) + 1);
  for (const rel of sourceFiles()) {
    if (exempt(rel)) continue;
    const text = readFileSync(path.join(SRC, rel), 'utf8');
    const folder = rel.split('/')[0]!;
    for (const m of text.matchAll(OWNED_QUERY)) {
      const owner = TABLE_OWNERS[m[2]!];
      if (owner === undefined) add(`unknown-table ${rel} ${m[2]}`);
      else if (owner !== folder && !POLICY_TWIN.test(rel)) add(`foreign-table ${rel} ${m[2]}`);
    }
    if (isPresentation(rel)) for (const _ of text.matchAll(ANY_QUERY)) add(`sql-in-presentation ${rel}`);
    for (const _ of text.matchAll(DIALECT_BRANCH)) add(`dialect-branch ${rel}`);
  }
  return found;
}

/** What still breaks a rule today. Lower a count (or drop a line) when you fix one; never add. */
const PENDING: Record<string, number> = {
};

describe('where SQL is written', () => {
  const findings = sqlPlacementFindings();

  it('knows the owner of every table the code queries', () => {
    expect(Object.keys(findings).filter((k) => k.startsWith('unknown-table'))).toEqual([]);
  });

  it('adds no new query of another domain’s table, no SQL in pages or routes, no dialect branch outside storage/', () => {
    expect(ratchet(findings, PENDING).grown, 'move the query into the owning domain (or storage/ for a dialect difference)').toEqual([]);
  });

  it('lists only what is still pending (lower PENDING when a count fell)', () => {
    expect(ratchet(findings, PENDING).shrunk).toEqual([]);
  });

  it('finds what it looks for (the detectors on known text)', () => {
    expect('db.selectFrom(\'users\')'.match(OWNED_QUERY)).not.toBeNull();
    expect('sql<number>`count(*)`'.match(ANY_QUERY)).not.toBeNull();
    expect("if (dialect === 'postgres')".match(DIALECT_BRANCH)).not.toBeNull();
    expect(isPresentation('reports/routes-report.tsx') && isPresentation('http/app.ts') && !isPresentation('reports/store.ts')).toBe(true);
  });
});
