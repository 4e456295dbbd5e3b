// Fuzz targets (issue 13): every parser of outside input is run against generated and mutated
// inputs with fast-check. `npm test` runs a fixed seed and a bounded number of cases per target;
// `npm run fuzz` (scripts/fuzz.js) sets FUZZ_RUNS/FUZZ_SEED/FUZZ_TIME_MS and runs the same targets long.
// Every failure becomes a committed regression input in `__fuzz__/<target>/` beside the test,
// replayed on every run.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { AppError } from '../errors/catalogue.js';

/** The seed `npm test` uses, so a red run is reproducible by anyone. */
export const DEFAULT_FUZZ_SEED = 20261205;

function envInt(name: string): number | undefined {
  const raw = process.env[name]?.trim();
  if (!raw) return undefined;
  const n = Number(raw);
  if (!Number.isSafeInteger(n)) throw new Error(`${name} must be an integer, got "${raw}"`);
  return n;
}

export interface FuzzSettings {
  /** True under `npm run fuzz`. */
  long: boolean;
  seed: number;
  /** Cases for a target whose bounded count is `defaultRuns`. */
  runs(defaultRuns: number, longShare?: number): number;
  /** Wall-clock budget for one target; generation stops (successfully) after it. Unbounded in `npm test`. */
  targetBudgetMs: number;
  /** A single case taking longer than this is a hang and fails the target. */
  caseBudgetMs: number;
}

export function fuzzSettings(): FuzzSettings {
  const longRuns = envInt('FUZZ_RUNS');
  const long = longRuns !== undefined;
  return {
    long,
    seed: envInt('FUZZ_SEED') ?? DEFAULT_FUZZ_SEED,
    // Slow targets (HTTP, database, OpenPGP) take a share of the long run count.
    runs: (defaultRuns, longShare = 1) => (long ? Math.max(defaultRuns, Math.round(longRuns * longShare)) : defaultRuns),
    // `npm test` runs every one of its bounded cases whatever the machine's speed, so a run is the same
    // run everywhere (a time limit made a slow machine check fewer cases than a fast one).
    targetBudgetMs: envInt('FUZZ_TIME_MS') ?? (long ? 10 * 60_000 : Number.POSITIVE_INFINITY),
    caseBudgetMs: envInt('FUZZ_CASE_MS') ?? 10_000,
  };
}

/** What a parser may do with bad input: return, or throw a catalogued (non-internal) AppError. */
export function assertCatalogued(error: unknown, where: string): void {
  if (error instanceof AppError && error.code !== 'internal') return;
  const what = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  const wrapped = new Error(`${where}: uncatalogued failure ${what}`);
  if (error instanceof Error && error.stack) wrapped.stack = `${wrapped.message}\n-- caused by --\n${error.stack}`;
  throw wrapped;
}

/** Runs `fn`; a thrown error must be catalogued. Returns the value, or the AppError. */
export async function catalogued<T>(where: string, fn: () => T | Promise<T>): Promise<{ value: T } | { error: AppError }> {
  try {
    return { value: await fn() };
  } catch (error) {
    assertCatalogued(error, where);
    return { error: error as AppError };
  }
}

// ---------------------------------------------------------------------------------------------
// Targets

export interface FuzzTarget<T> {
  /** Folder name under `__fuzz__/` for this target's regression inputs. */
  name: string;
  /** `import.meta.url` of the test file: regressions live in `__fuzz__/<name>/` beside it. */
  testFile: string;
  arbitrary: fc.Arbitrary<T>;
  /** Throws when an invariant does not hold. */
  check(input: T): void | Promise<void>;
  /** Cases under `npm test` (bounded; the whole fuzz set stays well under a minute). */
  runs: number;
  /** Share of FUZZ_RUNS under `npm run fuzz` (slow targets take less than 1). */
  longShare?: number;
  /** How a committed regression file is turned back into an input; default by extension. */
  decode?(file: string, bytes: Buffer): T;
}

export function regressionDir(target: Pick<FuzzTarget<unknown>, 'name' | 'testFile'>): string {
  return path.join(path.dirname(fileURLToPath(target.testFile)), '__fuzz__', target.name);
}

