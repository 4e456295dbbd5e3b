// The import graph of src/ (ARCHITECTURE.md): no import circle between files, and arrows that point
// down the layers (and, between domains, down the domain order). KNOWN_UPWARD would list arrows that point
// the wrong way with their count per folder pair (a new one fails, a count that fell must be lowered); it is
// empty since issue 16 and should stay so. Type-only imports count: a circle of types is still a circle.
import { readFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ratchet, sourceFiles, SRC } from './testing/source-tree.js';

/** Bottom to top. A file may import from its own layer or any layer below it. */
export const LAYERS = ['foundation', 'storage', 'platform', 'domain', 'composition'] as const;
type Layer = (typeof LAYERS)[number];

const FOUNDATION = new Set(['errors', 'text', 'identifiers', 'cvss', 'pgp', 'calendar', 'clock.ts', 'config', 'logging.ts', 'sandbox']);
const PLATFORM = new Set(['context.ts', 'access', 'audit', 'jobs', 'http', 'web']);
/**
 * The domains, lowest first: a domain may use the ones before it, never one after it. Projects, the
 * team keys and mail that accounts and stakeholders use; the report, its embargo lifecycle included
 * (reports/embargo/: the embargo and the report need each other, so they are one domain); the work on it
 * (patches, the disclosure plan); what is published from it (the publication formats and site, then the
 * advisory and note workflows that publish through them); the instance-wide pages over all of them.
 */
export const DOMAIN_ORDER = ['projects', 'keys', 'mail', 'accounts', 'stakeholders', 'reports', 'patches', 'publication', 'advisories', 'notes', 'disclosure', 'webhooks', 'instance', 'admin'] as const;
/**
 * Files that put the whole application together: they import every domain by design. A domain's
 * cli.ts is its commands' entry point, wired into the CLI like routes into the app.
 */
const COMPOSITION_FILES = new Set(['http/app.ts', 'http/routes-index.ts', 'jobs/registry.ts', 'web/home.tsx', 'server.ts', 'open-context.ts']);
const COMPOSITION_FOLDERS = new Set(['cli', 'bench', 'testing']);

/** Test-only code (helpers and fixtures) sits on top: it may use anything, and shipping code must not use it. */
function isTestOnly(rel: string): boolean {
  const base = path.posix.basename(rel);
  return rel.split('/').includes('testing') || base.startsWith('testing') || /test-(helpers|fixtures|world)\.ts$/.test(base) || base.endsWith('.test.ts') || base.endsWith('.test.tsx');
}

function folderOf(rel: string): string {
  return rel.split('/')[0]!;
}

function layerOf(rel: string): Layer {
  const folder = folderOf(rel);
  if (COMPOSITION_FILES.has(rel) || COMPOSITION_FOLDERS.has(folder) || path.posix.basename(rel) === 'cli.ts' || isTestOnly(rel)) return 'composition';
  // A domain's tables.ts declares its part of the schema: it belongs with storage, which gathers them.
  if (folder === 'storage' || path.posix.basename(rel) === 'tables.ts') return 'storage';
  if (FOUNDATION.has(folder)) return 'foundation';
  if (PLATFORM.has(folder)) return 'platform';
  if ((DOMAIN_ORDER as readonly string[]).includes(folder)) return 'domain';
  throw new Error(`${rel}: the folder ${folder} has no layer; add it to src/architecture.test.ts and ARCHITECTURE.md`);
}


