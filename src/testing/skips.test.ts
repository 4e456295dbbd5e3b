// Issue 14: suites that cannot run here are registered and reported as skipped, with their reason;
// on CI the same condition is a failure. Checked on this file's own collected tasks.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { chromiumAvailable, chromiumMissing, describeInBrowser } from './browser.js';
import { describeOnPostgres, postgresMissing, postgresUrl, testDialects } from './databases.js';
import { repoPath } from './fixture-files.js';
import { requireOnCi, SKIP_MARK, skippedTitle } from './skips.js';

describe.each(testDialects())('a dialect case on %s', (dialect) => {
  it('runs only for a dialect the storage layer knows', () => {
    expect(['sqlite', 'postgres']).toContain(dialect);
  });
});
describeOnPostgres('a PostgreSQL-only suite', () => {
  it('runs', () => expect(postgresUrl).toBeTruthy());
});
describeInBrowser('a browser suite', () => {
  it('runs', () => expect(chromiumAvailable).toBe(true));
});

describe('what this file registered', () => {
  it('has the PostgreSQL case of describe.each(testDialects()): running, or skipped with the reason in its title', ({ task }) => {
    const cases = task.file.tasks.filter((t) => t.name.startsWith('a dialect case on '));
    const postgresTitle = postgresUrl ? 'a dialect case on postgres' : `a dialect case on postgres${SKIP_MARK}${postgresMissing}`;
    expect(cases.map((t) => [t.name, t.mode])).toEqual([
      ['a dialect case on sqlite', 'run'],
      [postgresTitle, postgresUrl ? 'run' : 'skip'],
    ]);
    const postgresTests = cases[1]?.type === 'suite' ? cases[1].tasks : [];
    expect(postgresTests.map((t) => t.mode)).toEqual([postgresUrl ? 'run' : 'skip']);
  });

  it('titles the other suites with their reason when they are skipped', ({ task }) => {
    const modes = new Map(task.file.tasks.map((t) => [t.name, t.mode]));
    const expectSuite = (title: string, available: boolean, reason: string) =>
      expect(available ? modes.get(title) : modes.get(skippedTitle(title, reason))).toBe(available ? 'run' : 'skip');
    expectSuite('a PostgreSQL-only suite', Boolean(postgresUrl), postgresMissing);
    expectSuite('a browser suite', chromiumAvailable, chromiumMissing);
  });

  it('fails instead of skipping on CI', () => {
    expect(() => requireOnCi(false, postgresMissing, true)).toThrow(`CI=true but ${postgresMissing}`);
    expect(() => requireOnCi(true, postgresMissing, true)).not.toThrow();
    expect(() => requireOnCi(false, postgresMissing, false)).not.toThrow();
  });
});

describe('suites skip only through these helpers', () => {
  it('no test file skips a suite or test without a reason in its title', () => {
    const root = repoPath('src');
    const testFiles = readdirSync(root, { recursive: true, encoding: 'utf8' }).filter((f) => /\.test\.tsx?$/.test(f));
    // A bare skipIf/skip hides a suite from the summary's reasons; describeOnPostgres, describeInBrowser and
    // describeIf (src/testing/skips.ts) register it with its reason and fail on CI.
    const silent = /\b(describe|it|test)\.(skipIf|runIf|skip)\(|\bxit\(|\[cordon tests\]/;
    const found = testFiles.flatMap((f) =>
      readFileSync(path.join(root, f), 'utf8')
        .split('\n')
        .flatMap((line, i) => (silent.test(line) ? [`src/${f}:${i + 1}: ${line.trim()}`] : [])),
    );
    expect(found).toEqual([]);
  });
});