function encodeCase(value: unknown): { ext: string; bytes: Buffer } {
  // A string with a lone surrogate does not survive UTF-8; JSON keeps it (as a \ud800 escape).
  if (typeof value === 'string' && !/\p{Cs}/u.test(value)) return { ext: 'txt', bytes: Buffer.from(value, 'utf8') };
  if (value instanceof Uint8Array) return { ext: 'bin', bytes: Buffer.from(value) };
  return { ext: 'json', bytes: Buffer.from(`${JSON.stringify(value, null, 2)}\n`, 'utf8') };
}

function decodeCase(file: string, bytes: Buffer): unknown {
  if (file.endsWith('.txt')) return bytes.toString('utf8');
  if (file.endsWith('.json')) return JSON.parse(bytes.toString('utf8')) as unknown;
  return new Uint8Array(bytes);
}

/** The committed inputs for a target (file name → input). */
export function regressionInputs<T>(target: FuzzTarget<T>): { file: string; input: T }[] {
  const dir = regressionDir(target);
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => !f.startsWith('.') && f !== 'README.md')
    .sort()
    .map((file) => {
      const bytes = readFileSync(path.join(dir, file));
      return { file, input: target.decode ? target.decode(file, bytes) : (decodeCase(file, bytes) as T) };
    });
}

async function timedCheck<T>(target: FuzzTarget<T>, input: T, budgetMs: number): Promise<void> {
  const started = performance.now();
  await target.check(input);
  const took = performance.now() - started;
  // A parser must answer bad input promptly; anything this slow on small input is a hang to fix.
  if (took > budgetMs) throw new Error(`${target.name}: one case took ${Math.round(took)} ms (budget ${budgetMs} ms)`);
}