const IMPORT = /(?:^|[\s;])(?:import|export)\s[^'"]*?\sfrom\s+['"](\.{1,2}\/[^'"]+)['"]|import\(\s*['"](\.{1,2}\/[^'"]+)['"]\s*\)|^import\s+['"](\.{1,2}\/[^'"]+)['"]/gm;

/** Relative imports of one file, resolved to files under src/. */
function importsOf(rel: string): string[] {
  const text = readFileSync(path.join(SRC, rel), 'utf8');
  const out = new Set<string>();
  for (const m of text.matchAll(IMPORT)) {
    const spec = (m[1] ?? m[2] ?? m[3])!;
    const target = path.posix.normalize(path.posix.join(path.posix.dirname(rel), spec)).replace(/\.js$/, '');
    const found = ['.ts', '.tsx', '/index.ts'].map((ext) => target + ext).find((f) => existsSync(path.join(SRC, f)));
    if (found) out.add(found);
  }
  return [...out];
}

interface Graph {
  files: string[];
  edges: Map<string, string[]>;
}

function importGraph(): Graph {
  const files = sourceFiles(SRC).filter((f) => !f.endsWith('.test.ts') && !f.endsWith('.test.tsx'));
  return { files, edges: new Map(files.map((f) => [f, importsOf(f)])) };
}

/** Strongly connected components of more than one file (Tarjan), i.e. the import circles. */
function circles(graph: Graph): string[][] {
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, counter);
    low.set(v, counter);
    counter += 1;
    stack.push(v);
    onStack.add(v);
    for (const w of graph.edges.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1) found.push(component.sort());
    }
  };
  for (const f of graph.files) if (!index.has(f)) visit(f);
  return found;
}

/** Why an import points the wrong way, or null when it is allowed. */
function upward(from: string, to: string): string | null {
  const a = layerOf(from);
  const b = layerOf(to);
  if (LAYERS.indexOf(b) > LAYERS.indexOf(a)) return `${a} → ${b}`;
  if (a === 'domain' && b === 'domain') {
    const da = DOMAIN_ORDER.indexOf(folderOf(from) as (typeof DOMAIN_ORDER)[number]);
    const db = DOMAIN_ORDER.indexOf(folderOf(to) as (typeof DOMAIN_ORDER)[number]);
    if (db > da) return 'domain order';
  }
  return null;
}

/**
 * Arrows that point up today, per "from-folder → to-folder", with how many file imports make them.
 * Issue 16 removes them; every session that removes one lowers the count here.
 */
const KNOWN_UPWARD: Record<string, number> = {
};

function upwardCounts(graph: Graph): { counts: Record<string, number>; examples: Map<string, string[]> } {
  const counts: Record<string, number> = {};
  const examples = new Map<string, string[]>();
  for (const [from, targets] of graph.edges) {
    for (const to of targets) {
      if (!upward(from, to)) continue;
      const key = `${folderOf(from)} → ${folderOf(to)}`;
      counts[key] = (counts[key] ?? 0) + 1;
      examples.set(key, [...(examples.get(key) ?? []), `${from} → ${to}`]);
    }
  }
  return { counts, examples };
}

describe('the import graph', () => {
  const graph = importGraph();

  it('reads the source tree (guards the parser itself)', () => {
    expect(graph.files.length).toBeGreaterThan(300);
    expect(graph.edges.get('server.ts')).toContain('http/app.ts');
    expect(graph.edges.get('http/routes-index.ts')).toContain('reports/routes-report.tsx');
  });

  it('has no import circle between files', () => {
    expect(circles(graph)).toEqual([]);
  });

  it('gives every file a layer', () => {
    for (const f of graph.files) expect(() => layerOf(f), f).not.toThrow();
  });

  it('keeps shipping code away from test helpers', () => {
    const offenders = [...graph.edges].flatMap(([from, targets]) => (isTestOnly(from) ? [] : targets.filter(isTestOnly).map((to) => `${from} → ${to}`)));
    expect(offenders).toEqual([]);
  });

  it('points arrows down the layers, except the known ones, which only get fewer', () => {
    const { counts, examples } = upwardCounts(graph);
    const { grown, shrunk } = ratchet(counts, KNOWN_UPWARD);
    const detail = grown.map((line) => `${line}:\n    ${examples.get(line.slice(0, line.lastIndexOf(':')))!.join('\n    ')}`).join('\n  ');
    expect(grown, `new upward imports (see ARCHITECTURE.md):\n  ${detail}`).toEqual([]);
    expect(shrunk, 'fewer upward imports than listed: lower KNOWN_UPWARD in src/architecture.test.ts').toEqual([]);
  });
});
