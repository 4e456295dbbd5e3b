// The install and start promises of the README: the engines field tells the truth about the
// dependencies, and `npm start` serves the build that `npm install` made instead of compiling again.
import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { repoPath } from './testing/fixture-files.js';

const require = createRequire(import.meta.url);
const semver = require('semver') as { satisfies(version: string, range: string): boolean; minVersion(range: string): { version: string } | null };

interface LockedPackage {
  version?: string;
  dev?: boolean;
  optional?: boolean;
  engines?: { node?: string } | string[];
}

const manifest = JSON.parse(readFileSync(repoPath('package.json'), 'utf8')) as { engines: { node: string }; scripts: Record<string, string> };
const lock = JSON.parse(readFileSync(repoPath('package-lock.json'), 'utf8')) as { packages: Record<string, LockedPackage> };

// The oldest release of each Node line our range admits (the LTS lines people install).
const oldestAdmitted = ['20', '22', '24'].map((major) => semver.minVersion(`${manifest.engines.node} >=${major}.0.0 <${Number(major) + 1}.0.0`)?.version);

describe('package.json engines', () => {
  it('admits the Node 20, 22 and 24 lines', () => {
    expect(oldestAdmitted.every((v) => v !== undefined)).toBe(true);
  });

  it('only admits Node versions every locked dependency supports (no EBADENGINE on install)', () => {
    const refusals: string[] = [];
    for (const [where, pkg] of Object.entries(lock.packages)) {
      const range = Array.isArray(pkg.engines) ? undefined : pkg.engines?.node;
      // Optional platform packages are skipped by npm where their engines do not match; what needs
      // them falls back (rollup's optional LZMA binding), so they do not narrow our range.
      if (!where || !range || pkg.optional) continue;
      for (const version of oldestAdmitted) {
        if (version && !semver.satisfies(version, range)) refusals.push(`${where}@${pkg.version} wants node ${range}, Node ${version} is admitted`);
      }
    }
    expect(refusals).toEqual([]);
  });
});

describe('npm start', () => {
  // A throw-away checkout with the real start script, a stand-in CLI and a stand-in tsc that say what ran.
  function fakeCheckout(): string {
    const root = mkdtempSync(path.join(tmpdir(), 'cordon-start-'));
    for (const dir of ['scripts', 'bin', 'src', 'dist', 'node_modules/typescript/bin']) mkdirSync(path.join(root, dir), { recursive: true });
    copyFileSync(repoPath('scripts/start.js'), path.join(root, 'scripts/start.js'));
    for (const file of ['tsconfig.json', 'tsconfig.build.json', 'package.json']) writeFileSync(path.join(root, file), '{}');
    writeFileSync(path.join(root, 'bin/cordon.js'), "console.log('served', process.argv.slice(2).join(' '));\n");
    writeFileSync(path.join(root, 'node_modules/typescript/bin/tsc'), "require('fs').writeFileSync(require('path').join(__dirname, '../../../dist/.tsbuildinfo'), '{}'); console.log('tsc ran');\n");
    writeFileSync(path.join(root, 'src/main.ts'), 'export {};\n');
    return root;
  }
  const run = (root: string) => execFileSync(process.execPath, [path.join(root, 'scripts/start.js'), '--port', '1'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  const age = (root: string, file: string, seconds: number) => {
    const when = new Date(Date.now() - seconds * 1000);
    utimesSync(path.join(root, file), when, when);
  };

  it('is not a compile: npm install builds dist/ (prepare)', () => {
    expect(manifest.scripts.prepare).toContain('tsc');
    expect(manifest.scripts.start).toBe('node scripts/start.js');
  });

  it('serves at once when dist/ is newer than every source', () => {
    const root = fakeCheckout();
    try {
      writeFileSync(path.join(root, 'dist/.tsbuildinfo'), '{}');
      for (const file of ['src/main.ts', 'tsconfig.json', 'tsconfig.build.json', 'package.json']) age(root, file, 60);
      expect(run(root)).toBe('served serve --port 1\n');
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('compiles first when dist/ is missing or a source is newer', () => {
    const root = fakeCheckout();
    try {
      expect(run(root)).toBe('tsc ran\nserved serve --port 1\n');
      age(root, 'dist/.tsbuildinfo', 60);
      expect(run(root)).toBe('tsc ran\nserved serve --port 1\n');
      expect(run(root)).toBe('served serve --port 1\n');
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
