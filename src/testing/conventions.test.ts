// Test helpers follow one convention (issue 16): they live in a `testing/` folder (src/testing for shared
// ones, src/<domain>/testing for a domain's), which tsconfig.build.json keeps out of dist/. Only the
// worker processes that tests spawn from dist/ are built, through its `files` list.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoPath } from './fixture-files.js';

const src = repoPath('src');
const sources = (readdirSync(src, { recursive: true }) as string[])
  .map((f) => f.split(path.sep).join('/'))
  .filter((f) => /\.tsx?$/.test(f) && !f.endsWith('.d.ts'));
const isTest = (f: string) => /\.test\.tsx?$/.test(f);
const inTesting = (f: string) => f.split('/').slice(0, -1).includes('testing');
const build = JSON.parse(readFileSync(repoPath('tsconfig.build.json'), 'utf8')) as { exclude: string[]; files?: string[] };

describe('test helper convention', () => {
  it('has no helper named by another convention outside a testing/ folder', () => {
    // instance/test-mail.ts is the product's "Send a test mail" feature, not a helper.
    const named = sources.filter((f) => !isTest(f) && !inTesting(f) && f !== 'instance/test-mail.ts' && /(^|\/)(testing[.-]|test-)|-test-/.test(f));
    expect(named).toEqual([]);
  });

  it('keeps testing/ folders out of the build, except the worker processes tests spawn from dist/', () => {
    expect(build.exclude).toContain('src/**/testing/**');
    for (const file of build.files ?? []) {
      expect(file).toMatch(/^src\/.*\/testing\/[\w-]+\.ts$/);
      expect(sources.filter(isTest).some((t) => readFileSync(path.join(src, t), 'utf8').includes(path.basename(file, '.ts') + '.js')), file).toBe(true);
    }
  });

  it('has no shipped module importing a helper from a testing/ folder', () => {
    const importers = sources
      .filter((f) => !isTest(f) && !inTesting(f))
      .filter((f) => /from '(\.\.?\/)+(\w+\/)*testing\//.test(readFileSync(path.join(src, f), 'utf8')));
    expect(importers).toEqual([]);
  });

  it('has every module that only tests use in a testing/ folder (a helper by use, whatever its name)', () => {
    const importers = new Map<string, string[]>();
    for (const f of sources) {
      for (const m of readFileSync(path.join(src, f), 'utf8').matchAll(/(?:from\s+|import\(\s*)'(\.{1,2}\/[^']+)'/g)) {
        const target = path.posix.normalize(path.posix.join(path.posix.dirname(f), m[1]!)).replace(/\.js$/, '');
        const hit = ['.ts', '.tsx', '/index.ts'].map((ext) => target + ext).find((x) => sources.includes(x));
        if (hit) importers.set(hit, [...(importers.get(hit) ?? []), f]);
      }
    }
    const testOnly = sources.filter((f) => !isTest(f) && !inTesting(f) && (importers.get(f) ?? []).length > 0 && importers.get(f)!.every((i) => isTest(i) || inTesting(i)));
    expect(testOnly).toEqual([]);
  });
});

/**
 * Who may write audit events directly: context.ts alone, where ChangeContext's `audit`/`audits` write
 * them in the change's transaction with its actor, request id and moment (issue 16 item 2). Everything
 * else, job lanes included, writes through the context; audit.ts's own test checks the chain itself.
 */
function directAuditWriters(files: readonly string[], read: (f: string) => string): string[] {
  // This file names them in its detector's examples.
  const allowed = new Set(['context.ts', 'audit/audit.ts', 'audit/audit.test.ts', 'testing/conventions.test.ts']);
  return files.filter((f) => !allowed.has(f) && /\brecordAudits?\b/.test(read(f)));
}

describe('one change path', () => {
  it('writes audit events only through the change context', () => {
    expect(directAuditWriters(sources, (f) => readFileSync(path.join(src, f), 'utf8'))).toEqual([]);
  });

  it('makes a change context only in change() and the job worker (tests may stand in for the worker)', () => {
    const makers = sources.filter((f) => !isTest(f) && !inTesting(f) && f !== 'context.ts' && f !== 'jobs/worker.ts' && /\bchangeIn\(/.test(readFileSync(path.join(src, f), 'utf8')));
    expect(makers).toEqual([]);
  });

  it('finds a direct call (the detector on known text)', () => {
    const text: Record<string, string> = {
      'context.ts': "import { recordAudits } from './audit/audit.js';",
      'notes/publish.ts': 'await recordAudit(trx, dialect, { action });',
      'reports/embargo/opening.ts': 'await change.audits(events);',
    };
    expect(directAuditWriters(Object.keys(text), (f) => text[f]!)).toEqual(['notes/publish.ts']);
  });
});
