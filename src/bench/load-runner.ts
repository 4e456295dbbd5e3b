// The load generator, run as its own process so it does not share a CPU queue with the server it measures:
// `node dist/bench/load-runner.js SPEC.json` drives one target with autocannon (from the npm registry) and
// prints one JSON line: requests/s, latency percentiles (from every response's own time, so p95 is exact),
// and the status codes seen. Each request takes the next path of the spec's list, so a run touches many
// different reports or advisories rather than one cached row.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { percentile, type LoadResult, type LoadSpec } from './load-spec.js';

interface AutocannonRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string;
}

interface AutocannonResult {
  requests: { total: number };
  duration: number;
  errors: number;
  timeouts: number;
  non2xx: number;
  statusCodeStats?: Record<string, { count: number }>;
}

interface AutocannonInstance {
  on(event: 'response', fn: (client: unknown, statusCode: number, resBytes: number, responseTime: number) => void): void;
}

type Autocannon = (
  options: {
    url: string;
    connections: number;
    duration: number;
    headers: Record<string, string>;
    timeout: number;
    requests: { method: string; setupRequest: (req: AutocannonRequest) => AutocannonRequest }[];
  },
  done: (error: Error | null, result: AutocannonResult) => void,
) => AutocannonInstance;

// autocannon ships no type declarations; it is a CommonJS module.
const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;

function round(n: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

let sequence = 0;

function nextRequest(spec: LoadSpec, req: AutocannonRequest): AutocannonRequest {
  const n = sequence++;
  const path = spec.paths[n % spec.paths.length] ?? '/';
  if (!spec.reportBody) return { ...req, path };
  const slugs = spec.reportBody.projectSlugs;
  const body = JSON.stringify({
    title: `Benchmark report ${process.pid}-${n}: token replay in the API`,
    description: `A report filed by the load generator (request ${n}). By replaying an expired token an authenticated user may read another tenant's metadata.`,
    projects: [slugs[n % slugs.length] ?? 'nova-001'],
    email: `load${n}@bench.example.org`,
    stay_anonymous: true,
  });
  // Each request comes from its own address (X-Forwarded-For; the bench server trusts its proxy), so the
  // per-address intake limit (10 a minute) still runs but does not turn the run into a 429 test.
  const address = `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`;
  return { ...req, path, body, headers: { ...req.headers, 'content-type': 'application/json', 'x-forwarded-for': address } };
}

/**
 * One autocannon run, then a pause as long as its slowest response: requests still in flight when the run
 * stops keep the server busy (a synchronous baseline queues them), and must not eat into the next run.
 */
async function run(spec: LoadSpec, seconds: number, latencies: number[]): Promise<AutocannonResult> {
  const result = await autocannonRun(spec, seconds, latencies);
  const slowest = latencies.reduce((m, x) => Math.max(m, x), 0);
  await new Promise((resolve) => setTimeout(resolve, Math.min(15_000, Math.max(250, slowest))));
  return result;
}

function autocannonRun(spec: LoadSpec, seconds: number, latencies: number[]): Promise<AutocannonResult> {
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url: spec.url,
        connections: spec.connections,
        duration: seconds,
        headers: spec.headers,
        timeout: 30,
        requests: [{ method: spec.method, setupRequest: (req) => nextRequest(spec, req) }],
      },
      (error, result) => (error ? reject(error) : resolve(result)),
    );
    instance.on('response', (_client, _status, _bytes, responseTime) => latencies.push(responseTime));
  });
}

async function runLoad(spec: LoadSpec): Promise<LoadResult> {
  if (spec.warmupSeconds > 0) await run(spec, spec.warmupSeconds, []);
  const latencies: number[] = [];
  const result = await run(spec, spec.durationSeconds, latencies);
  latencies.sort((a, b) => a - b);
  const status: Record<string, number> = {};
  for (const [code, stat] of Object.entries(result.statusCodeStats ?? {})) status[code] = Number(stat.count);
  const requests = latencies.length;
  return {
    requests,
    seconds: result.duration,
    rps: round(requests / result.duration, 1),
    p50_ms: round(percentile(latencies, 50)),
    p95_ms: round(percentile(latencies, 95)),
    p99_ms: round(percentile(latencies, 99)),
    max_ms: round(latencies[latencies.length - 1] ?? 0),
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    status,
  };
}

const spec = JSON.parse(readFileSync(process.argv[2] ?? '/dev/stdin', 'utf8')) as LoadSpec;
runLoad(spec).then(
  (r) => process.stdout.write(`${JSON.stringify(r)}\n`),
  (e: unknown) => {
    process.stderr.write(`load runner failed: ${e instanceof Error ? e.stack : String(e)}\n`);
    process.exit(1);
  },
);
