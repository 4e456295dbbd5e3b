// `cordon notes import DIR` / `cordon notes export DIR` as a real process (npm test builds dist/ first).
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { childEnv, createTestStorage, testDialects, type TestStorage } from '../testing/databases.js';
import { repoPath, fixturePath } from '../testing/fixture-files.js';

function cordon(t: TestStorage, args: string[]) {
  const r = spawnSync(process.execPath, [repoPath('bin', 'cordon.js'), ...args], { env: childEnv(t), encoding: 'utf8', cwd: repoPath() });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe.each(testDialects())('cordon notes import/export on %s', (dialect) => {
  let t: TestStorage;
  const dirs: string[] = [];
  const temp = () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'cordon-'));
    dirs.push(dir);
    return dir;
  };
  beforeAll(async () => {
    t = await createTestStorage(dialect);
  });
  afterAll(async () => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
    await t.cleanup();
  });

  it('imports the corpus with a warning per oddity, then again without changes', () => {
    const first = cordon(t, ['notes', 'import', fixturePath('ossn')]);
    expect(first.code).toBe(0);
    expect(first.out).toContain('96 imported, 0 unchanged, 0 conflicting, 0 skipped, 44 warning(s)');
    expect(first.out).toMatch(/^warning: OSSN-0094 \(OSSN-0094:1\): wiki_syntax: /m);
    const second = cordon(t, ['notes', 'import', '--quiet', fixturePath('ossn')]);
    expect(second.out.trim()).toBe('0 imported, 96 unchanged, 0 conflicting, 0 skipped, 0 warning(s)');
  });

  it('reports a file that is not a note and skips it; --strict makes that an error', () => {
    const dir = temp();
    writeFileSync(path.join(dir, 'notes.txt'), 'just some text\n');
    const r = cordon(t, ['notes', 'import', dir]);
    expect(r.code).toBe(0);
    expect(r.err).toContain('skipped: notes.txt: is not a security note');
    expect(cordon(t, ['notes', 'import', '--strict', dir]).code).toBe(1);
    const missing = cordon(t, ['notes', 'import', path.join(dir, 'nope')]);
    expect(missing.code).toBe(1);
    expect(missing.err).toContain('is not a directory');
  });

  it('exports every published note, each imported one byte for byte as it came in', () => {
    const dir = temp();
    const r = cordon(t, ['notes', 'export', dir]);
    expect(r.code).toBe(0);
    expect(r.out).toContain(`96 note(s) written to ${dir}`);
    const files = readdirSync(dir).sort();
    expect(files).toHaveLength(96);
    const same = files.filter((f) => readFileSync(path.join(dir, f)).equals(readFileSync(fixturePath('ossn', f))));
    expect(same).toEqual(files);
  });
});
