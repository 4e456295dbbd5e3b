// Fuzz target (issue 13): uploaded patches (`git format-patch` mboxes and bare diffs). Invariants:
// any bytes are accepted or refused with a catalogued error; an accepted patch names only paths
// inside the repository (pathProblem) and stays within the file limit; an accepted series writes
// back as an mbox that is accepted again with the same paths; download names and branch names
// never carry a path, whatever the report id, project or branch.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { catalogued, hostileNames, hostileText, mutatedBytes, mutatedText, replayRegressions, runFuzz, seedFiles, type FuzzTarget } from '../testing/fuzz.js';
import { patchFileName, seriesToMbox } from './naming.js';
import { assertBranchName, parseUntrustedPatch, pathProblem } from './safety.js';
import type { ParsedPatchSet } from './types.js';

const SEED_BYTES = seedFiles(import.meta.url, 'seeds/patches').map((s) => new Uint8Array(s.bytes));
const SEEDS = SEED_BYTES.map((b) => Buffer.from(b).toString('utf8'));
const PATCH_FRAGMENTS = [
  'diff --git a/../x b/../x', 'diff --git "a/\\056\\056/x" "b/\\056\\056/x"', '--- a/.git/config', '+++ b/.GIT./hooks/x', '--- /dev/null', '+++ /etc/passwd',
  'rename from ', 'rename to ../../outside', 'new file mode 120000', 'old mode 100644', 'new mode 160000', 'similarity index 200%', '@@ -1,3 +1,4 @@', '@@ -0,0 +1 @@',
  '@@ -99999999999999999999,1 +1 @@', 'GIT binary patch', 'literal 5', 'Binary files a/x and b/x differ', '\\ No newline at end of file', 'Subject: [PATCH 99/1] ',
  'From 0000000000000000000000000000000000000000 Mon Sep 17 00:00:00 2001', 'From: =?utf-8?B?', 'Date: Mon, 99 Foo 2026', '+', '-', ' ', '\ttab',
];

function paths(set: ParsedPatchSet): string[] {
  return set.patches.flatMap((p) => p.files.flatMap((f) => [f.oldPath, f.newPath].filter((x): x is string => x !== null)));
}

const parseTarget: FuzzTarget<string | Uint8Array> = {
  name: 'patch-parse',
  testFile: import.meta.url,
  arbitrary: fc.oneof(
    { weight: 6, arbitrary: mutatedText(SEEDS, { fragments: [...PATCH_FRAGMENTS, ...hostileNames] }) },
    { weight: 2, arbitrary: mutatedBytes(SEED_BYTES) },
    { weight: 1, arbitrary: hostileText },
  ),
  runs: 800,
  longShare: 0.5,
  check: async (input) => {
    const outcome = await catalogued('parseUntrustedPatch', () => parseUntrustedPatch(input, { maxFiles: 20 }));
    if ('error' in outcome) return;
    const set = outcome.value;
    const all = paths(set);
    for (const p of all) expect(pathProblem(p), `path ${JSON.stringify(p)}`).toBeNull();
    expect(set.patches.reduce((n, p) => n + p.files.length, 0)).toBeLessThanOrEqual(20);
    // Written back for download, the series is still an acceptable patch naming the same paths.
    const mbox = await catalogued('seriesToMbox', () => seriesToMbox(set.patches, { fallbackAuthor: { name: 'Up Loader', email: 'up@example.org' }, fallbackDate: new Date(0) }));
    if ('error' in mbox || mbox.value === '') return;
    const again = await catalogued('parseUntrustedPatch(mbox)', () => parseUntrustedPatch(mbox.value, { maxFiles: 20 }));
    if ('value' in again) for (const p of paths(again.value)) expect(all).toContain(p);
  },
};

const nameText = fc.oneof(fc.constantFrom(...hostileNames), fc.string({ unit: 'grapheme-composite', maxLength: 30 }), fc.constantFrom('CVE-2013-4183', 'stable/grizzly', 'master', 'nova'));

const namingTarget: FuzzTarget<{ id: string; project: string; branch: string; release: string }> = {
  name: 'patch-naming',
  testFile: import.meta.url,
  arbitrary: fc.record({ id: nameText, project: nameText, branch: nameText, release: nameText }),
  runs: 1500,
  check: async (parts) => {
    const name = await catalogued('patchFileName', () => patchFileName(parts));
    if ('value' in name) {
      // One plain file name: no directory part, no dot-dot, nothing a shell or Content-Disposition would read specially.
      expect(name.value).toMatch(/^[a-z0-9][a-z0-9._-]*\.patch$/);
      expect(name.value).not.toContain('..');
    }
    const branch = await catalogued('assertBranchName', () => assertBranchName(parts.branch));
    if ('value' in branch) {
      expect(branch.value).toMatch(/^[A-Za-z0-9._/+@-]+$/);
      expect(branch.value.startsWith('-')).toBe(false);
      expect(branch.value.split('/')).not.toContain('..');
    }
  },
};

describe('fuzz: patch parsing', () => {
  it('seeds are accepted (so mutations start from real git output)', () => {
    for (const s of SEED_BYTES) expect(paths(parseUntrustedPatch(s)).length).toBeGreaterThan(0);
  });
  for (const target of [parseTarget, namingTarget] as FuzzTarget<never>[]) {
    it(`${target.name}: committed regression inputs still pass`, async () => {
      await replayRegressions(target);
    });
    it(`${target.name}: generated inputs keep the invariants`, async () => {
      expect((await runFuzz(target)).runs).toBeGreaterThan(0);
    });
  }
});