/** Replays every committed regression input; returns how many there were. */
export async function replayRegressions<T>(target: FuzzTarget<T>): Promise<number> {
  const settings = fuzzSettings();
  const cases = regressionInputs(target);
  for (const { file, input } of cases) {
    try {
      await timedCheck(target, input, settings.caseBudgetMs);
    } catch (error) {
      throw new Error(`${target.name}: regression input ${file} fails again: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    }
  }
  return cases.length;
}

/**
 * Runs the generated cases. On failure the shrunk counterexample is written to
 * test-artifacts/fuzz-failures/<target>/ so it can be committed to `__fuzz__/<target>/`.
 */
export async function runFuzz<T>(target: FuzzTarget<T>): Promise<{ runs: number; seed: number }> {
  const settings = fuzzSettings();
  const numRuns = settings.runs(target.runs, target.longShare);
  // The time limit stops waiting for a case but cannot stop it; wait for it to finish, so that a case
  // still writing to the database cannot change the row counts the next case or test compares.
  let inFlight: Promise<unknown> = Promise.resolve();
  const details = await fc.check(
    fc.asyncProperty<[T]>(target.arbitrary, (input) => {
      const run = timedCheck(target, input, settings.caseBudgetMs);
      inFlight = run.catch(() => undefined);
      return run;
    }),
    { seed: settings.seed, numRuns, ...(Number.isFinite(settings.targetBudgetMs) ? { plugins: [fc.interruptAfterTimeLimit(settings.targetBudgetMs)] } : {}) },
  );
  await inFlight;
  if (details.failed) {
    const counterexample = details.counterexample as [T] | null;
    const saved = counterexample ? saveFailure(target.name, counterexample[0]) : 'nothing saved';
    const cause = details.errorInstance instanceof Error ? details.errorInstance : undefined;
    throw new Error(`${fc.defaultReportMessage(details)}\nCounterexample saved as ${saved}; commit it to ${regressionDir(target)}\n${cause?.stack ?? ''}`, { cause });
  }
  if (settings.long) console.log(`[fuzz] ${target.name}: ${details.numRuns} cases, seed ${settings.seed}`);
  return { runs: details.numRuns, seed: settings.seed };
}

function saveFailure(name: string, value: unknown): string {
  const dir = path.join('test-artifacts', 'fuzz-failures', name);
  mkdirSync(dir, { recursive: true });
  const { ext, bytes } = encodeCase(value);
  const file = path.join(dir, `${createHash('sha256').update(bytes).digest('hex').slice(0, 12)}.${ext}`);
  writeFileSync(file, bytes);
  return file;
}

// ---------------------------------------------------------------------------------------------
// Arbitraries shared by targets

/** Names and paths an attacker would try for escaping a directory or confusing a display. */
export const hostileNames: readonly string[] = [
  '../../etc/passwd', '..\\..\\windows\\win.ini', '/etc/passwd', 'C:\\boot.ini', '\\\\server\\share\\x',
  'a/../../b', './.git/config', '.git/hooks/pre-commit', '..', '.', '', ' ', 'a\0b', '\0',
  'evil\u202egnp.exe', '\uff0e\uff0e\uff0fpasswd', '%2e%2e%2fetc', '..%c0%af', 'con', 'nul.txt',
  'a\nb', 'x'.repeat(300), '\u2024\u2024/x', '~/.ssh/authorized_keys', 'file:///etc/passwd',
];

/** Strings that tend to break parsers: separators, encodings, control and unicode tricks. */
export const hostileFragments: readonly string[] = [
  ...hostileNames, '\r\n', '\n\n', '\r', '\t', '\u0085', '\u2028', '\ufeff', '\ud800', '\udfff', '\uffff',
  '=?utf-8?B?', '=?x?Q?=00?=', '=00', '%00', '--', '\r\n--', '\\', '"', "'", '`', '<script>alert(1)</script>',
  '-----BEGIN PGP MESSAGE-----', '-----END PGP SIGNATURE-----', 'diff --git a/x b/x', '@@ -1 +1 @@',
  '{{', '}}', '[[', ']]', ': ', '- ', '&a', '*a', '!!python/object:os.system', '%YAML 1.1', '---', '...',
  '\u0000'.repeat(4), '9'.repeat(40), '-1', 'NaN', '1e999', '\u00e9', '\u{1f600}', 'a'.repeat(1000),
];

/** A text of random shape, with a bias to lines, separators and hostile fragments. */
export const hostileText: fc.Arbitrary<string> = fc
  .array(fc.oneof(fc.string({ unit: 'grapheme-composite', maxLength: 20 }), fc.constantFrom(...hostileFragments), fc.string({ unit: 'binary', maxLength: 8 })), { maxLength: 40 })
  .map((parts) => parts.join(''));

type Mutation = (text: string, rnd: Mutator) => string;
interface Mutator {
  int(max: number): number;
  fragment(): string;
}

// Line and character mutations of a real input: keep most of its structure so the parser gets
// deep, then break one thing (libFuzzer-style, but over text).
const textMutations: Mutation[] = [
  (t, r) => { const lines = t.split('\n'); lines.splice(r.int(lines.length), 1); return lines.join('\n'); },
  (t, r) => { const lines = t.split('\n'); const i = r.int(lines.length); lines.splice(i, 0, lines[i] ?? ''); return lines.join('\n'); },
  (t, r) => { const lines = t.split('\n'); const i = r.int(lines.length); const j = r.int(lines.length); [lines[i], lines[j]] = [lines[j] ?? '', lines[i] ?? '']; return lines.join('\n'); },
  (t, r) => { const i = r.int(t.length + 1); return t.slice(0, i) + r.fragment() + t.slice(i); },
  (t, r) => { const i = r.int(t.length + 1); return t.slice(0, i) + t.slice(i + 1 + r.int(40)); },
  (t, r) => { const i = r.int(t.length + 1); return t.slice(0, i) + r.fragment() + t.slice(i + 1 + r.int(8)); },
  (t, r) => t.slice(0, r.int(t.length + 1)),
  (t, r) => { const i = r.int(t.length + 1); const len = r.int(200); return t.slice(0, i) + t.slice(i, i + len).repeat(2 + r.int(4)) + t.slice(i + len); },
  (t, r) => { const lines = t.split('\n'); const i = r.int(lines.length); lines[i] = ' '.repeat(r.int(6)) + (lines[i] ?? ''); return lines.join('\n'); },
  (t) => t.replace(/\n/g, '\r\n'),
  (t, r) => { const i = r.int(t.length); const code = t.charCodeAt(i); return Number.isNaN(code) ? t : t.slice(0, i) + String.fromCharCode(code ^ (1 << r.int(8))) + t.slice(i + 1); },
];

/** A real input (one of `seeds`) with 0–`maxMutations` random mutations, optionally spliced with another seed. */
export function mutatedText(seeds: readonly string[], options: { maxMutations?: number; fragments?: readonly string[] } = {}): fc.Arbitrary<string> {
  if (seeds.length === 0) throw new Error('mutatedText needs at least one seed');
  const fragments = [...hostileFragments, ...(options.fragments ?? [])];
  return fc
    .record({
      seed: fc.nat({ max: seeds.length - 1 }),
      other: fc.nat({ max: seeds.length - 1 }),
      splice: fc.boolean(),
      steps: fc.array(fc.tuple(fc.nat({ max: textMutations.length - 1 }), fc.array(fc.nat(), { minLength: 4, maxLength: 4 }), fc.nat({ max: fragments.length - 1 }), fc.string({ unit: 'grapheme-composite', maxLength: 12 })), { maxLength: options.maxMutations ?? 6 }),
    })
    .map(({ seed, other, splice, steps }) => {
      let text = seeds[seed] ?? '';
      if (splice && seeds[other] !== undefined) {
        const b = seeds[other];
        text = text.slice(0, Math.floor(text.length / 2)) + b.slice(Math.floor(b.length / 2));
      }
      for (const [which, ints, fragment, random] of steps) {
        let k = 0;
        const r: Mutator = {
          int: (max) => (max <= 0 ? 0 : (ints[k++ % ints.length] ?? 0) % max),
          fragment: () => (ints[0]! % 3 === 0 ? random : (fragments[fragment] ?? '')),
        };
        text = textMutations[which]!(text, r);
      }
      return text;
    });
}

/** Bytes: a seed with byte flips, inserted random bytes, cuts and repeats. */
export function mutatedBytes(seeds: readonly Uint8Array[], options: { maxMutations?: number } = {}): fc.Arbitrary<Uint8Array> {
  if (seeds.length === 0) throw new Error('mutatedBytes needs at least one seed');
  return fc
    .record({
      seed: fc.nat({ max: seeds.length - 1 }),
      steps: fc.array(fc.tuple(fc.nat({ max: 4 }), fc.nat(), fc.nat({ max: 64 }), fc.uint8Array({ maxLength: 16 })), { maxLength: options.maxMutations ?? 6 }),
    })
    .map(({ seed, steps }) => {
      let b = Buffer.from(seeds[seed] ?? new Uint8Array());
      for (const [kind, pos, len, bytes] of steps) {
        const i = b.length ? pos % (b.length + 1) : 0;
        if (kind === 0 && b.length) b[i % b.length] = (b[i % b.length]! ^ (1 << (len % 8))) & 0xff;
        else if (kind === 1) b = Buffer.concat([b.subarray(0, i), bytes, b.subarray(i)]);
        else if (kind === 2) b = Buffer.concat([b.subarray(0, i), b.subarray(i + len)]);
        else if (kind === 3) b = b.subarray(0, i);
        else b = Buffer.concat([b.subarray(0, i), b.subarray(i, i + len), b.subarray(i)]);
      }
      return new Uint8Array(b);
    });
}

/** Reads seed files (a folder of small real inputs committed beside the test). */
export function seedFiles(testFile: string, folder: string): { file: string; bytes: Buffer }[] {
  const dir = path.join(path.dirname(fileURLToPath(testFile)), '__fuzz__', folder);
  return readdirSync(dir)
    .filter((f) => !f.startsWith('.') && f !== 'README.md')
    .sort()
    .map((file) => ({ file, bytes: readFileSync(path.join(dir, file)) }));
}
