// The compiled `cordon` command, run as a real process (npm test builds dist/ first).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { sql } from 'kysely';
import { childEnv, createTestStorage, testDialects, type TestStorage } from '../testing/databases.js';
import { repoPath } from '../testing/fixture-files.js';
import { migrations } from '../storage/migrate.js';

function cordon(t: TestStorage, args: string[], input?: string, env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [repoPath('bin', 'cordon.js'), ...args], { env: childEnv(t, env), input, encoding: 'utf8', cwd: repoPath() });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe.each(testDialects())('cordon CLI on %s', (dialect) => {
  let t: TestStorage;
  beforeAll(async () => {
    t = await createTestStorage(dialect, { migrate: false });
  });
  afterAll(async () => t.cleanup());

  it('migrates, then reports nothing left to apply', () => {
    expect(cordon(t, ['migrate']).out).toMatch(new RegExp(`${migrations.length} applied, 0 already applied`));
    expect(cordon(t, ['migrate']).out).toMatch(new RegExp(`0 applied, ${migrations.length} already applied`));
  });

  it('prints a setup link while no account exists', () => {
    expect(cordon(t, ['setup-link']).out).toMatch(/\/setup\/[A-Za-z0-9_-]{43}/);
  });

  it('creates users and projects, with clear errors for bad input', () => {
    const made = cordon(t, ['user', 'create', '--username', 'alice', '--email', 'alice@example.org', '--name', 'Alice', '--role', 'vmt', '--password-stdin'], 'a long enough password\n');
    expect(made.code).toBe(0);
    expect(made.out).toContain('created alice');
    const dup = cordon(t, ['user', 'create', '--username', 'alice', '--email', 'x@example.org', '--name', 'A'], '');
    expect(dup.code).toBe(1);
    expect(dup.err).toContain('username: This username is taken.');
    expect(cordon(t, ['user', 'list']).out).toMatch(/alice\talice@example.org\tvmt\tactive\tno-2fa/);
    const proj = cordon(t, ['project', 'create', '--slug', 'nova', '--name', 'Nova', '--branch', 'master', 'stable/2026.1', '--repo', 'nova=/srv/git/nova.git']);
    expect(proj.out).toContain('created project nova (master, stable/2026.1)');
    const bad = cordon(t, ['project', 'create', '--slug', 'Bad Slug', '--name', 'X', '--branch', '$(reboot)']);
    expect(bad.code).toBe(1);
    expect(bad.err).toMatch(/slug: Use 1–63 lowercase/);
    expect(bad.err).toMatch(/branches\.0: .* is not a valid branch name/);
  });

  it('refuses to start with a bad configuration, saying how to fix it', () => {
    const r = cordon(t, ['migrate'], undefined, { PORT: 'eighty' });
    expect(r.code).toBe(1);
    expect(r.err).toContain('PORT: "eighty" is not a whole number between 1 and 65535.');
    expect(r.err).toContain('fix: Set PORT=8080');
  });

  it('audit verify passes, then fails after a row is tampered with', async () => {
    const ok = cordon(t, ['audit', 'verify']);
    expect(ok.code).toBe(0);
    expect(ok.out).toMatch(/audit log intact: \d+ events verified/);
    if (dialect === 'postgres') await sql`drop trigger audit_events_append_only on audit_events`.execute(t.storage.db);
    else await sql`drop trigger audit_events_no_update`.execute(t.storage.db);
    await sql`update audit_events set actor_label = 'mallory' where id = 2`.execute(t.storage.db);
    const broken = cordon(t, ['audit', 'verify']);
    expect(broken.code).toBe(1);
    expect(broken.err).toContain('audit log BROKEN at event 2');
  });
});
