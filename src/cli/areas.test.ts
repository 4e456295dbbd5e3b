// `cordon` registers its command areas lazily (issue 17): the overview that `cordon --help` prints without
// loading them must name exactly the commands they register, and the real process must still run them.
import { Command } from 'commander';
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { instanceRoles } from '../accounts/users.js';
import { repoPath } from '../testing/fixture-files.js';
import { AREAS, INSTANCE_ROLES } from './areas.js';

function cordon(args: string[]) {
  const r = spawnSync(process.execPath, [repoPath('bin', 'cordon.js'), ...args], { encoding: 'utf8', cwd: repoPath(), env: { ...process.env, LOG_LEVEL: 'warn' } });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe('lazy command areas', () => {
  it('each area registers exactly the top-level commands the overview lists for it', async () => {
    for (const area of AREAS) {
      const program = new Command();
      await area.register(program);
      expect(program.commands.map((c) => c.name()).sort()).toEqual(Object.keys(area.names).sort());
    }
  });

  it('the --role choices are the instance roles', () => {
    expect([...INSTANCE_ROLES]).toEqual([...instanceRoles]);
  });

  it('`cordon --help` lists every command; `cordon help <area>` and an area command load that area', () => {
    const help = cordon(['--help']);
    expect(help.code).toBe(0);
    for (const name of ['serve', 'worker', 'migrate', 'user', 'project', 'audit', ...AREAS.flatMap((a) => Object.keys(a.names))]) expect(help.out).toMatch(new RegExp(`^  ${name}\\b`, 'm'));
    const keys = cordon(['help', 'keys']);
    expect(keys.out).toMatch(/^ {2}init \[options\]/m);
    expect(keys.out).toMatch(/^ {2}rotate \[options\]/m);
    const newKey = cordon(['secrets', 'new-key']);
    expect(newKey.code).toBe(0);
    expect(newKey.out.trim().length).toBeGreaterThan(20);
    const unknown = cordon(['no-such-command']);
    expect(unknown.code).not.toBe(0);
    expect(unknown.err).toContain("unknown command 'no-such-command'");
  });
});
