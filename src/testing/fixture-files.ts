// Files the tests read from the repository: test-fixtures/ (the OSSA/OSSN corpus, official schemas,
// CVSS reference vectors, golden outputs; origins and licences in test-fixtures/SOURCES.md).
// The product never reads them at run time, and nothing here points outside the repository.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Absolute path of a file under test-fixtures/, e.g. fixturePath('ossa') or fixturePath('schemas', 'osv.schema.json'). */
export function fixturePath(...parts: string[]): string {
  const p = path.join(repoRoot, 'test-fixtures', ...parts);
  if (!existsSync(p)) throw new Error(`test fixture missing: ${p} (see test-fixtures/SOURCES.md)`);
  return p;
}

/** Absolute path of a file in the repository (for files that are not fixtures: dist/, bin/, test-artifacts/). */
export function repoPath(...parts: string[]): string {
  return path.join(repoRoot, ...parts);
}
