#!/usr/bin/env node
// `npm start`: serve from dist/, which `npm install` already built (the prepare script). TypeScript is
// compiled again only when dist/ is missing or a source file is newer than the last build, so an
// unchanged checkout starts in about a second instead of paying the ~20 s compile every time.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync, utimesSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const buildStamp = path.join(root, 'dist', '.tsbuildinfo');

/** Newest modification time of the files the build reads (sources, not tests, and the tsconfigs). */
function newestSourceTime() {
  let newest = 0;
  const visit = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) visit(full);
      else if (/\.(ts|tsx|css|js|svg)$/.test(entry.name) && !/\.test\.tsx?$/.test(entry.name)) newest = Math.max(newest, statSync(full).mtimeMs);
    }
  };
  visit(path.join(root, 'src'));
  for (const file of ['tsconfig.json', 'tsconfig.build.json', 'package.json']) newest = Math.max(newest, statSync(path.join(root, file)).mtimeMs);
  return newest;
}

const stale = !existsSync(buildStamp) || statSync(buildStamp).mtimeMs < newestSourceTime();
if (stale) {
  process.stderr.write('cordon: compiling TypeScript (dist/ is missing or older than src/)…\n');
  execFileSync(process.execPath, [path.join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', path.join(root, 'tsconfig.build.json')], { stdio: 'inherit' });
  // tsc leaves its build info alone when nothing it emits changed; mark the build as current anyway.
  const now = new Date();
  utimesSync(buildStamp, now, now);
}

// The CLI reads its command from argv: `npm start -- --help` style arguments pass through.
process.argv = [process.argv[0], path.join(root, 'bin', 'cordon.js'), 'serve', ...process.argv.slice(2)];
await import('../bin/cordon.js');
